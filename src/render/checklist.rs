//! The checklist region of a proposal page: one `{{Partnership checklist}}` call with every
//! item's state and evidence, the problems found, and the tracking category.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::inert::{inert, inert_message};
use super::region;
use crate::analyse::checklist::Checklist;
use crate::analyse::proposal::Problem;

pub const KIND: &str = "checklist";

/// Wiki-specific names used in rendering (from the settings).
pub struct RenderSettings<'a> {
    /// The bot's documentation page, linked from the region note and summaries.
    pub docs_page: &'a str,
    /// Tracking category (without namespace) for proposals with problems.
    pub problems_category: &'a str,
    /// Thresholds shown with the tally.
    pub count_rules: &'a crate::analyse::tally::CountRules,
    /// Lower-case headings of the community-support section.
    pub support_sections: &'a [String],
    /// Lower-case headings of the evaluation-survey section.
    pub survey_sections: &'a [String],
}

/// The bot's memory of a page, kept in the region's opening comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionState {
    /// The last valid stage the bot wrote.
    pub stage: Option<String>,
    /// How many stage-change notices this page has had (the id of the last one).
    pub notice: u32,
}

impl RegionState {
    pub fn from_attrs(attrs: &BTreeMap<String, String>) -> Self {
        RegionState {
            stage: attrs.get("stage").filter(|s| !s.is_empty()).cloned(),
            notice: attrs
                .get("notice")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        }
    }

    fn attrs(&self) -> BTreeMap<String, String> {
        let mut attrs = BTreeMap::new();
        if let Some(stage) = &self.stage {
            attrs.insert("stage".into(), stage.clone());
        }
        attrs.insert("notice".into(), self.notice.to_string());
        attrs
    }
}

/// The `{{Partnership checklist}}` call, shared by the page region and the talk notice.
pub fn checklist_call(checklist: Option<&Checklist>, problems: &[Problem]) -> String {
    let mut out = String::from("{{Partnership checklist\n");
    if let Some(c) = checklist {
        let _ = writeln!(out, "| stage = {}", inert(&c.stage));
        let _ = writeln!(out, "| done = {}\n| total = {}", c.done, c.total);
        out.push_str("| items =\n");
        for item in &c.items {
            let state = if item.done { "done" } else { "todo" };
            let carried = if item.carried_over {
                format!(" (carried over from {})", inert(&item.stage))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{{{{Partnership checklist/item|state={state}|step={}{carried}|evidence={}}}}}",
                inert(&item.label),
                inert_message(&item.evidence)
            );
        }
    }
    if !problems.is_empty() {
        out.push_str("| problems =\n");
        for p in problems {
            let _ = writeln!(out, "* {}", inert_message(&p.message));
        }
    }
    out.push_str("}}");
    out
}

/// The whole region for a proposal page.
pub fn region(
    checklist: Option<&Checklist>,
    problems: &[Problem],
    state: &RegionState,
    settings: &RenderSettings,
) -> String {
    let note = format!(
        "This box is written by partnerbot and rewritten whenever the page changes: edit the \
         {{{{Partnership proposal}}}} parameters or the page's sections instead. How it works: [[{}]]",
        settings.docs_page
    );
    let mut body = checklist_call(checklist, problems);
    if !problems.is_empty() {
        let _ = write!(body, "\n[[Category:{}]]", settings.problems_category);
    }
    region::wrap(KIND, &state.attrs(), &note, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::checklist::ChecklistItem;

    fn settings() -> RenderSettings<'static> {
        RenderSettings {
            docs_page: "User:Partnerbot",
            problems_category: "Partnership proposals with problems",
            count_rules: Box::leak(Box::default()),
            support_sections: &[],
            survey_sections: &[],
        }
    }

    fn checklist() -> Checklist {
        Checklist {
            stage: "planning".into(),
            stage_label: "Planning".into(),
            items: vec![
                ChecklistItem {
                    id: "plan".into(),
                    label: "Project plan drafted".into(),
                    stage: "planning".into(),
                    done: true,
                    evidence: "section \"Plan\" has content".into(),
                    carried_over: false,
                },
                ChecklistItem {
                    id: "goal".into(),
                    label: "Goal set".into(),
                    stage: "selection".into(),
                    done: false,
                    evidence: "fill in `goal`".into(),
                    carried_over: true,
                },
            ],
            done: 1,
            total: 2,
        }
    }

    #[test]
    fn region_snapshot() {
        let problems = vec![Problem::about(
            "start",
            "`start` = \"[[Category:Spam]]}}\" is not valid".into(),
        )];
        let state = RegionState {
            stage: Some("planning".into()),
            notice: 1,
        };
        let text = region(Some(&checklist()), &problems, &state, &settings());
        let expected = "\
<!-- partnerbot:checklist notice=1 stage=planning | This box is written by partnerbot and rewritten whenever the page changes: edit the {{Partnership proposal}} parameters or the page's sections instead. How it works: [[User:Partnerbot]] -->
{{Partnership checklist
| stage = planning
| done = 1
| total = 2
| items =
{{Partnership checklist/item|state=done|step=Project plan drafted|evidence=section \"Plan\" has content}}
{{Partnership checklist/item|state=todo|step=Goal set (carried over from selection)|evidence=fill in <code>goal</code>}}
| problems =
* <code>start</code> = \"&#91;&#91;Category:Spam&#93;&#93;&#125;&#125;\" is not valid
}}
[[Category:Partnership proposals with problems]]
<!-- /partnerbot:checklist -->";
        assert_eq!(text, expected);
        let found = region::find(&text, KIND).unwrap().unwrap();
        assert_eq!(RegionState::from_attrs(&found.attrs), state);
    }

    #[test]
    fn no_problems_no_category_and_rendering_is_deterministic() {
        let state = RegionState::default();
        let a = region(Some(&checklist()), &[], &state, &settings());
        assert!(!a.contains("Category:"));
        assert!(!a.contains("problems ="));
        assert_eq!(a, region(Some(&checklist()), &[], &state, &settings()));
    }
}
