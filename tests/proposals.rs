//! Proposals on a real MediaWiki: discovery, problems, the checklist region, stage notices.
//! One wiki for this binary; tests run one at a time in the order listed.

mod common;

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests, stdout};
use libtest_mimic::Failed;

const MUSEUM: &str = "Partnerships/Proposals/City Museum of Lisbon";
const REGION_START: &str = "<!-- partnerbot:checklist";
const REGION_END: &str = "<!-- /partnerbot:checklist -->";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "first_run_adds_a_checklist_to_every_proposal_and_second_run_is_idle",
        first_and_second_run,
    ),
    (
        "inspect_json_reports_params_problems_stage_and_checklist",
        inspect_json,
    ),
    (
        "check_prints_the_diff_and_edits_nothing",
        check_edits_nothing,
    ),
    (
        "human_text_outside_the_region_survives_byte_for_byte",
        human_text_survives,
    ),
    (
        "a_stage_change_gives_exactly_one_talk_notice_across_three_runs",
        one_notice,
    ),
    (
        "a_notice_posted_before_a_crash_is_not_posted_again",
        notice_after_crash,
    ),
    (
        "malformed_pages_give_problems_and_never_a_panic",
        malformed_pages,
    ),
    (
        "translation_subpages_and_nobots_pages_are_left_alone",
        left_alone,
    ),
    ("dry_run_and_shutoff_edit_nothing", dry_run_edits_nothing),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    wiki.import_pages(&repo_root().join("examples/pages"));
    wiki.run_jobs();
}

fn run_once(wiki: &DevWiki) -> String {
    ok(&wiki.partnerbot(&["run", "--once"]))
}

fn summary_value(summary: &str, label: &str) -> u64 {
    summary
        .lines()
        .find(|l| l.starts_with(label))
        .and_then(|l| l[label.len()..].split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in:\n{summary}"))
}

/// The text without the bot's region of `kind` and the line break after it.
fn cut_region(text: &str, kind: &str) -> String {
    let start = format!("<!-- partnerbot:{kind} ");
    let end = format!("<!-- /partnerbot:{kind} -->");
    match (text.find(&start), text.find(&end)) {
        (Some(s), Some(e)) => format!("{}{}", &text[..s], &text[e + end.len() + 1..]),
        _ => text.to_owned(),
    }
}

/// The sample page's text with its `| stage = ...` line set to `stage`.
fn with_stage(text: &str, stage: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("| stage"))
        .expect("a stage line");
    text.replacen(line, &format!("| stage = {stage}"), 1)
}

/// The page text with the bot's region cut out.
fn outside_region(text: &str) -> String {
    match (text.find(REGION_START), text.find(REGION_END)) {
        (Some(s), Some(e)) => format!("{}{}", &text[..s], &text[e + REGION_END.len()..]),
        _ => text.to_owned(),
    }
}

fn first_and_second_run(wiki: &DevWiki) -> Result<(), Failed> {
    let proposals = [
        "City Museum of Lisbon",
        "Porto Botanical Garden",
        "Coimbra University Library",
        "Maria Santos",
        "Braga Municipal Archive",
        "Faro Science Centre",
    ];
    let before = wiki.edit_count();
    let first = run_once(wiki);
    assert_eq!(
        summary_value(&first, "pages seen:"),
        proposals.len() as u64,
        "{first}"
    );
    assert_eq!(
        summary_value(&first, "edited:"),
        proposals.len() as u64,
        "{first}"
    );
    assert_eq!(
        summary_value(&first, "with problems:"),
        1,
        "only Faro is broken: {first}"
    );
    let braga = wiki.text("Partnerships/Proposals/Braga Municipal Archive");
    assert!(
        !braga.contains("| problems ="),
        "a [[#Section]] agreement link is valid: {braga}"
    );
    // One edit per proposal, and the index: its page is created and the case studies go into
    // the Partnerships page.
    assert!(
        first.contains(
            "edited:       [[Community Capacity Development/Partnerships/Index]], [[Partnerships]]"
        ),
        "{first}"
    );
    assert_eq!(wiki.edit_count() - before, proposals.len() as u64 + 2);
    for name in proposals {
        let title = format!("Partnerships/Proposals/{name}");
        let text = wiki.text(&title);
        assert_eq!(text.matches(REGION_START).count(), 1, "{title}:\n{text}");
        let sample = std::fs::read_to_string(repo_root().join(format!(
            "examples/pages/{}.wikitext",
            title.replace(' ', "_")
        )))
        .unwrap();
        // Each region goes on its own line: cut them and their line breaks.
        let without = ["checklist", "tally", "survey"]
            .iter()
            .fold(text.clone(), |t, kind| cut_region(&t, kind));
        assert_eq!(
            without,
            sample.trim_end(),
            "{title}: something besides the regions changed"
        );
    }
    let faro = wiki.text("Partnerships/Proposals/Faro Science Centre");
    assert!(faro.contains("[[Category:Partnership proposals with problems]]"));
    assert!(
        faro.contains("{{Partnership message|problem-unknown-param-suggest|parnter|partner}}"),
        "{faro}"
    );

    let edits = wiki.edit_count();
    let second = run_once(wiki);
    assert_eq!(summary_value(&second, "edited:"), 0, "{second}");
    assert_eq!(
        summary_value(&second, "unchanged:"),
        proposals.len() as u64,
        "{second}"
    );
    assert!(summary_value(&second, "API requests:") <= 25, "{second}");
    assert_eq!(wiki.edit_count(), edits, "the second run edited");
    // The rendered page shows the checklist without template errors.
    let html = wiki.api(&[("action", "parse"), ("page", MUSEUM), ("prop", "text")]);
    let html = html["parse"]["text"].as_str().unwrap();
    assert!(
        html.contains("Partnership checklist") && !html.contains("class=\"error"),
        "{html}"
    );
    Ok(())
}

fn inspect_json(wiki: &DevWiki) -> Result<(), Failed> {
    let out = ok(&wiki.partnerbot(&[
        "inspect",
        "--json",
        "Partnerships/Proposals/Faro_Science_Centre",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["title"], "Partnerships/Proposals/Faro Science Centre");
    assert_eq!(
        v["proposal"]["params"]["goal"],
        "Improve 30 articles on marine biology"
    );
    let problems = v["proposal"]["problems"].as_array().unwrap();
    for param in ["parnter", "goal", "stage", "start", "partner", "contact"] {
        assert!(
            problems.iter().any(|p| p["param"] == param),
            "no problem about {param}: {out}"
        );
    }
    assert!(
        problems
            .iter()
            .all(|p| p["message"].as_str().is_some_and(|m| !m.is_empty()))
    );
    assert_eq!(v["stage"], serde_json::Value::Null);

    let out = ok(&wiki.partnerbot(&["inspect", "--json", MUSEUM]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stage"], "planning");
    let items = v["checklist"].as_array().unwrap();
    assert!(items.iter().all(|i| i["id"].is_string()
        && i["label"].is_string()
        && i["done"].is_boolean()
        && i["evidence"].is_string()));
    let plan = items.iter().find(|i| i["id"] == "plan").expect("plan item");
    assert_eq!(plan["done"], true, "{out}");
    assert_eq!(v["region"]["present"], true);
    assert_eq!(v["would_edit"], false);
    Ok(())
}

fn check_edits_nothing(wiki: &DevWiki) -> Result<(), Failed> {
    let title = "Partnerships/Proposals/Maria Santos";
    let text = wiki.text(title);
    // No more `interests`: the selection item it evidences reopens.
    wiki.human_edit(
        title,
        &text.replacen("| interests", "| former_interests", 1),
    );
    let before = wiki.edit_count();
    let out = ok(&wiki.partnerbot(&["check", title]));
    assert!(out.contains("summary: partnerbot:"), "{out}");
    assert!(
        out.contains("\n-") && out.contains("\n+"),
        "a unified diff: {out}"
    );
    assert_eq!(wiki.edit_count(), before, "check edited");
    run_once(wiki);
    let out = ok(&wiki.partnerbot(&["check", title]));
    assert!(out.contains("no edit, the page is up to date"), "{out}");
    Ok(())
}

fn human_text_survives(wiki: &DevWiki) -> Result<(), Failed> {
    run_once(wiki);
    let text = wiki.text(MUSEUM);
    let odd = "\n\nA human   wrote this,  with odd  spacing\t and [[links]]. ~~~~\n";
    let human = text.replacen("== Partner ==", &format!("== Partner =={odd}"), 1);
    wiki.human_edit(MUSEUM, &human);
    let stored = wiki.text(MUSEUM); // ~~~~ was expanded by MediaWiki on save
    let out = run_once(wiki);
    assert_eq!(
        summary_value(&out, "edited:"),
        0,
        "a prose edit changes no evidence: {out}"
    );
    // Now change evidence: the bot edits, and only inside its region.
    let with_results = format!(
        "{}\n== Results ==\nScanned 120 prints so far.\n",
        stored.trim_end()
    );
    wiki.human_edit(MUSEUM, &with_results);
    let human_version = wiki.text(MUSEUM);
    run_once(wiki);
    let bot_version = wiki.text(MUSEUM);
    assert_eq!(
        outside_region(&bot_version),
        outside_region(&human_version),
        "bytes outside the region changed"
    );
    Ok(())
}

fn one_notice(wiki: &DevWiki) -> Result<(), Failed> {
    let title = "Partnerships/Proposals/Coimbra University Library";
    let talk = format!("Talk:{title}");
    run_once(wiki);
    let text = wiki.text(title);
    wiki.human_edit(title, &with_stage(&text, "implementation"));
    let before_talk = wiki.text(&talk);
    for _ in 0..3 {
        run_once(wiki);
    }
    let talk_text = wiki.text(&talk);
    let new_part = &talk_text[before_talk.len().min(talk_text.len())..];
    assert_eq!(
        talk_text.matches("partnerbot:stage-notice").count(),
        before_talk.matches("partnerbot:stage-notice").count() + 1,
        "{talk_text}"
    );
    assert!(
        new_part.contains("from=agreement to=implementation"),
        "{talk_text}"
    );
    assert!(
        new_part.contains("== Partnership stage: Implementation =="),
        "{talk_text}"
    );
    assert!(
        new_part.contains("[[User:"),
        "the contacts are pinged: {talk_text}"
    );
    assert!(wiki.text(title).contains("stage=implementation"));
    Ok(())
}

fn notice_after_crash(wiki: &DevWiki) -> Result<(), Failed> {
    // As if the bot had posted notice 1 and died before saving the page's region.
    let title = "Partnerships/Proposals/Porto Botanical Garden";
    let talk = format!("Talk:{title}");
    run_once(wiki);
    let text = wiki.text(title);
    assert!(text.contains("notice=0 stage=evaluation"), "{text}");
    let earlier = wiki.text(&talk);
    let posted = "== Partnership stage: Communication ==\n<!-- partnerbot:stage-notice n=1 from=evaluation to=communication -->\nPosted before the crash.";
    wiki.human_edit(&talk, &format!("{earlier}\n\n{posted}\n"));
    wiki.human_edit(title, &with_stage(&text, "communication"));
    let before = wiki.text(&talk);
    let out = run_once(wiki);
    assert_eq!(summary_value(&out, "stage notices:"), 0, "{out}");
    assert_eq!(wiki.text(&talk), before, "the notice was posted again");
    assert!(wiki.text(title).contains("notice=1 stage=communication"));
    Ok(())
}

fn malformed_pages(wiki: &DevWiki) -> Result<(), Failed> {
    let big_prose = "Lorem ipsum dolor sit amet. ".repeat(70_000); // about 2 MB
    let cases: Vec<(&str, String, &str)> = vec![
        ("Unclosed", "{{Partnership proposal|partner=X|stage=planning\n== Plan ==\n".into(), "never closed"),
        ("Unknown stage", "{{Partnership proposal|partner=X|partner_type=organization|contact=A|stage=somewhere}}".into(), "`stage`"),
        ("Bad date", "{{Partnership proposal|partner=X|partner_type=organization|contact=A|stage=planning|start=31/12/2026}}".into(), "`start`"),
        ("Duplicates", "{{Partnership proposal|partner=X|partner=Y|partner_type=organization|contact=A|stage=planning}}".into(), "given 2 times"),
        ("Two templates", "{{Partnership proposal|partner=X|partner_type=organization|contact=A|stage=planning}}\n{{Partnership proposal|partner=Y}}".into(), "second proposal template"),
        ("Empty call", "{{Partnership proposal}}".into(), "required parameter"),
        ("Huge", format!("{{{{Partnership proposal|partner=X|partner_type=organization|contact=A|stage=planning}}}}\n{big_prose}"), ""),
    ];
    for (name, text, _) in &cases {
        wiki.human_edit(&format!("Partnerships/Proposals/Malformed/{name}"), text);
    }
    let out = wiki.partnerbot(&["run", "--once"]);
    let err = common::stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    for (name, _, expected) in &cases {
        let title = format!("Partnerships/Proposals/Malformed/{name}");
        let inspect = ok(&wiki.partnerbot(&["inspect", "--json", &title]));
        let v: serde_json::Value = serde_json::from_str(&inspect).unwrap();
        let messages: Vec<&str> = v["proposal"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["message"].as_str())
            .collect();
        if expected.is_empty() {
            assert!(messages.is_empty(), "{name}: {messages:?}");
        } else {
            assert!(
                messages.iter().any(|m| m.contains(expected)),
                "{name}: {messages:?}"
            );
        }
    }
    // The unclosed template is plain text to MediaWiki, so the page is not a proposal and is
    // not edited; every other page got its region.
    assert!(
        !wiki
            .text("Partnerships/Proposals/Malformed/Unclosed")
            .contains(REGION_START)
    );
    assert!(
        wiki.text("Partnerships/Proposals/Malformed/Two templates")
            .contains(REGION_START)
    );
    assert!(
        wiki.text("Partnerships/Proposals/Malformed/Huge")
            .contains(REGION_START)
    );
    Ok(())
}

fn left_alone(wiki: &DevWiki) -> Result<(), Failed> {
    let translation = format!("{MUSEUM}/pt");
    let source = std::fs::read_to_string(
        repo_root().join("examples/pages/Partnerships/Proposals/City_Museum_of_Lisbon.wikitext"),
    )
    .unwrap();
    wiki.human_edit(
        &translation,
        &source.replace(
            "The City Museum of Lisbon has offered",
            "O Museu da Cidade ofereceu",
        ),
    );
    let opted_out = "Partnerships/Proposals/Opted out";
    wiki.human_edit(opted_out, "{{nobots}}\n{{Partnership proposal|partner=X|partner_type=organization|contact=A|stage=planning}}");
    let (translation_rev, _) = wiki.page(&translation).unwrap();
    let (opted_rev, _) = wiki.page(opted_out).unwrap();
    let out = run_once(wiki);
    assert_eq!(
        wiki.page(&translation).unwrap().0,
        translation_rev,
        "the translation was edited:\n{out}"
    );
    assert_eq!(
        wiki.page(opted_out).unwrap().0,
        opted_rev,
        "the {{{{nobots}}}} page was edited"
    );
    Ok(())
}

fn dry_run_edits_nothing(wiki: &DevWiki) -> Result<(), Failed> {
    let title = "Partnerships/Proposals/Braga Municipal Archive";
    let text = wiki.text(title);
    wiki.human_edit(
        title,
        &text.replacen("| stage", "| done = volunteers-coordinated\n| stage", 1),
    );
    let before = wiki.edit_count();
    let out = ok(&wiki.partnerbot(&["run", "--once", "--dry-run"]));
    assert!(summary_value(&out, "would edit:") >= 1, "{out}");
    assert_eq!(wiki.edit_count(), before, "a dry run edited");
    wiki.human_edit("User:Partnerbot/Shutoff", "stop");
    let before = wiki.edit_count();
    let stopped = wiki.partnerbot(&["run", "--once"]);
    wiki.human_edit("User:Partnerbot/Shutoff", "run");
    assert!(!stopped.status.success(), "{}", stdout(&stopped));
    assert!(common::stderr(&stopped).contains("shut-off page"));
    assert_eq!(
        wiki.edit_count(),
        before + 1,
        "only the human's restore edit"
    );
    Ok(())
}
