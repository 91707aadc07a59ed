//! What the wiki says about link targets, many titles per request: missing, a redirect (and
//! where to), a disambiguation page, an interwiki to another wiki, a special page.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Connection, WikiError};

const TEMPLATE_NS: i32 = 10;
const CATEGORY_NS: i32 = 14;

/// The facts about one asked title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageFacts {
    /// The title as asked.
    pub asked: String,
    /// Where the link lands: the title as normalised, or the redirect's target.
    pub title: String,
    pub exists: bool,
    /// The redirect's target (with `#fragment` if it has one), if the asked page redirects.
    pub redirect_to: Option<String>,
    /// The landing page is a disambiguation page (page property, template or category).
    pub disambiguation: bool,
    /// The prefix names another wiki: nothing here to check.
    pub interwiki: bool,
    /// A special page (no page to check), or a title the wiki cannot have.
    pub special: bool,
    pub invalid: Option<String>,
}

/// How to recognise a disambiguation page without the Disambiguator extension.
#[derive(Debug, Clone, Default)]
pub struct Disambiguation<'a> {
    /// Template names without namespace.
    pub templates: &'a [String],
    /// Category names without namespace.
    pub categories: &'a [String],
}

#[derive(Default)]
struct Answer {
    aliases: HashMap<String, String>,
    redirects: HashMap<String, String>,
    interwiki: HashSet<String>,
    pages: HashMap<String, PageFacts>,
}

impl Connection {
    /// Facts about each title, in the order asked. Redirects are followed one step (as a
    /// reader's click does); the disambiguation test applies to where the link lands.
    pub async fn page_facts(
        &self,
        titles: &[String],
        disambiguation: &Disambiguation<'_>,
    ) -> Result<Vec<PageFacts>, WikiError> {
        let prefixed = |ns: i32, names: &[String], fallback: &str| -> String {
            let ns = self.namespace_name(ns).unwrap_or_else(|| fallback.into());
            names
                .iter()
                .map(|n| format!("{ns}:{n}"))
                .collect::<Vec<_>>()
                .join("|")
        };
        let templates = prefixed(TEMPLATE_NS, disambiguation.templates, "Template");
        let categories = prefixed(CATEGORY_NS, disambiguation.categories, "Category");
        let mut out = Vec::with_capacity(titles.len());
        for chunk in titles.chunks(self.titles_per_query()) {
            let mut props = vec!["pageprops"];
            let mut params: Vec<(String, String)> = vec![
                ("action".into(), "query".into()),
                ("titles".into(), chunk.join("|")),
                ("redirects".into(), "1".into()),
                ("ppprop".into(), "disambiguation".into()),
            ];
            // An empty filter would list every template or category: leave the prop out.
            if !templates.is_empty() {
                props.push("templates");
                params.push(("tltemplates".into(), templates.clone()));
                params.push(("tllimit".into(), "max".into()));
            }
            if !categories.is_empty() {
                props.push("categories");
                params.push(("clcategories".into(), categories.clone()));
                params.push(("cllimit".into(), "max".into()));
            }
            params.push(("prop".into(), props.join("|")));
            let mut answer = Answer::default();
            self.continued(params, |response| {
                collect(response, &mut answer);
                Ok(())
            })
            .await?;
            out.extend(chunk.iter().map(|asked| answer.facts(asked)));
        }
        Ok(out)
    }
}

fn collect(response: &Value, answer: &mut Answer) {
    let query = &response["query"];
    let list = |name: &str| query[name].as_array().cloned().unwrap_or_default();
    for n in list("normalized").into_iter().chain(list("converted")) {
        if let (Some(from), Some(to)) = (n["from"].as_str(), n["to"].as_str()) {
            answer.aliases.insert(from.to_owned(), to.to_owned());
        }
    }
    for r in list("redirects") {
        if let (Some(from), Some(to)) = (r["from"].as_str(), r["to"].as_str()) {
            let to = match r["tofragment"].as_str() {
                Some(f) if !f.is_empty() => format!("{to}#{f}"),
                _ => to.to_owned(),
            };
            answer.redirects.insert(from.to_owned(), to);
        }
    }
    for i in list("interwiki") {
        if let Some(t) = i["title"].as_str() {
            answer.interwiki.insert(t.to_owned());
        }
    }
    for p in list("pages") {
        let title = p["title"].as_str().unwrap_or_default().to_owned();
        let flag = |k: &str| p[k].as_bool().unwrap_or(false);
        let has = |k: &str| p[k].as_array().is_some_and(|a| !a.is_empty());
        let entry = answer
            .pages
            .entry(title.clone())
            .or_insert_with(|| PageFacts {
                title,
                exists: true,
                ..Default::default()
            });
        entry.exists &= !flag("missing") && !flag("invalid");
        entry.special |= flag("special") || p["ns"].as_i64().is_some_and(|ns| ns < 0);
        if flag("invalid") {
            entry.invalid = Some(
                p["invalidreason"]
                    .as_str()
                    .unwrap_or("invalid title")
                    .to_owned(),
            );
        }
        // Parts of a continued answer add templates or categories: any hit counts.
        entry.disambiguation |=
            p["pageprops"].get("disambiguation").is_some() || has("templates") || has("categories");
    }
}

impl Answer {
    fn facts(&self, asked: &str) -> PageFacts {
        let mut title = asked.to_owned();
        if let Some(to) = self.aliases.get(&title) {
            title = to.clone();
        }
        if self.interwiki.contains(&title) {
            return PageFacts {
                asked: asked.to_owned(),
                title,
                interwiki: true,
                ..Default::default()
            };
        }
        let redirect_to = self.redirects.get(&title).cloned();
        if let Some(to) = &redirect_to {
            title = to.split('#').next().unwrap_or(to).to_owned();
        }
        let mut facts = self
            .pages
            .get(&title)
            .cloned()
            .unwrap_or_else(|| PageFacts {
                title: title.clone(),
                invalid: Some("not in the wiki's answer".into()),
                ..Default::default()
            });
        facts.asked = asked.to_owned();
        facts.redirect_to = redirect_to;
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of a dev-wiki answer (MediaWiki 1.39, formatversion 2), shortened.
    #[test]
    fn normalised_redirected_interwiki_missing_and_disambiguation_titles() {
        let response = serde_json::json!({"query": {
            "normalized": [{"fromencoded": false, "from": "old_name", "to": "Old name"}],
            "redirects": [{"from": "Old name", "to": "New name", "tofragment": "Part"}],
            "interwiki": [{"title": "de:Partnerschaft", "iw": "de"}],
            "pages": [
                {"pageid": 3, "ns": 0, "title": "New name"},
                {"ns": 0, "title": "Gone", "missing": true},
                {"pageid": 4, "ns": 0, "title": "Mercury", "templates": [{"ns": 10, "title": "Template:Disambiguation"}]},
                {"pageid": 5, "ns": 0, "title": "Venus", "pageprops": {"disambiguation": ""}},
                {"ns": -1, "title": "Special:RecentChanges", "special": true},
            ]
        }});
        let mut answer = Answer::default();
        collect(&response, &mut answer);
        let moved = answer.facts("old_name");
        assert_eq!(moved.redirect_to.as_deref(), Some("New name#Part"));
        assert_eq!(moved.title, "New name");
        assert!(moved.exists && !moved.disambiguation);
        assert!(answer.facts("de:Partnerschaft").interwiki);
        assert!(!answer.facts("Gone").exists);
        assert!(answer.facts("Mercury").disambiguation);
        assert!(answer.facts("Venus").disambiguation);
        assert!(answer.facts("Special:RecentChanges").special);
        assert!(answer.facts("Not asked").invalid.is_some());
    }
}
