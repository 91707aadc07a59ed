//! `EventStream` against a tiny local SSE server (no MediaWiki, no network): events arrive
//! exactly once across a dropped connection and an HTTP error, reconnects and restarts resume
//! with `Last-Event-ID`, and other wikis' events are filtered out.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use partnerbot::watch::eventstreams::EventStream;
use partnerbot::watch::{Change, ChangeKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::{Instant, timeout};

const FIXTURE: &str = include_str!("fixtures/eventstreams/recentchange.jsonl");
const META: &str = "meta.wikimedia.org";
const USER_AGENT: &str = "partnerbot-test/0.1 (https://meta.wikimedia.org/wiki/User:Example)";
/// What a truncated line on the wire would give: a malformed event, to be skipped.
const MALFORMED: &str =
    r#"{"$schema":"/mediawiki/recentchange/1.0.0","meta":{"domain":"meta.wikimedia.org","dt":"#;
const GROUP: &str = "Partnerships/Proposals/Example Wikimedians User Group";

/// An SSE id as EventStreams sends them: Kafka positions per datacenter topic.
fn sse_id(n: usize) -> String {
    format!(
        r#"[{{"topic":"eqiad.mediawiki.recentchange","partition":0,"timestamp":{}}},{{"topic":"codfw.mediawiki.recentchange","partition":0,"offset":-1}}]"#,
        1_741_944_413_000u64 + n as u64 * 7_000 + 123
    )
}

/// What the server does with a connection, in order of arrival; then `Stream`.
#[derive(Clone, Copy, Debug)]
enum Plan {
    /// Send this many events, then drop the connection mid-response.
    DropAfter(usize),
    /// Answer with this HTTP error status.
    Status(u16),
    /// Send every event, and new ones as they are published, until the client goes.
    Stream,
}

#[derive(Debug, Clone)]
struct Request {
    last_event_id: Option<String>,
    user_agent: Option<String>,
    accept: Option<String>,
}

#[derive(Default)]
struct State {
    /// (SSE id, data)
    events: Mutex<Vec<(String, String)>>,
    published: Notify,
    plans: Mutex<VecDeque<Plan>>,
    requests: Mutex<Vec<Request>>,
}

struct Server {
    url: String,
    state: Arc<State>,
}

impl Server {
    async fn start(events: Vec<(String, String)>, plans: &[Plan]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        *state.events.lock().unwrap() = events;
        state.plans.lock().unwrap().extend(plans.iter().copied());
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        Server {
            url: format!("http://{addr}/v2/stream/recentchange"),
            state,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    fn publish(&self, id: String, data: String) {
        self.state.events.lock().unwrap().push((id, data));
        self.state.published.notify_waiters();
    }
}

/// One chunk of a `Transfer-Encoding: chunked` body, as EventStreams sends them.
fn chunk(payload: &str) -> Vec<u8> {
    format!("{:x}\r\n{payload}\r\n", payload.len()).into_bytes()
}

async fn serve(mut socket: TcpStream, state: Arc<State>) {
    // The request head (a GET has no body).
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        assert!(head.len() < 64 * 1024, "request head too long");
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let request = Request {
        last_event_id: header("last-event-id"),
        user_agent: header("user-agent"),
        accept: header("accept"),
    };
    let repeated_id = head
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("last-event-id:"))
        .count()
        > 1;
    state.requests.lock().unwrap().push(request.clone());
    let plan = state
        .plans
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Plan::Stream);

    if let Plan::Status(code) = plan {
        let response = format!(
            "HTTP/1.1 {code} Error\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let _ = socket.write_all(response.as_bytes()).await;
        return;
    }
    // Resume after the event the client last saw; an unknown id is a client bug here.
    let position = (request.last_event_id.as_ref()).map(|id| {
        let events = state.events.lock().unwrap();
        events.iter().position(|(e, _)| e == id)
    });
    let mut next = match position {
        None => 0,
        Some(found) => match found {
            Some(i) if !repeated_id => i + 1,
            _ => {
                let bad =
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                let _ = socket.write_all(bad.as_bytes()).await;
                return;
            }
        },
    };
    let ok = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
              Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    if socket.write_all(ok.as_bytes()).await.is_err()
        || socket.write_all(&chunk(":ok\n\n")).await.is_err()
    {
        return;
    }
    let mut sent = 0;
    loop {
        let published = state.published.notified();
        tokio::pin!(published);
        published.as_mut().enable();
        let event = state.events.lock().unwrap().get(next).cloned();
        let Some((id, data)) = event else {
            published.await;
            continue;
        };
        let frame = format!("event: message\nid: {id}\ndata: {data}\n\n");
        if socket.write_all(&chunk(&frame)).await.is_err() {
            return;
        }
        next += 1;
        sent += 1;
        if matches!(plan, Plan::DropAfter(n) if sent == n) {
            // No terminating chunk: to the client, a connection lost mid-stream.
            let _ = socket.flush().await;
            return;
        }
    }
}

/// The fixture's events, with the malformed one after the fifth, and their SSE ids.
fn recorded_events() -> Vec<(String, String)> {
    let mut data: Vec<String> = FIXTURE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    data.insert(5, MALFORMED.to_owned());
    data.into_iter()
        .enumerate()
        .map(|(n, d)| (sse_id(n), d))
        .collect()
}

fn summary(changes: &[Change]) -> Vec<(String, ChangeKind)> {
    changes
        .iter()
        .map(|c| (c.title.clone(), c.kind.clone()))
        .collect()
}

/// The client's logs, shown with `--nocapture` (or for a failing test).
fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("partnerbot=debug")
        .try_init();
}

/// Reads batches until `want` changes have come (or 3 s pass), then one more short batch to
/// catch duplicates. Returns the changes and the last cursor.
async fn collect(stream: &mut EventStream, want: usize) -> (Vec<Change>, Option<String>) {
    let mut changes = Vec::new();
    let mut cursor = None;
    let give_up = Instant::now() + Duration::from_secs(3);
    while changes.len() < want && Instant::now() < give_up {
        let batch = stream.next_batch(Duration::from_millis(50)).await.unwrap();
        changes.extend(batch.changes);
        cursor = batch.cursor.or(cursor);
    }
    let batch = stream.next_batch(Duration::from_millis(150)).await.unwrap();
    changes.extend(batch.changes);
    cursor = batch.cursor.or(cursor);
    (changes, cursor)
}

#[tokio::test]
async fn resumes_across_a_drop_an_http_error_and_a_restart() {
    init_logs();
    let started = Instant::now();
    let events = recorded_events();
    let ids: Vec<String> = events.iter().map(|(id, _)| id.clone()).collect();
    let server = Server::start(events, &[Plan::DropAfter(3), Plan::Status(503)]).await;

    let mut stream = EventStream::new(&server.url, META, USER_AGENT, None)
        .unwrap()
        .with_backoff(Duration::from_millis(20), Duration::from_millis(100));
    let (changes, cursor) = collect(&mut stream, 7).await;

    // Every change to Meta exactly once, in order: across the drop after the third event and
    // the 503 on the first reconnect. Skipped: the malformed event, `categorize`, the
    // en.wikipedia.org edit and the canary.
    let expected = vec![
        (GROUP.to_owned(), ChangeKind::Edit),
        (format!("Talk:{GROUP}"), ChangeKind::New),
        (
            "Partnerships/Proposals/Draft proposal".to_owned(),
            ChangeKind::Move {
                to: format!("{GROUP} 2025"),
            },
        ),
        (
            "Partnerships/Proposals/Buy cheap watches".to_owned(),
            ChangeKind::Delete,
        ),
        (
            "Partnerships/Proposals/Old proposal".to_owned(),
            ChangeKind::Undelete,
        ),
        (format!("{GROUP} 2025"), ChangeKind::Other),
        ("Meta:Sandbox".to_owned(), ChangeKind::Edit),
    ];
    assert_eq!(summary(&changes), expected);
    assert!(changes.iter().all(|c| c.title != "Wikimedia Foundation"));
    assert_eq!(changes[0].id, 31204117);
    assert_eq!(changes[0].timestamp, "2025-03-14T09:26:53Z");
    // The cursor is the id of the last event handled, even though it was not a change.
    assert_eq!(cursor.as_deref(), Some(ids[10].as_str()));
    assert_eq!(stream.last_event_id(), Some(ids[10].as_str()));

    let requests = server.requests();
    let resumed_from: Vec<Option<&str>> = requests
        .iter()
        .map(|r| r.last_event_id.as_deref())
        .collect();
    // First connect: no cursor. Both reconnects: the id of the third event, the last one sent
    // before the drop. No further connections.
    assert_eq!(
        resumed_from,
        [None, Some(ids[2].as_str()), Some(ids[2].as_str())]
    );
    for r in &requests {
        assert_eq!(r.user_agent.as_deref(), Some(USER_AGENT));
        assert_eq!(r.accept.as_deref(), Some("text/event-stream"));
    }

    // Nothing new: a batch waits its time and comes back empty, cursor unchanged.
    let before = Instant::now();
    let quiet = stream.next_batch(Duration::from_millis(100)).await.unwrap();
    assert!(before.elapsed() >= Duration::from_millis(100));
    assert!(quiet.changes.is_empty());
    assert_eq!(quiet.cursor, None);

    // A restart: a new client from the saved cursor, while a new edit is published.
    drop(stream);
    let new_edit = FIXTURE
        .lines()
        .next()
        .unwrap()
        .replace("31204117", "31204199");
    server.publish(sse_id(11), new_edit);
    let mut restarted = EventStream::new(&server.url, META, USER_AGENT, cursor.clone())
        .unwrap()
        .with_backoff(Duration::from_millis(20), Duration::from_millis(100));
    let (changes, cursor) = collect(&mut restarted, 1).await;
    assert_eq!(summary(&changes), [(GROUP.to_owned(), ChangeKind::Edit)]);
    assert_eq!(changes[0].id, 31204199);
    assert_eq!(cursor, Some(sse_id(11)));
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(requests[3].last_event_id.as_deref(), Some(ids[10].as_str()));

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_server_gives_quiet_batches_not_errors() {
    init_logs();
    // A port nothing listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/v2/stream/recentchange");
    let mut stream = EventStream::new(&url, META, USER_AGENT, None)
        .unwrap()
        .with_backoff(Duration::from_millis(10), Duration::from_millis(40));
    for _ in 0..3 {
        let batch = timeout(
            Duration::from_secs(2),
            stream.next_batch(Duration::from_millis(100)),
        )
        .await
        .expect("next_batch keeps to max_wait")
        .unwrap();
        assert!(batch.changes.is_empty());
        assert_eq!(batch.cursor, None);
    }
}
