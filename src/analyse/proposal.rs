//! A proposal: the first `{{Partnership proposal}}` call of a page, its parameters checked by
//! type, and every problem found, each naming the parameter and what is expected.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use serde::Serialize;

use super::message::Message;
use super::principles::Principles;
use super::stages::Stages;
use super::wikitext::{self, TemplateCall};

/// The type of a template parameter, which decides how its value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// One of a fixed list (stage values come from the stage definitions).
    Enum(&'static [&'static str]),
    Stage,
    Date,
    Number,
    /// A whole number from 1 to 5 (survey-style ratings).
    Scale,
    /// A percentage from 0 to 100.
    Percent,
    Url,
    /// A wikilink or an external link.
    Link,
    /// Comma-separated user names or user links.
    Users,
    /// Comma-separated checklist item ids (`manual` evidence).
    ItemIds,
}

pub struct ParamSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// What to write, for problem messages.
    pub hint: &'static str,
}

impl ParamSpec {
    /// [`ParamSpec::hint`] as a message (`hint-NAME`), for problem messages.
    pub fn hint(&self) -> Message {
        Message {
            default: Some(self.hint.to_owned()),
            ..Message::new(&format!("hint-{}", self.name))
        }
    }
}

/// The parameters of `{{Partnership proposal}}`: the contract with the template's TemplateData.
pub const PARAMS: &[ParamSpec] = &[
    spec("partner", Kind::Text, true, "the partner's name"),
    spec(
        "partner_type",
        Kind::Enum(&["organization", "individual"]),
        true,
        "organization or individual",
    ),
    spec(
        "partner_url",
        Kind::Url,
        false,
        "the partner's website, starting with https://",
    ),
    spec(
        "mission",
        Kind::Text,
        false,
        "the partner's mission and how it aligns",
    ),
    spec(
        "model",
        Kind::Enum(&["low-touch", "high-touch"]),
        false,
        "low-touch or high-touch",
    ),
    spec(
        "capacity",
        Kind::Number,
        false,
        "partner hours per month, a number such as 20",
    ),
    spec(
        "interests",
        Kind::Text,
        false,
        "the partner's current initiatives",
    ),
    spec("goal", Kind::Text, false, "the partnership's goal"),
    spec(
        "community",
        Kind::Text,
        false,
        "the leading community or affiliate",
    ),
    spec(
        "contact",
        Kind::Users,
        true,
        "the proposers' user names, separated by commas",
    ),
    spec("stage", Kind::Stage, true, "one of the stages"),
    spec(
        "start",
        Kind::Date,
        false,
        "a date written YYYY-MM-DD, e.g. 2026-03-01",
    ),
    spec(
        "support_closes",
        Kind::Date,
        false,
        "a date written YYYY-MM-DD, e.g. 2026-03-01",
    ),
    spec(
        "duration",
        Kind::Number,
        false,
        "a number of months such as 6",
    ),
    spec(
        "agreement",
        Kind::Link,
        false,
        "a link to the agreement: [[Page]] or https://...",
    ),
    spec(
        "outcome_targets",
        Kind::Text,
        false,
        "the targets the partnership is measured against",
    ),
    spec(
        "leader_confidence_before",
        Kind::Scale,
        false,
        "the project leader's confidence before the partnership, from 1 to 5",
    ),
    spec(
        "leader_confidence_after",
        Kind::Scale,
        false,
        "the project leader's confidence after the partnership, from 1 to 5",
    ),
    spec(
        "leader_motivation_before",
        Kind::Scale,
        false,
        "the project leader's motivation before the partnership, from 1 to 5",
    ),
    spec(
        "leader_motivation_after",
        Kind::Scale,
        false,
        "the project leader's motivation after the partnership, from 1 to 5",
    ),
    spec(
        "approval_target",
        Kind::Percent,
        false,
        "the share of survey responses rating 4 or 5 needed, a percentage such as 70",
    ),
    spec(
        "evaluation",
        Kind::Link,
        false,
        "a link to the evaluation or results: [[Page]], [[#Results]] or https://...",
    ),
    spec(
        "status",
        Kind::Enum(&["active", "paused", "terminated", "completed"]),
        false,
        "active, paused, terminated or completed",
    ),
    spec(
        "done",
        Kind::ItemIds,
        false,
        "ids of checklist items done by hand, separated by commas",
    ),
];

const fn spec(name: &'static str, kind: Kind, required: bool, hint: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        kind,
        required,
        hint,
    }
}

pub fn param_names() -> Vec<&'static str> {
    PARAMS.iter().map(|p| p.name).collect()
}

/// Settings for reading proposals, fixed for a run.
pub struct ProposalRules<'a> {
    /// Normalised names that call the template: its own and its redirects'.
    pub template_names: HashSet<String>,
    /// Per parameter: lower-case alias -> canonical value.
    pub aliases: &'a HashMap<String, HashMap<String, String>>,
    pub stages: &'a Stages,
    pub principles: &'a Principles,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The parameter concerned, if any.
    pub param: Option<String>,
    pub message: Message,
}

impl Problem {
    pub fn about(param: &str, message: Message) -> Self {
        Problem {
            param: Some(param.to_owned()),
            message,
        }
    }
    pub fn page(message: Message) -> Self {
        Problem {
            param: None,
            message,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Proposal {
    /// Every named parameter as written (last one wins), trimmed, comments removed.
    pub params: BTreeMap<String, String>,
    /// Valid enum values in canonical form (after aliases), keyed by parameter.
    #[serde(skip)]
    pub canonical: BTreeMap<String, String>,
    /// The stage id when `stage` is valid.
    pub stage: Option<String>,
    pub problems: Vec<Problem>,
    /// Where the proposal's template call is in the page text.
    #[serde(skip)]
    pub template_range: Option<Range<usize>>,
}

impl Proposal {
    /// A parameter's value if given and not empty (enums in canonical form).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.canonical
            .get(name)
            .or_else(|| self.params.get(name))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// User names listed in `contact`.
    pub fn contacts(&self) -> Vec<String> {
        self.value("contact").map(users).unwrap_or_default()
    }

    /// Item ids listed in `done`.
    pub fn done_ids(&self) -> Vec<String> {
        self.value("done").map(item_ids).unwrap_or_default()
    }
}

/// MediaWiki's template-name normalisation: optional `Template:` prefix, `_` as space, runs of
/// spaces collapsed, first letter upper-case. None for things that are not template calls.
pub fn normalize_template_name(name: &str) -> Option<String> {
    let name = name.replace('_', " ");
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = name.to_lowercase();
    if name.is_empty()
        || name.starts_with(['#', ':', '{'])
        || ["subst:", "safesubst:", "msgnw:", "msg:", "raw:"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let rest = match lower.strip_prefix("template:") {
        Some(_) => name["template:".len()..].trim_start(),
        None => name.as_str(),
    };
    let mut chars = rest.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Reads the proposal of a page from its wikitext.
pub fn read(
    text: &str,
    masked: &str,
    calls: &[TemplateCall],
    unclosed: &[usize],
    rules: &ProposalRules,
) -> Proposal {
    let mut ours = calls.iter().filter(|c| {
        normalize_template_name(&c.name).is_some_and(|n| rules.template_names.contains(&n))
    });
    let Some(first) = ours.next() else {
        let mut proposal = Proposal::default();
        let opened = unclosed.iter().find(|&&at| {
            let name = masked[at + 2..]
                .split(['|', '}', '\n'])
                .next()
                .unwrap_or_default();
            normalize_template_name(name).is_some_and(|n| rules.template_names.contains(&n))
        });
        proposal.problems.push(Problem::page(match opened {
            // Quoted, not located by line: the bot's own regions move lines, and the report
            // must not change when only they do.
            Some(&at) => Message::new("problem-unclosed-template").arg(opening(text, at)),
            None => Message::new("problem-no-template"),
        }));
        return proposal;
    };
    let mut proposal = Proposal {
        template_range: Some(first.range.clone()),
        ..Default::default()
    };
    for extra in ours {
        proposal.problems.push(Problem::page(
            Message::new("problem-second-template").arg(opening(text, extra.range.start)),
        ));
    }
    collect_params(first, &mut proposal);
    check_params(&mut proposal, rules);
    rules.principles.check(&mut proposal, rules.stages);
    proposal
}

/// The first 40 characters of the line from `at`, to quote where something starts.
fn opening(text: &str, at: usize) -> String {
    let rest = text.get(at..).unwrap_or_default();
    let line = rest.split('\n').next().unwrap_or_default();
    let mut quoted: String = line.chars().take(40).collect();
    if quoted.len() < line.len() {
        quoted.push('…');
    }
    quoted
}

fn collect_params(call: &TemplateCall, proposal: &mut Proposal) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for p in &call.params {
        let Some(name) = p.name.as_deref() else {
            if !p.value.is_empty() {
                proposal.problems.push(Problem::page(
                    Message::new("problem-unnamed-param")
                        .arg(p.value.chars().take(60).collect::<String>()),
                ));
            }
            continue;
        };
        *seen.entry(name).or_default() += 1;
        proposal.params.insert(name.to_owned(), p.value.clone());
    }
    let mut duplicates: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    duplicates.sort();
    for (name, n) in duplicates {
        proposal.problems.push(Problem::about(
            name,
            Message::new("problem-duplicate-param")
                .arg(name)
                .arg(n.to_string()),
        ));
    }
}

fn check_params(proposal: &mut Proposal, rules: &ProposalRules) {
    let known: HashMap<&str, &ParamSpec> = PARAMS.iter().map(|p| (p.name, p)).collect();
    let mut problems = Vec::new();
    for (name, value) in &proposal.params {
        let Some(spec) = known.get(name.as_str()) else {
            let suggestion = PARAMS
                .iter()
                .map(|p| (strsim::levenshtein(name, p.name), p.name))
                .min()
                .filter(|(d, _)| *d <= 2);
            let message = match suggestion {
                Some((_, n)) => Message::new("problem-unknown-param-suggest")
                    .arg(name.as_str())
                    .arg(n),
                None => Message::new("problem-unknown-param").arg(name.as_str()),
            };
            problems.push(Problem::about(name, message));
            continue;
        };
        if value.is_empty() {
            continue;
        }
        match check_value(spec, value, rules) {
            Ok(Some(canonical)) => {
                if spec.kind == Kind::Stage {
                    proposal.stage = Some(canonical.clone());
                }
                proposal.canonical.insert(name.clone(), canonical);
            }
            Ok(None) => {}
            Err(expected) => problems.push(Problem::about(
                name,
                Message::new("problem-invalid-value")
                    .arg(name.as_str())
                    .arg(shorten(value))
                    .with(expected),
            )),
        }
    }
    for spec in PARAMS.iter().filter(|s| s.required) {
        if proposal.params.get(spec.name).is_none_or(|v| v.is_empty()) {
            problems.push(Problem::about(
                spec.name,
                Message::new("problem-required-missing")
                    .arg(spec.name)
                    .with(spec.hint()),
            ));
        }
    }
    for id in proposal.done_ids() {
        if !rules.stages.is_item(&id) {
            problems.push(Problem::about(
                "done",
                Message::new("problem-done-not-an-item").arg(shorten(&id)),
            ));
        }
    }
    proposal.problems.extend(problems);
}

fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    let flat = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        flat
    } else {
        flat.chars().take(MAX).chain("…".chars()).collect()
    }
}

/// Ok(Some(canonical)) for enums, Ok(None) for other valid values, Err(expected) otherwise.
fn check_value(
    spec: &ParamSpec,
    value: &str,
    rules: &ProposalRules,
) -> Result<Option<String>, Message> {
    let enum_value = |allowed: &mut dyn Iterator<Item = &str>| -> Result<Option<String>, Message> {
        let lower = value.to_lowercase();
        let lower = rules
            .aliases
            .get(spec.name)
            .and_then(|a| a.get(&lower))
            .map(|c| c.to_lowercase())
            .unwrap_or(lower);
        let allowed: Vec<&str> = allowed.collect();
        match allowed.iter().find(|a| a.to_lowercase() == lower) {
            Some(a) => Ok(Some((*a).to_owned())),
            None => Err(Message::new("problem-expected-one-of").arg(allowed.join(", "))),
        }
    };
    match spec.kind {
        Kind::Text => Ok(None),
        Kind::Enum(allowed) => enum_value(&mut allowed.iter().copied()),
        Kind::Stage => enum_value(&mut rules.stages.ids()),
        Kind::Date => {
            let shape =
                value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
            match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(_) if shape => Ok(None),
                _ => Err(spec.hint()),
            }
        }
        Kind::Number => match value.replace(',', "").parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Ok(None),
            _ => Err(spec.hint()),
        },
        Kind::Scale => match value.parse::<u8>() {
            Ok(1..=5) => Ok(None),
            _ => Err(spec.hint()),
        },
        Kind::Percent => match percent(value) {
            Some(_) => Ok(None),
            None => Err(spec.hint()),
        },
        Kind::Url => match url::Url::parse(value) {
            Ok(u)
                if matches!(u.scheme(), "http" | "https")
                    && !value.contains(char::is_whitespace) =>
            {
                Ok(None)
            }
            _ => Err(spec.hint()),
        },
        Kind::Link => match link_target(value) {
            Some(_) => Ok(None),
            None => Err(spec.hint()),
        },
        Kind::Users => {
            if users(value).is_empty() {
                Err(spec.hint())
            } else {
                Ok(None)
            }
        }
        Kind::ItemIds => Ok(None),
    }
}

/// `70`, `70%` or `66.5 %` -> the percentage, if from 0 to 100.
pub fn percent(value: &str) -> Option<f64> {
    let n: f64 = value.trim().trim_end_matches('%').trim_end().parse().ok()?;
    (n.is_finite() && (0.0..=100.0).contains(&n)).then_some(n)
}

/// Where a link value points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Page(String),
    /// `[[#Section]]`: a section of the page itself.
    Section(String),
    External(String),
}

/// `[[Page|text]]`, `[[Page]]`, `https://x`, `[https://x text]` -> the target.
pub fn link_target(value: &str) -> Option<LinkTarget> {
    let v = value.trim();
    if let Some(inner) = v.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
        let target = inner.split('|').next().unwrap_or_default().trim();
        if target.contains(['[', ']', '{', '}']) {
            return None;
        }
        let (page, section) = target.split_once('#').unwrap_or((target, ""));
        let page = page.trim().trim_start_matches(':');
        return match (page.is_empty(), section.trim().is_empty()) {
            (false, _) => Some(LinkTarget::Page(page.to_owned())),
            (true, false) => Some(LinkTarget::Section(section.trim().to_owned())),
            (true, true) => None,
        };
    }
    let url = v
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .map(|r| r.split_whitespace().next().unwrap_or_default())
        .unwrap_or(v);
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && !url.contains(char::is_whitespace) => {
            Some(LinkTarget::External(url.to_owned()))
        }
        _ => None,
    }
}

/// `Ana Lopes, [[User:Rui Costa|Rui]]` -> ["Ana Lopes", "Rui Costa"].
pub fn users(value: &str) -> Vec<String> {
    let masked = wikitext::mask(value);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = masked.as_bytes();
    let mut parts = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    for part in parts {
        let part = wikitext::clean(part);
        let name = match part.strip_prefix("[[") {
            Some(link) => {
                let target = link.split(['|', ']']).next().unwrap_or_default();
                let (ns, name) = target.split_once(':').unwrap_or(("", target));
                if ns.trim().eq_ignore_ascii_case("user") {
                    name.trim().to_owned()
                } else {
                    continue;
                }
            }
            None => part,
        };
        let name = name.replace('_', " ");
        if !name.is_empty() && !name.contains(['[', ']', '{', '}', '|', '<', '>']) {
            out.push(name);
        }
    }
    out
}

fn item_ids(value: &str) -> Vec<String> {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
