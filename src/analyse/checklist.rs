//! The stage checklist: for the proposal's stage, the process items with the ones the page
//! evidences ticked, and a sentence per item saying why it is (not yet) ticked.

use std::collections::HashMap;

use serde::Serialize;

use super::message::Message;
use super::proposal::{LinkTarget, Proposal, link_target};
use super::stages::{Evidence, Stages};
use super::wikitext::Section;

/// What the page shows beyond its template parameters.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    /// Lower-case section title -> whether the section has content.
    pub sections: HashMap<String, bool>,
    /// Page title as linked -> whether it exists (looked up by the fetch layer).
    pub pages: HashMap<String, bool>,
    /// Whether the community-support tally says support is secured.
    pub support_secured: bool,
    /// The evaluation survey's figures, once counted (None: no survey read).
    pub survey: Option<SurveyFacts>,
}

/// What the checklist says about the survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFacts {
    pub met: bool,
    pub responses: usize,
    pub min_responses: usize,
    pub target_percent: f64,
    pub process_percent: Option<f64>,
    pub outcomes_percent: Option<f64>,
}

impl PageFacts {
    /// Section facts from the page's sections: a section has content if its text up to the
    /// next heading of the same or a higher level holds more than whitespace and comments.
    pub fn from_sections(text: &str, sections: &[Section]) -> Self {
        let mut map: HashMap<String, bool> = HashMap::new();
        for (n, s) in sections.iter().enumerate() {
            let end = sections[n + 1..]
                .iter()
                .find(|next| next.level <= s.level)
                .map_or(text.len(), |next| next.heading.start);
            let has_content = super::wikitext::has_content(&text[s.body.start..end]);
            let entry = map.entry(s.title.to_lowercase()).or_default();
            *entry |= has_content;
        }
        PageFacts {
            sections: map,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub id: String,
    pub label: String,
    /// The stage the item belongs to, and its label.
    pub stage: String,
    pub stage_label: String,
    pub done: bool,
    /// Why it is ticked, or what would tick it.
    pub evidence: Message,
    /// An open item of an earlier stage.
    pub carried_over: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub stage: String,
    pub stage_label: String,
    /// Items shown: the current stage's, then open ones of earlier stages.
    pub items: Vec<ChecklistItem>,
    /// Over every item up to and including the current stage.
    pub done: usize,
    pub total: usize,
}

/// The checklist for the proposal's stage, or None when the stage is missing or invalid.
pub fn build(proposal: &Proposal, stages: &Stages, facts: &PageFacts) -> Option<Checklist> {
    let current = stages.index_of(proposal.stage.as_deref()?)?;
    let manual = proposal.done_ids();
    let mut items = Vec::new();
    let mut carried = Vec::new();
    let (mut done, mut total) = (0, 0);
    for (index, stage) in stages.stages.iter().enumerate().take(current + 1) {
        for def in &stage.items {
            let (is_done, evidence) = judge(&def.evidence, &def.id, proposal, facts, &manual);
            total += 1;
            done += usize::from(is_done);
            let item = ChecklistItem {
                id: def.id.clone(),
                label: def.label.clone(),
                stage: stage.id.clone(),
                stage_label: stage.label.clone(),
                done: is_done,
                evidence,
                carried_over: index < current,
            };
            if index == current {
                items.push(item);
            } else if !is_done {
                carried.push(item);
            }
        }
    }
    items.extend(carried);
    let stage = &stages.stages[current];
    Some(Checklist {
        stage: stage.id.clone(),
        stage_label: stage.label.clone(),
        items,
        done,
        total,
    })
}

fn judge(
    evidence: &Evidence,
    id: &str,
    proposal: &Proposal,
    facts: &PageFacts,
    manual: &[String],
) -> (bool, Message) {
    let m = Message::new;
    match evidence {
        Evidence::ParamFilled(p) => match proposal.value(p) {
            Some(_) => (true, m("evidence-param-filled").arg(p)),
            None => (false, m("evidence-fill-in").arg(p)),
        },
        Evidence::ParamEquals { param, value } => match proposal.value(param) {
            Some(v) if v.eq_ignore_ascii_case(value) => {
                (true, m("evidence-param-is").arg(param).arg(value))
            }
            _ => (false, m("evidence-set-param").arg(param).arg(value)),
        },
        Evidence::Section(title) => match facts.sections.get(&title.to_lowercase()) {
            Some(true) => (true, m("evidence-section").arg(title)),
            Some(false) => (false, m("evidence-section-empty").arg(title)),
            None => (false, m("evidence-section-missing").arg(title)),
        },
        Evidence::PageExists(p) => match proposal.value(p).and_then(link_target) {
            Some(LinkTarget::External(url)) => (true, m("evidence-links-external").arg(p).arg(url)),
            Some(LinkTarget::Section(section)) => match facts.sections.get(&section.to_lowercase())
            {
                Some(true) => (true, m("evidence-links-section").arg(p).arg(section)),
                _ => (
                    false,
                    m("evidence-links-missing-section").arg(p).arg(section),
                ),
            },
            Some(LinkTarget::Page(page)) => match facts.pages.get(&page) {
                Some(true) => (true, m("evidence-page-exists").arg(page)),
                _ => (false, m("evidence-page-missing").arg(page)),
            },
            None => (false, m("evidence-link-page").arg(p)),
        },
        Evidence::SupportSecured => {
            if facts.support_secured {
                (true, m("evidence-support-secured"))
            } else {
                (false, m("evidence-support-not-secured"))
            }
        }
        Evidence::SurveyTargetsMet => match &facts.survey {
            None => (false, m("evidence-survey-none")),
            Some(s) => {
                let share = |p: Option<f64>| p.map_or("-".to_owned(), |p| format!("{p:.0}%"));
                let figures = m("evidence-survey-figures")
                    .arg(s.responses.to_string())
                    .arg(share(s.process_percent))
                    .arg(share(s.outcomes_percent))
                    .arg(s.target_percent.to_string())
                    .arg(s.min_responses.to_string());
                (s.met, figures)
            }
        },
        Evidence::Manual => {
            if manual.iter().any(|x| x == id) {
                (true, m("evidence-ticked-by-hand"))
            } else {
                (false, m("evidence-add-to-done").arg(id))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::proposal;
    use crate::analyse::wikitext;

    fn checklist_of(text: &str, pages: &[(&str, bool)]) -> Option<Checklist> {
        let builtin = crate::analyse::builtin::BuiltinRules::default();
        let (rules, stages) = (builtin.proposal_rules(), &builtin.stages);
        let masked = wikitext::mask(text);
        let (calls, unclosed) = wikitext::template_calls(text, &masked);
        let p = proposal::read(text, &masked, &calls, &unclosed, &rules);
        let mut facts = PageFacts::from_sections(text, &wikitext::sections(text, &masked));
        facts.pages = pages.iter().map(|(t, e)| (t.to_string(), *e)).collect();
        build(&p, stages, &facts)
    }

    #[test]
    fn evidence_ticks_items_and_open_earlier_items_carry_over() {
        let text = "{{Partnership proposal|partner=M|goal=G|stage=agreement|model=low-touch\
                    |agreement=[[Agreement/M]]|done=stakeholders}}\n\
                    == Plan ==\n<!-- empty? no: -->Scan 500 prints.\n== Agreement ==\n<!-- todo -->\n";
        let c = checklist_of(text, &[("Agreement/M", true)]).unwrap();
        assert_eq!(c.stage, "agreement");
        let state: HashMap<&str, (bool, bool)> = c
            .items
            .iter()
            .map(|i| (i.id.as_str(), (i.done, i.carried_over)))
            .collect();
        assert_eq!(
            state["agreement-drafted"],
            (false, false),
            "the section holds only a comment"
        );
        assert_eq!(state["agreement-linked"], (true, false));
        assert_eq!(
            state["partner-mission"],
            (false, true),
            "open item of selection carried over"
        );
        assert!(
            !state.contains_key("plan"),
            "done items of earlier stages are not repeated"
        );
        assert!(
            !state.contains_key("stakeholders"),
            "ticked by hand in `done`"
        );
        assert_eq!(
            state["community-support"],
            (false, true),
            "support is not wired yet"
        );
        // selection 4 + involvement 3 + planning 4 + agreement 2
        assert_eq!(c.total, 13);
        // goal, partner, model, plan, stakeholders, agreement-linked
        assert_eq!(c.done, 6);
        let missing = c
            .items
            .iter()
            .find(|i| i.id == "agreement-drafted")
            .unwrap();
        assert_eq!(
            missing.evidence.english(),
            "write the \"Agreement\" section (it is empty)"
        );
    }

    #[test]
    fn missing_linked_page_and_no_stage() {
        let c = checklist_of(
            "{{Partnership proposal|stage=agreement|agreement=[[Nope]]}}",
            &[("Nope", false)],
        )
        .unwrap();
        let item = c.items.iter().find(|i| i.id == "agreement-linked").unwrap();
        assert!(!item.done);
        assert_eq!(item.evidence.english(), "[[Nope]] does not exist yet");
        assert!(checklist_of("{{Partnership proposal|stage=halfway}}", &[]).is_none());
    }
}
