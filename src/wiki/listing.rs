//! Lists of pages for the index: category members (with subcategories to a depth), pages by
//! title prefix, and each page's first revision (its creation).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use super::{Connection, WikiError};

/// Category namespace number (the same on every MediaWiki).
const CATEGORY_NS: i64 = 14;

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl Connection {
    /// Pages (not categories) in the categories and their subcategories down to `depth`.
    /// Category names without namespace. A category cycle is followed once.
    pub async fn category_members(
        &self,
        categories: &[String],
        depth: u32,
    ) -> Result<BTreeSet<String>, WikiError> {
        let category_ns = self
            .namespace_name(CATEGORY_NS as i32)
            .unwrap_or_else(|| "Category".into());
        let mut queue: VecDeque<(String, u32)> = categories
            .iter()
            .map(|c| (format!("{category_ns}:{c}"), 0))
            .collect();
        let mut seen: HashSet<String> = queue.iter().map(|(c, _)| c.clone()).collect();
        let mut pages = BTreeSet::new();
        let limit = self.list_limit();
        while let Some((category, level)) = queue.pop_front() {
            let params = owned(&[
                ("action", "query"),
                ("list", "categorymembers"),
                ("cmtitle", &category),
                ("cmprop", "title"),
                ("cmlimit", &limit),
            ]);
            let mut subcategories = Vec::new();
            self.continued(params, |response| {
                for m in response["query"]["categorymembers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let Some(title) = m["title"].as_str() else {
                        continue;
                    };
                    if m["ns"].as_i64() == Some(CATEGORY_NS) {
                        subcategories.push(title.to_owned());
                    } else {
                        pages.insert(title.to_owned());
                    }
                }
                Ok(())
            })
            .await?;
            if level < depth {
                for sub in subcategories {
                    if seen.insert(sub.clone()) {
                        queue.push_back((sub, level + 1));
                    }
                }
            }
        }
        Ok(pages)
    }

    /// Pages whose titles start with `prefix` (namespace included), redirects left out.
    pub async fn prefix_pages(&self, prefix: &str) -> Result<BTreeSet<String>, WikiError> {
        let (namespace, rest) = self.split_namespace(prefix)?;
        let ns = namespace.to_string();
        let limit = self.list_limit();
        let params = owned(&[
            ("action", "query"),
            ("list", "allpages"),
            ("apnamespace", &ns),
            ("apprefix", &rest),
            ("apfilterredir", "nonredirects"),
            ("aplimit", &limit),
        ]);
        let mut out = BTreeSet::new();
        self.continued(params, |response| {
            for p in response["query"]["allpages"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(t) = p["title"].as_str() {
                    out.insert(t.to_owned());
                }
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Whether the page is directly in one of the categories (names without namespace).
    pub async fn in_categories(
        &self,
        title: &str,
        categories: &[String],
    ) -> Result<bool, WikiError> {
        let category_ns = self
            .namespace_name(CATEGORY_NS as i32)
            .unwrap_or_else(|| "Category".into());
        let wanted: Vec<String> = categories
            .iter()
            .map(|c| format!("{category_ns}:{c}"))
            .collect();
        let joined = wanted.join("|");
        let response = self
            .query(&[
                ("action", "query"),
                ("prop", "categories"),
                ("titles", title),
                ("clcategories", &joined),
                ("redirects", "1"),
            ])
            .await?;
        Ok(response["query"]["pages"][0]["categories"]
            .as_array()
            .is_some_and(|c| !c.is_empty()))
    }

    /// Each page's first revision: (timestamp, user). One request per page: MediaWiki serves
    /// the oldest revision of only one page per request. Missing pages are left out.
    pub async fn first_revisions(
        &self,
        titles: &[String],
    ) -> Result<HashMap<String, (String, String)>, WikiError> {
        let mut out = HashMap::new();
        for title in titles {
            let response = self
                .query(&[
                    ("action", "query"),
                    ("prop", "revisions"),
                    ("titles", title),
                    ("rvprop", "timestamp|user"),
                    ("rvlimit", "1"),
                    ("rvdir", "newer"),
                ])
                .await?;
            let revision = &response["query"]["pages"][0]["revisions"][0];
            if let Some(ts) = revision["timestamp"].as_str() {
                let user = revision["user"].as_str().unwrap_or_default();
                out.insert(title.clone(), (ts.to_owned(), user.to_owned()));
            }
        }
        Ok(out)
    }
}
