//! The bot's on-wiki status page: what it is doing, in one small table. Deterministic, so an
//! unchanged status renders the same text and is not saved again.

use super::inert::inert;
use super::message::{Lang, call, key};
use super::region;
use crate::analyse::message::Message;

pub const KIND: &str = "status";

/// What the status page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFacts {
    /// Why editing is stopped (the shut-off page); None: editing.
    pub stopped: Option<String>,
    pub source: String,
    pub last_full_pass: Option<String>,
    pub proposals: usize,
    pub with_problems: usize,
    pub edits_today: u64,
    /// Proposals outside the edit allow-list (reported, not edited).
    pub outside: Vec<String>,
    /// The on-wiki configuration: "in use", "not used", or why the last edit was refused.
    pub config: String,
    pub last_error: Option<String>,
}

/// The status table; its words are in each reader's language (the page is the bot's own).
pub fn region(facts: &StatusFacts, docs_page: &str) -> String {
    let lang = Lang::READER;
    let editing = match &facts.stopped {
        None => key("status-yes", lang),
        Some(why) => call(&Message::new("status-stopped").arg(why.as_str()), lang),
    };
    let outside = if facts.outside.is_empty() {
        key("status-none", lang)
    } else {
        facts
            .outside
            .iter()
            .map(|t| format!("[[:{t}]]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = [
        ("status-editing", editing),
        ("status-watching", inert(&facts.source)),
        (
            "status-last-full-pass",
            facts
                .last_full_pass
                .clone()
                .unwrap_or_else(|| key("status-not-yet", lang)),
        ),
        ("status-proposals", facts.proposals.to_string()),
        ("status-with-problems", facts.with_problems.to_string()),
        ("status-edits-today", facts.edits_today.to_string()),
        ("status-outside", outside),
        // Free text of the bot's own (errors, configuration state): left in English.
        ("status-config", inert(&facts.config)),
        (
            "status-last-error",
            facts
                .last_error
                .as_deref()
                .map_or_else(|| key("status-none", lang), inert),
        ),
    ];
    let mut body = String::from("{| class=\"wikitable\"\n");
    for (name, value) in rows {
        body.push_str(&format!("|-\n! {}\n| {value}\n", key(name, lang)));
    }
    body.push_str("|}");
    let note = format!("partnerbot writes this status; see [[{docs_page}]]");
    region::wrap(KIND, &Default::default(), &note, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_stable_and_inert() {
        let facts = StatusFacts {
            stopped: Some("the shut-off page says [[stop]]".into()),
            outside: vec!["User:X/Draft".into()],
            last_error: Some("{{boom}}".into()),
            ..Default::default()
        };
        let a = region(&facts, "User:Partnerbot");
        assert_eq!(a, region(&facts, "User:Partnerbot"));
        assert!(a.contains(
            "{{Partnership message|status-stopped|the shut-off page says &#91;&#91;stop&#93;&#93;}}"
        ));
        assert!(a.contains("! {{Partnership message|status-editing}}\n"));
        assert!(a.contains("[[:User:X/Draft]]"));
        assert!(!a.contains("{{boom}}"));
    }
}
