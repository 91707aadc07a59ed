use chrono::NaiveDate;

use super::*;
use crate::analyse::tally::signature::SiteNames;

fn sig(user: &str, day: u32) -> String {
    format!("[[User:{user}|{user}]] ([[User talk:{user}|talk]]) 10:00, {day} May 2026 (UTC)")
}

fn response(process: &str, outcomes: &str, user: &str, day: u32) -> String {
    format!(
        "* {{{{Partnership survey response|process={process}|outcomes={outcomes}|comment=ok}}}} {}",
        sig(user, day)
    )
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 6, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

fn survey(lines: &[String], target: Option<f64>, accounts: &[&str]) -> Survey {
    let text = format!(
        "Intro\n== Evaluation survey ==\nRate 1-5.\n{}\n== Results ==\n* [[User:Z|Z]] 10:00, 1 May 2026 (UTC)\n",
        lines.join("\n")
    );
    let rules = SurveyRules {
        min_responses: 3,
        ..SurveyRules::default()
    };
    let line_rules = LineRules::default();
    let signatures = SignatureRules::new(&SiteNames::english());
    let masked = wikitext::mask(&text);
    let sections = wikitext::sections(&text, &masked);
    let read = read_lines(&text, &masked, &sections, &rules, &line_rules, &signatures).unwrap();
    let accounts: HashMap<String, Account> = accounts
        .iter()
        .map(|u| {
            (
                (*u).to_owned(),
                Account {
                    exists: true,
                    edits: 10,
                    ..Account::default()
                },
            )
        })
        .collect();
    count(
        &read,
        &accounts,
        &History::default(),
        &CountRules::default(),
        &rules,
        target,
        now(),
    )
}

#[test]
fn every_line_is_counted_or_has_one_reason() {
    let lines = vec![
        response("5", "4", "A", 1),
        response("4", "5", "B", 2),
        "* <s>{{Partnership survey response|process=1|outcomes=1}}</s> [[User:C|C]] 10:00, 3 May 2026 (UTC)".to_owned(),
        "* {{Partnership survey response|process=5|outcomes=5}} no signature".to_owned(),
        response("9", "4", "D", 4),
        response("", "3", "E", 5),
        "* {{Partnership survey response|process=2|outcomes=2}} [[User:192.0.2.7|192.0.2.7]] 10:00, 6 May 2026 (UTC)".to_owned(),
        response("3", "3", "Ghost", 7),
        response("2", "2", "A", 10),
        "** reply {{Partnership survey response|process=1|outcomes=1}} ".to_owned() + &sig("F", 8),
        "* I liked it ".to_owned() + &sig("F", 9),
    ];
    let s = survey(&lines, None, &["A", "B", "C", "D", "E", "F"]);
    let users: Vec<&str> = s.responses.iter().map(|r| r.user.as_str()).collect();
    assert_eq!(
        users,
        ["B", "A"],
        "A's later response supersedes the earlier one"
    );
    let reasons: Vec<(Option<&str>, Reason)> = s
        .ignored
        .iter()
        .map(|i| (i.user.as_deref(), i.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (Some("A"), Reason::Superseded),
            (Some("C"), Reason::Struck),
            (None, Reason::Unsigned),
            (Some("D"), Reason::InvalidResponse),
            (Some("E"), Reason::InvalidResponse),
            (Some("192.0.2.7"), Reason::Ip),
            (Some("Ghost"), Reason::UnknownUser),
            (Some("F"), Reason::InvalidResponse),
        ]
    );
    assert!(
        s.ignored[3]
            .detail
            .as_ref()
            .unwrap()
            .english()
            .contains("\"9\"")
    );
    assert!(
        s.ignored[4]
            .detail
            .as_ref()
            .unwrap()
            .english()
            .contains("`process` is missing")
    );
    assert!(
        s.ignored[7]
            .detail
            .as_ref()
            .unwrap()
            .english()
            .contains("no {{Partnership survey response}}")
    );
    assert_eq!(
        s.ignored.len() + s.responses.len(),
        lines.len() - 1,
        "the reply is no line"
    );
}

#[test]
fn a_broken_later_line_does_not_supersede_a_valid_response() {
    let lines = vec![response("5", "5", "A", 1), response("six", "5", "A", 2)];
    let s = survey(&lines, None, &["A"]);
    assert_eq!(s.responses.len(), 1);
    assert_eq!(s.ignored[0].reason, Reason::InvalidResponse);
}

#[test]
fn figures_and_the_target() {
    let lines = vec![
        response("5", "4", "A", 1),
        response("4", "2", "B", 2),
        response("3", "5", "C", 3),
        response("5", "5", "D", 4),
    ];
    let s = survey(&lines, None, &["A", "B", "C", "D"]);
    assert_eq!(s.process.mean, Some(4.25));
    assert_eq!(s.process.median, Some(4.5));
    assert_eq!(s.process.approve_percent, Some(75.0));
    assert_eq!(s.process.distribution, [0, 0, 1, 1, 2]);
    assert_eq!(s.outcomes.median, Some(4.5));
    assert_eq!(s.outcomes.approve_percent, Some(75.0));
    assert!(s.met, "75% on both questions reaches the default 70%");
    assert_eq!(s.target_percent, 70.0);
    let stricter = survey(&lines, Some(80.0), &["A", "B", "C", "D"]);
    assert!(!stricter.met, "the proposal's approval_target wins");
    let few = survey(&lines[..2], Some(50.0), &["A", "B"]);
    assert!(!few.met, "fewer responses than min_responses");
    let none = survey(&[], None, &[]);
    assert_eq!(none.process, Question::default());
    assert!(!none.met);
}

#[test]
fn ratings_are_read_from_the_first_response_call() {
    let t = "Partnership survey response";
    assert_eq!(
        ratings(
            "* {{partnership_survey_response| outcomes = 2 |process=1}}",
            t
        ),
        Ok(Ratings {
            process: 1,
            outcomes: 2
        })
    );
    assert!(ratings("* {{Partnership survey response|process=0|outcomes=6}}", t).is_err());
    assert!(
        ratings(
            "* <!-- {{Partnership survey response|process=3|outcomes=3}} -->",
            t
        )
        .is_err()
    );
    assert!(
        ratings(
            "* {{Partnership survey response|process=3.5|outcomes=3}}",
            t
        )
        .is_err()
    );
}
