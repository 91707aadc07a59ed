//! Throughput of the pure analysis core (`cargo bench --bench analyse`): proposal pages with a
//! 500-vote support section, read and checked, checklist built, region rendered and planned.
//! Prints pages per second; no assertion (targets are in README "Performance").

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use partnerbot::analyse::builtin::BuiltinRules;
use partnerbot::analyse::page;
use partnerbot::analyse::tally::{self, Account, History};
use partnerbot::apply::plan::plan;
use partnerbot::render::checklist::RenderSettings;

fn proposal_page(n: usize, votes: usize) -> String {
    let mut text = format!(
        "{{{{Partnership proposal\n| partner = Partner {n}\n| partner_type = organization\n\
         | contact = Ana Lopes, [[User:Rui Costa|Rui]]\n| stage = agreement\n| goal = Goal\n\
         | agreement = [[Agreement/{n}]]\n| start = 2026-01-15\n}}}}\nIntro.\n\n== Plan ==\n{}\n\
         == Community support ==\n=== Support ===\n",
        "Prose with [[links]] and {{templates|a=b}}. ".repeat(30)
    );
    for v in 0..votes {
        text.push_str(&format!(
            "# '''Support''' reason {v} <!-- c --> [[User:Voter {v}|V{v}]] ([[User talk:Voter {v}|talk]]) 10:{:02}, 3 March 2026 (UTC)\n#: reply [[User:Other|O]] 11:00, 3 March 2026 (UTC)\n",
            v % 60
        ));
    }
    text.push_str("=== Oppose ===\n=== Neutral ===\n");
    text
}

fn main() {
    let builtin = BuiltinRules::default();
    let (stages, count_rules) = (&builtin.stages, &builtin.count);
    let rules = builtin.proposal_rules();
    let votes = builtin.vote_rules();
    let settings = RenderSettings::builtin(&builtin);
    let accounts: std::collections::HashMap<String, Account> = (0..500)
        .map(|v| {
            (
                format!("Voter {v}"),
                Account {
                    exists: true,
                    edits: 10,
                    ..Default::default()
                },
            )
        })
        .collect();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    // PARTNERBOT_BENCH_PAGES shrinks the run for profilers (valgrind --tool=callgrind).
    let count = std::env::var("PARTNERBOT_BENCH_PAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let pages: Vec<String> = (0..count).map(|n| proposal_page(n, 500)).collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    let exists = HashMap::new();
    let rounds = if count < 200 { 1 } else { 5 };
    let start = Instant::now();
    for _ in 0..rounds {
        for (n, text) in pages.iter().enumerate() {
            let read = page::read(text, &rules, &votes);
            let lines = read.votes.as_deref().unwrap_or_default();
            let period = page::period(&read.proposal, lines);
            let t = tally::tally(
                lines,
                &accounts,
                &History::default(),
                period,
                count_rules,
                now,
            );
            let analysis = page::complete(read, stages, &exists, Some(t));
            black_box(plan(&format!("P/{n}"), 1, text, &analysis, &settings));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let analysed = (rounds * pages.len()) as f64;
    println!(
        "analysis: {:.0} pages/s on 500-vote proposal pages ({:.1} KiB each, {:.1} MiB/s)",
        analysed / seconds,
        bytes as f64 / pages.len() as f64 / 1024.0,
        (bytes * rounds) as f64 / seconds / 1024.0 / 1024.0
    );
}
