//! Finding pages: who transcludes a template (and under which redirect names), which pages
//! exist. Every list is read to its end through API continuation.

use std::collections::HashMap;

use super::{Connection, WikiError};

/// Pages transcluding a template, and the titles of the template's redirects.
#[derive(Debug, Clone, Default)]
pub struct Transclusions {
    pub pages: Vec<String>,
    pub redirects: Vec<String>,
}

impl Connection {
    /// `list=embeddedin` (which includes calls through redirects) and the template's
    /// redirects (`list=backlinks`), in one continued query.
    pub async fn transclusions(
        &self,
        template: &str,
        namespaces: &[i32],
    ) -> Result<Transclusions, WikiError> {
        let ns: Vec<String> = namespaces.iter().map(i32::to_string).collect();
        let ns = ns.join("|");
        let limit = self.list_limit();
        let base: Vec<(String, String)> = [
            ("action", "query"),
            ("list", "embeddedin|backlinks"),
            ("eititle", template),
            // Empty: every namespace.
            ("einamespace", &ns),
            ("eilimit", &limit),
            ("bltitle", template),
            ("blfilterredir", "redirects"),
            ("bllimit", &limit),
        ]
        .iter()
        .filter(|(k, v)| *k != "einamespace" || !v.is_empty())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut out = Transclusions::default();
        self.continued(base, |response| {
            let titles = |list: &str| -> Vec<String> {
                response["query"][list]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["title"].as_str().map(str::to_owned))
                    .collect()
            };
            out.pages.extend(titles("embeddedin"));
            out.redirects.extend(titles("backlinks"));
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Whether each title exists (titles as given; MediaWiki's normalisation is followed).
    pub async fn exists(&self, titles: &[String]) -> Result<HashMap<String, bool>, WikiError> {
        let mut out = HashMap::new();
        for chunk in titles.chunks(self.titles_per_query()) {
            let joined = chunk.join("|");
            let response = self
                .query(&[("action", "query"), ("titles", &joined)])
                .await?;
            let query = &response["query"];
            let mut alias: HashMap<&str, &str> = HashMap::new();
            for list in ["normalized", "converted"] {
                for n in query[list].as_array().into_iter().flatten() {
                    if let (Some(from), Some(to)) = (n["from"].as_str(), n["to"].as_str()) {
                        alias.insert(to, from);
                    }
                }
            }
            for page in query["pages"].as_array().into_iter().flatten() {
                let Some(title) = page["title"].as_str() else {
                    continue;
                };
                let exists = !page["missing"].as_bool().unwrap_or(false)
                    && !page["invalid"].as_bool().unwrap_or(false);
                let asked = alias.get(title).copied().unwrap_or(title);
                out.insert(asked.to_owned(), exists);
            }
            for title in chunk {
                out.entry(title.clone()).or_insert(false);
            }
        }
        Ok(out)
    }
}
