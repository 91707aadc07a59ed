//! The on-wiki configuration: a JSON page the community edits to override the settings it owns
//! (tally thresholds and headings, the survey's target, the exclusion list and principles, the stages). Everything
//! else (the wiki, the account, the allow-list) stays with the operator.
//!
//! ```json
//! { "tally": { "min_support": 7, "min_percent": 70 },
//!   "principles": { "exclude": [ { "pattern": "(?i)tobacco", "reason": "..." } ] },
//!   "stages": [ { "id": "selection", "label": "Selection", "step": "...", "item": [ ... ] } ] }
//! ```

use std::collections::BTreeSet;

/// Sections the community may override, and in them which keys (None: every key).
const ALLOWED: &[(&str, Option<&[&str]>)] = &[
    ("tally", None),
    ("survey", None),
    ("principles", Some(&["exclude", "require"])),
];

/// A parsed, not yet validated, on-wiki configuration.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// The page it came from (named in errors).
    pub page: String,
    /// Settings in the shape of the TOML files.
    pub table: toml::Table,
    /// `stages` as the text of a stages file.
    pub stages: Option<String>,
}

impl Overlay {
    /// Reads the page's JSON. Errors say what is wrong in words an editor can act on.
    pub fn parse(page: &str, json: &str) -> Result<Overlay, String> {
        let json = unwrap_markup(json);
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("not valid JSON: {e}"))?;
        let serde_json::Value::Object(object) = value else {
            return Err("the page must hold one JSON object".into());
        };
        let mut overlay = Overlay {
            page: page.to_owned(),
            ..Overlay::default()
        };
        for (section, content) in object {
            if section == "stages" {
                let stages = toml::Value::try_from(serde_json::json!({ "stage": content }))
                    .map_err(|e| format!("`stages` cannot be read: {e}"))?;
                overlay.stages =
                    Some(toml::to_string(&stages).map_err(|e| format!("`stages`: {e}"))?);
                continue;
            }
            let Some((_, keys)) = ALLOWED.iter().find(|(s, _)| *s == section) else {
                return Err(format!(
                    "`{section}` cannot be set on the wiki (allowed: tally, survey, principles, stages)"
                ));
            };
            let serde_json::Value::Object(inner) = &content else {
                return Err(format!("`{section}` must be an object"));
            };
            if let Some(keys) = keys
                && let Some(bad) = inner.keys().find(|k| !keys.contains(&k.as_str()))
            {
                return Err(format!("`{section}.{bad}` cannot be set on the wiki"));
            }
            let table = toml::Value::try_from(&content)
                .map_err(|e| format!("`{section}` cannot be read: {e}"))?;
            overlay.table.insert(section, table);
        }
        Ok(overlay)
    }

    /// The dotted keys it sets.
    pub fn keys(&self) -> BTreeSet<String> {
        super::flat_keys(&self.table)
    }
}

/// A wikitext page may show its JSON in `<syntaxhighlight lang="json">` or `<pre>`: read what
/// is inside.
fn unwrap_markup(text: &str) -> &str {
    let t = text.trim();
    for (open, close) in [
        ("<syntaxhighlight", "</syntaxhighlight>"),
        ("<pre", "</pre>"),
    ] {
        if t.starts_with(open)
            && let (Some(gt), Some(inner)) = (t.find('>'), t.strip_suffix(close))
        {
            return inner.get(gt + 1..).unwrap_or_default().trim();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_sections_are_read_and_others_refused() {
        let o = Overlay::parse(
            "P",
            r#"{"tally": {"min_support": 7}, "principles": {"exclude": []}, "stages": [{"id": "a"}]}"#,
        )
        .unwrap();
        assert_eq!(
            o.keys(),
            ["principles.exclude", "tally.min_support"]
                .map(String::from)
                .into()
        );
        assert!(o.stages.unwrap().contains("[[stage]]"));
        let err = Overlay::parse("P", r#"{"auth": {"password": "x"}}"#).unwrap_err();
        assert!(err.contains("`auth` cannot be set on the wiki"), "{err}");
        let err = Overlay::parse("P", r#"{"principles": {"other": 1}}"#).unwrap_err();
        assert!(err.contains("principles.other"), "{err}");
        assert!(Overlay::parse("P", "[1]").is_err());
        let wrapped = "<syntaxhighlight lang=\"json\">\n{\"tally\": {\"min_edits\": 3}}\n</syntaxhighlight>\n";
        assert_eq!(Overlay::parse("P", wrapped).unwrap().keys().len(), 1);
        assert!(
            Overlay::parse("P", "{not json")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }
}
