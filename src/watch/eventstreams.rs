//! Wikimedia EventStreams (`recentchange`, Server-Sent Events) as a source of [`Change`]s.
//!
//! <https://stream.wikimedia.org/v2/stream/recentchange> carries every change on every
//! Wikimedia wiki; we keep those of one wiki (by `meta.domain` / `server_name`). Each SSE event
//! has an `id:` line, a JSON array of Kafka positions; sent back as the `Last-Event-ID` header
//! it makes the stream resume right after that event. [`Batch::cursor`] is that id, so a caller
//! that persists it and passes it to [`EventStream::new`] after a restart misses nothing.
//!
//! Connections are made with `reqwest-eventsource`, but reconnecting is ours: its own retry
//! gives up on an HTTP error status, and on each retry it *appends* a `Last-Event-ID` header
//! to the request, so a resumed request would carry two. We reconnect with a fresh request and
//! one header, after an exponential backoff (1 s doubling to 60 s by default, no jitter), and
//! honour `Retry-After`.

use std::fmt;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{HeaderValue, RETRY_AFTER};
use reqwest_eventsource::retry::Never;
use reqwest_eventsource::{Error as SseError, Event, EventSource};
use serde::Deserialize;
use serde_json::Value;
use tokio::time::{Instant, sleep_until, timeout_at};
use url::Url;

use super::{Batch, Change, ChangeKind, WatchError};

/// Wikimedia's public recent-changes stream.
pub const RECENTCHANGE_URL: &str = "https://stream.wikimedia.org/v2/stream/recentchange";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The global stream carries several events a second; this long a silence is a dead connection.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A server's `Retry-After` is honoured up to this long.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(15 * 60);
const MAX_BATCH: usize = 1000;

/// A client for an EventStreams `recentchange` stream, filtered to one wiki.
pub struct EventStream {
    client: reqwest::Client,
    url: Url,
    /// The wiki's host, lowercase.
    server_name: String,
    /// The SSE id of the newest event received: sent as `Last-Event-ID` on every (re)connect.
    last_event_id: Option<String>,
    conn: Conn,
    backoff_min: Duration,
    backoff_max: Duration,
    /// The wait before the next reconnect; back to `backoff_min` once an event arrives.
    backoff: Duration,
    max_batch: usize,
    /// Changes by this account are dropped (the bot's own edits need no reaction).
    ignored_user: Option<String>,
    /// Received but not yet returned (kept here so a cancelled `next_batch` loses nothing).
    pending: Batch,
}

enum Conn {
    /// Not connected: connect once `retry_at` has passed (at once if None).
    Down {
        retry_at: Option<Instant>,
    },
    Up(Box<EventSource>),
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("url", &self.url.as_str())
            .field("server_name", &self.server_name)
            .field("last_event_id", &self.last_event_id)
            .field("connected", &matches!(self.conn, Conn::Up(_)))
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// A client for the stream at `url` (usually [`RECENTCHANGE_URL`]) keeping the changes of
    /// the wiki at host `server_name` ("meta.wikimedia.org"). `last_event_id` is a cursor from
    /// an earlier [`Batch`]: the first request resumes after it. Nothing is sent until
    /// [`next_batch`](Self::next_batch).
    pub fn new(
        url: &str,
        server_name: &str,
        user_agent: &str,
        last_event_id: Option<String>,
    ) -> Result<Self, WatchError> {
        let url = Url::parse(url.trim())
            .map_err(|e| WatchError::Source(format!("EventStreams URL {url:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WatchError::Source(format!(
                "EventStreams URL {url}: not http(s)"
            )));
        }
        let server_name = server_name.trim().to_ascii_lowercase();
        if server_name.is_empty() {
            return Err(WatchError::Source(
                "EventStreams: the wiki's server name is empty".into(),
            ));
        }
        let user_agent = user_agent.trim();
        if user_agent.is_empty() {
            return Err(WatchError::Source(
                "EventStreams: a User-Agent is required".into(),
            ));
        }
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            WatchError::Source("EventStreams: the User-Agent is not a valid header value".into())
        })?;
        let last_event_id = last_event_id.filter(|id| !id.trim().is_empty());
        if let Some(id) = &last_event_id {
            if HeaderValue::from_str(id).is_err() {
                return Err(WatchError::Source(format!(
                    "EventStreams: the saved cursor is not a valid Last-Event-ID: {id:?}"
                )));
            }
        }
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(IDLE_TIMEOUT)
            .build()
            .map_err(|e| WatchError::Source(format!("EventStreams: HTTP client: {e}")))?;
        Ok(Self {
            client,
            url,
            server_name,
            last_event_id,
            conn: Conn::Down { retry_at: None },
            backoff_min: BACKOFF_MIN,
            backoff_max: BACKOFF_MAX,
            backoff: BACKOFF_MIN,
            max_batch: MAX_BATCH,
            ignored_user: None,
            pending: Batch::default(),
        })
    }

    /// Reconnect after `min`, doubling up to `max` while reconnects keep failing (defaults 1 s
    /// and 60 s). `min` is at least 1 ms; `max` at least `min`.
    pub fn with_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff_min = min.max(Duration::from_millis(1));
        self.backoff_max = max.max(self.backoff_min);
        self.backoff = self.backoff_min;
        self
    }

    /// Return a batch early once it holds `max` changes (default 1000; at least 1).
    pub fn with_max_batch(mut self, max: usize) -> Self {
        self.max_batch = max.max(1);
        self
    }

    /// Drop the changes made by `user` (the bot's own account).
    pub fn with_ignored_user(mut self, user: &str) -> Self {
        self.ignored_user = Some(user.to_owned());
        self
    }

    /// The SSE id of the newest event received (handled or not), i.e. where a reconnect resumes.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// Waits `max_wait` (less if `with_max_batch` changes arrive first) and returns the changes
    /// to this wiki received meanwhile, possibly none, with the cursor after the last event
    /// received (`None` if no event came). Connection losses and HTTP errors are logged and
    /// retried with backoff, resuming after the last event, so they only show as a quiet
    /// batch. Cancel-safe: events received by a cancelled call are returned by the next one.
    pub async fn next_batch(&mut self, max_wait: Duration) -> Result<Batch, WatchError> {
        let deadline = Instant::now() + max_wait;
        while self.pending.changes.len() < self.max_batch {
            match &mut self.conn {
                Conn::Down { retry_at } => {
                    if let Some(at) = *retry_at {
                        if at > deadline {
                            sleep_until(deadline).await;
                            break;
                        }
                        sleep_until(at).await;
                    }
                    self.conn = Conn::Up(Box::new(self.connect()?));
                }
                Conn::Up(source) => {
                    let Ok(item) = timeout_at(deadline, source.next()).await else {
                        break;
                    };
                    match item {
                        Some(Ok(Event::Open)) => {
                            tracing::debug!(host = self.url.host_str(), "EventStreams connected");
                        }
                        Some(Ok(Event::Message(msg))) => {
                            self.handle_event(&msg.event, &msg.id, &msg.data);
                        }
                        Some(Err(err)) => self.disconnected(err),
                        None => self.disconnected(SseError::StreamEnded),
                    }
                }
            }
        }
        Ok(std::mem::take(&mut self.pending))
    }

    /// A new request, resuming after the last event received if any.
    fn connect(&self) -> Result<EventSource, WatchError> {
        let mut request = self.client.get(self.url.clone());
        if let Some(id) = &self.last_event_id {
            // Checked to be a valid header value before it was stored.
            request = request.header("Last-Event-ID", id.as_str());
        }
        tracing::debug!(
            host = self.url.host_str(),
            resume = self.last_event_id.is_some(),
            "connecting to EventStreams"
        );
        let mut source = EventSource::new(request)
            .map_err(|e| WatchError::Source(format!("EventStreams: {e}")))?;
        // Reconnecting is ours (see the module docs): the source ends at its first error.
        source.set_retry_policy(Box::new(Never));
        Ok(source)
    }

    fn disconnected(&mut self, err: SseError) {
        let mut delay = self.backoff;
        self.backoff = (self.backoff * 2).min(self.backoff_max);
        let reason = match &err {
            SseError::InvalidStatusCode(status, response) => {
                if let Some(after) = retry_after(response) {
                    delay = delay.max(after.min(RETRY_AFTER_MAX));
                }
                format!("HTTP status {status}")
            }
            SseError::InvalidContentType(value, _) => {
                format!("unexpected Content-Type {value:?}")
            }
            SseError::StreamEnded => "the server closed the stream".to_owned(),
            SseError::Transport(e) => error_chain(e),
            other => other.to_string(),
        };
        tracing::warn!(
            host = self.url.host_str(),
            reason = %reason,
            retry_in_ms = delay.as_millis() as u64,
            resume = self.last_event_id.is_some(),
            "EventStreams connection lost; reconnecting"
        );
        self.conn = Conn::Down {
            retry_at: Some(Instant::now() + delay),
        };
    }

    fn handle_event(&mut self, event_type: &str, id: &str, data: &str) {
        // Something arrived: the connection works, so the next failure starts a fresh backoff.
        self.backoff = self.backoff_min;
        if !id.is_empty() {
            if HeaderValue::from_str(id).is_ok() {
                self.last_event_id = Some(id.to_owned());
                self.pending.cursor = Some(id.to_owned());
            } else {
                tracing::warn!(
                    id = id,
                    "EventStreams sent an id that cannot be a Last-Event-ID; keeping the previous"
                );
            }
        }
        match event_type {
            "message" => {}
            "error" => {
                tracing::warn!(data = data, "EventStreams sent an error event");
                return;
            }
            other => {
                tracing::debug!(event = other, "ignoring an EventStreams event of this type");
                return;
            }
        }
        match parse_change(data, &self.server_name) {
            Ok(Some(_)) if self.ignored_user.is_some() && event_user(data) == self.ignored_user => {
            }
            Ok(Some(change)) => self.pending.changes.push(change),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(id = id, error = %e, "skipping a malformed recentchange event")
            }
        }
    }
}

/// A `Retry-After` given in seconds (the HTTP-date form is ignored).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    if !matches!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        return None;
    }
    let secs = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    secs.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The error and its causes ("error sending request: ...: connection refused"), without the URL.
fn error_chain(err: &reqwest::Error) -> String {
    let mut out = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else if err.is_body() || err.is_decode() {
        "reading the stream failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// Who made the change an event reports.
fn event_user(data: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct UserOnly {
        user: Option<String>,
    }
    serde_json::from_str::<UserOnly>(data).ok()?.user
}

/// The fields of a `mediawiki/recentchange` event that we use.
#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    meta: Option<RawMeta>,
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The rcid; null or absent for some events.
    id: Option<u64>,
    title: Option<String>,
    namespace: Option<i32>,
    /// Unix seconds.
    timestamp: Option<i64>,
    server_name: Option<String>,
    log_type: Option<String>,
    log_action: Option<String>,
    /// An object, or `[]` when empty (PHP), or a string in old events.
    log_params: Option<Value>,
}

#[derive(Deserialize)]
struct RawMeta {
    domain: Option<String>,
    dt: Option<String>,
}

/// Converts one event's JSON into a change on the wiki at `server_name` (lowercase).
/// `Ok(None)`: another wiki's event (or a canary), or one that does not change a page
/// (`categorize`; `external`, i.e. Wikidata). `Err`: not a recentchange event.
fn parse_change(data: &str, server_name: &str) -> Result<Option<Change>, String> {
    let raw: RawEvent = serde_json::from_str(data).map_err(|e| format!("bad JSON: {e}"))?;
    let domain = raw.meta.as_ref().and_then(|m| m.domain.as_deref());
    let host = raw.server_name.as_deref();
    let ours = |name: Option<&str>| name.is_none_or(|n| n.eq_ignore_ascii_case(server_name));
    if (domain.is_none() && host.is_none()) || !ours(domain) || !ours(host) {
        return Ok(None);
    }
    let kind = match raw.kind.as_deref() {
        Some("edit") => ChangeKind::Edit,
        Some("new") => ChangeKind::New,
        Some("categorize" | "external") => return Ok(None),
        Some("log") => log_kind(
            raw.log_type.as_deref().unwrap_or(""),
            raw.log_action.as_deref().unwrap_or(""),
            raw.log_params.as_ref(),
        ),
        // A type added after this was written: the page may have changed.
        Some(_) => ChangeKind::Other,
        None => return Err("no type".into()),
    };
    let title = raw.title.filter(|t| !t.is_empty()).ok_or("no title")?;
    let namespace = raw.namespace.ok_or("no namespace")?;
    let dt = raw.meta.as_ref().and_then(|m| m.dt.as_deref());
    let timestamp = iso_time(raw.timestamp, dt).ok_or("no timestamp")?;
    Ok(Some(Change {
        title,
        namespace,
        kind,
        timestamp,
        id: raw.id.unwrap_or(0),
    }))
}

fn log_kind(log_type: &str, action: &str, params: Option<&Value>) -> ChangeKind {
    match (log_type, action) {
        ("move", "move" | "move_redir") => {
            let target = params.and_then(|p| p.get("target").or_else(|| p.get("4::target")));
            match target.and_then(Value::as_str).filter(|t| !t.is_empty()) {
                Some(to) => ChangeKind::Move { to: to.to_owned() },
                None => ChangeKind::Other,
            }
        }
        ("delete", "delete" | "delete_redir" | "delete_redir2") => ChangeKind::Delete,
        ("delete", "restore") => ChangeKind::Undelete,
        _ => ChangeKind::Other,
    }
}

/// "2024-05-01T12:00:00Z" from unix seconds, or else from `meta.dt` (any RFC 3339 offset).
fn iso_time(unix: Option<i64>, dt: Option<&str>) -> Option<String> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
    if let Some(time) = unix.and_then(|s| chrono::DateTime::from_timestamp(s, 0)) {
        return Some(time.format(FORMAT).to_string());
    }
    let time = chrono::DateTime::parse_from_rfc3339(dt?).ok()?;
    Some(time.with_timezone(&chrono::Utc).format(FORMAT).to_string())
}

#[cfg(test)]
mod tests;
