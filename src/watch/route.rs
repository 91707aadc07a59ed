//! Which work a change calls for. Pure: the caller says what it knows about the wiki's pages.
//! A change to a page the bot knows nothing about costs nothing, unless the page could have
//! just become a proposal or a learning pattern.

use std::collections::HashSet;

use super::queue::Work;
use super::{Change, ChangeKind};

/// What the bot knows of the wiki's pages (refreshed at every full pass).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub shutoff_page: String,
    pub config_page: Option<String>,
    pub proposals: HashSet<String>,
    /// Where a new proposal could appear: namespaces and title prefixes (empty: any).
    pub proposal_namespaces: Vec<i32>,
    pub proposal_prefixes: Vec<String>,
    /// Full titles of the proposal and case-study templates and their redirects.
    pub templates: HashSet<String>,
    /// Pages the index is written on: someone else's edit there means a rebuild.
    pub index_pages: HashSet<String>,
    /// Pages with a row of their own: learning patterns, case-study pages, the sign-up page.
    pub index_rows: HashSet<String>,
    /// Where a new learning pattern could appear.
    pub pattern_prefixes: Vec<String>,
    pub pattern_namespaces: HashSet<i32>,
}

/// The work `change` calls for. `subject_of` maps a talk page to its subject page.
pub fn route(
    change: &Change,
    known: &Known,
    subject_of: impl Fn(&str) -> Option<String>,
) -> Vec<Work> {
    let mut out = Vec::new();
    for title in change.titles() {
        let namespace = if title == change.title {
            change.namespace
        } else {
            // The target of a move: same namespace unless the title says otherwise.
            subject_of(title).map_or(change.namespace, |_| change.namespace + 1)
        };
        route_title(title, namespace, &change.kind, known, &subject_of, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn route_title(
    title: &str,
    namespace: i32,
    kind: &ChangeKind,
    known: &Known,
    subject_of: &impl Fn(&str) -> Option<String>,
    out: &mut Vec<Work>,
) {
    if title == known.shutoff_page {
        out.push(Work::Shutoff);
        return;
    }
    if known.config_page.as_deref() == Some(title) {
        out.push(Work::Config);
        return;
    }
    if known.templates.contains(title) {
        out.push(Work::FullPass);
        return;
    }
    if known.index_pages.contains(title) {
        out.push(Work::IndexRebuild);
    }
    if known.proposals.contains(title) {
        out.push(Work::Proposal(title.to_owned()));
        return;
    }
    if namespace % 2 == 1 {
        // A talk page: its proposal may have to (re)post a stage notice.
        if let Some(subject) = subject_of(title).filter(|s| known.proposals.contains(s)) {
            out.push(Work::Proposal(subject));
        }
        return;
    }
    if known.index_rows.contains(title) {
        out.push(Work::IndexRow(title.to_owned()));
        return;
    }
    let created = matches!(
        kind,
        ChangeKind::New | ChangeKind::Undelete | ChangeKind::Move { .. }
    );
    let in_proposal_scope = known.proposal_namespaces.contains(&namespace)
        && (known.proposal_prefixes.is_empty()
            || known
                .proposal_prefixes
                .iter()
                .any(|p| title.starts_with(p.as_str())));
    // With prefixes, any edit there may have added the template; without, only new pages are
    // worth a read (an existing page that adds the template is found by the full pass).
    if in_proposal_scope && (created || !known.proposal_prefixes.is_empty()) {
        out.push(Work::Proposal(title.to_owned()));
    }
    let pattern_scope = known
        .pattern_prefixes
        .iter()
        .any(|p| title.starts_with(p.as_str()))
        || (created && known.pattern_namespaces.contains(&namespace));
    if pattern_scope {
        out.push(Work::IndexRow(title.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(title: &str, namespace: i32, kind: ChangeKind) -> Change {
        Change {
            title: title.into(),
            namespace,
            kind,
            timestamp: "2026-11-26T12:00:00Z".into(),
            id: 1,
        }
    }

    fn known() -> Known {
        Known {
            shutoff_page: "User:Partnerbot/Shutoff".into(),
            config_page: Some("User:Partnerbot/Config.json".into()),
            proposals: ["Partnerships/Proposals/A".to_string()].into(),
            proposal_namespaces: vec![0],
            proposal_prefixes: vec!["Partnerships/Proposals/".into()],
            templates: ["Template:Partnership proposal".to_string()].into(),
            index_pages: ["Partnerships/Index".to_string()].into(),
            index_rows: ["Learning patterns/X".to_string()].into(),
            pattern_prefixes: vec![],
            pattern_namespaces: [0].into(),
        }
    }

    fn subject(title: &str) -> Option<String> {
        title.strip_prefix("Talk:").map(str::to_owned)
    }

    fn work(title: &str, namespace: i32, kind: ChangeKind) -> Vec<Work> {
        route(&change(title, namespace, kind), &known(), subject)
    }

    #[test]
    fn known_pages_map_to_their_work() {
        use ChangeKind::*;
        assert_eq!(work("User:Partnerbot/Shutoff", 2, Edit), [Work::Shutoff]);
        assert_eq!(work("User:Partnerbot/Config.json", 2, Edit), [Work::Config]);
        assert_eq!(
            work("Template:Partnership proposal", 10, Edit),
            [Work::FullPass]
        );
        let a = Work::Proposal("Partnerships/Proposals/A".into());
        assert_eq!(
            work("Partnerships/Proposals/A", 0, Edit),
            std::slice::from_ref(&a)
        );
        assert_eq!(
            work("Talk:Partnerships/Proposals/A", 1, Edit),
            std::slice::from_ref(&a)
        );
        assert_eq!(work("Partnerships/Index", 0, Edit), [Work::IndexRebuild]);
        assert_eq!(
            work("Learning patterns/X", 0, Delete),
            [Work::IndexRow("Learning patterns/X".into())]
        );
    }

    #[test]
    fn unknown_pages_cost_nothing_unless_they_could_be_new_entries() {
        use ChangeKind::*;
        assert!(work("Some article", 0, Edit).is_empty());
        assert!(work("Talk:Some article", 1, Edit).is_empty());
        // Under the proposal prefix: any edit may have added the template.
        assert_eq!(
            work("Partnerships/Proposals/New", 0, Edit),
            [Work::Proposal("Partnerships/Proposals/New".into())]
        );
        // A new page where patterns live may be a pattern.
        assert_eq!(
            work("Some new page", 0, New),
            [Work::IndexRow("Some new page".into())]
        );
    }

    #[test]
    fn a_move_touches_both_titles() {
        let moved = ChangeKind::Move {
            to: "Partnerships/Proposals/B".into(),
        };
        assert_eq!(
            work("Partnerships/Proposals/A", 0, moved),
            [
                Work::Proposal("Partnerships/Proposals/A".into()),
                Work::Proposal("Partnerships/Proposals/B".into()),
                // The moved page might also be a learning pattern under its new name.
                Work::IndexRow("Partnerships/Proposals/B".into())
            ]
        );
    }
}
