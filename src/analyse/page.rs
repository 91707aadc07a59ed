//! One proposal page, analysed: the proposal read from its wikitext, the facts its checklist
//! needs, and the checklist itself once the fetch layer has said which linked pages exist.

use std::collections::HashMap;

use super::checklist::{self, Checklist, PageFacts};
use super::proposal::{self, LinkTarget, Proposal, ProposalRules, link_target};
use super::stages::{Evidence, Stages};
use super::survey::{Survey, SurveyRules};
use super::tally::{self, LineRules, SignatureRules, Tally, VoteLine};
use super::wikitext;

#[derive(Debug, Clone)]
pub struct PageAnalysis {
    pub proposal: Proposal,
    pub facts: PageFacts,
    pub checklist: Option<Checklist>,
    /// The community-support section's vote lines (None: the page has no such section).
    pub votes: Option<Vec<VoteLine>>,
    pub tally: Option<Tally>,
    /// Lines whose history is verified, written back into the tally region.
    pub verified: tally::Verified,
    /// The evaluation survey's lines, read from the survey's first stage on (else None).
    pub survey_lines: Option<Vec<VoteLine>>,
    /// The counted survey: set by the caller before [`complete`].
    pub survey: Option<Survey>,
    /// Survey lines whose history is verified, written back into the survey region.
    pub survey_verified: tally::Verified,
}

/// How vote lines are found and signatures read (fixed for a run).
pub struct VoteRules<'a> {
    pub lines: &'a LineRules,
    pub signatures: &'a SignatureRules,
    pub survey: &'a SurveyRules,
}

/// First phase: read the page. The result names the linked pages whose existence matters and
/// the voters whose accounts matter.
pub fn read(text: &str, rules: &ProposalRules, votes: &VoteRules) -> PageAnalysis {
    // The page as the humans wrote it: what stands in the bot's regions is the bot's.
    let masked = wikitext::mask_without_regions(text);
    let (calls, unclosed) = wikitext::template_calls(text, &masked);
    let proposal = proposal::read(text, &masked, &calls, &unclosed, rules);
    let mut sections = wikitext::sections(text, &masked);
    // A heading written inside a template's parameter is part of that value, not a section.
    sections.retain(|s| !calls.iter().any(|c| c.range.contains(&s.heading.start)));
    let facts = PageFacts::from_sections(text, &sections);
    let survey_lines = survey_applies(&proposal, rules.stages, votes.survey)
        .then(|| {
            super::survey::read_lines(
                text,
                &masked,
                &sections,
                votes.survey,
                votes.lines,
                votes.signatures,
            )
        })
        .flatten();
    let votes = tally::lines::vote_lines(text, &masked, &sections, votes.lines, votes.signatures)
        .map(|(_, lines)| lines);
    PageAnalysis {
        survey_lines,
        survey: None,
        survey_verified: tally::Verified::default(),
        proposal,
        facts,
        checklist: None,
        votes,
        tally: None,
        verified: tally::Verified::default(),
    }
}

/// Whether the proposal's stage is the survey's first stage or a later one.
fn survey_applies(proposal: &Proposal, stages: &Stages, rules: &SurveyRules) -> bool {
    let at = |id: &str| stages.index_of(id);
    match (
        proposal.stage.as_deref().and_then(at),
        at(&rules.from_stage),
    ) {
        (Some(stage), Some(from)) => stage >= from,
        _ => false,
    }
}

/// The proposal's own approval target, when it gives a valid one.
pub fn approval_target(proposal: &Proposal) -> Option<f64> {
    proposal
        .value("approval_target")
        .and_then(super::proposal::percent)
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

/// Second phase: the tally (when the page has a support section and `tally` is given) and
/// the checklist, given which linked pages exist.
pub fn complete(
    mut analysis: PageAnalysis,
    stages: &Stages,
    pages: &HashMap<String, bool>,
    tally: Option<Tally>,
) -> PageAnalysis {
    for page in linked_pages(&analysis, stages) {
        let exists = pages.get(&page).copied().unwrap_or(false);
        analysis.facts.pages.insert(page, exists);
    }
    analysis.facts.support_secured = tally.as_ref().is_some_and(Tally::secured);
    analysis.facts.survey = analysis.survey.as_ref().map(|s| checklist::SurveyFacts {
        met: s.met,
        responses: s.responses.len(),
        min_responses: s.min_responses,
        target_percent: s.target_percent,
        process_percent: s.process.approve_percent,
        outcomes_percent: s.outcomes.approve_percent,
    });
    analysis.tally = tally;
    analysis.checklist = checklist::build(&analysis.proposal, stages, &analysis.facts);
    analysis
}

/// The support period: it opens with the first signed vote (the proposal has no opening date)
/// and closes at the end of `support_closes`.
pub fn period(proposal: &Proposal, votes: &[VoteLine]) -> tally::Period {
    let closes = proposal
        .value("support_closes")
        .and_then(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    let start = votes
        .iter()
        .filter_map(|v| v.signature.as_ref().map(|s| s.at.date()))
        .min();
    tally::Period { start, closes }
}
