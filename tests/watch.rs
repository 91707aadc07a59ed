//! The continuous job (`partnerbot run`) on a real MediaWiki: it reacts to an edit within
//! seconds, resumes after `kill -9` without repeating a stage notice, stops editing while the
//! shut-off page says so and resumes after, reports (never edits) a proposal outside its edit
//! allow-list, and exits cleanly on SIGTERM.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests};
use libtest_mimic::Failed;

const MARIA: &str = "Partnerships/Proposals/Maria Santos";
const TALK: &str = "Talk:Partnerships/Proposals/Maria Santos";
const SHUTOFF: &str = "User:Partnerbot/Shutoff";
const STATUS: &str = "User:Partnerbot/Status";
const OUTSIDE: &str = "Museum draft";
const CONFIG: &str = "Community Capacity Development/Partnerships/Bot configuration";
/// Generous: the bot polls every second and waits one second of quiet.
const REACTION: Duration = Duration::from_secs(30);

const TESTS: &[(&str, WikiTest)] = &[
    (
        "an_edit_is_reconciled_while_the_bot_runs",
        edit_is_reconciled,
    ),
    (
        "a_restart_after_kill_9_repeats_no_notice",
        restart_after_kill,
    ),
    (
        "the_shut_off_page_stops_and_resumes_edits",
        shutoff_stops_and_resumes,
    ),
    (
        "a_page_outside_the_allow_list_is_reported_not_edited",
        outside_allow_list,
    ),
    (
        "the_on_wiki_configuration_is_used_and_a_bad_edit_refused",
        onwiki_configuration,
    ),
    ("sigterm_exits_cleanly", sigterm_exits_cleanly),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    wiki.import_pages(&repo_root().join("examples/pages"));
    wiki.human_edit(
        OUTSIDE,
        "{{Partnership proposal|partner=Museum|partner_type=organization|contact=Ana Lopes|stage=selection}}\nA draft outside the allow-list.\n",
    );
    wiki.run_jobs();
    // The watcher's settings: the dev wiki's, with an edit allow-list that leaves OUTSIDE out.
    let base = std::fs::read_to_string(wiki.config()).unwrap();
    let text = base.replace(
        "[bot]\n",
        "[bot]\nedit_title_prefixes = [\"Partnerships\", \"Talk:Partnerships\", \
         \"Community Capacity Development/\", \"User:Partnerbot/\"]\n",
    );
    std::fs::write(watch_config(wiki), text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(watch_config(wiki), std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn watch_config(wiki: &DevWiki) -> PathBuf {
    wiki.dir().join("watch.toml")
}

/// A running `partnerbot run`, its log in a file.
struct Bot {
    child: Child,
    log: PathBuf,
}

impl Bot {
    /// Starts the watcher and waits for its start-up full pass.
    fn start(wiki: &DevWiki) -> Bot {
        let log = wiki.dir().join(format!("watch-{}.log", std::process::id()));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_partnerbot"))
            .current_dir(repo_root())
            .arg("--config")
            .arg(watch_config(wiki))
            .arg("run")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        let bot = Bot { child, log };
        bot.wait_log("full pass done", REACTION);
        bot
    }

    fn log(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Waits until the log has `needle` `n` times.
    fn wait_log_n(&self, needle: &str, n: usize, within: Duration) {
        let start = Instant::now();
        while self.log().matches(needle).count() < n {
            assert!(
                start.elapsed() < within,
                "no {needle:?} ×{n} in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_log(&self, needle: &str, within: Duration) {
        self.wait_log_n(needle, 1, within);
    }

    fn sigterm(&mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        (status, started.elapsed())
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `f` holds for the page's text.
fn wait_text(
    wiki: &DevWiki,
    title: &str,
    within: Duration,
    f: impl Fn(&str) -> bool,
) -> Result<Duration, Failed> {
    let start = Instant::now();
    loop {
        if f(&wiki.text(title)) {
            return Ok(start.elapsed());
        }
        if start.elapsed() > within {
            return Err(format!(
                "[[{title}]] did not reach the expected state:\n{}",
                wiki.text(title)
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn set_stage(wiki: &DevWiki, from: &str, to: &str) {
    let text = wiki.text(MARIA);
    let changed = text.replacen(
        &format!("| stage           = {from}"),
        &format!("| stage           = {to}"),
        1,
    );
    assert_ne!(text, changed, "the sample's stage line changed shape");
    wiki.human_edit(MARIA, &changed);
}

fn notices(wiki: &DevWiki) -> usize {
    wiki.text(TALK)
        .matches("<!-- partnerbot:stage-notice")
        .count()
}

fn edit_is_reconciled(wiki: &DevWiki) -> Result<(), Failed> {
    let bot = Bot::start(wiki);
    assert_eq!(notices(wiki), 0);
    set_stage(wiki, "selection", "involvement");
    let took = wait_text(wiki, MARIA, REACTION, |t| t.contains("stage=involvement |"))?;
    eprintln!("reaction: {took:?}");
    wait_text(wiki, TALK, REACTION, |t| {
        t.contains("partnerbot:stage-notice n=1")
    })?;
    // The index follows: the dashboard row shows the new stage.
    wait_text(
        wiki,
        "Community Capacity Development/Partnerships/Index",
        REACTION,
        |t| {
            t.lines()
                .any(|l| l.contains("Maria Santos") && l.contains("|stage=involvement|"))
        },
    )?;
    drop(bot);
    Ok(())
}

fn restart_after_kill(wiki: &DevWiki) -> Result<(), Failed> {
    let mut bot = Bot::start(wiki);
    set_stage(wiki, "involvement", "planning");
    wait_text(wiki, TALK, REACTION, |t| {
        t.contains("partnerbot:stage-notice n=2")
    })?;
    bot.child.kill().unwrap(); // SIGKILL: no clean-up at all.
    bot.child.wait().unwrap();
    let before = notices(wiki);
    // Changed while the bot is down: found again after the restart (cursor + full pass).
    let text = wiki.text(MARIA).replace(
        "| partner         = Maria Santos",
        "| partner         = Maria Santos Silva",
    );
    wiki.human_edit(MARIA, &text);
    let bot = Bot::start(wiki);
    bot.wait_log("full pass done", REACTION);
    wait_text(
        wiki,
        "Community Capacity Development/Partnerships/Index",
        REACTION,
        |t| t.contains("|partner=Maria Santos Silva|"),
    )?;
    assert_eq!(
        notices(wiki),
        before,
        "no notice repeated:\n{}",
        wiki.text(TALK)
    );
    assert!(bot.log().contains("state=") || bot.log().contains("watching"));
    Ok(())
}

fn shutoff_stops_and_resumes(wiki: &DevWiki) -> Result<(), Failed> {
    let bot = Bot::start(wiki);
    wiki.human_edit(SHUTOFF, "stop");
    bot.wait_log("editing stopped", REACTION);
    set_stage(wiki, "planning", "agreement");
    // Give the bot several cycles: it must not touch the page.
    std::thread::sleep(Duration::from_secs(5));
    let text = wiki.text(MARIA);
    assert!(
        text.contains("stage=planning |"),
        "edited while stopped:\n{text}"
    );
    wiki.human_edit(SHUTOFF, "run");
    let took = wait_text(wiki, MARIA, REACTION, |t| t.contains("stage=agreement |"))?;
    eprintln!("resumed within {took:?}");
    Ok(())
}

fn outside_allow_list(wiki: &DevWiki) -> Result<(), Failed> {
    let bot = Bot::start(wiki);
    assert!(
        bot.log().contains(OUTSIDE),
        "not reported in the log:\n{}",
        bot.log()
    );
    wait_text(wiki, STATUS, REACTION, |t| {
        t.contains(&format!("[[:{OUTSIDE}]]"))
    })?;
    // An edit to it does not make the bot edit it either.
    let text = wiki
        .text(OUTSIDE)
        .replace("stage=selection", "stage=involvement");
    wiki.human_edit(OUTSIDE, &text);
    std::thread::sleep(Duration::from_secs(4));
    let after = wiki.text(OUTSIDE);
    assert!(
        !after.contains("partnerbot:"),
        "edited outside the allow-list:\n{after}"
    );
    Ok(())
}

fn onwiki_configuration(wiki: &DevWiki) -> Result<(), Failed> {
    let bot = Bot::start(wiki);
    wiki.human_edit(
        CONFIG,
        "<syntaxhighlight lang=\"json\">\n{\"tally\": {\"min_support\": 1}}\n</syntaxhighlight>",
    );
    wait_text(wiki, STATUS, REACTION, |t| {
        t.contains(&format!("{CONFIG}: in use"))
    })?;
    bot.wait_log("on-wiki configuration loaded", REACTION);
    // A value of the wrong type: refused, the last good settings stay, the bot keeps running.
    wiki.human_edit(CONFIG, "{\"tally\": {\"min_support\": \"many\"}}");
    wait_text(wiki, STATUS, REACTION, |t| t.contains("was refused"))?;
    let status = wiki.text(STATUS);
    assert!(
        status.contains("tally.min_support"),
        "the status names the key:\n{status}"
    );
    // A setting the community does not own is refused too.
    wiki.human_edit(CONFIG, "{\"bot\": {\"dry_run\": true}}");
    wait_text(wiki, STATUS, REACTION, |t| {
        t.contains("`bot` cannot be set on the wiki")
    })?;
    wiki.human_edit(CONFIG, "{}");
    wait_text(wiki, STATUS, REACTION, |t| {
        t.contains(&format!("{CONFIG}: in use"))
    })?;
    Ok(())
}

fn sigterm_exits_cleanly(wiki: &DevWiki) -> Result<(), Failed> {
    let mut bot = Bot::start(wiki);
    let (status, took) = bot.sigterm();
    assert!(status.success(), "exit status {status:?}\n{}", bot.log());
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(bot.log().contains("stopped cleanly"));
    Ok(())
}
