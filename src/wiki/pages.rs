//! Reading the current revisions of many pages at once, and saving one page safely.
//!
//! Saves carry the revision they were computed from (`baserevid`, `basetimestamp`,
//! `starttimestamp`, `createonly`/`nocreate`), so an edit made by anyone in between turns into
//! a [`WikiError::Conflict`] instead of being overwritten.

use std::collections::HashMap;
use std::future::Future;

use serde_json::Value;

use super::{Connection, WikiError};

/// The latest revision of a page as read, or its absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRevision {
    /// The title as MediaWiki normalises it.
    pub title: String,
    pub exists: bool,
    pub revid: Option<u64>,
    pub timestamp: Option<String>,
    /// Who made the revision (absent for missing pages or hidden users).
    pub user: Option<String>,
    pub text: String,
    /// Server time of the read; a deletion after it makes a save fail instead of re-creating.
    pub read_at: String,
    /// The page's language (`pagelanguage`: a translation page's or one set by
    /// Special:PageLanguage; else the wiki's), when the read asked for it.
    pub language: Option<String>,
}

pub struct SaveRequest<'a> {
    pub base: &'a PageRevision,
    pub text: &'a str,
    pub summary: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        revid: u64,
        /// The new revision's timestamp (ISO 8601).
        timestamp: String,
    },
    /// The wiki found nothing to change; callers compare first, so this signals a bug upstream.
    NoChange,
}

/// What the apply layer needs from a wiki; the real one is [`Connection`].
pub trait PageStore {
    /// The current revision of each title, in the order asked.
    fn read(
        &self,
        titles: &[String],
    ) -> impl Future<Output = Result<Vec<PageRevision>, WikiError>> + Send;
    fn save(
        &self,
        request: &SaveRequest<'_>,
    ) -> impl Future<Output = Result<SaveOutcome, WikiError>> + Send;
    /// Re-parses pages and updates their link tables and page properties now, for pages whose
    /// transcluded parts changed (a template's TemplateData lives on its /doc subpage).
    fn refresh_links(
        &self,
        titles: &[String],
    ) -> impl Future<Output = Result<(), WikiError>> + Send;
}

impl PageStore for Connection {
    async fn read(&self, titles: &[String]) -> Result<Vec<PageRevision>, WikiError> {
        let mut out = Vec::with_capacity(titles.len());
        for chunk in titles.chunks(self.titles_per_query()) {
            out.extend(self.read_chunk(chunk).await?);
        }
        Ok(out)
    }

    async fn save(&self, request: &SaveRequest<'_>) -> Result<SaveOutcome, WikiError> {
        let base = request.base;
        let revid = base.revid.map(|r| r.to_string());
        let mut params: Vec<(&str, &str)> = vec![
            ("action", "edit"),
            ("title", &base.title),
            ("text", request.text),
            ("summary", request.summary),
            ("bot", "1"),
            ("watchlist", "nochange"),
            ("starttimestamp", &base.read_at),
        ];
        if base.exists {
            params.push(("nocreate", "1"));
            if let Some(revid) = &revid {
                params.push(("baserevid", revid));
            }
            if let Some(ts) = &base.timestamp {
                params.push(("basetimestamp", ts));
            }
        } else {
            params.push(("createonly", "1"));
        }
        self.check_allowed(&base.title)?;
        self.pace_save().await?;
        let response = match self.post_with_token(&params).await {
            Err(WikiError::Api { code, .. })
                if matches!(
                    code.as_str(),
                    "editconflict" | "articleexists" | "missingtitle" | "pagedeleted"
                ) =>
            {
                return Err(WikiError::Conflict {
                    title: base.title.clone(),
                    code,
                });
            }
            other => other?,
        };
        let edit = &response["edit"];
        if edit["result"] != "Success" {
            return Err(WikiError::Unexpected(format!(
                "edit of [[{}]] not saved: {edit}",
                base.title
            )));
        }
        if edit["nochange"].as_bool().unwrap_or(false) {
            return Ok(SaveOutcome::NoChange);
        }
        let timestamp = edit["newtimestamp"].as_str().unwrap_or_default().to_owned();
        edit["newrevid"]
            .as_u64()
            .map(|revid| SaveOutcome::Saved { revid, timestamp })
            .ok_or_else(|| WikiError::Unexpected(format!("edit answer without newrevid: {edit}")))
    }

    async fn refresh_links(&self, titles: &[String]) -> Result<(), WikiError> {
        for chunk in titles.chunks(self.titles_per_query()) {
            self.refresh_chunk(chunk).await?;
        }
        Ok(())
    }
}

impl Connection {
    /// Appends a new section to a page (creating it if needed); used for talk-page notices.
    pub async fn new_section(
        &self,
        title: &str,
        section_title: &str,
        text: &str,
        summary: &str,
    ) -> Result<u64, WikiError> {
        self.check_allowed(title)?;
        self.pace_save().await?;
        let response = self
            .post_with_token(&[
                ("action", "edit"),
                ("title", title),
                ("section", "new"),
                ("sectiontitle", section_title),
                ("text", text),
                ("summary", summary),
                ("bot", "1"),
                ("watchlist", "nochange"),
            ])
            .await?;
        response["edit"]["newrevid"].as_u64().ok_or_else(|| {
            WikiError::Unexpected(format!("new section not saved: {}", response["edit"]))
        })
    }

    async fn refresh_chunk(&self, titles: &[String]) -> Result<(), WikiError> {
        let joined = titles.join("|");
        self.post(&[
            ("action", "purge"),
            ("forcelinkupdate", "1"),
            ("titles", &joined),
        ])
        .await?;
        Ok(())
    }

    /// Like [`PageStore::read`], but a redirect is read as the page it points to (the answer's
    /// title is then the target's). Two titles may thus give the same page.
    pub async fn read_following(&self, titles: &[String]) -> Result<Vec<PageRevision>, WikiError> {
        let mut out = Vec::with_capacity(titles.len());
        for chunk in titles.chunks(self.titles_per_query()) {
            out.extend(self.read_pages(chunk, true).await?);
        }
        Ok(out)
    }

    async fn read_chunk(&self, titles: &[String]) -> Result<Vec<PageRevision>, WikiError> {
        self.read_pages(titles, false).await
    }

    async fn read_pages(
        &self,
        titles: &[String],
        follow_redirects: bool,
    ) -> Result<Vec<PageRevision>, WikiError> {
        let joined = titles.join("|");
        let mut params: Vec<(String, String)> = [
            ("action", "query"),
            // `info` brings `pagelanguage` in the same request.
            ("prop", "revisions|info"),
            ("rvprop", "ids|timestamp|user|content"),
            ("rvslots", "main"),
            ("curtimestamp", "1"),
            ("titles", joined.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if follow_redirects {
            params.push(("redirects".into(), "1".into()));
        }
        let mut by_title: HashMap<String, PageRevision> = HashMap::new();
        let mut aliases: HashMap<String, String> = HashMap::new();
        // Large pages make MediaWiki split the answer over continuations.
        self.continued(params, |response| {
            let read_at = response["curtimestamp"].as_str().unwrap_or_default();
            collect_pages(response, read_at, &mut by_title, &mut aliases)
        })
        .await?;
        titles
            .iter()
            .map(|asked| {
                // Normalisation, then (when followed) a redirect: at most a few hops.
                let mut title = asked;
                for _ in 0..4 {
                    match aliases.get(title) {
                        Some(next) if next != title => title = next,
                        _ => break,
                    }
                }
                by_title.get(title).cloned().ok_or_else(|| {
                    WikiError::Unexpected(format!("no page in the answer for {asked:?}"))
                })
            })
            .collect()
    }
}

pub(super) fn collect_pages(
    response: &Value,
    read_at: &str,
    by_title: &mut HashMap<String, PageRevision>,
    aliases: &mut HashMap<String, String>,
) -> Result<(), WikiError> {
    let query = &response["query"];
    let renames = ["normalized", "converted", "redirects"]
        .iter()
        .flat_map(|list| query[*list].as_array().into_iter().flatten());
    for n in renames {
        if let (Some(from), Some(to)) = (n["from"].as_str(), n["to"].as_str()) {
            aliases.insert(from.to_owned(), to.to_owned());
        }
    }
    for page in query["pages"].as_array().into_iter().flatten() {
        let title = page["title"].as_str().unwrap_or_default().to_owned();
        if page["invalid"].as_bool().unwrap_or(false) {
            return Err(WikiError::Unexpected(format!(
                "invalid title {title:?}: {}",
                page["invalidreason"].as_str().unwrap_or("no reason given")
            )));
        }
        let revision = page["revisions"].get(0);
        let missing = page["missing"].as_bool().unwrap_or(false);
        let language = page["pagelanguage"].as_str().map(str::to_owned);
        if revision.is_none() && !missing && by_title.contains_key(&title) {
            // Already filled by an earlier part of a continued answer.
            if let (Some(known), Some(l)) = (by_title.get_mut(&title), language) {
                known.language.get_or_insert(l);
            }
            continue;
        }
        by_title.insert(
            title.clone(),
            PageRevision {
                title,
                exists: !missing,
                revid: revision.and_then(|r| r["revid"].as_u64()),
                timestamp: revision
                    .and_then(|r| r["timestamp"].as_str())
                    .map(str::to_owned),
                user: revision.and_then(|r| r["user"].as_str()).map(str::to_owned),
                text: revision
                    .and_then(|r| r["slots"]["main"]["content"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                read_at: read_at.to_owned(),
                language,
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture was recorded from the dev wiki (`deploy/devwiki`), content shortened.
    #[test]
    fn collects_normalised_missing_and_existing_pages() {
        let response: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/api/query_revisions.json"
        ))
        .unwrap();
        let (mut pages, mut aliases) = (HashMap::new(), HashMap::new());
        collect_pages(&response, "2026-11-26T12:00:00Z", &mut pages, &mut aliases).unwrap();
        assert_eq!(
            aliases["template:partnership_stage"],
            "Template:Partnership stage"
        );
        let existing = &pages["Template:Partnership stage"];
        assert!(existing.exists);
        assert_eq!(existing.revid, Some(44));
        assert_eq!(existing.user.as_deref(), Some("Partnerbot"));
        assert!(existing.text.starts_with("{{#switch:{{{show|label}}}"));
        let missing = &pages["Template:Partnership tally"];
        assert!(!missing.exists);
        assert_eq!(missing.revid, None);
        assert_eq!(missing.text, "");
    }

    #[test]
    fn invalid_title_is_an_error() {
        let response = serde_json::json!({"query": {"pages": [
            {"title": "Foo[", "invalid": true, "invalidreason": "bad character"}
        ]}});
        let err = collect_pages(&response, "", &mut HashMap::new(), &mut HashMap::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad character"), "{err}");
    }
}
