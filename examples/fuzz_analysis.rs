//! An in-tree fuzzer for the pure core (stable Rust, no cargo-fuzz): random pages built from
//! wikitext fragments and raw bytes go through everything the bot does with a page's text
//! (analysis, tally, checklist, plan, index rows, sign-ups, learning patterns); a panic is a
//! finding. The input that caused it is saved to `fuzz-crash-<seed>.wikitext`.
//!
//!     cargo run --release --example fuzz_analysis -- [SECONDS=600] [SEED]
//!
//! Prints iterations and pages per second. Exits 1 on the first panic.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use partnerbot::analyse::builtin::BuiltinRules;
use partnerbot::analyse::index::{self, PatternFields};
use partnerbot::analyse::page;
use partnerbot::analyse::survey;
use partnerbot::analyse::tally::{self, Account, History};
use partnerbot::apply::plan::plan;
use partnerbot::render::checklist::RenderSettings;
use partnerbot::render::index as render_index;

const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{{{",
    "}}}",
    "[[",
    "]]",
    "|",
    "=",
    "\n",
    "\n\n",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "<pre>",
    "<s>",
    "</s>",
    "<q>",
    "<blockquote>",
    "'''",
    "''",
    "~~~~",
    "#",
    "*",
    "#:",
    "**",
    ":",
    "== ",
    " ==",
    "=== ",
    " ===",
    "\n== Community support ==\n",
    "\n=== Support ===\n",
    "\n=== Oppose ===\n",
    "\n=== Neutral ===\n",
    "\n== Endorsements ==\n",
    "\n== Evaluation survey ==\n",
    "{{Partnership survey response|process=4|outcomes=",
    "stage=evaluation",
    "|approval_target=",
    "<!-- partnerbot:survey as_of=1 verified=abc | x -->",
    "<!-- /partnerbot:survey -->",
    "\n== Interested communities ==\n",
    "\n== Plan ==\nText\n",
    "{{Partnership proposal|partner=P|partner_type=organization|contact=Ana|stage=planning",
    "{{Probox|problem=p|solution=s|creator=C}}",
    "{{unsigned|Ana}}",
    "{{s|",
    "stage=",
    "[[User:Ana|Ana]] ([[User talk:Ana|talk]]) 10:00, 1 March 2026 (UTC)",
    "[[m:User:Ö|Ö]] 23:59, 31 December 2025 (UTC)",
    "(UTC)",
    "10:00, 1 March 2026",
    "<!-- partnerbot:checklist stage=selection | x -->",
    "<!-- /partnerbot:checklist -->",
    "<!-- partnerbot:tally as_of=1 checked=abc | x -->",
    "<!-- /partnerbot:tally -->",
    "<!-- partnerbot:index-learning-patterns rows=1 | x -->",
    "{{Partnership index/learning pattern row|title=&#124;|problem=&amp;#x41;}}",
    "<!-- /partnerbot:index-learning-patterns -->",
    "&#",
    "&amp;",
    "é",
    "🦀",
    "\u{0}",
    "\r\n",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn page(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(120) {
        match rng.below(10) {
            0 => {
                // A run of raw, possibly invalid, bytes made valid UTF-8 the lossy way.
                let bytes: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
            1 => out.push_str(&"{{".repeat(rng.below(50))),
            _ => out.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]),
        }
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(600);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 | 1)
    });
    println!("fuzz_analysis: seed {seed}, {seconds} s");
    let builtin = BuiltinRules::default();
    let (stages, count_rules) = (&builtin.stages, &builtin.count);
    let (line_rules, signatures, survey_rules) =
        (&builtin.lines, &builtin.signatures, &builtin.survey);
    let rules = builtin.proposal_rules();
    let votes = builtin.vote_rules();
    let settings = RenderSettings::builtin(&builtin);
    let fields = PatternFields {
        infobox: vec!["Probox".into()],
        problem: "problem".into(),
        solution: "solution".into(),
        creator: "creator".into(),
        endorsement_sections: vec!["Endorsements".into()],
    };
    let accounts: HashMap<String, Account> = HashMap::new();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a valid date");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (mut iterations, mut bytes) = (0u64, 0usize);
    while started.elapsed() < Duration::from_secs(seconds) {
        let text = page(&mut rng);
        bytes += text.len();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut read = page::read(&text, &rules, &votes);
            read.survey = read.survey_lines.as_ref().map(|l| {
                let target = page::approval_target(&read.proposal);
                let history = History::default();
                survey::count(
                    l,
                    &accounts,
                    &history,
                    count_rules,
                    survey_rules,
                    target,
                    now,
                )
            });
            let t = read.votes.as_ref().map(|l| {
                let period = page::period(&read.proposal, l);
                tally::tally(l, &accounts, &History::default(), period, count_rules, now)
            });
            let analysis = page::complete(read, stages, &HashMap::new(), t);
            let _ = plan("Fuzz", 1, &text, &analysis, &settings);
            let _ = index::read_pattern(&text, &fields, line_rules, signatures);
            let _ = index::signups(&text, "Interested communities", line_rules, signatures);
            let _ = render_index::read_rows(&text, index::ListKind::LearningPatterns);
        }));
        iterations += 1;
        if result.is_err() {
            let path = format!("fuzz-crash-{seed}-{iterations}.wikitext");
            let _ = std::fs::write(&path, &text);
            eprintln!("fuzz_analysis: PANIC at iteration {iterations}; input saved to {path}");
            std::process::exit(1);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz_analysis: {iterations} pages ({:.1} MiB) in {secs:.0} s, {:.0} pages/s, no panic",
        bytes as f64 / 1048576.0,
        iterations as f64 / secs
    );
}
