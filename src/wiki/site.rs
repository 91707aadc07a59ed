//! Facts about the wiki and our account, for `status` and for start-up checks.

use std::collections::HashMap;

use super::pages::collect_pages;
use super::{Connection, PageRevision, WikiError};

#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub anonymous: bool,
    pub groups: Vec<String>,
    pub rights: Vec<String>,
}

impl Account {
    /// Without the `bot` right MediaWiki silently ignores `bot=1`: every edit floods Recent
    /// changes and watchlists.
    pub fn has_bot_right(&self) -> bool {
        self.rights.iter().any(|r| r == "bot")
    }
}

#[derive(Debug, Clone)]
pub struct SiteStatus {
    pub sitename: String,
    pub generator: String,
    pub server: String,
    pub main_page: String,
    pub account: Account,
    /// The page given to [`Connection::site_status`], read in the same request.
    pub page: PageRevision,
}

impl SiteStatus {
    /// Whether the shut-off page allows edits, and a sentence saying why. Fails closed: a
    /// missing page or any other content stops the bot.
    pub fn shutoff(&self, expected: &str) -> (bool, String) {
        let site = self;
        if !site.page.exists {
            return (
                false,
                format!(
                    "does not exist: editing STOPPED (create it with {expected:?} to allow edits)"
                ),
            );
        }
        let content = site.page.text.trim();
        if content == expected {
            (true, format!("{content:?}: editing allowed"))
        } else {
            let shown: String = content.chars().take(60).collect();
            (
                false,
                format!("{shown:?}: editing STOPPED (it must read {expected:?} to allow edits)"),
            )
        }
    }
}

impl Connection {
    /// `text` with its templates expanded as on page `title` (`action=expandtemplates`).
    pub async fn expand(&self, title: &str, text: &str) -> Result<String, WikiError> {
        let response = self
            .get(&[
                ("action", "expandtemplates"),
                ("title", title),
                ("text", text),
                ("prop", "wikitext"),
            ])
            .await?;
        Ok(response["expandtemplates"]["wikitext"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Site name, version, our account and one page's content, in a single request.
    pub async fn site_status(&self, page: &str) -> Result<SiteStatus, WikiError> {
        let response = self
            .get(&[
                ("action", "query"),
                ("meta", "siteinfo|userinfo"),
                ("siprop", "general"),
                ("uiprop", "groups|rights"),
                ("prop", "revisions"),
                ("rvprop", "ids|timestamp|user|content"),
                ("rvslots", "main"),
                ("curtimestamp", "1"),
                ("titles", page),
            ])
            .await?;
        let read_at = response["curtimestamp"].as_str().unwrap_or_default();
        let (mut pages, mut aliases) = (HashMap::new(), HashMap::new());
        collect_pages(&response, read_at, &mut pages, &mut aliases)?;
        let title = aliases.get(page).map(String::as_str).unwrap_or(page);
        let page = pages
            .remove(title)
            .ok_or_else(|| WikiError::Unexpected(format!("no page in the answer for {page:?}")))?;
        let general = &response["query"]["general"];
        let user = &response["query"]["userinfo"];
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        let list = |v: &serde_json::Value| {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let rights = list(&user["rights"]);
        self.set_high_limits(rights.iter().any(|r| r == "apihighlimits"));
        Ok(SiteStatus {
            sitename: text(&general["sitename"]),
            generator: text(&general["generator"]),
            server: text(&general["server"]),
            main_page: text(&general["mainpage"]),
            account: Account {
                name: text(&user["name"]),
                anonymous: user.get("anon").is_some_and(|a| a.as_bool() != Some(false)),
                groups: list(&user["groups"]),
                rights,
            },
            page,
        })
    }

    /// Fetches a page's HTML from the REST endpoint; returns its size in bytes.
    pub async fn check_rest(&self, title: &str) -> Result<usize, WikiError> {
        self.parsoid_html(title).await
    }
}
