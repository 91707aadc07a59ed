//! The edge to the rest of the web: does an external address answer, and where does it end up?
//!
//! Polite by construction: the bot's User-Agent on every request, HEAD first (GET only when a
//! server refuses HEAD), a deadline per request, a limit on requests in flight, and a minimum
//! gap between two requests to the same host (redirect hops included). Redirects are followed
//! here, hop by hop, so each hop is paced and the first hop's status (permanent or not) is known.
//! Plain data out: no domain type, like [`crate::wiki`].

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Hops before a redirect chain counts as a loop.
const MAX_REDIRECTS: usize = 10;

/// Statuses some servers answer HEAD with although GET works: ask again with GET.
const HEAD_REFUSED: [u16; 4] = [400, 403, 405, 501];

/// What one address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The last answer of the redirect chain.
    Answered {
        status: u16,
        /// "Not Found" for 404; empty for statuses without a standard name.
        reason: String,
        /// The address that gave `status` (the asked one if there was no redirect).
        final_url: String,
        /// The first redirect's status (301 and 308 are permanent), if any.
        redirect: Option<u16>,
    },
    /// No usable answer: why, in a few stable words (they end up on the wiki).
    Failed(String),
    /// No answer in time, or the connection dropped: the server may only be down for now.
    Unavailable(String),
}

impl Probe {
    /// Whether the answer may be different soon (timeout, dropped connection, 5xx, 429): such
    /// a result is reported but not cached, so the next check asks again instead of calling
    /// the link broken for the whole recheck period.
    pub fn is_transient(&self) -> bool {
        match self {
            Probe::Unavailable(_) => true,
            Probe::Answered { status, .. } => *status >= 500 || *status == 429,
            Probe::Failed(_) => false,
        }
    }
}

/// A shared, cheap-to-clone checker.
#[derive(Clone)]
pub struct Web {
    client: reqwest::Client,
    timeout: Duration,
    concurrency: usize,
    per_host_delay: Duration,
    /// When each host (with port) may next be asked.
    next_slot: Arc<Mutex<HashMap<String, Instant>>>,
    requests: Arc<AtomicU64>,
}

/// How the checker behaves; see `[resources]` in config/default.toml.
#[derive(Debug, Clone)]
pub struct Politeness {
    pub user_agent: String,
    pub timeout: Duration,
    pub concurrency: usize,
    pub per_host_delay: Duration,
}

impl Web {
    pub fn new(p: &Politeness) -> Result<Web, String> {
        let client = reqwest::Client::builder()
            .user_agent(&p.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(p.timeout)
            .connect_timeout(p.timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Web {
            client,
            timeout: p.timeout,
            concurrency: p.concurrency.max(1),
            per_host_delay: p.per_host_delay,
            next_slot: Default::default(),
            requests: Default::default(),
        })
    }

    /// HTTP requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Checks every address, `concurrency` at a time; results in the order given.
    pub async fn check_all(&self, urls: &[String]) -> Vec<Probe> {
        // Owned values in the closure keep the future `Send` for any caller.
        futures_util::stream::iter(urls.to_vec())
            .map(|u| {
                let web = self.clone();
                async move { web.check(&u).await }
            })
            .buffered(self.concurrency)
            .collect()
            .await
    }

    /// Follows one address to its last answer.
    pub async fn check(&self, url: &str) -> Probe {
        let mut current = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => return Probe::Failed("not a valid http(s) address".into()),
        };
        let mut redirect = None;
        for _ in 0..=MAX_REDIRECTS {
            let mut response = self.send(Method::HEAD, &current).await;
            if let Ok(r) = &response
                && HEAD_REFUSED.contains(&r.status().as_u16())
            {
                response = self.send(Method::GET, &current).await;
            }
            let response = match response {
                Ok(r) => r,
                Err(e) => return self.explain(&e),
            };
            let status = response.status();
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
                return Probe::Answered {
                    status: status.as_u16(),
                    reason: status.canonical_reason().unwrap_or_default().to_owned(),
                    final_url: current.to_string(),
                    redirect,
                };
            }
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| current.join(l).ok());
            let Some(next) = location else {
                return Probe::Failed(format!(
                    "HTTP {} redirect without a usable Location",
                    status.as_u16()
                ));
            };
            redirect.get_or_insert(status.as_u16());
            current = next;
        }
        Probe::Failed(format!("more than {MAX_REDIRECTS} redirects"))
    }

    async fn send(
        &self,
        method: Method,
        url: &reqwest::Url,
    ) -> Result<reqwest::Response, reqwest::Error> {
        self.pace(url).await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        // The body is never read: dropping the response closes the connection.
        self.client.request(method, url.clone()).send().await
    }

    /// Waits for this host's next free slot and books the one after it.
    async fn pace(&self, url: &reqwest::Url) {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let slot = {
            let mut slots = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = slots.get(&host).map_or(now, |t| (*t).max(now));
            slots.insert(host, slot + self.per_host_delay);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// A failure in stable words: the same failure reads the same on every run.
    fn explain(&self, e: &reqwest::Error) -> Probe {
        let timed_out =
            || Probe::Unavailable(format!("no answer within {} s", self.timeout.as_secs()));
        if e.is_timeout() {
            return timed_out();
        }
        let mut chain = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        let chain = chain.to_lowercase();
        let failed = |why: &str| Probe::Failed(why.to_owned());
        if chain.contains("timed out") {
            timed_out()
        } else if chain.contains("refused") {
            failed("connection refused")
        } else if chain.contains("dns") || chain.contains("lookup") || chain.contains("resolve") {
            failed("host not found")
        } else if chain.contains("certificate") || chain.contains("tls") {
            failed("secure connection failed (TLS)")
        } else if chain.contains("reset") || chain.contains("closed") || chain.contains("eof") {
            Probe::Unavailable("connection closed without an answer".into())
        } else if e.is_connect() {
            failed("could not connect")
        } else {
            failed("request failed")
        }
    }
}
