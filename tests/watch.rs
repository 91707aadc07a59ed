//! The continuous job (`partnerbot run`) on a real MediaWiki: it reacts to an edit within
//! seconds, resumes after `kill -9` without repeating a stage notice, stops editing while the
//! shut-off page says so and resumes after, reports (never edits) a proposal outside its edit
//! allow-list, and exits cleanly on SIGTERM.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
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
    (
        "sigterm_during_a_slow_full_pass_exits_within_10_s",
        sigterm_during_full_pass,
    ),
    (
        "eventstreams_drive_the_bot_and_resume_after_a_drop",
        eventstreams_drive_the_bot,
    ),
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
        Bot::start_with(wiki, &watch_config(wiki))
    }

    fn start_with(wiki: &DevWiki, config: &std::path::Path) -> Bot {
        let bot = Bot::spawn(wiki, config);
        bot.wait_log("full pass done", REACTION);
        bot
    }

    /// Starts the watcher without waiting for anything.
    fn spawn(wiki: &DevWiki, config: &std::path::Path) -> Bot {
        static STARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = wiki.dir().join(format!("watch-{n}.log"));
        let child = common::spawn_run(config, &log);
        Bot { child, log }
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

fn sigterm_during_full_pass(wiki: &DevWiki) -> Result<(), Failed> {
    // Five seconds between saves, and three proposals that need an edit: a long full pass.
    for name in [
        "City Museum of Lisbon",
        "Coimbra University Library",
        "Braga Municipal Archive",
    ] {
        let title = format!("Partnerships/Proposals/{name}");
        let text = wiki.text(&title);
        wiki.human_edit(
            &title,
            &text.replacen("| status ", "| interests = more\n| status ", 1),
        );
    }
    let base = std::fs::read_to_string(watch_config(wiki)).unwrap();
    let config = wiki.dir().join("slow.toml");
    std::fs::write(
        &config,
        base.replace("save_delay_s = 0", "save_delay_s = 5"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut bot = Bot::spawn(wiki, &config);
    bot.wait_log("saved page=", REACTION);
    let (status, took) = bot.sigterm();
    assert!(status.success(), "exit status {status:?}\n{}", bot.log());
    assert!(
        took < Duration::from_secs(10),
        "took {took:?}\n{}",
        bot.log()
    );
    assert!(
        !bot.log().contains("full pass done"),
        "the pass was cut short:\n{}",
        bot.log()
    );
    // The next start finishes the job.
    let _bot = Bot::start(wiki);
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

/// A local EventStreams stand-in: each connection gets the events queued for it, and the server
/// records the `Last-Event-ID` each connection carried. A connection is dropped after every
/// event, so every event after the first arrives on a resumed connection.
struct FakeStream {
    url: String,
    events: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
    resumed_from: std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>,
}

impl FakeStream {
    fn start() -> FakeStream {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/v2/stream/recentchange",
            listener.local_addr().unwrap()
        );
        let events: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>> = Default::default();
        let resumed_from: std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>> =
            Default::default();
        let (ev, rf) = (events.clone(), resumed_from.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut last_id = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("last-event-id:") {
                        let _ = v;
                        last_id = Some(line["last-event-id:".len()..].trim().to_owned());
                    }
                }
                rf.lock().unwrap().push(last_id.clone());
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
                );
                // Wait for the next event not yet sent on an earlier connection.
                let sent = rf.lock().unwrap().len() - 1;
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    let next = ev.lock().unwrap().get(sent).cloned();
                    if let Some((id, data)) = next {
                        let _ = stream.write_all(
                            format!("event: message\nid: {id}\ndata: {data}\n\n").as_bytes(),
                        );
                        let _ = stream.flush();
                        std::thread::sleep(Duration::from_millis(200));
                        break; // Drop the connection: the client must resume.
                    }
                    if Instant::now() > deadline {
                        break;
                    }
                    let _ = stream.write_all(b":\n"); // Keep-alive comment.
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        });
        FakeStream {
            url,
            events,
            resumed_from,
        }
    }

    /// Publishes an edit of `title` on the dev wiki (host 127.0.0.1).
    fn publish_edit(&self, n: u64, title: &str) -> String {
        let id = format!(
            "[{{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"offset\":{n}}}]"
        );
        let data = serde_json::json!({
            "$schema": "/mediawiki/recentchange/1.0.0",
            "meta": {"domain": "127.0.0.1", "dt": "2026-11-26T12:00:00Z", "stream": "mediawiki.recentchange"},
            "id": n, "type": "edit", "namespace": 0, "title": title, "user": "Admin",
            "timestamp": 1_795_000_000 + n, "server_name": "127.0.0.1", "wiki": "devwiki"
        })
        .to_string();
        self.events.lock().unwrap().push((id.clone(), data));
        id
    }
}

fn eventstreams_drive_the_bot(wiki: &DevWiki) -> Result<(), Failed> {
    let stream = FakeStream::start();
    let base = std::fs::read_to_string(watch_config(wiki)).unwrap();
    let text = base.replace(
        "source = \"recentchanges\"",
        &format!(
            "source = \"eventstreams\"\neventstreams_url = \"{}\"",
            stream.url
        ),
    );
    let config = wiki.dir().join("stream.toml");
    std::fs::write(&config, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut bot = Bot::start_with(wiki, &config);
    let stage = |t: &str| {
        t.split("stage=")
            .nth(1)
            .map(|s| s.split(' ').next().unwrap_or("").to_owned())
    };
    let current = stage(&wiki.text(MARIA)).unwrap_or_default();
    let next = if current == "evaluation" {
        "communication"
    } else {
        "evaluation"
    };
    set_stage(wiki, &current, next);
    let first = stream.publish_edit(1, MARIA);
    wait_text(wiki, MARIA, REACTION, |t| {
        t.contains(&format!("stage={next} |"))
    })?;
    // The connection was dropped after the event: the next one resumes after it.
    set_stage(wiki, next, "iteration");
    // Only the stream drives the bot: without the event, nothing happens.
    std::thread::sleep(Duration::from_secs(3));
    let unchanged = wiki.text(MARIA);
    assert!(
        unchanged.contains(&format!("stage={next} |")),
        "reacted without an event:\n{unchanged}"
    );
    stream.publish_edit(2, MARIA);
    wait_text(wiki, MARIA, REACTION, |t| t.contains("stage=iteration |"))?;
    let resumed = stream.resumed_from.lock().unwrap().clone();
    assert_eq!(
        resumed.get(1).cloned().flatten().as_deref(),
        Some(first.as_str()),
        "{resumed:?}"
    );
    // A restart resumes from the saved cursor.
    bot.sigterm();
    let before = stream.resumed_from.lock().unwrap().len();
    let second = stream.publish_edit(3, MARIA);
    let _bot = Bot::start_with(wiki, &config);
    let start = Instant::now();
    while stream.resumed_from.lock().unwrap().len() <= before {
        assert!(
            start.elapsed() < REACTION,
            "the restarted bot did not connect"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let after_restart = stream.resumed_from.lock().unwrap()[before].clone();
    assert!(
        after_restart.is_some_and(|id| id.contains("\"offset\":2")),
        "resumed from the cursor, got {:?}; event 3 is {second}",
        stream.resumed_from.lock().unwrap()
    );
    Ok(())
}
