use chrono::NaiveDate;

use super::*;
use crate::analyse::tally::lines::LineRules;
use crate::analyse::tally::read_lines;
use crate::analyse::tally::signature::{SignatureRules, SiteNames};

fn ts(day: u32, hour: u32) -> String {
    format!("{hour:02}:00, {day} March 2026 (UTC)")
}

fn account(edits: u64) -> Account {
    Account {
        exists: true,
        blocked: false,
        edits,
        registered: NaiveDate::from_ymd_opt(2020, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
    }
}

fn now(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, day)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

struct Case {
    text: String,
    accounts: HashMap<String, Account>,
    history: History,
    rules: CountRules,
}

impl Case {
    fn new(support: &[String], oppose: &[String], neutral: &[String]) -> Self {
        let section =
            |name: &str, lines: &[String]| format!("=== {name} ===\n{}\n", lines.join("\n"));
        let text = format!(
            "== Community support ==\n{}{}{}",
            section("Support", support),
            section("Oppose", oppose),
            section("Neutral", neutral)
        );
        let accounts = ["A", "B", "C", "D", "E", "F", "Blocked", "Newbie"]
            .into_iter()
            .map(|u| (u.to_string(), account(100)))
            .collect();
        Case {
            text,
            accounts,
            history: History::default(),
            rules: CountRules {
                min_support: 2,
                ..CountRules::default()
            },
        }
    }

    fn tally(&self, closes: Option<u32>, today: u32) -> Tally {
        let sig = SignatureRules::new(&SiteNames::english());
        let (_, lines) = read_lines(&self.text, &LineRules::default(), &sig).unwrap();
        let period = Period {
            start: None,
            closes: closes.and_then(|d| NaiveDate::from_ymd_opt(2026, 3, d)),
        };
        count(
            &lines,
            &self.accounts,
            &self.history,
            period,
            &self.rules,
            now(today),
        )
    }
}

fn vote(user: &str, day: u32, hour: u32) -> String {
    format!("# '''Vote''' [[User:{user}|{user}]] {}", ts(day, hour))
}

fn reasons(t: &Tally) -> Vec<(Option<String>, Reason)> {
    t.ignored
        .iter()
        .map(|i| (i.user.clone(), i.reason))
        .collect()
}

#[test]
fn every_line_is_counted_or_ignored_with_one_reason() {
    let mut case = Case::new(
        &[
            vote("A", 1, 10),
            format!("# <s>{}</s>", vote("B", 1, 11)),
            "# just words".into(),
            vote("192.0.2.1", 1, 12),
            vote("~2026-1234-5", 1, 12),
            vote("Nobody", 1, 13),
            vote("Blocked", 1, 14),
            vote("Newbie", 1, 15),
            vote("C", 9, 10),
            vote("D", 1, 9),
            vote("E", 1, 9),
        ],
        &[vote("D", 2, 9)],
        &[vote("F", 1, 1)],
    );
    case.accounts.get_mut("Blocked").unwrap().blocked = true;
    case.accounts.get_mut("Newbie").unwrap().edits = 3;
    case.rules.min_edits = 10;
    case.history.checked = true;
    case.history
        .signature_authors
        .insert(("E".into(), "2026-03-01 09:00".into()), "Mallory".into());
    let t = case.tally(Some(5), 20);
    assert_eq!(
        reasons(&t),
        [
            (Some("B".into()), Reason::Struck),
            (None, Reason::Unsigned),
            (Some("192.0.2.1".into()), Reason::Ip),
            (Some("~2026-1234-5".into()), Reason::TemporaryAccount),
            (Some("Nobody".into()), Reason::UnknownUser),
            (Some("Blocked".into()), Reason::Ineligible),
            (Some("Newbie".into()), Reason::Ineligible),
            (Some("C".into()), Reason::Late),
            (Some("D".into()), Reason::Superseded),
            (Some("E".into()), Reason::Forged),
        ]
    );
    let users = |v: &[Vote]| v.iter().map(|v| v.user.clone()).collect::<Vec<_>>();
    assert_eq!(users(&t.positions.support), ["A"]);
    assert_eq!(
        users(&t.positions.oppose),
        ["D"],
        "D's later oppose replaces the support"
    );
    assert_eq!(users(&t.positions.neutral), ["F"]);
    assert_eq!(
        t.totals,
        Totals {
            support: 1,
            oppose: 1,
            neutral: 1,
            ignored: 10
        }
    );
    assert_eq!(t.percent, Some(50.0));
    assert_eq!(t.status, Status::NotSecured);
}

#[test]
fn thresholds_and_period_decide_the_status() {
    let case = Case::new(
        &[vote("A", 1, 1), vote("B", 1, 2), vote("C", 1, 3)],
        &[vote("D", 1, 4)],
        &[],
    );
    let open = case.tally(Some(5), 3);
    assert_eq!(open.status, Status::Open);
    assert_eq!(open.percent, Some(75.0));
    assert_eq!(
        case.tally(Some(5), 6).status,
        Status::Secured,
        "3 ≥ 2 votes, 75% ≥ 66%"
    );
    assert_eq!(
        case.tally(Some(5), 5).status,
        Status::Open,
        "the closing day still counts"
    );
    assert_eq!(
        case.tally(None, 30).status,
        Status::Open,
        "no closing date: never closed"
    );
    let mut strict = Case::new(&[vote("A", 1, 1)], &[], &[]);
    strict.rules.min_support = 2;
    assert_eq!(strict.tally(Some(5), 6).status, Status::NotSecured);
}

#[test]
fn ties_go_to_page_order_and_ips_can_be_allowed() {
    let mut case = Case::new(
        &[vote("A", 1, 1), vote("192.0.2.9", 1, 1)],
        &[vote("A", 1, 1)],
        &[],
    );
    case.rules.count_ips = true;
    let t = case.tally(None, 2);
    assert_eq!(
        t.positions.oppose.len(),
        1,
        "same minute: the later line on the page wins"
    );
    assert_eq!(t.positions.support.len(), 1, "the IP counts when allowed");
}

#[test]
fn unsigned_votes_name_the_voter_and_their_author_is_checked() {
    let mut case = Case::new(
        &[
            "# Agreed {{unsigned|A|1 March 2026}}".into(),
            "# Me too {{unsigned|B}}".into(),
        ],
        &[],
        &[],
    );
    case.history.checked = true;
    case.history
        .line_authors
        .insert("# Agreed".into(), "A".into());
    case.history
        .line_authors
        .insert("# Me too".into(), "Someone".into());
    let t = case.tally(None, 2);
    assert_eq!(t.positions.support.len(), 1);
    assert_eq!(reasons(&t), [(Some("B".into()), Reason::Forged)]);
}
