use std::collections::HashMap;

use super::*;
use crate::analyse::builtin::BuiltinRules;
use crate::analyse::page;
use crate::analyse::tally;

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

fn plan_for(text: &str) -> PagePlan {
    let builtin = BuiltinRules::default();
    let (stages, survey_rules) = (&builtin.stages, &builtin.survey);
    let mut read = page::read(text, &builtin.proposal_rules(), &builtin.vote_rules());
    let accounts: HashMap<String, tally::Account> = [&read.votes, &read.survey_lines]
        .into_iter()
        .flatten()
        .flat_map(|l| tally::voters(l))
        .map(|u| {
            (
                u,
                tally::Account {
                    exists: true,
                    edits: 10,
                    ..Default::default()
                },
            )
        })
        .collect();
    read.survey = read.survey_lines.as_ref().map(|l| {
        crate::analyse::survey::count(
            l,
            &accounts,
            &tally::History::default(),
            &builtin.count,
            survey_rules,
            page::approval_target(&read.proposal),
            now(),
        )
    });
    let tally = read.votes.as_ref().map(|l| {
        let period = page::period(&read.proposal, l);
        tally::tally(
            l,
            &accounts,
            &tally::History::default(),
            period,
            &builtin.count,
            now(),
        )
    });
    let analysis = page::complete(read, stages, &HashMap::new(), tally);
    plan(
        "Partnerships/Proposals/M",
        7,
        text,
        &analysis,
        &RenderSettings::builtin(&builtin),
    )
}

fn edit(plan: PagePlan) -> PageEdit {
    match plan {
        PagePlan::Edit(e) => *e,
        other => panic!("expected an edit, got {other:?}"),
    }
}

const PAGE: &str = "{{Partnership proposal|partner=M|partner_type=organization|contact=Ana, Rui|stage=planning}}\nIntro  with odd   spacing.\n\n== Plan ==\nDo things.\n";

#[test]
fn first_run_inserts_after_the_template_and_second_run_is_idle() {
    let e = edit(plan_for(PAGE));
    assert!(e.notice.is_none(), "creating the region announces nothing");
    assert!(
        e.summary
            .starts_with("partnerbot: add the partnership checklist; checklist for stage Planning"),
        "{}",
        e.summary
    );
    let (template, rest) = PAGE.split_once('\n').unwrap();
    assert!(e.text.starts_with(&format!(
        "{template}\n<!-- partnerbot:checklist notice=0 stage=planning |"
    )));
    assert!(
        e.text
            .ends_with(&format!("<!-- /partnerbot:checklist -->\n{rest}")),
        "the rest is byte-for-byte kept"
    );
    assert!(
        matches!(plan_for(&e.text), PagePlan::Unchanged),
        "rendering twice = rendering once"
    );
}

#[test]
fn human_edits_outside_the_region_survive_and_trigger_nothing() {
    let first = edit(plan_for(PAGE)).text;
    let edited = first.replace("Do things.", "Do things, carefully.") + "\n[[Category:Human]]\n";
    assert!(matches!(plan_for(&edited), PagePlan::Unchanged));
    let with_goal = edited.replace("|stage=planning", "|goal=G|stage=planning");
    let e = edit(plan_for(&with_goal));
    assert!(e.text.contains("Do things, carefully.") && e.text.ends_with("[[Category:Human]]\n"));
    assert!(
        edited.contains("Community interest identified"),
        "carried over while open"
    );
    assert!(
        !e.text.contains("Community interest identified"),
        "done, so no longer carried over"
    );
    assert!(e.text.contains("| done = 3"), "{}", e.text);
}

#[test]
fn a_stage_change_is_announced_once_with_the_next_notice_id() {
    let first = edit(plan_for(PAGE)).text;
    let moved = first.replace("|stage=planning", "|stage=agreement");
    let e = edit(plan_for(&moved));
    let n = e.notice.as_ref().expect("a notice");
    assert_eq!(
        (n.n, n.from.as_str(), n.to.as_str()),
        (1, "planning", "agreement")
    );
    assert!(n.notice.text.contains("[[User:Ana|Ana]], [[User:Rui|Rui]]"));
    assert!(e.text.contains("notice=1 stage=agreement"));
    assert!(
        e.summary
            .contains("stage changed from planning to agreement")
    );
    assert!(
        matches!(plan_for(&e.text), PagePlan::Unchanged),
        "announced once"
    );

    // A typo keeps the last valid stage: fixing it later announces nothing.
    let typo = e.text.replace("|stage=agreement", "|stage=agreemnt");
    let t = edit(plan_for(&typo));
    assert!(t.notice.is_none());
    assert!(t.text.contains("notice=1 stage=agreement"));
    let fixed = t.text.replace("|stage=agreemnt", "|stage=agreement");
    assert!(edit(plan_for(&fixed)).notice.is_none());
}

#[test]
fn damaged_region_blocks_and_foreign_pages_are_not_ours() {
    let first = edit(plan_for(PAGE)).text;
    let damaged = first.replace("<!-- /partnerbot:checklist -->", "");
    assert!(matches!(plan_for(&damaged), PagePlan::Blocked(_)));
    assert!(matches!(plan_for("Just a page.\n"), PagePlan::NotOurs));
    let removed = first.replacen("{{Partnership proposal|", "{{Something else|", 1);
    let e = edit(plan_for(&removed));
    assert!(
        e.text
            .contains("{{Partnership message|problem-no-template}}"),
        "the region reports it: {}",
        e.text
    );
}

/// Every partnerbot region cut out, and line breaks dropped (a new region brings its own):
/// what is left must be what the humans wrote, byte for byte.
fn outside_regions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- partnerbot:") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let kind = after["<!-- partnerbot:".len()..]
            .split([' ', '-'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let end = format!("<!-- /partnerbot:{kind} -->");
        rest = match after.find(&end) {
            Some(e) => &after[e + end.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out.replace('\n', "")
}

fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("[[".to_owned()),
        Just("]]".to_owned()),
        Just("|".to_owned()),
        Just("=".to_owned()),
        Just("\n".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<nowiki>".to_owned()),
        Just("<s>".to_owned()),
        Just("\n== Community support ==\n=== Support ===\n".to_owned()),
        Just("\n=== Oppose ===\n".to_owned()),
        Just("\n== Plan ==\nText.\n".to_owned()),
        Just(
            "\n# Yes. [[User:Ana|Ana]] ([[User talk:Ana|talk]]) 10:00, 1 March 2026 (UTC)"
                .to_owned()
        ),
        Just("\n#: reply".to_owned()),
        Just("~~~~".to_owned()),
        Just("<!-- partnerbot:checklist stage=selection | x -->".to_owned()),
        Just("<!-- /partnerbot:checklist -->".to_owned()),
        "[a-zA-Z ]{0,12}",
        "\\PC{0,6}",
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Whatever the page holds: no panic; an edit touches only the bot's regions; planning
    /// the edited page again changes nothing (rendering is idempotent).
    #[test]
    fn edits_stay_in_regions_and_are_idempotent(
        before in proptest::collection::vec(fragment(), 0..12),
        stage in proptest::sample::select(vec!["selection", "planning", "evaluation", "nonsense", ""]),
        partner in fragment(),
        after in proptest::collection::vec(fragment(), 0..20),
    ) {
        let text = format!(
            "{}{{{{Partnership proposal|partner={partner}|partner_type=organization|contact=Ana|stage={stage}}}}}{}",
            before.concat(),
            after.concat()
        );
        if let PagePlan::Edit(e) = plan_for(&text) {
            proptest::prop_assert_eq!(outside_regions(&e.text), outside_regions(&text));
            let again = plan_for(&e.text);
            proptest::prop_assert!(
                matches!(again, PagePlan::Unchanged),
                "not idempotent: {:?}\n--- first ---\n{}",
                again,
                e.text
            );
        }
    }
}

#[test]
fn oversized_and_deeply_nested_pages_are_read_without_a_stack_overflow() {
    let nested = format!(
        "{}{}{}",
        "{{".repeat(200_000),
        "Partnership proposal|stage=planning",
        "}}".repeat(200_000)
    );
    let _ = plan_for(&nested);
    let votes: String = (0..20_000)
        .map(|n| format!("# Support {n}. [[User:U{n}|U{n}]] ([[User talk:U{n}|talk]]) 10:00, 1 March 2026 (UTC)\n"))
        .collect();
    let big = format!("{PAGE}\n== Community support ==\n=== Support ===\n{votes}");
    assert!(big.len() > 1_500_000);
    match plan_for(&big) {
        PagePlan::Edit(e) => assert!(e.text.contains("| support = 20000"), "{}", &e.text[..2000]),
        other => panic!("expected an edit, got {other:?}"),
    }
}

#[test]
fn the_survey_region_goes_under_its_heading_and_ticks_the_outcome_targets() {
    let response = |p: u8, o: u8, user: &str, day: u32| {
        format!(
            "* {{{{Partnership survey response|process={p}|outcomes={o}}}}} [[User:{user}|{user}]] 10:00, {day} May 2026 (UTC)"
        )
    };
    let lines: Vec<String> = (1..=5)
        .map(|n| response(5, 4, &format!("U{n}"), n))
        .chain([response(7, 4, "Bad", 6)])
        .collect();
    let text = format!(
        "{{{{Partnership proposal|partner=M|partner_type=organization|contact=Ana|stage=evaluation|approval_target=80}}}}\n\
         == Community support ==\n=== Support ===\n{}\n\
         == Evaluation survey ==\nHow did it go?\n{}\n== Results ==\nDone.\n",
        response(5, 5, "Ana", 1),
        lines.join("\n")
    );
    let e = edit(plan_for(&text));
    let (before, after) = e.text.split_once("== Evaluation survey ==\n").unwrap();
    assert!(before.contains("<!-- /partnerbot:tally -->"));
    assert!(
        after.starts_with("<!-- partnerbot:survey as_of=7 |"),
        "the region opens the section: {after}"
    );
    assert!(after.contains("| responses = 5\n| ignored = 1\n"));
    assert!(after.contains("| target = 80\n| min_responses = 5\n| met = yes\n"));
    assert!(after.contains("reason=invalid-response"));
    assert!(
        e.text
            .contains("state=done|step={{Partnership message|item-outcome-targets-met|"),
        "{}",
        e.text
    );
    let human = format!(
        "How did it go?\n{}\n== Results ==\nDone.\n",
        lines.join("\n")
    );
    assert!(
        e.text.ends_with(&human),
        "the responses are kept byte for byte"
    );
    assert!(matches!(plan_for(&e.text), PagePlan::Unchanged));

    // Before the survey's stage the section is an ordinary section.
    let planning = text.replace("stage=evaluation", "stage=planning");
    assert!(!edit(plan_for(&planning)).text.contains("partnerbot:survey"));
}

#[test]
fn a_template_inside_a_vote_before_a_comment_keeps_the_vote_whole() {
    // Found by the property test: the region went mid-line, cutting the vote differently on
    // the next run (its audit excerpt changed every time).
    let text = "\n== Community support ==\n=== Support ===\n\n# Yes. [[User:Ana|Ana]] ([[User talk:Ana|talk]]) 10:00, 1 March 2026 (UTC){{Partnership proposal|partner=}}|partner_type=organization|contact=Ana|stage=selection}}<!--\n== Community support ==\n=== Support ===\n-->\n# Yes. [[User:Ana|Ana]] ([[User talk:Ana|talk]]) 10:00, 1 March 2026 (UTC)";
    let first = edit(plan_for(text)).text;
    assert!(
        first.contains("=== Support ===\n-->\n<!-- partnerbot:checklist"),
        "{first}"
    );
    assert!(matches!(plan_for(&first), PagePlan::Unchanged));
}
