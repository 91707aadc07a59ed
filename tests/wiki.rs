//! Integration tests against a real MediaWiki started by `deploy/devwiki` (one per run of this
//! binary, stopped at the end even when a test fails). The tests run one at a time: several of
//! them change the shared wiki (shut-off page, human edits) and restore it before they end.

mod common;

use common::{DevWiki, WikiTest, ok, partnerbot_with, repo_root, run_wiki_tests, stderr, stdout};
use libtest_mimic::Failed;
use partnerbot::pagefiles;

const SHUTOFF: &str = "User:Partnerbot/Shutoff";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "templates_install_twice_makes_exactly_one_round_of_edits",
        install_twice,
    ),
    (
        "status_reports_wiki_account_bot_right_shutoff_and_rest",
        status,
    ),
    ("templatedata_is_accepted_by_the_wiki", templatedata),
    ("templates_and_examples_render_without_errors", render),
    ("human_edit_is_kept_unless_forced", human_edit_kept),
    ("shutoff_page_stops_all_edits", shutoff),
    ("dry_run_saves_nothing", dry_run),
    (
        "diff_works_without_credentials_and_install_refuses",
        anonymous,
    ),
    ("wrong_password_fails_clearly_without_echo", wrong_password),
    ("no_secret_reaches_the_logs_at_any_level", no_secret_in_logs),
];

fn main() {
    run_wiki_tests(TESTS, |_| {});
}

fn template_files() -> Vec<pagefiles::PageFile> {
    pagefiles::load_dir(&repo_root().join("wikitext-templates")).unwrap()
}

fn ensure_installed(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install", "--force"]));
}

fn install_twice(wiki: &DevWiki) -> Result<(), Failed> {
    let files = template_files();
    let before = wiki.edit_count();
    let first = ok(&wiki.partnerbot(&["templates", "install"]));
    let after_first = wiki.edit_count();
    assert_eq!(
        after_first - before,
        files.len() as u64,
        "a fresh wiki gets one edit per template file:\n{first}"
    );
    assert!(
        first.contains(&format!("{} created", files.len())),
        "{first}"
    );
    for file in &files {
        let (_, content) = wiki
            .page(&file.title)
            .unwrap_or_else(|| panic!("{} missing", file.title));
        assert_eq!(
            content.trim_end(),
            file.text,
            "{} differs from its file",
            file.title
        );
    }
    let second = ok(&wiki.partnerbot(&["templates", "install"]));
    assert_eq!(
        wiki.edit_count(),
        after_first,
        "the second install edited:\n{second}"
    );
    assert!(
        second.contains(&format!("{} unchanged", files.len())),
        "{second}"
    );
    let diff = ok(&wiki.partnerbot(&["templates", "diff"]));
    assert!(
        diff.contains(&format!("0 of {} pages differ", files.len())),
        "{diff}"
    );
    Ok(())
}

fn status(wiki: &DevWiki) -> Result<(), Failed> {
    let run = wiki.partnerbot(&["status"]);
    let out = ok(&run);
    // Toolforge keeps logs as plain files: colour codes would only be noise there.
    assert!(
        !stderr(&run).contains('\x1b'),
        "ANSI escapes in the log: {}",
        stderr(&run)
    );
    for expected in [
        "(MediaWiki 1.39",
        "account:    Partnerbot (login Partnerbot@partnerbot",
        "bot right:  yes",
        "\"run\": editing allowed",
        "bytes of HTML",
        &wiki.url,
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    Ok(())
}

fn templatedata(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    let r = wiki.api(&[
        ("action", "templatedata"),
        ("titles", "Template:Partnership proposal"),
    ]);
    let pages = r["pages"].as_object().expect("templatedata pages");
    let (_, data) = pages.iter().next().expect("one page");
    let params = &data["params"];
    for name in [
        "partner",
        "partner_type",
        "partner_url",
        "mission",
        "model",
        "capacity",
        "interests",
        "goal",
        "community",
        "contact",
        "stage",
        "start",
        "support_closes",
        "duration",
        "agreement",
        "outcome_targets",
        "status",
    ] {
        assert!(
            params.get(name).is_some(),
            "TemplateData lacks {name}: {params}"
        );
    }
    for required in ["partner", "partner_type", "stage", "contact"] {
        assert_eq!(
            params[required]["required"], true,
            "{required} must be required"
        );
    }
    // Every template with a /doc page declares TemplateData the wiki accepts.
    for file in template_files()
        .iter()
        .filter(|f| f.title.ends_with("/doc"))
    {
        let template = file.title.trim_end_matches("/doc");
        let r = wiki.api(&[("action", "templatedata"), ("titles", template)]);
        let count = r["pages"].as_object().map_or(0, |p| p.len());
        assert_eq!(count, 1, "no TemplateData for {template}: {r}");
    }
    Ok(())
}

/// Parses wikitext on the wiki; fails on error markers and on calls of missing templates.
fn assert_renders(wiki: &DevWiki, title: &str, text: &str) {
    let r = wiki.api(&[
        ("action", "parse"),
        ("title", title),
        ("text", text),
        ("contentmodel", "wikitext"),
        ("prop", "text|templates"),
    ]);
    let html = r["parse"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no HTML for {title}: {r}"));
    assert!(
        !html.contains("class=\"error"),
        "{title} renders an error:\n{html}"
    );
    assert!(
        !html.contains("Template loop"),
        "{title} has a template loop"
    );
    for t in r["parse"]["templates"].as_array().unwrap() {
        assert!(
            t.get("missing").is_none() && t.get("exists") != Some(&false.into()),
            "{title} calls a missing template: {t}"
        );
    }
}

fn render(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    for file in template_files() {
        assert_renders(wiki, &file.title, &file.text);
    }
    assert_renders(wiki, "Sandbox", "{{Partnership proposal}}");
    assert_renders(
        wiki,
        "Partnerships/Proposals/Test",
        "{{Partnership proposal|partner=City Museum|partner_type=organization|partner_url=https://example.org\
         |mission=Open access|model=high-touch|capacity=20|interests=Digitisation|goal=Images\
         |community=Wikimedia Portugal|contact=Ana Lopes|stage=agreement|start=2026-01-10\
         |support_closes=2026-02-10|duration=6|agreement=[[Agreement]]|outcome_targets=500 images\
         |status=active}}",
    );
    // The start box is a real InputBox form (without the extension it renders as plain text).
    let r = wiki.api(&[
        ("action", "parse"),
        ("title", "Partnerships"),
        ("text", "{{Start partnership proposal}}"),
        ("prop", "text"),
    ]);
    let html = r["parse"]["text"].as_str().unwrap_or_default();
    for part in [
        "<form name=\"createbox\"",
        "value=\"Template:Partnership proposal/preload\" name=\"preload\"",
        "value=\"Partnerships/Proposals/\" name=\"prefix\"",
    ] {
        assert!(html.contains(part), "no {part:?} in the start box:\n{html}");
    }
    // The sample pages render with the installed templates (their own helper templates first).
    let examples = pagefiles::load_dir(&repo_root().join("examples/pages")).unwrap();
    for file in examples.iter().filter(|f| f.title.starts_with("Template:")) {
        wiki.human_edit(&file.title, &file.text);
    }
    for file in &examples {
        assert_renders(wiki, &file.title, &file.text);
    }
    Ok(())
}

fn human_edit_kept(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    let file = template_files()
        .into_iter()
        .find(|f| f.title == "Template:Partnership proposal")
        .unwrap();
    let human = format!("{}\n<!-- a human improvement -->", file.text);
    wiki.human_edit(&file.title, &human);
    let (human_rev, _) = wiki.page(&file.title).unwrap();

    let diff = ok(&wiki.partnerbot(&["templates", "diff"]));
    assert!(diff.contains("-<!-- a human improvement -->"), "{diff}");
    assert!(diff.contains("last edited by Admin"), "{diff}");

    let out = wiki.partnerbot(&["templates", "install"]);
    assert!(
        !out.status.success(),
        "install over a human edit must report failure"
    );
    assert!(
        stdout(&out).contains("SKIPPED    [[Template:Partnership proposal]]: last edited by Admin"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        wiki.page(&file.title).unwrap().0,
        human_rev,
        "the human's revision was replaced"
    );

    ok(&wiki.partnerbot(&["templates", "install", "--force"]));
    let (rev, content) = wiki.page(&file.title).unwrap();
    assert!(rev > human_rev);
    assert_eq!(content.trim_end(), file.text);
    Ok(())
}

fn shutoff(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    let file = template_files().remove(0);
    wiki.human_edit(&file.title, "changed by a human");
    wiki.human_edit(SHUTOFF, "stop");
    let before = wiki.edit_count();

    let out = wiki.partnerbot(&["templates", "install", "--force"]);
    // Restore the shut-off page even when an assertion fails, so later tests can edit.
    let checks = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("shut-off page [[User:Partnerbot/Shutoff]]"),
            "{}",
            stderr(&out)
        );
        assert_eq!(wiki.edit_count(), before, "edited while shut off");
        let status = wiki.partnerbot(&["status"]);
        assert!(!status.status.success(), "status must fail while shut off");
        assert!(
            stdout(&status).contains("editing STOPPED"),
            "{}",
            stdout(&status)
        );
    }));
    wiki.human_edit(SHUTOFF, "run");
    if let Err(panic) = checks {
        std::panic::resume_unwind(panic);
    }
    ensure_installed(wiki);
    Ok(())
}

fn dry_run(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    let file = template_files().remove(0);
    wiki.human_edit(&file.title, "changed by a human");
    let before = wiki.edit_count();
    let out = ok(&wiki.partnerbot(&["templates", "install", "--dry-run", "--force"]));
    assert!(
        out.contains(&format!("would update [[{}]]", file.title)),
        "{out}"
    );
    let env_dry = partnerbot_with(
        &wiki.config(),
        &["templates", "install", "--force"],
        &[("PARTNERBOT_BOT__DRY_RUN", "true")],
    );
    assert!(ok(&env_dry).contains("would update"));
    assert_eq!(wiki.edit_count(), before, "a dry run edited");
    ensure_installed(wiki);
    Ok(())
}

fn anonymous(wiki: &DevWiki) -> Result<(), Failed> {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("anon.toml");
    // The dev wiki's settings without the [auth] section.
    let mut settings: toml::Table = std::fs::read_to_string(wiki.config())
        .unwrap()
        .parse()
        .unwrap();
    settings.remove("auth");
    std::fs::write(&config, settings.to_string()).unwrap();
    let diff = partnerbot_with(&config, &["templates", "diff"], &[]);
    assert!(ok(&diff).contains("pages differ"));
    let install = partnerbot_with(&config, &["templates", "install"], &[]);
    assert!(!install.status.success());
    assert!(
        stderr(&install).contains("installing needs an account"),
        "{}",
        stderr(&install)
    );
    Ok(())
}

fn wrong_password(wiki: &DevWiki) -> Result<(), Failed> {
    let wrong = "0000000000000000000000000000000a";
    let out = partnerbot_with(
        &wiki.config(),
        &["status"],
        &[("PARTNERBOT_AUTH__PASSWORD", wrong)],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("could not connect to") && err.contains("log in"),
        "{err}"
    );
    assert!(
        !err.contains(wrong) && !stdout(&out).contains(wrong),
        "the password was echoed"
    );
    Ok(())
}

/// At the most verbose level of every library (RUST_LOG=trace), in text and JSON logs, the bot
/// password appears nowhere in the output of commands that log in, read and would edit.
fn no_secret_in_logs(wiki: &DevWiki) -> Result<(), Failed> {
    ensure_installed(wiki);
    let password = std::fs::read_to_string(wiki.dir().join("bot-password"))?;
    let password = password.trim();
    assert!(password.len() >= 32);
    let config = wiki.config();
    let runs: [&[&str]; 4] = [
        &["-vv", "status"],
        &["-vv", "run", "--once", "--dry-run"],
        &["--log-format", "json", "-vv", "index", "--dry-run"],
        &["-vv", "templates", "install", "--dry-run"],
    ];
    for args in runs {
        let out = partnerbot_with(&config, args, &[("RUST_LOG", "trace")]);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.len() > 200, "{args:?} logged almost nothing: {all}");
        assert!(!all.contains(password), "{args:?} printed the password");
    }
    Ok(())
}
