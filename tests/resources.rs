//! The resources list's link check on a real MediaWiki, against a local web server that answers
//! 200, 301, 404, 410, 500, 405-on-HEAD-then-200 and not at all: the report lists exactly the
//! broken, moved and disambiguation links with their reasons, the list stays byte-for-byte as
//! the humans left it, a second run within the recheck period asks the server nothing and
//! edits nothing, a run after it rechecks, and `--dry-run` edits nothing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{DevWiki, WikiTest, ok, partnerbot_with, run_wiki_tests, stdout};
use libtest_mimic::Failed;

const PAGE: &str = "Partnerships/Resources test";
const SHUTOFF: &str = "User:Partnerbot/Shutoff";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "the_report_lists_broken_and_moved_links_and_leaves_the_list_alone",
        first_run,
    ),
    (
        "a_second_run_within_the_period_asks_nothing_and_edits_nothing",
        second_run,
    ),
    ("the_shutoff_page_stops_the_edit", shutoff),
    (
        "after_the_period_links_are_rechecked_and_dry_run_edits_nothing",
        recheck,
    ),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

/// A request the server saw: method, path, User-Agent.
type Seen = (String, String, String);

struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Once set, `/gone` answers 200 (someone restored the document).
    restored: Arc<AtomicBool>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Default::default();
        let restored: Arc<AtomicBool> = Default::default();
        let (s, r) = (seen.clone(), restored.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, r) = (s.clone(), r.clone());
                std::thread::spawn(move || answer(stream, port, &s, &r));
            }
        });
        Server {
            port,
            seen,
            restored,
        }
    })
}

fn answer(mut stream: TcpStream, port: u16, seen: &Mutex<Vec<Seen>>, restored: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut agent = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("user-agent")
        {
            agent = v.trim().to_owned();
        }
    }
    let mut words = first.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let path = words.next().unwrap_or_default().to_owned();
    seen.lock()
        .unwrap()
        .push((method.clone(), path.clone(), agent));
    let (status, extra) = match (method.as_str(), path.as_str()) {
        (_, "/ok") => ("200 OK", String::new()),
        (_, "/moved") => (
            "301 Moved Permanently",
            format!("Location: http://127.0.0.1:{port}/ok\r\n"),
        ),
        (_, "/missing") => ("404 Not Found", String::new()),
        (_, "/gone") if restored.load(Ordering::SeqCst) => ("200 OK", String::new()),
        (_, "/gone") => ("410 Gone", String::new()),
        (_, "/error") => ("500 Internal Server Error", String::new()),
        ("HEAD", "/head-refused") => ("405 Method Not Allowed", String::new()),
        (_, "/head-refused") => ("200 OK", String::new()),
        (_, "/silent") => {
            std::thread::sleep(Duration::from_secs(20));
            return;
        }
        _ => ("404 Not Found", String::new()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

fn requests() -> Vec<Seen> {
    server().seen.lock().unwrap().clone()
}

fn list() -> String {
    let p = server().port;
    format!(
        "Intro text.\n\n== Resources ==\nPlease add any resources you have found useful!\n\
         * [[Good page]] – a guide\n\
         * [[Missing page|A missing page]]\n\
         * [[Old guide]] – renamed since\n\
         * [[Mercury]] – which one?\n\
         * [[m:Other good page]] and [[:de:Partnerschaft]]\n\
         * <!-- [[Commented out]] http://127.0.0.1:{p}/commented --> [http://127.0.0.1:{p}/ok Fine]\n\
         * http://127.0.0.1:{p}/moved\n\
         * [http://127.0.0.1:{p}/missing Lost] and [http://127.0.0.1:{p}/gone Gone]\n\
         * [http://127.0.0.1:{p}/error Failing] and [http://127.0.0.1:{p}/head-refused No HEAD]\n\
         * [http://127.0.0.1:{p}/silent Silent]\n\n\
         == Next section ==\nMore text [[Missing after]].\n"
    )
}

fn config(wiki: &DevWiki) -> PathBuf {
    wiki.dir().join("resources.toml")
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    for (title, text) in [
        ("Good page", "A guide."),
        ("Other good page", "Another guide."),
        ("Old guide", "#REDIRECT [[Good page]]"),
        (
            "Template:Disambiguation",
            "''This is a disambiguation page.''",
        ),
        (
            "Mercury",
            "'''Mercury''' may be:\n* a planet\n* an element\n{{Disambiguation}}",
        ),
    ] {
        wiki.human_edit(title, text);
    }
    wiki.human_edit(PAGE, &list());
    wiki.run_jobs();
    let base = std::fs::read_to_string(wiki.config()).unwrap();
    let text = format!(
        "{base}\n[resources]\npage = \"{PAGE}\"\ntimeout_s = 2\nper_host_delay_ms = 50\n\n\
         [state]\npath = \"resources-state.sqlite\"\n"
    );
    std::fs::write(config(wiki), text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(config(wiki), std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn run(wiki: &DevWiki, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut all = vec!["resources"];
    all.extend_from_slice(args);
    partnerbot_with(&config(wiki), &all, env)
}

/// The report region of the page, and the page without it.
fn split(text: &str) -> (String, String) {
    let start = text
        .find("<!-- partnerbot:resources-report")
        .expect("a report region");
    let end_marker = "<!-- /partnerbot:resources-report -->";
    let end = text.find(end_marker).unwrap() + end_marker.len();
    let region = text[start..end].to_owned();
    let rest = format!("{}{}", &text[..start], &text[end + 1..]);
    (region, rest)
}

fn first_run(wiki: &DevWiki) -> Result<(), Failed> {
    let before = wiki.edit_count();
    let out = ok(&run(wiki, &[], &[]));
    assert_eq!(wiki.edit_count(), before + 1, "{out}");
    assert!(out.contains("report updated"), "{out}");
    let p = server().port;
    let text = wiki.text(PAGE);
    let (region, rest) = split(&text);
    // MediaWiki drops the trailing newline on save, nothing else.
    assert_eq!(rest, list().trim_end(), "the human list changed");
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let expected = format!(
        "{{{{Partnership resources report|links=12|problems=8|date={today}\n|list=\n\
         * [[:Missing page]] – '''{{{{Partnership message|resources-verdict-broken}}}}''': the page does not exist\n\
         * [[:Old guide]] – '''{{{{Partnership message|resources-verdict-moved}}}}''': redirects → [[:Good page]]\n\
         * [[:Mercury]] – '''{{{{Partnership message|resources-verdict-disambiguation}}}}''': a disambiguation page; link the meaning intended\n\
         * http://127.0.0.1:{p}/moved – '''{{{{Partnership message|resources-verdict-moved}}}}''': HTTP 301 (permanent redirect) → http://127.0.0.1:{p}/ok\n\
         * http://127.0.0.1:{p}/missing – '''{{{{Partnership message|resources-verdict-broken}}}}''': HTTP 404 Not Found\n\
         * http://127.0.0.1:{p}/gone – '''{{{{Partnership message|resources-verdict-broken}}}}''': HTTP 410 Gone\n\
         * http://127.0.0.1:{p}/error – '''{{{{Partnership message|resources-verdict-broken}}}}''': HTTP 500 Internal Server Error\n\
         * http://127.0.0.1:{p}/silent – '''{{{{Partnership message|resources-verdict-broken}}}}''': no answer within 2 s\n}}}}"
    );
    assert!(region.contains(&expected), "{region}\n---\n{expected}");
    // Directly under the list, before the next heading.
    assert!(
        text.contains(&format!("/silent Silent]\n{region}\n\n== Next section ==")),
        "{text}"
    );
    // HEAD first; GET only where HEAD was refused; the redirect followed; nothing commented.
    let mut seen: Vec<(String, String)> = requests()
        .into_iter()
        .map(|(m, path, _)| (m, path))
        .collect();
    seen.sort();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect()
    };
    assert_eq!(
        seen,
        pairs(&[
            ("GET", "/head-refused"),
            ("HEAD", "/error"),
            ("HEAD", "/gone"),
            ("HEAD", "/head-refused"),
            ("HEAD", "/missing"),
            ("HEAD", "/moved"),
            ("HEAD", "/ok"),
            ("HEAD", "/ok"),
            ("HEAD", "/silent"),
        ])
    );
    for (_, path, agent) in requests() {
        assert!(
            agent.starts_with("partnerbot/") && agent.contains("deploy/devwiki"),
            "{path}: User-Agent {agent:?}"
        );
    }
    // The box renders with the installed template.
    let html = wiki.api(&[("action", "parse"), ("page", PAGE), ("prop", "text")]);
    let html = html["parse"]["text"].as_str().unwrap_or_default();
    assert!(
        html.contains("8 of 12 links of this list need attention"),
        "{html}"
    );
    Ok(())
}

fn second_run(wiki: &DevWiki) -> Result<(), Failed> {
    let (edits, asked) = (wiki.edit_count(), requests().len());
    let out = ok(&run(wiki, &[], &[]));
    assert_eq!(wiki.edit_count(), edits, "{out}");
    // Only the addresses that may be down for now (500, no answer) are asked again.
    let again: Vec<String> = requests()[asked..]
        .iter()
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert_eq!(again, ["HEAD /error", "HEAD /silent"], "{out}");
    assert!(
        out.contains("2 fetched (2 HTTP requests), 5 from the cache"),
        "{out}"
    );
    assert!(out.contains("report unchanged: no edit"), "{out}");
    Ok(())
}

fn shutoff(wiki: &DevWiki) -> Result<(), Failed> {
    wiki.human_edit(SHUTOFF, "stop");
    let edits = wiki.edit_count();
    let out = run(wiki, &[], &[("PARTNERBOT_RESOURCES__RECHECK_DAYS", "0")]);
    wiki.human_edit(SHUTOFF, "run");
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        common::stderr(&out).contains("not editing: the shut-off page"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(wiki.edit_count(), edits + 1, "only the shut-off edits");
    Ok(())
}

fn recheck(wiki: &DevWiki) -> Result<(), Failed> {
    server().restored.store(true, Ordering::SeqCst);
    let p = server().port;
    let recheck = [("PARTNERBOT_RESOURCES__RECHECK_DAYS", "0")];
    let (edits, asked) = (wiki.edit_count(), requests().len());
    let out = ok(&run(wiki, &["--dry-run"], &recheck));
    assert_eq!(wiki.edit_count(), edits, "the dry run edited: {out}");
    assert!(requests().len() > asked, "nothing rechecked: {out}");
    assert!(
        out.contains(&format!(
            "-* http://127.0.0.1:{p}/gone – '''{{{{Partnership message|resources-verdict-broken}}}}''': HTTP 410 Gone"
        )),
        "{out}"
    );
    assert!(out.contains("report would change"), "{out}");
    let before = wiki.text(PAGE);
    let asked = requests().len();
    let out = ok(&run(wiki, &[], &recheck));
    assert_eq!(requests().len() - asked, 9, "{out}");
    assert_eq!(wiki.edit_count(), edits + 1, "{out}");
    let text = wiki.text(PAGE);
    let (region, rest) = split(&text);
    assert_eq!(rest, list().trim_end());
    assert!(region.contains("|problems=7|"), "{region}");
    assert!(!region.contains("/gone"), "{region}");
    assert_eq!(split(&before).0.lines().count(), region.lines().count() + 1);
    Ok(())
}
