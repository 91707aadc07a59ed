//! The checklist region of a proposal page: one `{{Partnership checklist}}` call with every
//! item's state and evidence, the problems found, and the tracking category.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::inert::inert;
use super::message::{Lang, call};
use super::region;
use crate::analyse::checklist::Checklist;
use crate::analyse::message::Message;
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
    /// The language written into the page's regions (see [`Lang::of_page`]).
    pub lang: Lang<'a>,
    /// The language of the page's talk-page notices: the page's own.
    pub notice_lang: Lang<'a>,
}

impl<'a> RenderSettings<'a> {
    /// The defaults of `config/default.toml` for `rules`, in each reader's language.
    pub fn builtin(rules: &'a crate::analyse::builtin::BuiltinRules) -> Self {
        RenderSettings {
            docs_page: "User:Partnerbot",
            problems_category: "Partnership proposals with problems",
            count_rules: &rules.count,
            support_sections: &rules.lines.section_titles,
            survey_sections: &rules.survey.section_titles,
            lang: Lang::READER,
            notice_lang: Lang::fixed("en"),
        }
    }
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
pub fn checklist_call(checklist: Option<&Checklist>, problems: &[Problem], lang: Lang) -> String {
    let mut out = String::from("{{Partnership checklist\n");
    if let Some(c) = checklist {
        let _ = writeln!(out, "| stage = {}", inert(&c.stage));
        let stage_label = Message::stage(&c.stage, &c.stage_label);
        let _ = writeln!(out, "| stage_label = {}", call(&stage_label, lang));
        let _ = writeln!(out, "| done = {}\n| total = {}", c.done, c.total);
    }
    if let Some(code) = lang.code() {
        let _ = writeln!(out, "| lang = {code}");
    }
    if let Some(c) = checklist {
        out.push_str("| items =\n");
        for item in &c.items {
            let state = if item.done { "done" } else { "todo" };
            let mut step = Message::label("item", &item.id, &item.label);
            if item.carried_over {
                step = Message::new("item-carried-over")
                    .with(step)
                    .with(Message::stage(&item.stage, &item.stage_label));
            }
            let _ = writeln!(
                out,
                "{{{{Partnership checklist/item|state={state}|step={}|evidence={}{}}}}}",
                call(&step, lang),
                call(&item.evidence, lang),
                lang.param(),
            );
        }
    }
    if !problems.is_empty() {
        out.push_str("| problems =\n");
        for p in problems {
            let _ = writeln!(out, "* {}", call(&p.message, lang));
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
    let mut body = checklist_call(checklist, problems, settings.lang);
    if !problems.is_empty() {
        let _ = write!(body, "\n[[Category:{}]]", settings.problems_category);
    }
    region::wrap(KIND, &state.attrs(), &note, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::checklist::ChecklistItem;

    fn settings(lang: Lang<'static>) -> RenderSettings<'static> {
        RenderSettings {
            docs_page: "User:Partnerbot",
            problems_category: "Partnership proposals with problems",
            count_rules: Box::leak(Box::default()),
            support_sections: &[],
            survey_sections: &[],
            lang,
            notice_lang: lang,
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
                    stage_label: "Planning".into(),
                    done: true,
                    evidence: Message::new("evidence-section").arg("Plan"),
                    carried_over: false,
                },
                ChecklistItem {
                    id: "goal".into(),
                    label: "Goal set".into(),
                    stage: "selection".into(),
                    stage_label: "Selection".into(),
                    done: false,
                    evidence: Message::new("evidence-fill-in").arg("goal"),
                    carried_over: true,
                },
            ],
            done: 1,
            total: 2,
        }
    }

    fn problems() -> Vec<Problem> {
        vec![Problem::about(
            "start",
            Message::new("problem-invalid-value")
                .arg("start")
                .arg("[[Category:Spam]]}}")
                .with(Message::new("hint-start")),
        )]
    }

    #[test]
    fn region_snapshot() {
        let state = RegionState {
            stage: Some("planning".into()),
            notice: 1,
        };
        let text = region(
            Some(&checklist()),
            &problems(),
            &state,
            &settings(Lang::READER),
        );
        let expected = "\
<!-- partnerbot:checklist notice=1 stage=planning | This box is written by partnerbot and rewritten whenever the page changes: edit the {{Partnership proposal}} parameters or the page's sections instead. How it works: [[User:Partnerbot]] -->
{{Partnership checklist
| stage = planning
| stage_label = {{Partnership message|stage-planning|default=Planning}}
| done = 1
| total = 2
| items =
{{Partnership checklist/item|state=done|step={{Partnership message|item-plan|default=Project plan drafted}}|evidence={{Partnership message|evidence-section|Plan}}}}
{{Partnership checklist/item|state=todo|step={{Partnership message|item-carried-over|{{Partnership message|item-goal|default=Goal set}}|{{Partnership message|stage-selection|default=Selection}}}}|evidence={{Partnership message|evidence-fill-in|goal}}}}
| problems =
* {{Partnership message|problem-invalid-value|start|&#91;&#91;Category:Spam&#93;&#93;&#125;&#125;|{{Partnership message|hint-start}}}}
}}
[[Category:Partnership proposals with problems]]
<!-- /partnerbot:checklist -->";
        assert_eq!(text, expected);
        let found = region::find(&text, KIND).unwrap().unwrap();
        assert_eq!(RegionState::from_attrs(&found.attrs), state);
        // The same facts in English, for the CLI.
        assert_eq!(
            problems()[0].message.english(),
            "`start` = \"[[Category:Spam]]}}\" is not valid: expected a date written YYYY-MM-DD, e.g. 2026-03-01"
        );
    }

    #[test]
    fn a_page_language_goes_into_every_call() {
        let text = region(
            Some(&checklist()),
            &problems(),
            &RegionState::default(),
            &settings(Lang::fixed("fr")),
        );
        assert!(text.contains("| lang = fr\n"), "{text}");
        let calls = text.matches("{{Partnership message|").count();
        assert_eq!(calls, 9, "{text}");
        assert_eq!(
            text.matches("|lang=fr}}").count(),
            calls + 2,
            "messages and items: {text}"
        );
    }

    #[test]
    fn no_problems_no_category_and_rendering_is_deterministic() {
        let state = RegionState::default();
        let s = settings(Lang::READER);
        let a = region(Some(&checklist()), &[], &state, &s);
        assert!(!a.contains("Category:"));
        assert!(!a.contains("problems ="));
        assert!(!a.contains("lang"));
        assert_eq!(a, region(Some(&checklist()), &[], &state, &s));
    }
}
