//! Accounts, the site's naming vocabulary for signatures, and page history.

use std::collections::HashMap;

use serde_json::Value;

use super::{Connection, WikiError};

/// What `list=users` says about one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub exists: bool,
    pub blocked: bool,
    pub edits: u64,
    /// ISO 8601, when known.
    pub registered: Option<String>,
}

/// Names the wiki uses in signatures (from siteinfo), as plain strings.
#[derive(Debug, Clone, Default)]
pub struct SiteVocabulary {
    /// Names, canonical names and aliases (gender forms included) of namespaces 2 and 3.
    pub user_namespaces: Vec<String>,
    pub special_namespaces: Vec<String>,
    /// Names and aliases of Special:Contributions.
    pub contributions: Vec<String>,
    pub interwiki: Vec<String>,
    /// The wiki's host name, for URL signatures.
    pub host: String,
    /// The wiki's content language (`en` on Meta-Wiki): pages in another language get it
    /// written into the bot's regions.
    pub content_language: String,
}

/// One revision of a page, newest first when listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub revid: u64,
    pub user: String,
    pub text: String,
}

impl Connection {
    pub async fn users(&self, names: &[String]) -> Result<HashMap<String, UserInfo>, WikiError> {
        let mut out = HashMap::new();
        for chunk in names.chunks(self.titles_per_query()) {
            let joined = chunk.join("|");
            let response = self
                .query(&[
                    ("action", "query"),
                    ("list", "users"),
                    ("ususers", &joined),
                    ("usprop", "blockinfo|editcount|registration"),
                ])
                .await?;
            for u in response["query"]["users"].as_array().into_iter().flatten() {
                let Some(name) = u["name"].as_str() else {
                    continue;
                };
                let missing = u.get("missing").is_some() || u.get("invalid").is_some();
                out.insert(
                    name.to_owned(),
                    UserInfo {
                        exists: !missing,
                        blocked: u.get("blockid").is_some(),
                        edits: u["editcount"].as_u64().unwrap_or(0),
                        registered: u["registration"].as_str().map(str::to_owned),
                    },
                );
            }
        }
        Ok(out)
    }

    pub async fn vocabulary(&self) -> Result<SiteVocabulary, WikiError> {
        let r = self
            .get(&[
                ("action", "query"),
                ("meta", "siteinfo"),
                (
                    "siprop",
                    "general|namespaces|namespacealiases|specialpagealiases|interwikimap",
                ),
            ])
            .await?;
        let q = &r["query"];
        let mut v = SiteVocabulary::default();
        let str_of = |x: &Value| x.as_str().map(str::to_owned);
        for ns in q["namespaces"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            let id = ns["id"].as_i64().unwrap_or(0);
            let names = [str_of(&ns["name"]), str_of(&ns["canonical"])]
                .into_iter()
                .flatten();
            match id {
                2 | 3 => v.user_namespaces.extend(names),
                -1 => v.special_namespaces.extend(names),
                _ => {}
            }
        }
        for alias in q["namespacealiases"].as_array().into_iter().flatten() {
            let Some(name) = str_of(&alias["alias"]) else {
                continue;
            };
            match alias["id"].as_i64() {
                Some(2 | 3) => v.user_namespaces.push(name),
                Some(-1) => v.special_namespaces.push(name),
                _ => {}
            }
        }
        for page in q["specialpagealiases"].as_array().into_iter().flatten() {
            if page["realname"] == "Contributions" {
                v.contributions = page["aliases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(str_of)
                    .collect();
            }
        }
        v.interwiki = q["interwikimap"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| str_of(&i["prefix"]))
            .collect();
        v.host = q["general"]["servername"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        v.content_language = q["general"]["lang"].as_str().unwrap_or("en").to_owned();
        Ok(v)
    }

    /// Walks a page's revisions from newest to oldest, 50 at a time (with content), until
    /// `each` returns false or the history ends.
    pub async fn walk_history(
        &self,
        title: &str,
        mut each: impl FnMut(&Revision) -> bool,
    ) -> Result<(), WikiError> {
        let mut cont: Option<String> = None;
        loop {
            let mut params = vec![
                ("action", "query"),
                ("prop", "revisions"),
                ("titles", title),
                ("rvprop", "ids|user|content"),
                ("rvslots", "main"),
                ("rvlimit", "50"),
            ];
            if let Some(c) = &cont {
                params.push(("rvcontinue", c));
            }
            let r = self.get(&params).await?;
            let revisions = r["query"]["pages"][0]["revisions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for rev in &revisions {
                let revision = Revision {
                    revid: rev["revid"].as_u64().unwrap_or(0),
                    user: rev["user"].as_str().unwrap_or_default().to_owned(),
                    text: rev["slots"]["main"]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                };
                if !each(&revision) {
                    return Ok(());
                }
            }
            match r["continue"]["rvcontinue"].as_str() {
                Some(c) if !revisions.is_empty() => cont = Some(c.to_owned()),
                _ => return Ok(()),
            }
        }
    }
}
