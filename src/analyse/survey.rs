//! The evaluation survey (seed: outcome targets are "measured by ... community approval for
//! partnership process and outcomes (via survey)"). From the proposal's evaluation stage on,
//! each top-level line of the survey section is one response: a
//! `{{Partnership survey response|process=1-5|outcomes=1-5|comment=}}` call and a signature.
//! Lines are judged by the tally's rules (same voter identity, struck, unsigned, ip,
//! unknown-user, ineligible, forged, superseded); a line whose ratings are missing or outside
//! 1-5 is never counted (`invalid-response`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::message::Message;
use super::proposal::normalize_template_name;
use super::tally::count::{self, Account, CountRules, History, Period, Reason};
use super::tally::lines::{self, LineRules, Position, VoteLine};
use super::tally::{LineKey, SignatureRules, line_key};
use super::wikitext::{self, Section};

/// The community's survey rules (`[survey]` in the settings).
#[derive(Debug, Clone)]
pub struct SurveyRules {
    /// Headings of the survey section (any level), compared like the tally's headings.
    pub section_titles: Vec<String>,
    /// The response template's normalised name (first letter upper-case, spaces).
    pub response_template: String,
    /// The stage from which the survey is read (it and every later stage).
    pub from_stage: String,
    /// Percent of responses rating 4 or 5 needed on both questions (a proposal's
    /// `approval_target` overrides it).
    pub approval_target: f64,
    /// Counted responses needed before the targets can be met.
    pub min_responses: usize,
}

impl Default for SurveyRules {
    fn default() -> Self {
        SurveyRules {
            section_titles: vec!["evaluation survey".into()],
            response_template: "Partnership survey response".into(),
            from_stage: "evaluation".into(),
            approval_target: 70.0,
            min_responses: 5,
        }
    }
}

/// The two ratings of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratings {
    pub process: u8,
    pub outcomes: u8,
}

/// A counted response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    pub user: String,
    pub timestamp: String,
    pub process: u8,
    pub outcomes: u8,
}

/// A line not counted, with exactly one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredResponse {
    pub user: Option<String>,
    pub reason: Reason,
    /// What is wrong with the ratings (only for `invalid-response`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Message>,
    pub line: String,
}

/// The figures of one question.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Question {
    /// None without responses.
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Percent of responses rating 4 or 5.
    pub approve_percent: Option<f64>,
    /// How many responses gave 1, 2, 3, 4 and 5.
    pub distribution: [usize; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    pub responses: Vec<Response>,
    pub ignored: Vec<IgnoredResponse>,
    pub process: Question,
    pub outcomes: Question,
    /// The approval target applied (percent) and the responses needed.
    pub target_percent: f64,
    pub min_responses: usize,
    /// Both questions reach the target with at least `min_responses` counted responses.
    pub met: bool,
}

/// The survey section's lines (None without the section). Replies and lines inside the bot's
/// regions are not responses.
pub fn read_lines(
    text: &str,
    masked: &str,
    sections: &[Section],
    rules: &SurveyRules,
    line_rules: &LineRules,
    signatures: &SignatureRules,
) -> Option<Vec<VoteLine>> {
    lines::section_lines(
        text,
        masked,
        sections,
        &rules.section_titles,
        Position::Support,
        line_rules,
        signatures,
    )
    .map(|(_, lines)| lines)
}

/// The keys of every survey line of one revision's text (for the history walk).
pub fn keys_in(
    text: &str,
    rules: &SurveyRules,
    line_rules: &LineRules,
    signatures: &SignatureRules,
) -> Vec<LineKey> {
    let masked = wikitext::mask(text);
    let sections = wikitext::sections(text, &masked);
    read_lines(text, &masked, &sections, rules, line_rules, signatures)
        .map(|lines| lines.iter().filter_map(line_key).collect())
        .unwrap_or_default()
}

/// The ratings of a line's first response call, or what is wrong with them.
pub fn ratings(line: &str, template: &str) -> Result<Ratings, Message> {
    let masked = wikitext::mask(line);
    let (calls, _) = wikitext::template_calls(line, &masked);
    let Some(call) = calls
        .iter()
        .find(|c| normalize_template_name(&c.name).as_deref() == Some(template))
    else {
        return Err(Message::new("survey-invalid-no-call").arg(template));
    };
    let rating = |name: &str| -> Result<u8, Message> {
        let value = call
            .params
            .iter()
            .rev()
            .find(|p| p.name.as_deref().map(str::trim) == Some(name))
            .map(|p| p.value.trim())
            .unwrap_or_default();
        match value.parse::<u8>() {
            Ok(n @ 1..=5) => Ok(n),
            _ if value.is_empty() => Err(Message::new("survey-invalid-missing").arg(name)),
            _ => Err(Message::new("survey-invalid-value").arg(name).arg(value)),
        }
    };
    match (rating("process"), rating("outcomes")) {
        (Ok(process), Ok(outcomes)) => Ok(Ratings { process, outcomes }),
        // The first fault is enough to fix; the other shows on the next run.
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Counts the responses. `target` is the proposal's `approval_target`, if valid.
pub fn count(
    lines: &[VoteLine],
    accounts: &HashMap<String, Account>,
    history: &History,
    count_rules: &CountRules,
    rules: &SurveyRules,
    target: Option<f64>,
    now: NaiveDateTime,
) -> Survey {
    let parsed: Vec<Result<Ratings, Message>> = lines
        .iter()
        .map(|l| ratings(&l.text, &rules.response_template))
        .collect();
    let (valid, invalid): (Vec<usize>, Vec<usize>) =
        (0..lines.len()).partition(|&n| parsed[n].is_ok());
    let pick = |ns: &[usize]| ns.iter().map(|&n| lines[n].clone()).collect::<Vec<_>>();
    // A survey has no closing date: no response is late.
    let period = Period::default();
    let counted = count::count(&pick(&valid), accounts, history, period, count_rules, now);
    // Invalid lines keep the tally's reason when one applies (struck, unsigned...), so each
    // line has exactly one reason; otherwise the ratings are the reason. Judged apart from the
    // valid lines, so a broken later line never supersedes a valid earlier response.
    let broken = count::count(&pick(&invalid), accounts, history, period, count_rules, now);

    let by_text: HashMap<&str, usize> = lines
        .iter()
        .enumerate()
        .rev()
        .map(|(n, l)| (l.text.as_str(), n))
        .collect();
    let order = |line: &str| by_text.get(line).copied().unwrap_or(usize::MAX);
    let mut ignored: Vec<(usize, IgnoredResponse)> = counted
        .ignored
        .into_iter()
        .map(|i| {
            let n = order(&i.line);
            let ignored = IgnoredResponse {
                user: i.user,
                reason: i.reason,
                detail: None,
                line: i.line,
            };
            (n, ignored)
        })
        .collect();
    let broken_lines = broken
        .ignored
        .into_iter()
        .map(|i| (i.user, Some(i.reason), i.line))
        .chain(
            broken
                .positions
                .support
                .into_iter()
                .map(|v| (Some(v.user), None, v.line)),
        );
    for (user, reason, line) in broken_lines {
        let n = order(&line);
        let (reason, detail) = match reason {
            Some(r) if r != Reason::Superseded => (r, None),
            _ => (
                Reason::InvalidResponse,
                parsed.get(n).and_then(|p| p.clone().err()),
            ),
        };
        ignored.push((
            n,
            IgnoredResponse {
                user,
                reason,
                detail,
                line,
            },
        ));
    }
    ignored.sort_by_key(|(n, _)| *n);

    let mut responses: Vec<(usize, Response)> = counted
        .positions
        .support
        .into_iter()
        .filter_map(|v| {
            let n = order(&v.line);
            let r = parsed.get(n)?.as_ref().ok()?;
            Some((
                n,
                Response {
                    user: v.user,
                    timestamp: v.timestamp,
                    process: r.process,
                    outcomes: r.outcomes,
                },
            ))
        })
        .collect();
    responses.sort_by_key(|(n, _)| *n);
    let responses: Vec<Response> = responses.into_iter().map(|(_, r)| r).collect();

    let process = question(responses.iter().map(|r| r.process));
    let outcomes = question(responses.iter().map(|r| r.outcomes));
    let target_percent = target.unwrap_or(rules.approval_target);
    let reaches = |q: &Question| q.approve_percent.is_some_and(|p| p >= target_percent);
    let met =
        responses.len() >= rules.min_responses.max(1) && reaches(&process) && reaches(&outcomes);
    Survey {
        responses,
        ignored: ignored.into_iter().map(|(_, i)| i).collect(),
        process,
        outcomes,
        target_percent,
        min_responses: rules.min_responses,
        met,
    }
}

fn question(ratings: impl Iterator<Item = u8>) -> Question {
    let mut sorted: Vec<u8> = ratings.collect();
    if sorted.is_empty() {
        return Question::default();
    }
    sorted.sort_unstable();
    let n = sorted.len();
    let mut distribution = [0; 5];
    for &r in &sorted {
        distribution[usize::from(r - 1)] += 1;
    }
    let sum: f64 = sorted.iter().map(|&r| f64::from(r)).sum();
    let median = if n % 2 == 1 {
        f64::from(sorted[n / 2])
    } else {
        (f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0
    };
    let approving = sorted.iter().filter(|&&r| r >= 4).count();
    Question {
        mean: Some(sum / n as f64),
        median: Some(median),
        approve_percent: Some(approving as f64 * 100.0 / n as f64),
        distribution,
    }
}

#[cfg(test)]
mod tests;
