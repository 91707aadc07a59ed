//! The tally region at the top of the "Community support" section: counts, percentage,
//! status, the revision it was counted at, and a collapsed audit list of every line not counted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::inert::inert;
use super::message::{Lang, call, key};
use super::region;
use crate::analyse::tally::count::{CountRules, Status};
use crate::analyse::tally::{Tally, Verified};

pub const KIND: &str = "tally";

/// Longest excerpt of an ignored line shown in the audit list.
const LINE_EXCERPT: usize = 120;

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::Secured => "secured",
        Status::NotSecured => "not-secured",
    }
}

/// The region; `as_of` is the page revision the count was made at; `verified` is kept in the
/// opening comment so the next pass need not walk the history of lines it already checked.
pub fn region(
    tally: &Tally,
    verified: &Verified,
    rules: &CountRules,
    closes: Option<&str>,
    as_of: u64,
    docs_page: &str,
    lang: Lang,
) -> String {
    let t = &tally.totals;
    let mut body = String::from("{{Partnership support tally\n");
    let _ = writeln!(
        body,
        "| support = {}\n| oppose = {}\n| neutral = {}\n| ignored = {}",
        t.support, t.oppose, t.neutral, t.ignored
    );
    if let Some(p) = tally.percent {
        let _ = writeln!(body, "| percent = {}", (p * 10.0).round() / 10.0);
    }
    let _ = writeln!(
        body,
        "| threshold = {}\n| min_votes = {}",
        rules.min_percent, rules.min_support
    );
    let _ = writeln!(body, "| result = {}", status_word(tally.status));
    if let Some(c) = closes {
        let _ = writeln!(body, "| closes = {}", inert(c));
    }
    let _ = writeln!(body, "| revision = {as_of}");
    if let Some(code) = lang.code() {
        let _ = writeln!(body, "| lang = {code}");
    }
    if !tally.ignored.is_empty() {
        body.push_str("| details = #partnerbot-tally-audit\n");
    }
    body.push_str("}}");
    if !tally.ignored.is_empty() {
        body.push_str(
            "\n<div class=\"mw-collapsible mw-collapsed\" id=\"partnerbot-tally-audit\">\
             \n",
        );
        body.push_str(&key("tally-audit-heading", lang));
        body.push_str("\n<div class=\"mw-collapsible-content\">\n");
        for i in &tally.ignored {
            let who = i
                .user
                .as_deref()
                .map(inert)
                .unwrap_or_else(|| key("tally-no-signature", lang));
            let (excerpt, more) = excerpt(&i.line);
            let position = format!("{:?}", i.position).to_lowercase();
            let position = key(&format!("tally-position-{position}"), lang);
            let _ = writeln!(
                body,
                "* {who} ({position}): {} – <code>{}{more}</code>",
                call(&i.reason.message(), lang),
                excerpt
            );
        }
        body.push_str("</div></div>");
    }
    let note = format!(
        "Counted by partnerbot by public rules ([[{docs_page}]]); rewritten when the votes change. \
         Vote below, in the Support, Oppose or Neutral subsection, and sign with four tildes"
    );
    region::wrap(KIND, &counted_attrs(verified, as_of), &note, &body)
}

/// The opening comment's attributes of a region that counts signed lines: the revision it
/// counted and the lines whose history it verified (read back by [`Verified::from_attrs`]).
pub fn counted_attrs(verified: &Verified, as_of: u64) -> BTreeMap<String, String> {
    let mut attrs = BTreeMap::new();
    attrs.insert("as_of".to_owned(), as_of.to_string());
    let join = |set: &std::collections::BTreeSet<String>| {
        set.iter().cloned().collect::<Vec<_>>().join(",")
    };
    if !verified.checked.is_empty() {
        attrs.insert("verified".to_owned(), join(&verified.checked));
    }
    if !verified.forged.is_empty() {
        attrs.insert("forged".to_owned(), join(&verified.forged));
    }
    if let Some(seal) = &verified.seal {
        attrs.insert("seal".to_owned(), seal.clone());
    }
    attrs
}

/// The start of a quoted line (inert) and "…" when it was cut.
pub fn excerpt(line: &str) -> (String, &'static str) {
    let cut: String = line.chars().take(LINE_EXCERPT).collect();
    let more = if cut.len() < line.len() { "…" } else { "" };
    (inert(&cut), more)
}

/// The `as_of` revision the existing region was rendered with, if any.
pub fn as_of(existing: &region::Region) -> Option<u64> {
    existing.attrs.get("as_of").and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::tally::count::{Ignored, Positions, Reason, Totals};
    use crate::analyse::tally::lines::Position;

    #[test]
    fn region_lists_ignored_lines_inertly() {
        let tally = Tally {
            positions: Positions::default(),
            ignored: vec![Ignored {
                user: Some("Pedro".into()),
                position: Position::Support,
                reason: Reason::Struck,
                line: "# <s>'''Support''' [[User:Pedro|P]] {{x}} ~~~~</s>".into(),
            }],
            totals: Totals {
                support: 3,
                oppose: 1,
                neutral: 0,
                ignored: 1,
            },
            percent: Some(75.0),
            status: Status::Open,
        };
        let verified = Verified {
            checked: ["0badcafe".to_string()].into(),
            forged: Default::default(),
            seal: Some("00ff".into()),
        };
        let r = region(
            &tally,
            &verified,
            &CountRules::default(),
            Some("2026-12-10"),
            42,
            "User:Partnerbot",
            Lang::READER,
        );
        assert!(r.starts_with(
            "<!-- partnerbot:tally as_of=42 seal=00ff verified=0badcafe | Counted by partnerbot"
        ));
        assert!(r.contains(
            "| support = 3\n| oppose = 1\n| neutral = 0\n| ignored = 1\n| percent = 75\n"
        ));
        assert!(r.contains("| result = open\n| closes = 2026-12-10\n| revision = 42\n| details = #partnerbot-tally-audit"));
        assert!(
            !r.contains("lang"),
            "the reader's language: no lang parameter"
        );
        assert!(r.contains("* Pedro ({{Partnership message|tally-position-support}}): {{Partnership message|tally-reason-struck}} – <code># &lt;s&gt;'&#39;'Support'&#39;' &#91;&#91;User:Pedro&#124;P&#93;&#93; &#123;&#123;x&#125;&#125; &#126;&#126;&#126;&#126;&lt;/s&gt;</code>"), "{r}");
        let found = region::find(&r, KIND).unwrap().unwrap();
        assert_eq!(as_of(&found), Some(42));
        assert_eq!(Verified::from_attrs(&found.attrs), verified);
    }
}
