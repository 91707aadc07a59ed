//! The editor's on-ramp in a real browser (headless Debian chromium through chromedriver): the
//! Admin logs in, types a partner's name into the "Start a partnership proposal" box, saves
//! the preloaded proposal unchanged, and sees the watching bot's checklist appear; voters sign
//! the Community support section and the tally shows up after the next bot pass.
//!
//! Screenshots go to docs/screenshots/ with PARTNERBOT_SCREENSHOTS=1 (or to the folder it
//! names), else to a temporary folder. Skipped, with a message, only when chromium or
//! chromedriver is missing and `deploy/browser deps` cannot install them.

mod common;
#[path = "browser/driver.rs"]
mod driver;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests};
use driver::Browser;
use libtest_mimic::Failed;

const PARTNER: &str = "Tagus River Aquarium";
const PROPOSAL: &str = "Partnerships/Proposals/Tagus River Aquarium";
/// Generous: the watcher polls every second and waits one second of quiet.
const REACTION: Duration = Duration::from_secs(60);

const TESTS: &[(&str, WikiTest)] = &[(
    "a_proposal_started_in_the_box_gets_a_checklist_and_then_a_tally",
    onramp,
)];

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    if !args.list {
        if let Some(why) = browser_missing() {
            eprintln!("SKIPPED the browser test: {why}. Install it with `deploy/browser deps`.");
            let trials = TESTS
                .iter()
                .map(|&(name, _)| {
                    let why = why.clone();
                    libtest_mimic::Trial::test(name, move || Err(why.into()))
                        .with_ignored_flag(true)
                })
                .collect();
            libtest_mimic::run(&args, trials).exit();
        }
    }
    run_wiki_tests(TESTS, setup);
}

/// None if the browser runs, after installing it if needed; else why not.
fn browser_missing() -> Option<String> {
    driver::unavailable()?;
    eprintln!("browser test: installing chromium and chromedriver (deploy/browser deps)");
    let installed = Command::new(repo_root().join("deploy/browser"))
        .arg("deps")
        .status()
        .is_ok_and(|s| s.success());
    match driver::unavailable() {
        Some(why) if !installed => Some(format!("{why}, and `deploy/browser deps` failed")),
        other => other,
    }
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    let pages = partnerbot::pagefiles::load_dir(&repo_root().join("examples/pages")).unwrap();
    let start = pages.iter().find(|p| p.title == "Partnerships").unwrap();
    wiki.human_edit(&start.title, &start.text);
}

/// Where the screenshots go, and the temporary folder to keep alive if it is one.
fn screenshot_dir() -> (PathBuf, Option<tempfile::TempDir>) {
    let dir = match std::env::var("PARTNERBOT_SCREENSHOTS").as_deref() {
        Ok("1") => repo_root().join("docs/screenshots"),
        Ok(v) if !v.is_empty() && v != "0" => PathBuf::from(v),
        _ => {
            let tmp = tempfile::Builder::new()
                .prefix("partnerbot-screenshots-")
                .tempdir()
                .unwrap();
            return (tmp.path().to_owned(), Some(tmp));
        }
    };
    std::fs::create_dir_all(&dir).unwrap();
    (dir, None)
}

/// A watching `partnerbot run`, its log in a file; killed on drop.
struct Watcher {
    child: Child,
    log: PathBuf,
}

impl Watcher {
    fn start(wiki: &DevWiki) -> Watcher {
        let log = wiki.dir().join("browser-watch.log");
        let child = common::spawn_run(&wiki.config(), &log);
        let watcher = Watcher { child, log };
        watcher.wait_log("full pass done");
        watcher
    }

    fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    fn wait_log(&self, needle: &str) {
        let start = Instant::now();
        while !self.log().contains(needle) {
            assert!(
                start.elapsed() < REACTION,
                "no {needle:?} in the watcher's log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, and wait for the clean exit.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}\n{}", self.log());
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reloads the page until the element `css` holds `needle`; the element's text.
fn reload_until(browser: &Browser, css: &str, needle: &str, within: Duration) -> String {
    let start = Instant::now();
    loop {
        if browser.has(css) {
            let text = browser.text(css);
            if text.contains(needle) {
                return text;
            }
        }
        assert!(
            start.elapsed() < within,
            "no {needle:?} in {css} after {within:?} of reloading {}",
            browser.current_url()
        );
        std::thread::sleep(Duration::from_secs(1));
        browser.refresh();
    }
}

fn login(browser: &Browser, wiki: &DevWiki) {
    let password = std::fs::read_to_string(wiki.dir().join("admin-password")).unwrap();
    browser.goto(&format!("{}index.php?title=Special:UserLogin", wiki.url));
    browser.type_into("#wpName1", "Admin");
    browser.type_into("#wpPassword1", password.trim());
    browser.click("#wpLoginAttempt");
    // The personal menu links to the user page only when logged in.
    assert_eq!(browser.text("#pt-userpage"), "Admin");
}

/// A signed vote appended to a position subsection, saved by the voter's own account as on
/// the real wiki (the tally checks the page history).
fn vote(wiki: &DevWiki, user: &str, section: &str, line: &str) {
    let text = wiki.text(PROPOSAL);
    let heading = format!("=== {section} ===\n");
    let start = text.find(&heading).expect("the section") + heading.len();
    let end = text[start..]
        .find("\n=")
        .map_or(text.len(), |n| start + n + 1);
    let kept = text[start..end].trim_end();
    let stamp = chrono::Utc::now().format("%H:%M, %-d %B %Y (UTC)");
    let signed = format!("# {line} [[User:{user}|{user}]] ([[User talk:{user}|talk]]) {stamp}");
    let body = if kept.is_empty() {
        format!("{signed}\n\n")
    } else {
        format!("{kept}\n{signed}\n\n")
    };
    let new = format!("{}{body}{}", &text[..start], &text[end..]);
    wiki.edit_as(user, PROPOSAL, &new);
}

fn saved_by(wiki: &DevWiki) -> String {
    let r = wiki.api(&[
        ("action", "query"),
        ("prop", "revisions"),
        ("rvprop", "user"),
        ("rvdir", "newer"),
        ("rvlimit", "1"),
        ("titles", PROPOSAL),
    ]);
    r["query"]["pages"][0]["revisions"][0]["user"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn onramp(wiki: &DevWiki) -> Result<(), Failed> {
    let started = Instant::now();
    let (shots, _keep) = screenshot_dir();
    let watcher = Watcher::start(wiki);
    let browser = Browser::start();
    login(&browser, wiki);

    // The start page: the box on the Partnerships page.
    browser.goto(&format!("{}index.php/Partnerships", wiki.url));
    browser.scroll_to("#Proposals");
    assert!(
        browser
            .text("#partnership-start")
            .contains("Start a partnership proposal")
    );
    browser.type_into("#partnership-start input[name=title]", PARTNER);
    browser.screenshot(&shots.join("start-page.png"));
    browser.click("#partnership-start input[type=submit]");

    // The source editor, preloaded.
    let preloaded = browser.value("#wpTextbox1");
    for part in [
        "{{Partnership proposal",
        "| partner_type    = <!--",
        "== Community support ==\n<!--",
        "=== Support ===",
        "=== Oppose ===",
        "=== Neutral ===",
        "== Evaluation survey ==",
    ] {
        assert!(preloaded.contains(part), "no {part:?} in:\n{preloaded}");
    }
    let url = browser.current_url();
    assert!(
        url.contains("Tagus_River_Aquarium") || url.contains("Tagus+River+Aquarium"),
        "{url}"
    );
    browser.click("#wpSave");
    assert!(browser.text("#firstHeading").contains(PROPOSAL));
    assert_eq!(
        saved_by(wiki),
        "Admin",
        "the proposal must not be anonymous"
    );
    let text = wiki.text(PROPOSAL);
    assert!(
        text.contains(&format!("| partner         = {PARTNER}\n")),
        "{text}"
    );

    // The watching bot adds the checklist by itself.
    let checklist = reload_until(&browser, "#partnership-checklist", "(1/4)", REACTION);
    for part in [
        "Potential partner identified",
        "Problems found in this proposal",
        "partner_type",
        "contact",
    ] {
        assert!(checklist.contains(part), "no {part:?} in:\n{checklist}");
    }
    browser.js("window.scrollTo(0, 0);");
    browser.screenshot(&shots.join("new-proposal.png"));
    watcher.stop();

    // Signed votes, each by its voter's account; the next pass tallies them.
    let voters = [
        (
            "Lia Teixeira",
            "Support",
            "'''Support''' The aquarium's photo archive would fill gaps on Commons.",
        ),
        (
            "Nuno Reis",
            "Support",
            "'''Support''' Good first partner for the Lisbon group.",
        ),
        ("Carla Mendes", "Support", "'''Support'''"),
        (
            "Rita Lopes",
            "Support",
            "'''Strong support''' They already asked us for help.",
        ),
        (
            "Paulo Matos",
            "Oppose",
            "'''Oppose''' Let us see the plan first.",
        ),
        (
            "Sara Costa",
            "Neutral",
            "'''Neutral''' No opinion on the partner yet.",
        ),
    ];
    for (user, _, _) in voters {
        wiki.create_user(user);
    }
    for (user, section, line) in voters {
        vote(wiki, user, section, line);
    }
    ok(&wiki.partnerbot(&["run", "--once"]));
    let tally = reload_until(
        &browser,
        "#partnership-support-tally",
        "Support 4 · Oppose 1 · Neutral 1",
        REACTION,
    );
    assert!(tally.contains("80% support"), "{tally}");
    assert!(tally.contains("discussion open"), "{tally}");
    browser.scroll_to("#Community_support");
    browser.screenshot(&shots.join("support-tally.png"));
    drop(browser);

    for name in ["start-page.png", "new-proposal.png", "support-tally.png"] {
        let png = std::fs::read(shots.join(name))?;
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{name}: not a real screenshot"
        );
    }
    eprintln!(
        "browser test: screenshots in {} ({:.0?} in all)",
        shots.display(),
        started.elapsed()
    );
    Ok(())
}
