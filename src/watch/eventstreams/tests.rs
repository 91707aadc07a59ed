use std::time::Duration;

use super::*;

/// Recorded-looking `recentchange` events, one JSON object a line (see the expectations below).
const FIXTURE: &str = include_str!("../../../tests/fixtures/eventstreams/recentchange.jsonl");
const META: &str = "meta.wikimedia.org";

fn fixture() -> Vec<&'static str> {
    FIXTURE.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn change(title: &str, namespace: i32, kind: ChangeKind, timestamp: &str, id: u64) -> Change {
    Change {
        title: title.into(),
        namespace,
        kind,
        timestamp: timestamp.into(),
        id,
    }
}

#[test]
fn fixture_events_convert_to_changes() {
    const GROUP: &str = "Partnerships/Proposals/Example Wikimedians User Group";
    let expected = [
        Some(change(
            GROUP,
            0,
            ChangeKind::Edit,
            "2025-03-14T09:26:53Z",
            31204117,
        )),
        Some(change(
            &format!("Talk:{GROUP}"),
            1,
            ChangeKind::New,
            "2025-03-14T09:27:00Z",
            31204125,
        )),
        Some(change(
            "Partnerships/Proposals/Draft proposal",
            0,
            ChangeKind::Move {
                to: format!("{GROUP} 2025"),
            },
            "2025-03-14T09:27:07Z",
            31204131,
        )),
        Some(change(
            "Partnerships/Proposals/Buy cheap watches",
            0,
            ChangeKind::Delete,
            "2025-03-14T09:27:14Z",
            31204140,
        )),
        Some(change(
            "Partnerships/Proposals/Old proposal",
            0,
            ChangeKind::Undelete,
            "2025-03-14T09:27:21Z",
            31204152,
        )),
        // categorize: skipped.
        None,
        // en.wikipedia.org: another wiki.
        None,
        // protect/protect: some other log action.
        Some(change(
            &format!("{GROUP} 2025"),
            0,
            ChangeKind::Other,
            "2025-03-14T09:27:42Z",
            31204171,
        )),
        // A canary event (meta.domain "canary").
        None,
        // No `timestamp`, `id` null: meta.dt (converted to UTC) and 0.
        Some(change(
            "Meta:Sandbox",
            4,
            ChangeKind::Edit,
            "2025-03-14T09:27:56Z",
            0,
        )),
    ];
    let lines = fixture();
    assert_eq!(lines.len(), expected.len());
    for (i, (line, want)) in lines.iter().zip(expected).enumerate() {
        let got = parse_change(line, META).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(got, want, "line {}", i + 1);
    }
}

#[test]
fn other_wikis_are_filtered_by_domain_and_server_name() {
    let lines = fixture();
    // The en.wikipedia.org event is kept when that is the wiki watched, and nothing else is.
    let enwiki: Vec<_> = lines
        .iter()
        .filter_map(|l| parse_change(l, "en.wikipedia.org").unwrap())
        .collect();
    assert_eq!(enwiki.len(), 1);
    assert_eq!(enwiki[0].title, "Wikimedia Foundation");
    assert_eq!(enwiki[0].id, 1873410222);

    // Either field alone decides; disagreeing fields or neither field drop the event.
    let only_server = r#"{"type":"edit","namespace":0,"title":"A","timestamp":1,"server_name":"META.wikimedia.org"}"#;
    assert!(parse_change(only_server, META).unwrap().is_some());
    let only_domain = r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","namespace":0,"title":"A","timestamp":1}"#;
    assert!(parse_change(only_domain, META).unwrap().is_some());
    let disagree = r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","namespace":0,"title":"A","timestamp":1,"server_name":"de.wikipedia.org"}"#;
    assert_eq!(parse_change(disagree, META).unwrap(), None);
    let neither = r#"{"type":"edit","namespace":0,"title":"A","timestamp":1}"#;
    assert_eq!(parse_change(neither, META).unwrap(), None);
}

#[test]
fn log_actions_map_to_kinds() {
    let target = serde_json::json!({"target": "B", "noredir": "1"});
    let old_style = serde_json::json!({"4::target": "C", "5::noredir": "0"});
    let empty = serde_json::json!([]);
    assert_eq!(
        log_kind("move", "move_redir", Some(&target)),
        ChangeKind::Move { to: "B".into() }
    );
    assert_eq!(
        log_kind("move", "move", Some(&old_style)),
        ChangeKind::Move { to: "C".into() }
    );
    // A move without a target is still a change, just not one we can follow.
    assert_eq!(log_kind("move", "move", Some(&empty)), ChangeKind::Other);
    assert_eq!(log_kind("move", "move", None), ChangeKind::Other);
    assert_eq!(
        log_kind("delete", "delete", Some(&empty)),
        ChangeKind::Delete
    );
    assert_eq!(log_kind("delete", "delete_redir", None), ChangeKind::Delete);
    assert_eq!(log_kind("delete", "restore", None), ChangeKind::Undelete);
    assert_eq!(log_kind("delete", "revision", None), ChangeKind::Other);
    assert_eq!(log_kind("newusers", "create", None), ChangeKind::Other);
    assert_eq!(log_kind("", "", None), ChangeKind::Other);
}

#[test]
fn malformed_events_are_errors_not_panics() {
    let cases = [
        "",
        "not json",
        r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","title":"A""#,
        r#"[1,2,3]"#,
        r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","namespace":"zero","title":"A","timestamp":1}"#,
        r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","namespace":0,"timestamp":1}"#,
        r#"{"meta":{"domain":"meta.wikimedia.org"},"namespace":0,"title":"A","timestamp":1}"#,
        r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"edit","namespace":0,"title":"A"}"#,
        r#"{"meta":{"domain":"meta.wikimedia.org","dt":"yesterday"},"type":"edit","namespace":0,"title":"A"}"#,
    ];
    for case in cases {
        assert!(parse_change(case, META).is_err(), "{case}");
    }
    // An unknown type on our wiki is a change of some kind; `external` (Wikidata) is not ours.
    let future = r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"suggested","namespace":0,"title":"A","timestamp":0}"#;
    assert_eq!(
        parse_change(future, META).unwrap().unwrap().kind,
        ChangeKind::Other
    );
    let external = r#"{"meta":{"domain":"meta.wikimedia.org"},"type":"external","namespace":0,"title":"A","timestamp":0}"#;
    assert_eq!(parse_change(external, META).unwrap(), None);
}

#[test]
fn times_are_iso_8601_utc() {
    assert_eq!(
        iso_time(Some(0), None).as_deref(),
        Some("1970-01-01T00:00:00Z")
    );
    // `timestamp` wins over meta.dt.
    assert_eq!(
        iso_time(Some(1741944413), Some("2000-01-01T00:00:00Z")).as_deref(),
        Some("2025-03-14T09:26:53Z")
    );
    assert_eq!(
        iso_time(None, Some("2025-03-14T09:26:53.5-02:00")).as_deref(),
        Some("2025-03-14T11:26:53Z")
    );
    assert_eq!(iso_time(None, Some("14 March 2025")), None);
    assert_eq!(iso_time(None, None), None);
}

#[test]
fn new_validates_its_arguments() {
    let ok = |url: &str, host: &str, ua: &str, id: Option<&str>| {
        EventStream::new(url, host, ua, id.map(str::to_owned)).is_ok()
    };
    assert!(ok(RECENTCHANGE_URL, META, "partnerbot/0.1 (test)", None));
    assert!(ok(RECENTCHANGE_URL, META, "ua", Some(r#"[{"topic":"t"}]"#)));
    assert!(!ok("not a url", META, "ua", None));
    assert!(!ok("ftp://stream.wikimedia.org/", META, "ua", None));
    assert!(!ok(RECENTCHANGE_URL, " ", "ua", None));
    assert!(!ok(RECENTCHANGE_URL, META, "", None));
    assert!(!ok(RECENTCHANGE_URL, META, "ua", Some("line\nbreak")));

    let stream = EventStream::new(
        RECENTCHANGE_URL,
        " Meta.Wikimedia.org ",
        "ua",
        Some(" ".into()),
    )
    .unwrap();
    assert_eq!(stream.server_name, META);
    // A blank cursor is no cursor.
    assert_eq!(stream.last_event_id(), None);
}

#[test]
fn backoff_doubles_up_to_the_maximum_and_resets_on_an_event() {
    let mut stream = EventStream::new(RECENTCHANGE_URL, META, "ua", None)
        .unwrap()
        .with_backoff(Duration::from_secs(1), Duration::from_secs(5));
    let mut waits = Vec::new();
    for _ in 0..5 {
        waits.push(stream.backoff.as_secs());
        stream.disconnected(SseError::StreamEnded);
    }
    assert_eq!(waits, [1, 2, 4, 5, 5]);
    stream.handle_event("message", "[1]", "{}");
    assert_eq!(stream.backoff, Duration::from_secs(1));
    // The id of a malformed event still moves the cursor: it has been seen.
    assert_eq!(stream.last_event_id(), Some("[1]"));
    assert_eq!(stream.pending.cursor.as_deref(), Some("[1]"));
    assert!(stream.pending.changes.is_empty());
}

#[test]
fn event_stream_is_send() {
    fn send<T: Send>() {}
    send::<EventStream>();
}

#[test]
fn the_user_of_an_event_is_read() {
    assert_eq!(
        event_user(r#"{"user": "Partnerbot", "type": "edit"}"#).as_deref(),
        Some("Partnerbot")
    );
    assert_eq!(event_user(r#"{"type": "edit"}"#), None);
    assert_eq!(event_user("not json"), None);
}
