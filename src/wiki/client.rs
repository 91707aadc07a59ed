//! One logged-in connection to the wiki, with a deadline on every request.
//!
//! mwbot's `Bot` handles login, siteinfo, maxlag and the title codec; it sets no HTTP timeout and
//! its `Page::save` costs an extra Parsoid fetch per save, so requests and saves go through the
//! small wrappers here instead.

use std::future::Future;
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
    last_save: std::sync::Arc<Mutex<Option<Instant>>>,
}

/// The User-Agent Wikimedia's policy asks for: tool name, version and a contact.
pub fn user_agent(contact: &str) -> String {
    format!("partnerbot/{} ({contact})", env!("CARGO_PKG_VERSION"))
}

impl Connection {
    /// Logs in (if the settings hold credentials) and reads the site's namespaces.
    pub async fn connect(settings: &Settings) -> Result<Self, WikiError> {
        let api_url = settings.wiki.api_url();
        let rest_url = settings.wiki.rest_url();
        let mut builder = match &settings.wiki.rest_url {
            Some(rest) => mwbot::Bot::builder_with_legacy_rest(api_url.clone(), rest.clone()),
            None => mwbot::Bot::builder(settings.wiki.url.clone()),
        }
        .set_user_agent(user_agent(&settings.bot.user_agent_contact))
        .set_maxlag(settings.wiki.maxlag)
        // Pacing is ours (see `pace_save`): mwbot's only applies to its own Page::save.
        .set_save_delay(0);
        builder = match &settings.auth {
            Some(Auth::BotPassword { username, password }) => {
                builder.set_botpassword(username.clone(), password.expose().to_owned())
            }
            Some(Auth::OAuth2 { username, token }) => {
                builder.set_oauth2_token(username.clone(), token.expose().to_owned())
            }
            None => builder,
        };
        let connect_error = |message: String| WikiError::Connect {
            url: api_url.clone(),
            message,
        };
        // Login and siteinfo are a few requests; allow each its own timeout.
        let deadline = settings.wiki.timeout * 4;
        let bot = tokio::time::timeout(deadline, builder.build())
            .await
            .map_err(|_| connect_error(format!("no answer within {deadline:?}")))?
            .map_err(|e| connect_error(e.to_string()))?;
        Ok(Self {
            bot,
            api_url,
            rest_url,
            username: settings.auth.as_ref().map(|a| a.username().to_owned()),
            timeout: settings.wiki.timeout,
            save_delay: settings.bot.save_delay,
            last_save: Default::default(),
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

    pub(super) async fn deadline<T, E, F>(&self, what: &str, fut: F) -> Result<T, WikiError>
    where
        F: Future<Output = Result<T, E>>,
        E: Into<WikiError>,
    {
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(result) => result.map_err(Into::into),
            Err(_) => Err(WikiError::Timeout {
                what: what.to_owned(),
                after: self.timeout,
            }),
        }
    }

    pub(super) async fn get(&self, params: &[(&str, &str)]) -> Result<Value, WikiError> {
        let what = format!("API GET {}", describe(params));
        self.deadline(&what, self.bot.api().get_value(params)).await
    }

    pub(super) async fn post_with_token(
        &self,
        params: &[(&str, &str)],
    ) -> Result<Value, WikiError> {
        let what = format!("API POST {}", describe(params));
        self.deadline(
            &what,
            self.bot.api().post_with_token::<_, Value>("csrf", params),
        )
        .await
    }

    pub(super) async fn post(&self, params: &[(&str, &str)]) -> Result<Value, WikiError> {
        let what = format!("API POST {}", describe(params));
        self.deadline(&what, self.bot.api().post::<_, Value>(params))
            .await
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
    pub(super) async fn pace_save(&self) {
        let mut last = self.last_save.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.save_delay).await;
        }
        *last = Some(Instant::now());
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
