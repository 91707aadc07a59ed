//! The link report under the resources list: one `{{Partnership resources report}}` call in a
//! bot-owned region, placed at the end of the list's section. The list itself is never touched.
//!
//! The region carries the date its results last changed (`date=`), not the date of the check:
//! a check that finds what the last one found leaves the page as it is (no edit per run).

use std::collections::BTreeMap;

use super::inert::inert;
use super::message::{Lang, key};
use super::region::{self, RegionError};
use crate::analyse::resources::{Finding, LinkTarget, Verdict};

pub const KIND: &str = "resources-report";
const TEMPLATE: &str = "Partnership resources report";

/// The region for these findings, dated `date` (YYYY-MM-DD).
pub fn region(findings: &[Finding], date: &str, docs_page: &str) -> String {
    let attrs = BTreeMap::from([("date".to_owned(), date.to_owned())]);
    let note = format!(
        "partnerbot checks the links of the list above and reports here; edits inside are \
         replaced, fix the list instead, see [[{docs_page}]]"
    );
    region::wrap(KIND, &attrs, &note, &body(findings, date))
}

fn body(findings: &[Finding], date: &str) -> String {
    let checked = findings
        .iter()
        .filter(|f| f.verdict != Verdict::Skipped)
        .count();
    let problems: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.verdict.needs_attention())
        .collect();
    let mut out = format!(
        "{{{{{TEMPLATE}|links={checked}|problems={}|date={date}",
        problems.len()
    );
    if !problems.is_empty() {
        out.push_str("\n|list=");
        for f in problems {
            out.push_str("\n* ");
            out.push_str(&line(f));
        }
        out.push('\n');
    }
    out.push_str("}}");
    out
}

/// `* [[:Old]] – moved: redirects to [[:New]]`, every part safe inside a template parameter.
fn line(f: &Finding) -> String {
    let link = match &f.target {
        LinkTarget::Page(t) => page_link(t),
        LinkTarget::Url(u) => safe_url(u),
    };
    let mut s = format!(
        "{link} – '''{}''': {}",
        key(
            &format!("resources-verdict-{}", f.verdict.as_str()),
            Lang::READER
        ),
        inert(&f.detail)
    );
    if let Some(to) = &f.to {
        let to = match &f.target {
            LinkTarget::Page(_) => page_link(to),
            LinkTarget::Url(_) => safe_url(to),
        };
        s.push_str(&format!(" → {to}"));
    }
    s
}

fn page_link(title: &str) -> String {
    format!("[[:{}]]", inert(title))
}

/// The address, percent-encoding what would end a link or a template parameter.
fn safe_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '|' => out.push_str("%7C"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\'' => out.push_str("%27"),
            '~' => out.push_str("%7E"),
            c if c.is_whitespace() => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// The page with the report in place, or None if it already says this. The region is replaced
/// where it is, or inserted at `end` (the end of the list's section). A report that differs
/// only in its date keeps the date it has: `today` is used only when the results changed.
pub fn place(
    text: &str,
    end: usize,
    findings: &[Finding],
    today: &str,
    docs_page: &str,
) -> Result<Option<String>, RegionError> {
    let existing = region::find(text, KIND)?;
    if let Some(r) = &existing
        && let Some(date) = r.attrs.get("date")
        && text[r.range.clone()] == region(findings, date, docs_page)
    {
        return Ok(None);
    }
    let desired = region(findings, today, docs_page);
    let out = region::put(text, existing.as_ref(), end, &desired);
    Ok((out != text).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::resources::{LinkRules, section_links};

    fn finding(target: LinkTarget, verdict: Verdict, detail: &str, to: Option<&str>) -> Finding {
        Finding {
            target,
            verdict,
            detail: detail.into(),
            to: to.map(str::to_owned),
        }
    }

    fn findings() -> Vec<Finding> {
        vec![
            finding(LinkTarget::Page("Good".into()), Verdict::Ok, "exists", None),
            finding(
                LinkTarget::Page("Gone".into()),
                Verdict::Broken,
                "the page does not exist",
                None,
            ),
            finding(
                LinkTarget::Url("https://a.example/x|y".into()),
                Verdict::Moved,
                "HTTP 301 (permanent redirect)",
                Some("https://b.example/}}"),
            ),
            finding(
                LinkTarget::Page("de:X".into()),
                Verdict::Skipped,
                "another wiki",
                None,
            ),
        ]
    }

    const PAGE: &str = "== Resources ==\nPlease add.\n* [[Good]]\n* [[Gone]]\n* [https://a.example/x|y A]\n\n== Next ==\ntext\n";

    fn end(text: &str) -> usize {
        section_links(text, "Resources", &LinkRules::default())
            .unwrap()
            .end
    }

    #[test]
    fn the_report_goes_under_the_list_and_keeps_every_other_byte() {
        let out = place(PAGE, end(PAGE), &findings(), "2026-11-26", "User:Bot")
            .unwrap()
            .unwrap();
        let region = region(&findings(), "2026-11-26", "User:Bot");
        assert_eq!(
            out,
            PAGE.replace("y A]\n\n== Next", &format!("y A]\n{region}\n\n== Next"))
        );
        assert!(region.contains(
            "{{Partnership resources report|links=3|problems=2|date=2026-11-26\n|list=\n\
             * [[:Gone]] – '''{{Partnership message|resources-verdict-broken}}''': the page does not exist\n\
             * https://a.example/x%7Cy – '''{{Partnership message|resources-verdict-moved}}''': HTTP 301 (permanent redirect) → https://b.example/%7D%7D\n}}"
        ), "{region}");
        // The region does not count as part of the list on the next read.
        assert_eq!(end(&out), end(PAGE));
        // Same results a week later: no edit, the date stays.
        assert_eq!(
            place(&out, end(&out), &findings(), "2026-12-03", "User:Bot").unwrap(),
            None
        );
        // Changed results: replaced in place, dated today.
        let fixed: Vec<Finding> = findings()
            .into_iter()
            .filter(|f| f.verdict != Verdict::Broken)
            .collect();
        let again = place(&out, end(&out), &fixed, "2026-12-03", "User:Bot")
            .unwrap()
            .unwrap();
        assert_eq!(
            again,
            out.replace(&region, &super::region(&fixed, "2026-12-03", "User:Bot"))
        );
    }

    #[test]
    fn an_all_good_list_gets_a_short_report() {
        let good = vec![finding(
            LinkTarget::Page("Good".into()),
            Verdict::Ok,
            "",
            None,
        )];
        let region = region(&good, "2026-11-26", "User:Bot");
        assert!(
            region.contains(
                "\n{{Partnership resources report|links=1|problems=0|date=2026-11-26}}\n"
            )
        );
    }

    #[test]
    fn a_damaged_region_is_refused() {
        let damaged = format!("{PAGE}<!-- partnerbot:resources-report | x -->\n");
        assert!(place(&damaged, 10, &findings(), "2026-11-26", "U").is_err());
    }
}
