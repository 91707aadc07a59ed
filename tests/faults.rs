//! Faults between the bot and a real MediaWiki (project issue 7, items 1 and 2).
//!
//! * A fault-injection proxy (std threads, one connection per request) sits between the bot and
//!   the dev wiki. With probability p per request it answers 500/502/503, stalls longer than
//!   the bot's timeout, drops the connection, answers a `maxlag` or `readonly` API error, and on
//!   `action=edit` POSTs also a `badtoken` error or a concurrent human edit of the page being
//!   saved (a unique marker line appended at the end, outside the bot's regions) before
//!   forwarding.
//! * Soak: `run --once` over the sample proposals at a 20% fault rate, with a human stage
//!   change between runs, until `PARTNERBOT_SOAK_CYCLES` page reconciles (default 40, for CI; the
//!   full soak is `PARTNERBOT_SOAK_CYCLES=1000 cargo test --test faults`). Then, without the
//!   proxy: the bot converges, no human edit is lost, no stage notice is repeated, nothing
//!   outside the bot's regions differs from what humans wrote, no panic.
//! * Crash and restart: the continuous job is `kill -9`ed at random moments after human edits
//!   (`PARTNERBOT_CRASH_RESTARTS`, default 30), then left to settle; same checks.
//!
//! Everything random comes from one xorshift seeded by `PARTNERBOT_FAULT_SEED` (printed). The
//! order in which the bot's requests reach the proxy is the bot's, so a seed replays the same
//! fault sequence as far as that order is the same.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{DevWiki, WikiTest, ok, partnerbot_with, repo_root, run_wiki_tests, stderr, stdout};
use libtest_mimic::Failed;

const PROPOSALS: [&str; 6] = [
    "Partnerships/Proposals/City Museum of Lisbon",
    "Partnerships/Proposals/Porto Botanical Garden",
    "Partnerships/Proposals/Coimbra University Library",
    "Partnerships/Proposals/Maria Santos",
    "Partnerships/Proposals/Braga Municipal Archive",
    "Partnerships/Proposals/Faro Science Centre",
];
/// The proposals with a valid stage line (Faro's is broken on purpose).
const STAGED: [&str; 5] = [
    PROPOSALS[0],
    PROPOSALS[1],
    PROPOSALS[2],
    PROPOSALS[3],
    PROPOSALS[4],
];
const STAGES: [&str; 8] = [
    "selection",
    "involvement",
    "planning",
    "agreement",
    "implementation",
    "evaluation",
    "communication",
    "iteration",
];
const DEFAULT_SEED: u64 = 0x5eed_2026_0007;
/// Faults per 1000 requests in the soak.
const SOAK_RATE: u32 = 200;

const TESTS: &[(&str, WikiTest)] = &[
    ("soak_run_once_at_20_percent_faults_through_the_proxy", soak),
    (
        "kill_9_and_restart_the_continuous_job_at_random_moments",
        crash_restart,
    ),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    wiki.import_pages(&repo_root().join("examples/pages"));
    wiki.run_jobs();
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        }
        Err(_) => default,
    }
}

fn seed() -> u64 {
    env_u64("PARTNERBOT_FAULT_SEED", DEFAULT_SEED)
}

/// xorshift64: small, seeded, no crate.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ---------------------------------------------------------------------------------------------
// What humans wrote: the page text outside the bot's regions, and the proxy's markers.

#[derive(Default)]
struct Humans {
    /// Per proposal: its text outside the bot's regions as the last human left it.
    outside: HashMap<String, String>,
    /// (page, marker line) for every concurrent human edit the proxy made.
    markers: Vec<(String, String)>,
}

type Ledger = Arc<Mutex<Humans>>;

/// The text without any `<!-- partnerbot:KIND ... --> ... <!-- /partnerbot:KIND -->` region
/// (and the line break after each), trailing white space trimmed (MediaWiki trims on save).
fn outside_regions(text: &str) -> String {
    let mut text = text.to_owned();
    let mut from = 0;
    while let Some(rel) = text[from..].find("<!-- partnerbot:") {
        let s = from + rel;
        let kind: String = text[s + "<!-- partnerbot:".len()..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let end = format!("<!-- /partnerbot:{kind} -->");
        match text[s..].find(&end) {
            Some(e) => {
                let mut stop = s + e + end.len();
                if text[stop..].starts_with('\n') {
                    stop += 1;
                }
                text.replace_range(s..stop, "");
                from = s;
            }
            None => from = s + 1, // A marker without an end (a stage notice): not a region.
        }
    }
    text.trim_end().to_owned()
}

/// The page's `| stage = ...` line set to `stage`.
fn with_stage(text: &str, stage: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("| stage"))
        .unwrap_or_else(|| panic!("no stage line in:\n{text}"));
    text.replacen(line, &format!("| stage           = {stage}"), 1)
}

fn current_stage(text: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with("| stage"))
        .and_then(|l| l.split('=').nth(1))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// An edit as Admin through edit.php; Err with its output if MediaWiki refused it (edit.php
/// reports an edit conflict when the bot saves the same page at the same moment).
fn edit_php(dir: &Path, title: &str, text: &str) -> Result<(), String> {
    let mut child = Command::new(repo_root().join("deploy/devwiki"))
        .arg("maint")
        .arg(dir)
        .args([
            "edit.php",
            "-u",
            "Admin",
            "-s",
            "human edit (tests/faults.rs)",
            title,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A human moves a random staged proposal to another stage; with `marker`, also appends a line.
fn human_stage_change(
    wiki: &DevWiki,
    humans: &Ledger,
    rng: &mut XorShift,
    marker: Option<String>,
) -> String {
    let title = STAGED[rng.below(STAGED.len() as u64) as usize];
    let mut next = STAGES[rng.below(STAGES.len() as u64) as usize];
    // Read, change, save; again if the bot saved the page in between (edit conflict).
    for attempt in 0.. {
        let text = wiki.text(title);
        let now = current_stage(&text);
        if next == now {
            next = STAGES[(STAGES.iter().position(|s| *s == next).unwrap() + 1) % STAGES.len()];
        }
        let mut changed = with_stage(&text, next);
        if let Some(marker) = &marker {
            changed = format!("{}\n\n{marker}\n", changed.trim_end());
        }
        match edit_php(wiki.dir(), title, &changed) {
            Ok(()) => {
                let mut h = humans.lock().unwrap();
                if let Some(marker) = marker {
                    h.markers.push((title.to_owned(), marker));
                }
                h.outside
                    .insert(title.to_owned(), outside_regions(&changed));
                return format!("{title}: {now} -> {next} (attempt {attempt})");
            }
            Err(e) if attempt < 5 => eprintln!("human edit of {title} refused, again: {e}"),
            Err(e) => panic!("human edit of {title} refused 6 times: {e}"),
        }
    }
    unreachable!()
}

// ---------------------------------------------------------------------------------------------
// The proxy.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Status5xx,
    Stall,
    Drop,
    Maxlag,
    Readonly,
    Badtoken,
    HumanEdit,
}

const ANY_REQUEST: &[Fault] = &[Fault::Status5xx, Fault::Stall, Fault::Drop];
const API_REQUEST: &[Fault] = &[
    Fault::Status5xx,
    Fault::Stall,
    Fault::Drop,
    Fault::Maxlag,
    Fault::Readonly,
];
const EDIT_REQUEST: &[Fault] = &[
    Fault::Status5xx,
    Fault::Stall,
    Fault::Drop,
    Fault::Maxlag,
    Fault::Readonly,
    Fault::Badtoken,
    Fault::HumanEdit,
];

struct Shared {
    wiki_port: u16,
    wiki_dir: PathBuf,
    seed: u64,
    /// Faults per 1000 requests.
    rate: AtomicU32,
    rng: Mutex<XorShift>,
    faults: Mutex<BTreeMap<Fault, u64>>,
    requests: AtomicU64,
    edit_posts: AtomicU64,
    human_edits_skipped: AtomicU64,
    humans: Ledger,
}

struct Proxy {
    port: u16,
    shared: Arc<Shared>,
}

impl Proxy {
    fn start(wiki: &DevWiki, seed: u64, rate: u32, humans: Ledger) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            wiki_port: wiki.port,
            wiki_dir: wiki.dir().to_owned(),
            seed,
            rate: AtomicU32::new(rate),
            rng: Mutex::new(XorShift::new(seed)),
            faults: Default::default(),
            requests: AtomicU64::new(0),
            edit_posts: AtomicU64::new(0),
            human_edits_skipped: AtomicU64::new(0),
            humans,
        });
        let s = shared.clone();
        // Lives until the test binary exits; a wiki per binary, so nothing else reaches it.
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = handle(&s, client);
                });
            }
        });
        Proxy { port, shared }
    }

    fn faults(&self) -> BTreeMap<Fault, u64> {
        self.shared.faults.lock().unwrap().clone()
    }

    fn report(&self) -> String {
        let faults = self.faults();
        let total: u64 = faults.values().sum();
        format!(
            "requests {}, edit POSTs {}, faults {total} {faults:?}, human edits skipped (not a proposal or its talk page) {}",
            self.shared.requests.load(Ordering::Relaxed),
            self.shared.edit_posts.load(Ordering::Relaxed),
            self.shared.human_edits_skipped.load(Ordering::Relaxed),
        )
    }
}

impl Shared {
    fn pick(&self, choices: &[Fault]) -> Option<Fault> {
        let mut rng = self.rng.lock().unwrap();
        if rng.below(1000) >= u64::from(self.rate.load(Ordering::Relaxed)) {
            return None;
        }
        Some(choices[rng.below(choices.len() as u64) as usize])
    }

    fn count(&self, fault: Fault) {
        *self.faults.lock().unwrap().entry(fault).or_default() += 1;
    }

    /// A concurrent human edit: a unique marker line appended at the end of the page.
    fn human_edit(&self, title: &str) -> bool {
        let on_proposal = PROPOSALS.contains(&title);
        let on_talk = title
            .strip_prefix("Talk:")
            .is_some_and(|t| PROPOSALS.contains(&t));
        if !on_proposal && !on_talk {
            return false;
        }
        let current = page_text(self.wiki_port, title);
        let n = self.human_edit_count();
        let marker = format!(
            "Concurrent human note {n} (seed {:#x}), written while the bot was saving.",
            self.seed
        );
        let text = format!("{}\n\n{marker}\n", current.trim_end());
        let mut child = Command::new(repo_root().join("deploy/devwiki"))
            .arg("maint")
            .arg(&self.wiki_dir)
            .args([
                "edit.php",
                "-u",
                "Admin",
                "-s",
                "concurrent human edit (fault proxy)",
                title,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "proxy's human edit of {title} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut humans = self.humans.lock().unwrap();
        humans.markers.push((title.to_owned(), marker));
        if on_proposal {
            humans
                .outside
                .insert(title.to_owned(), outside_regions(&text));
        }
        true
    }

    fn human_edit_count(&self) -> usize {
        self.humans.lock().unwrap().markers.len()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A parameter of an `application/x-www-form-urlencoded` string.
fn form_param(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

/// The current text of a page, read straight from the wiki (HTTP/1.0: no chunks, no reuse).
fn page_text(wiki_port: u16, title: &str) -> String {
    let path = format!(
        "/api.php?action=query&format=json&formatversion=2&prop=revisions&rvprop=content&rvslots=main&titles={}",
        percent_encode(title)
    );
    let mut up = TcpStream::connect(("127.0.0.1", wiki_port)).unwrap();
    write!(
        up,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{wiki_port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    up.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("page_text({title}): {e}: {answer}"));
    v["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn answer(client: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.flush();
}

/// An API error in the shape the request asked for: `errors` (with `errorformat`, as the bot
/// asks) or the legacy `error` object.
fn api_error(modern: bool, code: &str, info: &str, data: serde_json::Value) -> String {
    if modern {
        serde_json::json!({"errors": [{"code": code, "text": info, "data": data, "module": "main"}],
            "docref": "fault injected by tests/faults.rs"})
        .to_string()
    } else {
        let mut error = serde_json::json!({"code": code, "info": info,
            "*": "fault injected by tests/faults.rs"});
        if let (Some(e), Some(d)) = (error.as_object_mut(), data.as_object()) {
            e.extend(d.clone());
        }
        serde_json::json!({ "error": error }).to_string()
    }
}

/// One request: read it, maybe inject a fault, else forward it to the wiki and stream back.
fn handle(shared: &Shared, mut client: TcpStream) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut headers = Vec::new();
    let mut length = 0usize;
    let mut form_body = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        let lower = name.trim().to_ascii_lowercase();
        let value = value.trim().to_owned();
        match lower.as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "content-type" => {
                form_body = value.starts_with("application/x-www-form-urlencoded");
            }
            "transfer-encoding" => panic!("a chunked request body: {request_line}"),
            _ => {}
        }
        if !matches!(
            lower.as_str(),
            "connection" | "keep-alive" | "host" | "proxy-connection"
        ) {
            headers.push(line.trim_end().to_owned());
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    shared.requests.fetch_add(1, Ordering::Relaxed);

    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("/").to_owned();
    let version = parts.next().unwrap_or("HTTP/1.1").to_owned();
    let is_api = target.starts_with("/api.php");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let form = if form_body {
        String::from_utf8_lossy(&body).into_owned()
    } else {
        String::new()
    };
    let param = |name: &str| form_param(&form, name).or_else(|| form_param(query, name));
    let is_edit = method == "POST" && is_api && param("action").as_deref() == Some("edit");
    let modern = param("errorformat").is_some_and(|f| f != "bc");
    if is_edit {
        shared.edit_posts.fetch_add(1, Ordering::Relaxed);
    }
    let choices = if is_edit {
        EDIT_REQUEST
    } else if is_api {
        API_REQUEST
    } else {
        ANY_REQUEST
    };
    match shared.pick(choices) {
        None => {}
        Some(Fault::Status5xx) => {
            let status = [
                "500 Internal Server Error",
                "502 Bad Gateway",
                "503 Service Unavailable",
            ][shared.rng.lock().unwrap().below(3) as usize];
            shared.count(Fault::Status5xx);
            answer(&mut client, status, "", "fault injected");
            return Ok(());
        }
        Some(Fault::Stall) => {
            shared.count(Fault::Stall);
            std::thread::sleep(Duration::from_secs(3));
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Drop) => {
            shared.count(Fault::Drop);
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Maxlag) => {
            shared.count(Fault::Maxlag);
            answer(
                &mut client,
                "200 OK",
                "Retry-After: 1\r\nX-Database-Lag: 6\r\nMediaWiki-API-Error: maxlag\r\n",
                &api_error(
                    modern,
                    "maxlag",
                    "Waiting for 127.0.0.1: 6 seconds lagged.",
                    serde_json::json!({"host": "127.0.0.1", "lag": 6, "type": "db"}),
                ),
            );
            return Ok(());
        }
        Some(Fault::Readonly) => {
            shared.count(Fault::Readonly);
            answer(
                &mut client,
                "200 OK",
                "MediaWiki-API-Error: readonly\r\n",
                &api_error(
                    modern,
                    "readonly",
                    "The wiki is currently in read-only mode.",
                    serde_json::json!({"readonlyreason": "fault injection"}),
                ),
            );
            return Ok(());
        }
        Some(Fault::Badtoken) => {
            shared.count(Fault::Badtoken);
            answer(
                &mut client,
                "200 OK",
                "MediaWiki-API-Error: badtoken\r\n",
                &api_error(
                    modern,
                    "badtoken",
                    "Invalid CSRF token.",
                    serde_json::json!({}),
                ),
            );
            return Ok(());
        }
        Some(Fault::HumanEdit) => {
            let title = param("title").unwrap_or_default();
            if shared.human_edit(&title) {
                shared.count(Fault::HumanEdit);
            } else {
                shared.human_edits_skipped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    // Forward on a fresh connection, then stream the answer back.
    let mut up = TcpStream::connect(("127.0.0.1", shared.wiki_port))?;
    up.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!(
        "{method} {target} {version}\r\nHost: 127.0.0.1:{}\r\n",
        shared.wiki_port
    );
    for h in &headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes())?;
    up.write_all(&body)?;
    up.flush()?;
    std::io::copy(&mut up, &mut client)?;
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers for the checks.

fn write_config(wiki: &DevWiki, name: &str, port: u16, timeout_s: u64) -> PathBuf {
    let base = std::fs::read_to_string(wiki.config()).unwrap();
    let text = base
        .replace(
            &format!("127.0.0.1:{}/", wiki.port),
            &format!("127.0.0.1:{port}/"),
        )
        .replace("[wiki]\n", &format!("[wiki]\ntimeout_s = {timeout_s}\n"));
    let path = wiki.dir().join(name);
    std::fs::write(&path, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn summary_value(summary: &str, label: &str) -> Option<u64> {
    summary
        .lines()
        .find(|l| l.starts_with(label))
        .and_then(|l| l[label.len()..].split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Stage notice numbers on a talk page that occur more than once.
fn repeated_notices(talk: &str) -> Vec<(u64, usize)> {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for part in talk.split("<!-- partnerbot:stage-notice n=").skip(1) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        *counts.entry(digits.parse().unwrap_or(0)).or_default() += 1;
    }
    counts.into_iter().filter(|(_, c)| *c > 1).collect()
}

/// The end state checks, without the proxy. Returns every problem found.
fn check_end_state(wiki: &DevWiki, humans: &Ledger) -> Vec<String> {
    let mut problems = Vec::new();
    let direct = wiki.config();
    let first = partnerbot_with(&direct, &["run", "--once"], &[]);
    if !first.status.success() || stderr(&first).contains("panicked") {
        problems.push(format!(
            "fault-free run --once: {:?}\n{}\n{}",
            first.status,
            stdout(&first),
            stderr(&first)
        ));
    }
    let edits = wiki.edit_count();
    let second = partnerbot_with(&direct, &["run", "--once"], &[]);
    let edited = summary_value(&stdout(&second), "edited:");
    if !second.status.success() || edited != Some(0) || wiki.edit_count() != edits {
        problems.push(format!(
            "second fault-free run --once is not idle ({} wiki edits): {:?}\n{}\n{}",
            wiki.edit_count() - edits,
            second.status,
            stdout(&second),
            stderr(&second)
        ));
    }
    for title in PROPOSALS {
        let out = partnerbot_with(&direct, &["check", title], &[]);
        if !out.status.success() || !stdout(&out).contains("no edit, the page is up to date") {
            problems.push(format!(
                "check {title}: {:?}\n{}\n{}",
                out.status,
                stdout(&out),
                stderr(&out)
            ));
        }
    }
    let humans = humans.lock().unwrap();
    for (title, marker) in &humans.markers {
        let text = wiki.text(title);
        if !text.contains(marker.as_str()) {
            problems.push(format!(
                "human edit lost on [[{title}]]: {marker:?} missing from:\n{text}"
            ));
        }
    }
    for title in PROPOSALS {
        let talk = wiki.text(&format!("Talk:{title}"));
        let repeated = repeated_notices(&talk);
        if !repeated.is_empty() {
            problems.push(format!(
                "stage notices repeated on [[Talk:{title}]] (n, times): {repeated:?}\n{talk}"
            ));
        }
        if let Some(expected) = humans.outside.get(title) {
            let text = wiki.text(title);
            let actual = outside_regions(&text);
            if &actual != expected {
                problems.push(format!(
                    "[[{title}]] differs outside the bot's regions from what humans wrote:\n--- human\n{expected}\n--- wiki\n{text}"
                ));
            }
        }
    }
    problems
}

fn baseline(wiki: &DevWiki) -> Ledger {
    let humans = Humans {
        outside: PROPOSALS
            .iter()
            .map(|t| (t.to_string(), outside_regions(&wiki.text(t))))
            .collect(),
        markers: Vec::new(),
    };
    Arc::new(Mutex::new(humans))
}

fn fail_if(problems: Vec<String>) -> Result<(), Failed> {
    if problems.is_empty() {
        return Ok(());
    }
    let all = problems.join("\n\n=====\n\n");
    eprintln!("{all}");
    Err(format!("{} problem(s):\n{all}", problems.len()).into())
}

// ---------------------------------------------------------------------------------------------
// The soak.

fn soak(wiki: &DevWiki) -> Result<(), Failed> {
    let seed = seed();
    let target = env_u64("PARTNERBOT_SOAK_CYCLES", 40);
    eprintln!(
        "soak: seed {seed:#x} (PARTNERBOT_FAULT_SEED), {target} page reconciles (PARTNERBOT_SOAK_CYCLES), fault rate {}%",
        SOAK_RATE / 10
    );
    let humans = baseline(wiki);
    let proxy = Proxy::start(wiki, seed, SOAK_RATE, humans.clone());
    let config = write_config(wiki, "faults.toml", proxy.port, 2);
    let mut rng = XorShift::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let (mut seen, mut runs, mut edited, mut failed, mut notices, mut no_summary) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut exit1 = 0u64;
    let mut problems = Vec::new();
    while seen < target {
        let change = human_stage_change(wiki, &humans, &mut rng, None);
        let out = partnerbot_with(&config, &["run", "--once"], &[]);
        runs += 1;
        let (so, se) = (stdout(&out), stderr(&out));
        std::fs::write(wiki.dir().join(format!("soak-{runs}.log")), &se).unwrap();
        match out.status.code() {
            Some(0) => {}
            Some(1) => exit1 += 1,
            other => problems.push(format!(
                "run {runs} ended with {other:?} (a signal?)\n{so}\n{se}"
            )),
        }
        if se.contains("panicked") {
            problems.push(format!("run {runs} panicked:\n{se}"));
        }
        match summary_value(&so, "pages seen:") {
            Some(n) => {
                seen += n;
                edited += summary_value(&so, "edited:").unwrap_or(0);
                failed += summary_value(&so, "failed:").unwrap_or(0);
                notices += summary_value(&so, "stage notices:").unwrap_or(0);
            }
            None => no_summary += 1,
        }
        if runs % 10 == 0 || seen >= target {
            eprintln!(
                "soak: run {runs} ({change}), {seen} reconciles, {:?}; {}",
                started.elapsed(),
                proxy.report()
            );
        }
        // A run that never gets a summary in a row of 50 means something is stuck.
        if runs > 50 && seen == 0 {
            problems.push(format!("50 runs and no page reconciled:\n{so}\n{se}"));
            break;
        }
    }
    let took = started.elapsed();
    proxy.shared.rate.store(0, Ordering::Relaxed);
    eprintln!(
        "soak figures: seed {seed:#x}; {runs} runs, {seen} page reconciles in {took:?}; \
         runs exit 1: {exit1}, runs without a summary (login/discovery failed): {no_summary}; \
         pages edited {edited}, pages failed {failed}, stage notices {notices}; proxy: {}; \
         human markers: {}",
        proxy.report(),
        humans.lock().unwrap().markers.len()
    );
    problems.extend(check_end_state(wiki, &humans));
    fail_if(problems)
}

// ---------------------------------------------------------------------------------------------
// Crash and restart.

fn spawn_watcher(wiki: &DevWiki, n: usize) -> (Child, PathBuf) {
    let log = wiki.dir().join(format!("crash-{n}.log"));
    let child = common::spawn_run(&wiki.config(), &log);
    (child, log)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn crash_restart(wiki: &DevWiki) -> Result<(), Failed> {
    let seed = seed();
    let restarts = env_u64("PARTNERBOT_CRASH_RESTARTS", 30) as usize;
    eprintln!("crash: seed {seed:#x}, {restarts} kill -9 and restarts");
    let humans = baseline(wiki);
    let mut rng = XorShift::new(seed ^ 0xc2b2_ae3d_27d4_eb4f);
    let mut problems = Vec::new();
    let started = Instant::now();
    let mut logs = Vec::new();
    for i in 0..restarts {
        let (mut child, log) = spawn_watcher(wiki, i);
        // Sometimes edit while it starts up, sometimes once it is watching.
        std::thread::sleep(Duration::from_millis(rng.below(2000)));
        let marker = format!("Human line {i} of the crash test (seed {seed:#x}).");
        let change = human_stage_change(wiki, &humans, &mut rng, Some(marker));
        let wait = rng.below(3000);
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        let text = read(&log);
        if text.contains("panicked") {
            problems.push(format!("watcher {i} panicked:\n{text}"));
        }
        if let Some(code) = status.code() {
            problems.push(format!(
                "watcher {i} exited by itself with {code} before the kill:\n{text}"
            ));
        }
        eprintln!(
            "crash {i}: {change}; killed {wait} ms after the edit; log {} lines",
            text.lines().count()
        );
        logs.push(log);
    }
    // Settle: a last watcher finishes its full pass and goes quiet.
    let (mut child, log) = spawn_watcher(wiki, restarts);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !read(&log).contains("full pass done") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut last = (wiki.edit_count(), Instant::now());
    while last.1.elapsed() < Duration::from_secs(6) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let n = wiki.edit_count();
        if n != last.0 {
            last = (n, Instant::now());
        }
    }
    let settled = read(&log);
    if !settled.contains("full pass done") {
        problems.push(format!(
            "the last watcher never finished a full pass:\n{settled}"
        ));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let settled = read(&log);
    if settled.contains("panicked") || !status.success() {
        problems.push(format!("the last watcher: {status:?}\n{settled}"));
    }
    eprintln!(
        "crash figures: {restarts} kill -9s, settled after {:?}; human markers {}",
        started.elapsed(),
        humans.lock().unwrap().markers.len()
    );
    problems.extend(check_end_state(wiki, &humans));
    if !problems.is_empty() {
        eprintln!("watcher logs: {}", wiki.dir().display());
    }
    fail_if(problems)
}
