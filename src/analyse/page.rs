//! One proposal page, analysed: the proposal read from its wikitext, the facts its checklist
//! needs, and the checklist itself once the fetch layer has said which linked pages exist.

use std::collections::HashMap;

use super::checklist::{self, Checklist, PageFacts};
use super::proposal::{self, LinkTarget, Proposal, ProposalRules, link_target};
use super::stages::{Evidence, Stages};
use super::wikitext;

#[derive(Debug, Clone)]
pub struct PageAnalysis {
    pub proposal: Proposal,
    pub facts: PageFacts,
    pub checklist: Option<Checklist>,
}

/// First phase: read the page. The result names the linked pages whose existence matters.
pub fn read(text: &str, rules: &ProposalRules) -> PageAnalysis {
    let masked = wikitext::mask(text);
    let (calls, unclosed) = wikitext::template_calls(text, &masked);
    let proposal = proposal::read(text, &masked, &calls, &unclosed, rules);
    let facts = PageFacts::from_sections(text, &wikitext::sections(text, &masked));
    PageAnalysis {
        proposal,
        facts,
        checklist: None,
    }
}

/// Pages (as linked) whose existence some checklist item depends on.
pub fn linked_pages(analysis: &PageAnalysis, stages: &Stages) -> Vec<String> {
    let mut out: Vec<String> = stages
        .stages
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|item| match &item.evidence {
            Evidence::PageExists(param) => analysis.proposal.value(param).and_then(link_target),
            _ => None,
        })
        .filter_map(|target| match target {
            LinkTarget::Page(page) => Some(page),
            LinkTarget::Section(_) | LinkTarget::External(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Second phase: the checklist, given which linked pages exist and the support verdict.
pub fn complete(
    mut analysis: PageAnalysis,
    stages: &Stages,
    pages: &HashMap<String, bool>,
    support_secured: bool,
) -> PageAnalysis {
    for page in linked_pages(&analysis, stages) {
        let exists = pages.get(&page).copied().unwrap_or(false);
        analysis.facts.pages.insert(page, exists);
    }
    analysis.facts.support_secured = support_secured;
    analysis.checklist = checklist::build(&analysis.proposal, stages, &analysis.facts);
    analysis
}
