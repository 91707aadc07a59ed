//! The bot's on-wiki status page: what it is doing, in one small table. Deterministic, so an
//! unchanged status renders the same text and is not saved again.

use super::inert::inert;
use super::region;

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

pub fn region(facts: &StatusFacts, docs_page: &str) -> String {
    let editing = match &facts.stopped {
        None => "yes".to_owned(),
        Some(why) => format!("'''no''': {}", inert(why)),
    };
    let outside = if facts.outside.is_empty() {
        "none".to_owned()
    } else {
        facts
            .outside
            .iter()
            .map(|t| format!("[[:{t}]]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = [
        ("Editing", editing),
        ("Watching", inert(&facts.source)),
        (
            "Last full pass",
            facts
                .last_full_pass
                .clone()
                .unwrap_or_else(|| "not yet".into()),
        ),
        ("Proposals", facts.proposals.to_string()),
        ("Proposals with problems", facts.with_problems.to_string()),
        ("Edits today (UTC)", facts.edits_today.to_string()),
        ("Outside the edit allow-list (not edited)", outside),
        ("On-wiki configuration", inert(&facts.config)),
        (
            "Last error",
            facts.last_error.as_deref().map_or("none".into(), inert),
        ),
    ];
    let mut body = String::from("{| class=\"wikitable\"\n");
    for (name, value) in rows {
        body.push_str(&format!("|-\n! {name}\n| {value}\n"));
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
        assert!(a.contains("'''no''': the shut-off page says &#91;&#91;stop&#93;&#93;"));
        assert!(a.contains("[[:User:X/Draft]]"));
        assert!(!a.contains("{{boom}}"));
    }
}
