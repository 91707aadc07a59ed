//! The community-support tally on a real MediaWiki, with page histories built the real way:
//! each vote saved by its voter's own account, a forged one saved by someone else, a vote
//! struck later, an unsigned vote fixed by a patroller, an IP, a blocked voter, a voter who
//! changes position. The evaluation survey is read by the same rules (plus invalid ratings).

mod common;

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests};
use libtest_mimic::Failed;
use serde_json::Value;

const PAGE: &str = "Partnerships/Proposals/Tally Test";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "votes_are_counted_by_signature_and_history",
        history_built_the_real_way,
    ),
    (
        "survey_responses_are_counted_by_the_same_rules",
        survey_built_the_real_way,
    ),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
}

fn sig(user: &str, day: u32) -> String {
    format!("[[User:{user}|{user}]] ([[User talk:{user}|talk]]) 10:00, {day} November 2026 (UTC)")
}

/// The page with its three position subsections holding these lines.
fn page(support: &[String], oppose: &[String]) -> String {
    format!(
        "{{{{Partnership proposal|partner=Tally Museum|partner_type=organization|contact=Alice\
         |stage=planning|support_closes=2099-01-01}}}}\nA proposal.\n\n== Plan ==\nScan.\n\n\
         == Community support ==\n=== Support ===\n{}\n=== Oppose ===\n{}\n=== Neutral ===\n",
        support.join("\n"),
        oppose.join("\n")
    )
}

fn tally(wiki: &DevWiki) -> Value {
    let out = ok(&wiki.partnerbot(&["inspect", "--json", PAGE]));
    let v: Value = serde_json::from_str(&out).unwrap();
    v["tally"].clone()
}

fn users(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["user"].as_str().unwrap_or("-").to_owned())
        .collect()
}

/// (user, reason) of each line not counted; "-" for unsigned lines.
fn reasons(ignored: &Value) -> Vec<(String, String)> {
    ignored
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["user"].as_str().unwrap_or("-").to_owned(),
                i["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn history_built_the_real_way(wiki: &DevWiki) -> Result<(), Failed> {
    for u in ["Alice", "Bob", "Dave", "Erin", "Frank", "Gina", "Carol"] {
        wiki.create_user(u);
    }
    let mut support: Vec<String> = Vec::new();
    let mut oppose: Vec<String> = Vec::new();
    wiki.edit_as("Admin", PAGE, &page(&support, &oppose));
    let mut vote = |by: &str, line: String, to_oppose: bool| {
        if to_oppose {
            oppose.push(line)
        } else {
            support.push(line)
        }
        wiki.edit_as(by, PAGE, &page(&support, &oppose));
    };
    vote(
        "Alice",
        format!("# '''Support''' {}", sig("Alice", 1)),
        false,
    );
    vote("Bob", format!("# '''Support''' {}", sig("Bob", 2)), false);
    vote(
        "Admin",
        format!("# '''Support''' {}", sig("Carol", 3)),
        false,
    ); // forged
    vote("Dave", "# Support, a good idea".into(), false); // unsigned...
    vote("Admin", "# Support from an IP [[Special:Contributions/192.0.2.44|192.0.2.44]] 10:00, 4 November 2026 (UTC)".into(), false);
    vote("Erin", format!("# '''Support''' {}", sig("Erin", 5)), false);
    vote(
        "Frank",
        format!("# '''Support''' {}", sig("Frank", 6)),
        false,
    );
    vote(
        "Frank",
        format!("# '''Oppose''' changed my mind {}", sig("Frank", 7)),
        true,
    );
    vote(
        "Admin",
        format!("# '''Support''' {}", sig("Nobody Here", 8)),
        false,
    );
    // ...fixed by a patroller; Bob strikes his own vote.
    let fixed: Vec<String> = support
        .iter()
        .map(|l| {
            if l == "# Support, a good idea" {
                format!("{l} {{{{unsigned|Dave|3 November 2026}}}}")
            } else {
                l.clone()
            }
        })
        .map(|l| {
            if l.contains("User:Bob|") {
                format!("# <s>{}</s>", &l[2..])
            } else {
                l
            }
        })
        .collect();
    wiki.edit_as("Admin", PAGE, &page(&fixed, &oppose));
    // Without --disable-autoblock the block would also hit 127.0.0.1, the bot's address.
    wiki.maint(
        &[
            "blockUsers.php",
            "--performer",
            "Admin",
            "--reason",
            "test",
            "--disable-autoblock",
        ],
        "Erin\n",
    );

    let t = tally(wiki);
    assert_eq!(
        users(&t["positions"]["support"]),
        ["Alice", "Dave"],
        "{t:#}"
    );
    assert_eq!(users(&t["positions"]["oppose"]), ["Frank"], "{t:#}");
    let ignored = reasons(&t["ignored"]);
    let expect = |u: &str, r: &str| {
        assert!(
            ignored.contains(&(u.into(), r.into())),
            "{u} {r}: {ignored:?}"
        )
    };
    expect("Bob", "struck");
    expect("Carol", "forged");
    expect("192.0.2.44", "ip");
    expect("Erin", "ineligible");
    expect("Frank", "superseded");
    expect("Nobody Here", "unknown-user");
    assert_eq!(ignored.len(), 6, "{ignored:?}");
    assert_eq!(t["totals"]["support"], 2);
    assert_eq!(t["status"], "open");
    assert!((t["percent"].as_f64().unwrap() - 66.666).abs() < 0.01);

    // The bot writes it at the top of the section; a second pass changes nothing.
    ok(&wiki.partnerbot(&["run", "--once"]));
    let text = wiki.text(PAGE);
    let region_at = text.find("<!-- partnerbot:tally").expect("tally region");
    assert!(
        text[..region_at]
            .trim_end()
            .ends_with("== Community support =="),
        "{text}"
    );
    assert!(
        text.contains("| support = 2\n| oppose = 1\n| neutral = 0\n| ignored = 6"),
        "{text}"
    );
    assert!(
        text.contains(
            "* Carol ({{Partnership message|tally-position-support}}): \
             {{Partnership message|tally-reason-forged}}"
        ),
        "{text}"
    );
    let edits = wiki.edit_count();
    let again = ok(&wiki.partnerbot(&["run", "--once"]));
    assert_eq!(wiki.edit_count(), edits, "{again}");

    // A forger edits the bot's memory (drops the `forged=` list): the seal no longer fits, so
    // the history is read again and Carol's line stays forged.
    let text = wiki.text(PAGE);
    let marker_end = text.find("<!-- partnerbot:tally").unwrap();
    let line_end = marker_end + text[marker_end..].find(" | ").unwrap();
    let tampered_marker: String = text[marker_end..line_end]
        .split(' ')
        .filter(|w| !w.starts_with("forged="))
        .collect::<Vec<_>>()
        .join(" ");
    let tampered = format!(
        "{}{}{}",
        &text[..marker_end],
        tampered_marker,
        &text[line_end..]
    );
    assert_ne!(tampered, text);
    wiki.human_edit(PAGE, &tampered);
    ok(&wiki.partnerbot(&["run", "--once"]));
    let repaired = wiki.text(PAGE);
    assert!(
        repaired.contains(
            "* Carol ({{Partnership message|tally-position-support}}): \
             {{Partnership message|tally-reason-forged}}"
        ),
        "{repaired}"
    );
    assert!(repaired.contains("forged="), "{repaired}");

    // One more vote: the tally follows; history of the verified lines is not walked again.
    let mut more = fixed.clone();
    more.push(format!("# '''Support''' {}", sig("Gina", 9)));
    let current = wiki.text(PAGE);
    let with_gina = current.replace(
        "\n=== Oppose ===",
        &format!("\n{}\n=== Oppose ===", more.last().unwrap()),
    );
    wiki.edit_as("Gina", PAGE, &with_gina);
    let out = ok(&wiki.partnerbot(&["run", "--once"]));
    assert!(wiki.text(PAGE).contains("| support = 3\n"), "{out}");
    let _ = repo_root();
    Ok(())
}

const SURVEY_PAGE: &str = "Partnerships/Proposals/Survey Test";

fn survey_page(responses: &[String]) -> String {
    format!(
        "{{{{Partnership proposal|partner=Survey Library|partner_type=organization|contact=Sara\
         |stage=evaluation|approval_target=60|leader_confidence_before=2\
         |leader_confidence_after=4}}}}\nA proposal.\n\n== Results ==\nScanned.\n\n\
         == Evaluation survey ==\nRate the process and the outcomes from 1 to 5.\n{}\n\n\
         == See also ==\n* [[Partnerships]]\n",
        responses.join("\n")
    )
}

fn response(process: &str, outcomes: &str, user: &str, day: u32) -> String {
    format!(
        "* {{{{Partnership survey response|process={process}|outcomes={outcomes}|comment=Fine.}}}} {}",
        sig(user, day)
    )
}

fn survey_built_the_real_way(wiki: &DevWiki) -> Result<(), Failed> {
    for u in ["Sara", "Tom", "Uma", "Vic", "Wes", "Xena"] {
        wiki.create_user(u);
    }
    let mut lines: Vec<String> = Vec::new();
    wiki.edit_as("Admin", SURVEY_PAGE, &survey_page(&lines));
    let mut respond = |by: &str, line: String| {
        lines.push(line);
        wiki.edit_as(by, SURVEY_PAGE, &survey_page(&lines));
    };
    respond("Sara", response("2", "2", "Sara", 10));
    respond("Tom", response("4", "5", "Tom", 11));
    respond("Uma", response("4", "4", "Uma", 12));
    respond("Admin", response("5", "5", "Vic", 13)); // forged
    respond("Wes", response("9", "4", "Wes", 14)); // invalid rating
    respond(
        "Wes",
        "** Reply: {{Partnership survey response|process=1|outcomes=1}}".into(),
    );
    respond(
        "Xena",
        format!(
            "* <s>{{{{Partnership survey response|process=1|outcomes=1}}}} {}</s>",
            sig("Xena", 15)
        ),
    );
    respond(
        "Tom",
        "* {{Partnership survey response|process=5|outcomes=5}} forgot to sign".into(),
    );
    respond("Admin", "* {{Partnership survey response|process=5|outcomes=5}} [[Special:Contributions/192.0.2.9|192.0.2.9]] 10:00, 16 November 2026 (UTC)".into());
    respond("Sara", response("5", "4", "Sara", 17)); // replaces her first response

    let env = [("PARTNERBOT_SURVEY__MIN_RESPONSES", "3")];
    let inspect = |wiki: &DevWiki| -> Value {
        let out = ok(&common::partnerbot_with(
            &wiki.config(),
            &["inspect", "--json", SURVEY_PAGE],
            &env,
        ));
        serde_json::from_str::<Value>(&out).unwrap()["survey"].clone()
    };
    let s = inspect(wiki);
    assert_eq!(users(&s["responses"]), ["Tom", "Uma", "Sara"], "{s:#}");
    let ignored = reasons(&s["ignored"]);
    assert_eq!(
        ignored,
        [
            ("Sara", "superseded"),
            ("Vic", "forged"),
            ("Wes", "invalid-response"),
            ("Xena", "struck"),
            ("-", "unsigned"),
            ("192.0.2.9", "ip"),
        ]
        .map(|(u, r)| (u.to_owned(), r.to_owned())),
        "every line but the reply is counted or has one reason: {s:#}"
    );
    // Ratings counted: process 4, 4, 5; outcomes 5, 4, 4.
    assert_eq!(s["process"]["median"], 4.0);
    assert!((s["process"]["mean"].as_f64().unwrap() - 4.333).abs() < 0.01);
    assert_eq!(s["process"]["approve_percent"], 100.0);
    assert_eq!(
        s["outcomes"]["distribution"],
        serde_json::json!([0, 0, 0, 2, 1])
    );
    assert_eq!(s["met"], true, "{s:#}");

    // The bot writes the region at the top of the section and ticks the checklist item.
    let out = ok(&common::partnerbot_with(
        &wiki.config(),
        &["run", "--once"],
        &env,
    ));
    let text = wiki.text(SURVEY_PAGE);
    let (before, after) = text
        .split_once("== Evaluation survey ==\n<!-- partnerbot:survey")
        .unwrap_or_else(|| panic!("survey region under its heading: {out}\n{text}"));
    assert!(
        before.contains("state=done|step={{Partnership message|item-outcome-targets-met|"),
        "{before}"
    );
    assert!(
        after.contains("| responses = 3\n| ignored = 6\n"),
        "{after}"
    );
    assert!(after.contains("| met = yes\n"), "{after}");
    assert!(after.contains("| leader_confidence_before = 2\n| leader_confidence_after = 4\n"));
    assert!(
        // MediaWiki drops the page's final line break.
        text.ends_with(format!(
            "Rate the process and the outcomes from 1 to 5.\n{}\n\n== See also ==\n* [[Partnerships]]\n",
            lines.join("\n")
        )
        .trim_end()),
        "the responses are kept byte for byte"
    );
    let rendered = wiki.api(&[("action", "parse"), ("page", SURVEY_PAGE), ("prop", "text")]);
    let html = rendered["parse"]["text"].as_str().unwrap_or_default();
    let at = html.find("Outcome targets").unwrap_or(0);
    assert!(
        html.contains("Outcome targets: <span"),
        "the box renders: {}",
        &html[at..(at + 600).min(html.len())]
    );
    let edits = wiki.edit_count();
    ok(&common::partnerbot_with(
        &wiki.config(),
        &["run", "--once"],
        &env,
    ));
    assert_eq!(wiki.edit_count(), edits, "idle second pass");

    // With the default minimum of 5 responses the targets are not met yet.
    let s = inspect_default(wiki);
    assert_eq!(s["met"], false, "{s:#}");
    assert_eq!(s["min_responses"], 5);
    Ok(())
}

fn inspect_default(wiki: &DevWiki) -> Value {
    let out = ok(&wiki.partnerbot(&["inspect", "--json", SURVEY_PAGE]));
    serde_json::from_str::<Value>(&out).unwrap()["survey"].clone()
}
