//! One logged-in connection to the wiki, with a deadline on every request.
//!
//! mwbot's `Bot` handles login, siteinfo, maxlag and the title codec; it sets no HTTP timeout and
//! its `Page::save` costs an extra Parsoid fetch per save, so requests and saves go through the
//! small wrappers here instead.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::WikiError;
use crate::config::{Auth, Settings};

/// A cheap-to-clone handle; clones share the save pacing.
#[derive(Clone, Debug)]
pub struct Connection {
    bot: mwbot::Bot,
    api_url: String,
    rest_url: String,
    username: Option<String>,
    timeout: Duration,
    save_delay: Duration,
    last_save: Arc<Mutex<Option<Instant>>>,
    /// API requests made through this connection (login and siteinfo at connect not counted).
    requests: Arc<AtomicU64>,
    /// Whether the account has `apihighlimits` (bots: 500 titles a query instead of 50).
    high_limits: Arc<AtomicBool>,
    /// Set on SIGTERM: no new save starts.
    stopping: Arc<AtomicBool>,
    /// The edit allow-list: namespaces, and title prefixes (empty: any title).
    edit_namespaces: Arc<Vec<i32>>,
    edit_prefixes: Arc<Vec<String>>,
}

/// Attempts per request when failures are transient, and the backoff between them.
const RETRY_ATTEMPTS: u32 = 4;
const RETRY_FIRST_DELAY: Duration = Duration::from_secs(1);
const RETRY_MAX_DELAY: Duration = Duration::from_secs(30);
/// How often a save waiting for its turn looks whether the bot is stopping.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The User-Agent Wikimedia's policy asks for: tool name, version and a contact.
pub fn user_agent(contact: &str) -> String {
    format!("partnerbot/{} ({contact})", env!("CARGO_PKG_VERSION"))
}

impl Connection {
    /// Logs in (if the settings hold credentials) and reads the site's namespaces.
    pub async fn connect(settings: &Settings) -> Result<Self, WikiError> {
        let api_url = settings.wiki.api_url();
        let rest_url = settings.wiki.rest_url();
        let make_builder = || {
            let builder = match &settings.wiki.rest_url {
                Some(rest) => mwbot::Bot::builder_with_legacy_rest(api_url.clone(), rest.clone()),
                None => mwbot::Bot::builder(settings.wiki.url.clone()),
            }
            .set_user_agent(user_agent(&settings.bot.user_agent_contact))
            .set_maxlag(settings.wiki.maxlag)
            // Pacing is ours (see `pace_save`): mwbot's only applies to its own Page::save.
            .set_save_delay(0);
            match &settings.auth {
                Some(Auth::BotPassword { username, password }) => {
                    builder.set_botpassword(username.clone(), password.expose().to_owned())
                }
                Some(Auth::OAuth2 { username, token }) => {
                    builder.set_oauth2_token(username.clone(), token.expose().to_owned())
                }
                None => builder,
            }
        };
        let connect_error = |message: String| WikiError::Connect {
            url: api_url.clone(),
            message,
        };
        // Login and siteinfo are a few requests; allow each its own timeout. A network or
        // server failure during them is retried like any request; refused credentials are not.
        let deadline = settings.wiki.timeout * 4;
        let mut delay = RETRY_FIRST_DELAY;
        let mut attempt = 1;
        let bot = loop {
            let error = match tokio::time::timeout(deadline, make_builder().build()).await {
                Ok(Ok(bot)) => break bot,
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {deadline:?}"),
            };
            // mwapi's messages for the network, a bad answer, lag, read-only, a server error.
            let transient = [
                "HTTP error",
                "JSON error",
                "I/O error",
                "HTTP 429",
                "maxlag tripped",
                "MediaWiki is readonly",
                "Internal MediaWiki exception",
                "no answer within",
            ]
            .iter()
            .any(|w| error.contains(w));
            if !transient || attempt >= RETRY_ATTEMPTS {
                return Err(connect_error(error));
            }
            tracing::warn!(attempt, error = %error, retry_in = ?delay, "connecting failed; retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(RETRY_MAX_DELAY);
            attempt += 1;
        };
        Ok(Self {
            bot,
            api_url,
            rest_url,
            username: settings.auth.as_ref().map(|a| a.username().to_owned()),
            timeout: settings.wiki.timeout,
            save_delay: settings.bot.save_delay,
            last_save: Default::default(),
            requests: Default::default(),
            high_limits: Default::default(),
            stopping: Default::default(),
            edit_namespaces: Arc::new(settings.bot.edit_namespaces.clone()),
            edit_prefixes: Arc::new(settings.bot.edit_title_prefixes.clone()),
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn rest_url(&self) -> &str {
        &self.rest_url
    }

    /// The login name from the settings (`Account@appid` for bot passwords), if any.
    pub fn login_name(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// API requests made so far (after login).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Titles per query: 500 with `apihighlimits` (bots), else 50 (MediaWiki's limits).
    pub fn titles_per_query(&self) -> usize {
        if self.high_limits.load(Ordering::Relaxed) {
            500
        } else {
            50
        }
    }

    pub(super) fn list_limit(&self) -> String {
        self.titles_per_query().to_string()
    }

    pub(super) fn set_high_limits(&self, on: bool) {
        self.high_limits.store(on, Ordering::Relaxed);
    }

    pub fn mediawiki_version(&self) -> &str {
        self.bot.mediawiki_version()
    }

    /// MediaWiki's canonical form of a title ("template:foo_bar" -> "Template:Foo bar").
    pub fn normalize_title(&self, title: &str) -> Result<String, WikiError> {
        let codec = self.bot.title_codec();
        let parsed = codec
            .new_title(title)
            .map_err(|e| WikiError::Unexpected(format!("invalid title {title:?}: {e}")))?;
        Ok(codec.to_pretty(&parsed))
    }

    /// The local name of a namespace (14 -> "Category").
    pub fn namespace_name(&self, ns: i32) -> Option<String> {
        let codec = self.bot.title_codec();
        codec.namespace_map().get_name(ns).map(str::to_owned)
    }

    /// "Grants:Learning patterns/X" -> (200, "Learning patterns/X") as MediaWiki splits it.
    pub fn split_namespace(&self, title: &str) -> Result<(i32, String), WikiError> {
        let codec = self.bot.title_codec();
        let parsed = codec
            .new_title(title)
            .map_err(|e| WikiError::Unexpected(format!("invalid title {title:?}: {e}")))?;
        Ok((parsed.namespace(), parsed.dbkey().replace('_', " ")))
    }

    /// Whether the bot may save this page (`bot.edit_namespaces`, `bot.edit_title_prefixes`).
    pub fn may_edit(&self, title: &str) -> bool {
        let Ok((ns, _)) = self.split_namespace(title) else {
            return false;
        };
        self.edit_namespaces.contains(&ns)
            && (self.edit_prefixes.is_empty()
                || self
                    .edit_prefixes
                    .iter()
                    .any(|p| title.starts_with(p.as_str())))
    }

    /// The last line of defence: every save goes through here, whatever the caller decided.
    pub(super) fn check_allowed(&self, title: &str) -> Result<(), WikiError> {
        if self.may_edit(title) {
            Ok(())
        } else {
            Err(WikiError::NotAllowed(title.to_owned()))
        }
    }

    /// The talk page of a subject page ("Foo" -> "Talk:Foo"); None for talk pages and
    /// special namespaces.
    pub fn talk_title(&self, title: &str) -> Result<Option<String>, WikiError> {
        let codec = self.bot.title_codec();
        let parsed = codec
            .new_title(title)
            .map_err(|e| WikiError::Unexpected(format!("invalid title {title:?}: {e}")))?;
        let ns = parsed.namespace();
        if ns < 0 || ns % 2 == 1 {
            return Ok(None);
        }
        let talk_ns = codec.namespace_map().get_name(ns + 1).unwrap_or("Talk");
        Ok(Some(format!(
            "{talk_ns}:{}",
            parsed.dbkey().replace('_', " ")
        )))
    }

    /// A query that may carry many titles: POST when the URL would get long (MediaWiki and
    /// proxies limit URL length), GET otherwise.
    pub(super) async fn query(&self, params: &[(&str, &str)]) -> Result<Value, WikiError> {
        let size: usize = params.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        if size > 2000 {
            self.post(params).await
        } else {
            self.get(params).await
        }
    }

    /// Runs a query and its continuations (`continue` in the answer), handing each answer to
    /// `each`. The one continuation loop of the wiki edge.
    pub(super) async fn continued(
        &self,
        mut params: Vec<(String, String)>,
        mut each: impl FnMut(&Value) -> Result<(), WikiError>,
    ) -> Result<(), WikiError> {
        loop {
            let borrowed: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let response = self.query(&borrowed).await?;
            each(&response)?;
            let Some(cont) = response.get("continue").and_then(Value::as_object) else {
                return Ok(());
            };
            params.retain(|(k, _)| !cont.contains_key(k));
            for (k, v) in cont {
                params.push((
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                ));
            }
        }
    }

    pub(super) async fn deadline<T, E, F>(&self, what: &str, fut: F) -> Result<T, WikiError>
    where
        F: Future<Output = Result<T, E>>,
        E: Into<WikiError>,
    {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(result) => result.map_err(Into::into),
            Err(_) => Err(WikiError::Timeout {
                what: what.to_owned(),
                after: self.timeout,
            }),
        }
    }

    /// Runs a request under the deadline; a transient failure (network, timeout, a server
    /// error) is retried with exponential backoff. Retrying a save is safe: it carries the
    /// revision it was computed from, so a save that did go through comes back as "no change"
    /// or a conflict, never as a second edit.
    async fn request<T, E, F, Fut>(&self, what: &str, make: F) -> Result<T, WikiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<WikiError>,
    {
        let mut delay = RETRY_FIRST_DELAY;
        for attempt in 1..=RETRY_ATTEMPTS {
            match self.deadline(what, make()).await {
                Err(e) if e.is_transient() && attempt < RETRY_ATTEMPTS && !self.is_stopping() => {
                    tracing::warn!(request = %what, attempt, error = %e, retry_in = ?delay, "transient failure; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(RETRY_MAX_DELAY);
                }
                other => return other,
            }
        }
        unreachable!("the last attempt returns")
    }

    pub(super) async fn get(&self, params: &[(&str, &str)]) -> Result<Value, WikiError> {
        let what = format!("API GET {}", describe(params));
        self.request(&what, || self.bot.api().get_value(params))
            .await
    }

    pub(super) async fn post_with_token(
        &self,
        params: &[(&str, &str)],
    ) -> Result<Value, WikiError> {
        let what = format!("API POST {}", describe(params));
        self.request(&what, || {
            self.bot.api().post_with_token::<_, Value>("csrf", params)
        })
        .await
    }

    pub(super) async fn post(&self, params: &[(&str, &str)]) -> Result<Value, WikiError> {
        let what = format!("API POST {}", describe(params));
        self.request(&what, || self.bot.api().post::<_, Value>(params))
            .await
    }

    /// Asks the connection to start no new save (SIGTERM): a save waiting for its turn gives
    /// up with [`WikiError::Stopping`]; one already sent completes.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Parsoid HTML of a page, used to show that the REST endpoint answers.
    pub(super) async fn parsoid_html(&self, title: &str) -> Result<usize, WikiError> {
        let html = self
            .deadline("Parsoid page HTML", async {
                self.bot
                    .parsoid()
                    .get(title)
                    .await
                    .map_err(|e| WikiError::Transport(e.to_string()))
            })
            .await?;
        Ok(html.html().len())
    }

    /// Waits until `save_delay` has passed since the previous save, then claims the slot.
    /// Gives up if the bot is stopping (checked every fraction of a second while waiting).
    pub(super) async fn pace_save(&self) -> Result<(), WikiError> {
        let mut last = self.last_save.lock().await;
        if let Some(previous) = *last {
            let ready = previous + self.save_delay;
            while Instant::now() < ready {
                if self.is_stopping() {
                    return Err(WikiError::Stopping);
                }
                tokio::time::sleep_until(ready.min(Instant::now() + STOP_CHECK)).await;
            }
        }
        if self.is_stopping() {
            return Err(WikiError::Stopping);
        }
        *last = Some(Instant::now());
        Ok(())
    }
}

/// `action=query&prop=...` -> "query" for log lines, without values that could be secrets.
fn describe(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .find(|(k, _)| *k == "action")
        .map(|(_, v)| (*v).to_owned())
        .unwrap_or_else(|| "request".into())
}
