//! The index of the partnerships effort: learning patterns, case studies, proposals and the
//! communities that signed up, as rows of four lists. Pure: pages' text and facts in, rows out.
//!
//! A row is a map from the row template's parameter names to values. Text cells hold plain
//! text (made inert when rendered); wiki cells hold wikitext the bot built itself from titles.

pub mod plain;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, NaiveDateTime};

use super::page::PageAnalysis;
use super::proposal::{LinkTarget, link_target, normalize_template_name};
use super::stages::Stages;
use super::tally::lines::{Position, section_lines};
use super::tally::signature::SignatureRules;
use super::tally::{LineRules, Tally, VoteLine, count};
use super::wikitext::{self, TemplateCall};
use plain::plain;

/// One row: row-template parameter -> value.
pub type Row = BTreeMap<String, String>;

/// The four lists the bot keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListKind {
    LearningPatterns,
    CaseStudies,
    Proposals,
    Communities,
}

/// Whether a cell is copied text (made inert when written) or wikitext the bot built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Text,
    Wiki,
}

impl ListKind {
    pub const ALL: [ListKind; 4] = [
        ListKind::LearningPatterns,
        ListKind::CaseStudies,
        ListKind::Proposals,
        ListKind::Communities,
    ];

    /// The region's kind: `<!-- partnerbot:index-learning-patterns ... -->`.
    pub fn region_kind(self) -> &'static str {
        match self {
            ListKind::LearningPatterns => "index-learning-patterns",
            ListKind::CaseStudies => "index-case-studies",
            ListKind::Proposals => "index-proposals",
            ListKind::Communities => "index-communities",
        }
    }

    /// `Template:Partnership index/<name> header|row`.
    pub fn template(self) -> &'static str {
        match self {
            ListKind::LearningPatterns => "learning pattern",
            ListKind::CaseStudies => "case study",
            ListKind::Proposals => "proposal",
            ListKind::Communities => "community",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListKind::LearningPatterns => "learning patterns",
            ListKind::CaseStudies => "case studies",
            ListKind::Proposals => "proposals",
            ListKind::Communities => "interested communities",
        }
    }

    /// The row template's parameters, in the order they are written.
    pub fn schema(self) -> &'static [(&'static str, Cell)] {
        use Cell::{Text, Wiki};
        match self {
            ListKind::LearningPatterns => &[
                ("title", Text),
                ("problem", Text),
                ("solution", Text),
                ("creator", Text),
                ("created", Text),
                ("updated", Text),
                ("endorsements", Text),
            ],
            ListKind::CaseStudies => &[
                ("page", Text),
                ("partner", Text),
                ("partner_type", Text),
                ("community", Text),
                ("model", Text),
                ("start", Text),
                ("end", Text),
                ("outcome_targets", Text),
                ("evaluation", Wiki),
                ("support", Text),
                ("oppose", Text),
                ("neutral", Text),
                ("learning_patterns", Wiki),
            ],
            ListKind::Proposals => &[
                ("page", Text),
                ("partner", Text),
                ("stage", Text),
                ("done", Text),
                ("total", Text),
                ("support", Text),
                ("oppose", Text),
                ("neutral", Text),
                ("status", Text),
                ("problems", Text),
                ("last_change", Text),
            ],
            ListKind::Communities => &[("community", Text), ("user", Text), ("signed", Text)],
        }
    }

    /// The key that orders rows and identifies a page's row (sign-ups: time, user, community).
    pub fn key(self, row: &Row) -> String {
        let get = |k: &str| row.get(k).map(String::as_str).unwrap_or_default();
        match self {
            ListKind::LearningPatterns => get("title").to_owned(),
            ListKind::CaseStudies | ListKind::Proposals => get("page").to_owned(),
            ListKind::Communities => {
                format!(
                    "{}\u{1f}{}\u{1f}{}",
                    get("signed"),
                    get("user"),
                    get("community")
                )
            }
        }
    }
}

/// How a learning pattern's page is read.
#[derive(Debug, Clone)]
pub struct PatternFields {
    /// Normalised infobox template names.
    pub infobox: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub creator: String,
    pub endorsement_sections: Vec<String>,
}

/// What the index needs from a learning pattern's page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternFacts {
    pub has_infobox: bool,
    pub problem: String,
    pub solution: String,
    /// From the infobox; None: use the page's first author.
    pub creator: Option<String>,
    pub endorsements: Vec<VoteLine>,
    /// Pages it links to (normalised as [`link_title`] does).
    pub links: BTreeSet<String>,
}

/// Reads a learning pattern. A page without the infobox (or with a broken one: an unclosed
/// `{{`) still yields its endorsements and links.
pub fn read_pattern(
    text: &str,
    fields: &PatternFields,
    lines: &LineRules,
    signatures: &SignatureRules,
) -> PatternFacts {
    let masked = wikitext::mask(text);
    let (calls, _) = wikitext::template_calls(text, &masked);
    let infobox = calls.iter().find(|c| is_one_of(c, &fields.infobox));
    let param = |name: &str| infobox.and_then(|c| param(c, name)).unwrap_or_default();
    let creator = infobox
        .and_then(|c| param_raw(c, &fields.creator))
        .and_then(|v| super::proposal::users(v).into_iter().next());
    let sections = wikitext::sections(text, &masked);
    let endorsements = section_lines(
        text,
        &masked,
        &sections,
        &fields.endorsement_sections,
        Position::Support,
        lines,
        signatures,
    )
    .map(|(_, l)| l)
    .unwrap_or_default();
    PatternFacts {
        has_infobox: infobox.is_some(),
        problem: plain(&param(&fields.problem)),
        solution: plain(&param(&fields.solution)),
        creator,
        endorsements,
        links: links(text, &masked),
    }
}

/// The learning-pattern row. `first` is the page's first revision (timestamp, author);
/// `endorsements` the tally of its endorsement section.
pub fn pattern_row(
    title: &str,
    facts: &PatternFacts,
    first: Option<(&str, &str)>,
    updated: Option<&str>,
    endorsements: Option<&Tally>,
) -> Row {
    let creator = facts
        .creator
        .clone()
        .or_else(|| first.map(|(_, user)| user.to_owned()))
        .unwrap_or_default();
    row([
        ("title", title.to_owned()),
        ("problem", facts.problem.clone()),
        ("solution", facts.solution.clone()),
        ("creator", creator),
        ("created", first.map(|(at, _)| day(at)).unwrap_or_default()),
        ("updated", updated.map(day).unwrap_or_default()),
        (
            "endorsements",
            endorsements.map_or(0, |t| t.totals.support).to_string(),
        ),
    ])
}

/// `2026-03-04T10:12:00Z` -> `2026-03-04`.
fn day(timestamp: &str) -> String {
    timestamp.get(..10).unwrap_or(timestamp).to_owned()
}

/// The endorsement count: the tally rules over the endorsement lines, without a closing date.
pub fn endorsement_tally(
    lines: &[VoteLine],
    accounts: &std::collections::HashMap<String, super::tally::Account>,
    rules: &super::tally::CountRules,
    now: NaiveDateTime,
) -> Tally {
    count::count(
        lines,
        accounts,
        &super::tally::History::default(),
        super::tally::Period::default(),
        rules,
        now,
    )
}

/// What the index keeps of one proposal after its reconcile: enough for its dashboard row and
/// its case-study row, and nothing of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalEntry {
    pub title: String,
    pub params: BTreeMap<String, String>,
    pub stage: Option<String>,
    /// Stage index in the process, for "evaluation or later".
    pub stage_index: Option<usize>,
    pub status: Option<String>,
    pub progress: Option<(usize, usize)>,
    pub tally: Option<(usize, usize, usize)>,
    pub problems: usize,
    pub last_change: String,
    pub has_results: bool,
    pub links: BTreeSet<String>,
}

/// Case-study and dashboard facts of an analysed proposal read at `timestamp`.
pub fn proposal_entry(
    title: &str,
    text: &str,
    timestamp: &str,
    analysis: &PageAnalysis,
    stages: &super::stages::Stages,
) -> ProposalEntry {
    let p = &analysis.proposal;
    let params = [
        "partner",
        "partner_type",
        "community",
        "model",
        "start",
        "duration",
        "outcome_targets",
        "evaluation",
    ]
    .iter()
    .filter_map(|k| Some(((*k).to_owned(), p.value(k)?.to_owned())))
    .collect();
    let masked = wikitext::mask(text);
    ProposalEntry {
        title: title.to_owned(),
        params,
        stage: p.stage.clone(),
        stage_index: p.stage.as_deref().and_then(|s| stages.index_of(s)),
        status: p.value("status").map(str::to_lowercase),
        progress: analysis.checklist.as_ref().map(|c| (c.done, c.total)),
        tally: analysis
            .tally
            .as_ref()
            .map(|t| (t.totals.support, t.totals.oppose, t.totals.neutral)),
        problems: p.problems.len(),
        last_change: timestamp.to_owned(),
        has_results: ["results", "evaluation"]
            .iter()
            .any(|s| analysis.facts.sections.get(*s).copied().unwrap_or(false)),
        links: links(text, &masked),
    }
}

impl ProposalEntry {
    /// Finished: status completed or terminated, or the last stage.
    pub fn ended(&self, stages: &super::stages::Stages) -> bool {
        matches!(self.status.as_deref(), Some("completed" | "terminated"))
            || self
                .stage_index
                .is_some_and(|i| i + 1 == stages.stages.len())
    }

    pub fn is_case_study(&self, from_stage: usize, statuses: &[String]) -> bool {
        self.stage_index.is_some_and(|i| i >= from_stage)
            || self.status.as_ref().is_some_and(|s| statuses.contains(s))
    }

    fn param(&self, name: &str) -> String {
        self.params.get(name).map(|v| plain(v)).unwrap_or_default()
    }

    /// The proposals-dashboard row.
    pub fn dashboard_row(&self) -> Row {
        let (done, total) = self
            .progress
            .map_or((String::new(), String::new()), |(d, t)| {
                (d.to_string(), t.to_string())
            });
        let [support, oppose, neutral] = counts(self.tally);
        // A count: the row template words it in the reader's language.
        let problems = match self.problems {
            0 => String::new(),
            n => n.to_string(),
        };
        row([
            ("page", self.title.clone()),
            ("partner", self.param("partner")),
            ("stage", self.stage.clone().unwrap_or_default()),
            ("done", done),
            ("total", total),
            ("support", support),
            ("oppose", oppose),
            ("neutral", neutral),
            ("status", self.status.clone().unwrap_or_default()),
            ("problems", problems),
            ("last_change", self.last_change.clone()),
        ])
    }

    /// The case-study row; `patterns` are the related learning patterns' titles.
    pub fn case_study_row(&self, patterns: &BTreeSet<String>) -> Row {
        let [support, oppose, neutral] = counts(self.tally);
        let evaluation = match self.params.get("evaluation").and_then(|v| link_target(v)) {
            Some(LinkTarget::Section(s)) => wiki_link(&format!("{}#{s}", self.title), "evaluation"),
            Some(target) => target_link(&target, "evaluation"),
            None if self.has_results => wiki_link(&format!("{}#Results", self.title), "results"),
            None => String::new(),
        };
        row([
            ("page", self.title.clone()),
            ("partner", self.param("partner")),
            ("partner_type", self.param("partner_type")),
            ("community", self.param("community")),
            ("model", self.param("model")),
            ("start", self.param("start")),
            ("end", self.end()),
            ("outcome_targets", self.param("outcome_targets")),
            ("evaluation", evaluation),
            ("support", support),
            ("oppose", oppose),
            ("neutral", neutral),
            ("learning_patterns", pattern_links(patterns)),
        ])
    }

    /// `start` plus `duration` months, when both are valid.
    fn end(&self) -> String {
        let start = self
            .params
            .get("start")
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let months = self
            .params
            .get("duration")
            .and_then(|d| d.trim().parse::<u32>().ok());
        match (start, months) {
            (Some(s), Some(m)) => s
                .checked_add_months(Months::new(m))
                .map(|e| e.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }
}

fn counts(tally: Option<(usize, usize, usize)>) -> [String; 3] {
    match tally {
        Some((s, o, n)) => [s.to_string(), o.to_string(), n.to_string()],
        None => Default::default(),
    }
}

/// A page calling the case-study template: its parameters and links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseStudyPage {
    pub params: BTreeMap<String, String>,
    pub links: BTreeSet<String>,
}

pub fn read_case_study(text: &str, template: &str) -> Option<CaseStudyPage> {
    let masked = wikitext::mask(text);
    let (calls, _) = wikitext::template_calls(text, &masked);
    let call = calls
        .iter()
        .find(|c| is_one_of(c, std::slice::from_ref(&template.to_owned())))?;
    let params = call
        .params
        .iter()
        .filter_map(|p| Some((p.name.clone()?, wikitext::clean(&p.value))))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Some(CaseStudyPage {
        params,
        links: links(text, &masked),
    })
}

impl CaseStudyPage {
    /// The proposal it names, normalised like a link.
    pub fn proposal(&self) -> Option<String> {
        self.params.get("proposal").and_then(|p| link_title(p))
    }

    /// Learning patterns named in `learning_patterns` (comma-separated titles or links).
    pub fn named_patterns(&self) -> BTreeSet<String> {
        let Some(value) = self.params.get("learning_patterns") else {
            return BTreeSet::new();
        };
        let masked = wikitext::mask(value);
        let linked = links(value, &masked);
        if !linked.is_empty() {
            return linked;
        }
        value.split(',').filter_map(link_title).collect()
    }

    /// Its case-study row; empty cells are filled from the proposal it names.
    pub fn row(
        &self,
        title: &str,
        proposal: Option<&ProposalEntry>,
        patterns: &BTreeSet<String>,
    ) -> Row {
        let mut out = proposal
            .map(|p| p.case_study_row(patterns))
            .unwrap_or_default();
        out.insert("page".into(), title.to_owned());
        for name in [
            "partner",
            "partner_type",
            "community",
            "model",
            "start",
            "end",
            "outcome_targets",
        ] {
            if let Some(v) = self.params.get(name) {
                out.insert(name.into(), plain(v));
            }
        }
        if let Some(target) = self.params.get("evaluation").and_then(|v| link_target(v)) {
            let target = match target {
                LinkTarget::Section(s) => LinkTarget::Page(format!("{title}#{s}")),
                t => t,
            };
            out.insert("evaluation".into(), target_link(&target, "evaluation"));
        }
        out.insert("learning_patterns".into(), pattern_links(patterns));
        for (name, _) in ListKind::CaseStudies.schema() {
            out.entry((*name).to_owned()).or_default();
        }
        out
    }
}

/// The dashboard: every proposal that has not ended, keyed by title.
pub fn dashboard_rows(entries: &[ProposalEntry], stages: &Stages) -> BTreeMap<String, Row> {
    entries
        .iter()
        .filter(|e| !e.ended(stages))
        .map(|e| (e.title.clone(), e.dashboard_row()))
        .collect()
}

/// Which learning patterns relate to a page: those it links to, and those that link to it.
/// `patterns` maps each pattern's title to the pages it links to.
pub fn related_patterns(
    title: &str,
    links: &BTreeSet<String>,
    patterns: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    patterns
        .iter()
        .filter(|(lp, lp_links)| links.contains(*lp) || lp_links.contains(title))
        .map(|(lp, _)| lp.clone())
        .collect()
}

/// The case studies: proposals from `from_stage` on or with one of `statuses`, and pages
/// calling the case-study template. A case-study page that names a proposal replaces that
/// proposal's own row (one row per partnership).
pub fn case_study_rows(
    entries: &[ProposalEntry],
    pages: &[(String, CaseStudyPage)],
    patterns: &BTreeMap<String, BTreeSet<String>>,
    from_stage: usize,
    statuses: &[String],
) -> BTreeMap<String, Row> {
    let by_title: BTreeMap<&str, &ProposalEntry> =
        entries.iter().map(|e| (e.title.as_str(), e)).collect();
    let covered: BTreeSet<String> = pages.iter().filter_map(|(_, p)| p.proposal()).collect();
    let mut out = BTreeMap::new();
    for e in entries {
        if e.is_case_study(from_stage, statuses) && !covered.contains(&e.title) {
            let related = related_patterns(&e.title, &e.links, patterns);
            out.insert(e.title.clone(), e.case_study_row(&related));
        }
    }
    for (title, page) in pages {
        let proposal = page.proposal();
        let entry = proposal.as_deref().and_then(|p| by_title.get(p).copied());
        let mut related = related_patterns(title, &page.links, patterns);
        related.extend(page.named_patterns());
        if let Some(e) = entry {
            related.extend(related_patterns(&e.title, &e.links, patterns));
        }
        out.insert(title.clone(), page.row(title, entry, &related));
    }
    out
}

/// One signed line of the sign-up section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    pub community: String,
    pub user: String,
    pub signed: Option<NaiveDateTime>,
}

/// The sign-ups: top-level list items with a signature (or an `{{unsigned}}` naming the user),
/// not struck. Replies (`**`, `:`, `#:`) are not sign-ups. The community is the line's text
/// before the signature.
pub fn signups(
    text: &str,
    section: &str,
    lines: &LineRules,
    signatures: &SignatureRules,
) -> Vec<SignUp> {
    let masked = wikitext::mask(text);
    let sections = wikitext::sections(text, &masked);
    let Some((_, found)) = section_lines(
        text,
        &masked,
        &sections,
        &[section.to_owned()],
        Position::Support,
        lines,
        signatures,
    ) else {
        return Vec::new();
    };
    found
        .iter()
        .filter(|l| !l.struck)
        .filter_map(|l| {
            let user = l.voter()?.to_owned();
            let before = match &l.signature {
                // The signature starts at its first link to the signer (user page, talk...).
                Some(s) => {
                    let head = &l.text[..s.range.start.min(l.text.len())];
                    let first = signatures
                        .user_links(head)
                        .into_iter()
                        .find(|(_, u)| *u == s.user)
                        .map_or(head.len(), |(r, _)| r.start);
                    &head[..first]
                }
                None => {
                    let cut = l
                        .text
                        .to_lowercase()
                        .find("{{unsigned")
                        .unwrap_or(l.text.len());
                    &l.text[..cut]
                }
            };
            let community = plain(before.trim_start_matches(['*', '#']))
                .trim_end_matches(['-', '–', '—', ':', ',', ' '])
                .trim()
                .to_owned();
            Some(SignUp {
                community,
                user,
                signed: l.signature.as_ref().map(|s| s.at),
            })
        })
        .collect()
}

pub fn community_row(signup: &SignUp) -> Row {
    row([
        ("community", signup.community.clone()),
        ("user", signup.user.clone()),
        (
            "signed",
            signup
                .signed
                .map(|at| at.format("%Y-%m-%dT%H:%M:00Z").to_string())
                .unwrap_or_default(),
        ),
    ])
}

fn row<const N: usize>(cells: [(&str, String); N]) -> Row {
    cells.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn is_one_of(call: &TemplateCall, names: &[String]) -> bool {
    normalize_template_name(&call.name).is_some_and(|n| names.contains(&n))
}

fn param_raw<'a>(call: &'a TemplateCall, name: &str) -> Option<&'a str> {
    call.params
        .iter()
        .rev()
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| p.value.as_str())
}

fn param(call: &TemplateCall, name: &str) -> Option<String> {
    param_raw(call, name).map(wikitext::clean)
}

/// The titles of the page's wikilinks (`[[A]]`, `[[A|b]]`, `[[A#s]]`), normalised.
fn links(text: &str, masked: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = masked;
    let mut offset = 0;
    while let Some(start) = rest.find("[[") {
        let from = offset + start + 2;
        let Some(len) = masked[from..].find("]]") else {
            break;
        };
        let inner = &text[from..from + len];
        if let Some(title) = link_title(inner.split('|').next().unwrap_or_default()) {
            out.insert(title);
        }
        offset = from + len + 2;
        rest = &masked[offset..];
    }
    out
}

/// A link target as MediaWiki would title it: `_` as space, spaces collapsed, first letter
/// upper-case, section dropped. None for section-only, relative or odd targets.
pub fn link_title(target: &str) -> Option<String> {
    let target = target.trim().trim_start_matches(':');
    let target = target.split('#').next()?.replace('_', " ");
    let target = target.split_whitespace().collect::<Vec<_>>().join(" ");
    if target.is_empty()
        || target.starts_with('/')
        || target.contains(['[', ']', '{', '}', '|', '<', '>', '~', '\n'])
    {
        return None;
    }
    let mut chars = target.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// `[[Title|label]]` when the title is safe to write as a link, else nothing.
fn wiki_link(title: &str, label: &str) -> String {
    let (page, section) = title.split_once('#').unwrap_or((title, ""));
    match link_title(page) {
        Some(page) if !section.contains(['[', ']', '{', '}', '|', '<', '>', '~', '\n']) => {
            let anchor = if section.is_empty() {
                String::new()
            } else {
                format!("#{section}")
            };
            format!("[[{page}{anchor}|{label}]]")
        }
        _ => String::new(),
    }
}

fn target_link(target: &LinkTarget, label: &str) -> String {
    match target {
        LinkTarget::Page(p) => wiki_link(p, label),
        LinkTarget::Section(_) => String::new(),
        LinkTarget::External(url)
            if !url.contains([' ', '[', ']', '{', '}', '|', '<', '>', '~', '\'']) =>
        {
            format!("[{url} {label}]")
        }
        LinkTarget::External(_) => String::new(),
    }
}

/// `[[Learning patterns/A|A]], [[Learning patterns/B|B]]`.
fn pattern_links(patterns: &BTreeSet<String>) -> String {
    patterns
        .iter()
        .filter_map(|t| {
            let label = t.rsplit('/').next().unwrap_or(t);
            let link = wiki_link(t, label);
            (!link.is_empty()).then_some(link)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
