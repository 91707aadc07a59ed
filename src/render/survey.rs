//! The survey region at the top of the "Evaluation survey" section: responses, mean, median,
//! share approving and distribution per question, whether the outcome targets are met, and
//! collapsed lists of the responses counted and the lines not counted, with the reason.

use std::fmt::Write as _;

use super::inert::inert;
use super::message::{Lang, call};
use super::region;
use super::tally::{counted_attrs, excerpt};
use crate::analyse::proposal::Proposal;
use crate::analyse::survey::{Question, Survey};
use crate::analyse::tally::Verified;

pub const KIND: &str = "survey";

/// The proposal's project-leader ratings, shown beside the community's.
const LEADER_PARAMS: [&str; 4] = [
    "leader_confidence_before",
    "leader_confidence_after",
    "leader_motivation_before",
    "leader_motivation_after",
];

fn number(n: f64) -> String {
    format!("{}", (n * 10.0).round() / 10.0)
}

fn question(out: &mut String, name: &str, q: &Question) {
    if let (Some(mean), Some(median), Some(approve)) = (q.mean, q.median, q.approve_percent) {
        let _ = writeln!(
            out,
            "| {name}_mean = {}\n| {name}_median = {}\n| {name}_approve = {}",
            number(mean),
            number(median),
            number(approve)
        );
    }
    let counts: Vec<String> = q.distribution.iter().map(usize::to_string).collect();
    let _ = writeln!(out, "| {name}_distribution = {}", counts.join(" / "));
}

/// The region; `as_of` is the revision counted; `verified` as in the tally region.
pub fn region(
    survey: &Survey,
    proposal: &Proposal,
    verified: &Verified,
    as_of: u64,
    docs_page: &str,
    lang: Lang,
) -> String {
    let mut body = String::from("{{Partnership survey\n");
    if let Some(code) = lang.code() {
        let _ = writeln!(body, "| lang = {code}");
    }
    let _ = writeln!(
        body,
        "| responses = {}\n| ignored = {}",
        survey.responses.len(),
        survey.ignored.len()
    );
    question(&mut body, "process", &survey.process);
    question(&mut body, "outcomes", &survey.outcomes);
    let _ = writeln!(
        body,
        "| target = {}\n| min_responses = {}\n| met = {}",
        number(survey.target_percent),
        survey.min_responses,
        if survey.met { "yes" } else { "no" }
    );
    // Only valid values: a bad one is reported in the checklist's problems instead.
    let bad: Vec<&str> = proposal
        .problems
        .iter()
        .filter_map(|p| p.param.as_deref())
        .collect();
    for param in LEADER_PARAMS {
        if let Some(v) = proposal.value(param).filter(|_| !bad.contains(&param)) {
            let _ = writeln!(body, "| {param} = {}", inert(v));
        }
    }
    let _ = writeln!(body, "| revision = {as_of}");
    if !survey.responses.is_empty() {
        body.push_str("| counted =\n");
        for r in &survey.responses {
            let _ = writeln!(
                body,
                "{{{{Partnership survey/row|user={}|time={}|process={}|outcomes={}{}}}}}",
                inert(&r.user),
                inert(&r.timestamp),
                r.process,
                r.outcomes,
                lang.param()
            );
        }
    }
    if !survey.ignored.is_empty() {
        body.push_str("| not_counted =\n");
        for i in &survey.ignored {
            let (line, more) = excerpt(&i.line);
            let detail = i.detail.as_ref().map(|d| call(d, lang)).unwrap_or_default();
            let reason = serde_json::to_value(i.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                body,
                "{{{{Partnership survey/row|user={}|reason={reason}|why={}|detail={detail}|line=<code>{line}{more}</code>{}}}}}",
                i.user.as_deref().map(inert).unwrap_or_default(),
                call(&i.reason.message(), lang),
                lang.param()
            );
        }
    }
    body.push_str("}}");
    let note = format!(
        "Counted by partnerbot by public rules ([[{docs_page}]]); rewritten when the responses \
         change. Respond below: one line each, {{{{Partnership survey response|process=1-5|\
         outcomes=1-5|comment=}}}} and four tildes"
    );
    region::wrap(KIND, &counted_attrs(verified, as_of), &note, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::survey::{IgnoredResponse, Response};
    use crate::analyse::tally::count::Reason;

    #[test]
    fn region_snapshot() {
        let survey = Survey {
            responses: vec![Response {
                user: "Ana".into(),
                timestamp: "2026-05-01 10:00".into(),
                process: 5,
                outcomes: 4,
            }],
            ignored: vec![IgnoredResponse {
                user: Some("Rui".into()),
                reason: Reason::InvalidResponse,
                detail: Some(
                    crate::analyse::message::Message::new("survey-invalid-value")
                        .arg("process")
                        .arg("9"),
                ),
                line: "* {{Partnership survey response|process=9}} [[User:Rui]]".into(),
            }],
            process: Question {
                mean: Some(5.0),
                median: Some(5.0),
                approve_percent: Some(100.0),
                distribution: [0, 0, 0, 0, 1],
            },
            outcomes: Question {
                mean: Some(4.0),
                median: Some(4.0),
                approve_percent: Some(100.0),
                distribution: [0, 0, 0, 1, 0],
            },
            target_percent: 70.0,
            min_responses: 5,
            met: false,
        };
        let verified = Verified {
            checked: ["0badcafe".to_string()].into(),
            ..Verified::default()
        };
        let r = region(
            &survey,
            &Proposal::default(),
            &verified,
            7,
            "User:Partnerbot",
            Lang::READER,
        );
        let expected = "\
<!-- partnerbot:survey as_of=7 verified=0badcafe | Counted by partnerbot by public rules ([[User:Partnerbot]]); rewritten when the responses change. Respond below: one line each, {{Partnership survey response|process=1-5|outcomes=1-5|comment=}} and four tildes -->
{{Partnership survey
| responses = 1
| ignored = 1
| process_mean = 5
| process_median = 5
| process_approve = 100
| process_distribution = 0 / 0 / 0 / 0 / 1
| outcomes_mean = 4
| outcomes_median = 4
| outcomes_approve = 100
| outcomes_distribution = 0 / 0 / 0 / 1 / 0
| target = 70
| min_responses = 5
| met = no
| revision = 7
| counted =
{{Partnership survey/row|user=Ana|time=2026-05-01 10:00|process=5|outcomes=4}}
| not_counted =
{{Partnership survey/row|user=Rui|reason=invalid-response|why={{Partnership message|tally-reason-invalid-response}}|detail={{Partnership message|survey-invalid-value|process|9}}|line=<code>* &#123;&#123;Partnership survey response&#124;process=9&#125;&#125; &#91;&#91;User:Rui&#93;&#93;</code>}}
}}
<!-- /partnerbot:survey -->";
        assert_eq!(r, expected);
        let found = region::find(&r, KIND).unwrap().unwrap();
        assert_eq!(Verified::from_attrs(&found.attrs), verified);
    }
}
