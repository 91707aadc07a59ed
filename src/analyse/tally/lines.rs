//! Vote lines: the top-level list items of the position subsections (Support / Oppose /
//! Neutral) of the page's community-support section, each with its signature, strike-out and
//! `{{unsigned}}` facts. Replies (`#:`, `**`, `:`) are never votes.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use super::signature::{Signature, SignatureRules, normalize_user};
use crate::analyse::wikitext::{self, Section};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Support,
    Oppose,
    Neutral,
}

/// Which headings mean what (lower-case, formatting stripped), and the unsigned templates.
#[derive(Debug, Clone)]
pub struct LineRules {
    pub section_titles: Vec<String>,
    pub positions: HashMap<String, Position>,
    /// Lower-case template name -> index (1-based) of its user-name parameter.
    pub unsigned: HashMap<String, usize>,
    pub strike_templates: Vec<String>,
}

impl Default for LineRules {
    fn default() -> Self {
        let positions = [
            ("support", Position::Support),
            ("endorse", Position::Support),
            ("endorsements", Position::Support),
            ("oppose", Position::Oppose),
            ("object", Position::Oppose),
            ("neutral", Position::Neutral),
            ("abstain", Position::Neutral),
        ];
        LineRules {
            section_titles: vec!["community support".into()],
            positions: positions
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            unsigned: [
                ("unsigned", 1),
                ("unsigned2", 2),
                ("unsignedip", 1),
                ("unsignedip2", 2),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect(),
            strike_templates: ["s", "strike", "strikethrough", "del"]
                .map(String::from)
                .to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteLine {
    pub position: Position,
    /// The line as written (without its line break).
    pub text: String,
    /// Byte range of the line in the page.
    pub range: Range<usize>,
    pub signature: Option<Signature>,
    /// The voter named by an unsigned template, when there is no signature.
    pub unsigned_user: Option<String>,
    pub struck: bool,
}

impl VoteLine {
    /// Who the line names as voter: the signature's user, else the `{{unsigned}}` user.
    pub fn voter(&self) -> Option<&str> {
        self.signature
            .as_ref()
            .map(|s| s.user.as_str())
            .or(self.unsigned_user.as_deref())
    }
}

/// The community-support section (heading to the next heading of level ≤ its own) and its
/// vote lines. None when the page has no such section.
pub fn vote_lines(
    text: &str,
    masked: &str,
    sections: &[Section],
    rules: &LineRules,
    signatures: &SignatureRules,
) -> Option<(Range<usize>, Vec<VoteLine>)> {
    let (index, support) = sections
        .iter()
        .enumerate()
        .find(|(_, s)| s.level == 2 && rules.section_titles.contains(&heading_key(&s.title)))?;
    let end = sections[index + 1..]
        .iter()
        .find(|s| s.level <= support.level)
        .map_or(text.len(), |s| s.heading.start);
    let quoted = mask_quotes(masked);
    let mut lines = Vec::new();
    for sub in sections[index + 1..]
        .iter()
        .take_while(|s| s.heading.start < end)
    {
        let Some(position) = rules.positions.get(&heading_key(&sub.title)).copied() else {
            continue;
        };
        // The subsection's own text, up to the next heading of any level.
        lines.extend(list_lines(
            text,
            masked,
            &quoted,
            sub.body.clone(),
            position,
            rules,
            signatures,
        ));
    }
    Some((support.heading.start..end, lines))
}

/// The top-level list items of the section titled one of `titles` (any level; compared like
/// position headings), up to the next heading of any level, all read as `position`. A learning
/// pattern's endorsements and a sign-up list are such lists. None without such a section.
pub fn section_lines(
    text: &str,
    masked: &str,
    sections: &[Section],
    titles: &[String],
    position: Position,
    rules: &LineRules,
    signatures: &SignatureRules,
) -> Option<(Range<usize>, Vec<VoteLine>)> {
    let section = sections.iter().find(|s| {
        titles
            .iter()
            .any(|t| heading_key(t) == heading_key(&s.title))
    })?;
    let quoted = mask_quotes(masked);
    let lines = list_lines(
        text,
        masked,
        &quoted,
        section.body.clone(),
        position,
        rules,
        signatures,
    );
    Some((section.body.clone(), lines))
}

/// The list items of `body` (a byte range of the page) with their signature, strike-out and
/// `{{unsigned}}` facts. `quoted` is `masked` with quotations blanked: a quotation is part of
/// its line but never signs it.
fn list_lines(
    text: &str,
    masked: &str,
    quoted: &str,
    body: Range<usize>,
    position: Position,
    rules: &LineRules,
    signatures: &SignatureRules,
) -> Vec<VoteLine> {
    let mut lines = Vec::new();
    let mut offset = body.start;
    let regions = wikitext::bot_regions(&text[body.clone()]);
    let base = body.start;
    for masked_line in masked[body].split_inclusive('\n') {
        let start = offset;
        offset += masked_line.len();
        let structure = masked_line.trim_end_matches(['\n', '\r']);
        if !is_vote_line(structure) || inside(&regions, start - base) {
            continue;
        }
        let mut range = start..start + structure.len();
        // A region of the bot's starting on the line is not part of the vote.
        if let Some(r) = regions.iter().find(|r| range.contains(&(r.start + base))) {
            range.end = r.start + base;
        }
        let original = &text[range.clone()];
        // Quotations are part of the line but never sign it.
        let body = &quoted[range.clone()];
        let struck_spans = struck_spans(original, body, rules);
        let signature = signatures.signature(body);
        let first_text = body.find(|c: char| c != '#' && c != '*' && !c.is_whitespace());
        let struck = signature
            .as_ref()
            .is_some_and(|s| inside(&struck_spans, s.range.start))
            || first_text.is_some_and(|at| inside(&struck_spans, at));
        let unsigned_user = match signature {
            Some(_) => None,
            None => unsigned_user(original, body, rules),
        };
        lines.push(VoteLine {
            position,
            text: original.to_owned(),
            range,
            signature,
            unsigned_user,
            struck,
        });
    }
    lines
}

/// `'''Support'''` and `<b>Oppose</b>` are `support` and `oppose`.
fn heading_key(title: &str) -> String {
    let mut plain = String::with_capacity(title.len());
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '\'' => {}
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A line starting with exactly one `#` or `*` and some text: a top-level list item.
fn is_vote_line(line: &str) -> bool {
    let mut chars = line.chars();
    matches!(chars.next(), Some('#' | '*'))
        && !matches!(chars.clone().next(), Some('#' | '*' | ':' | ';'))
        && !chars.as_str().trim().is_empty()
}

fn inside(spans: &[Range<usize>], at: usize) -> bool {
    spans.iter().any(|s| s.contains(&at))
}

/// `<blockquote>` and `<q>` hold quoted words: never a vote or a signature.
fn mask_quotes(masked: &str) -> String {
    let lower = masked.to_ascii_lowercase();
    let mut out = masked.as_bytes().to_vec();
    for tag in ["blockquote", "q"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut i = 0;
        while let Some(found) = lower[i..].find(&open) {
            let start = i + found;
            let after = lower.as_bytes().get(start + open.len()).copied();
            if !matches!(after, Some(b'>' | b' ' | b'\t' | b'\n')) {
                i = start + open.len();
                continue;
            }
            let end = lower[start..]
                .find(&close)
                .map_or(lower.len(), |e| start + e + close.len());
            for b in &mut out[start..end] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            i = end;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| masked.to_owned())
}

/// Byte ranges of the line inside `<s>`, `<del>`, `<strike>` or a strike template; an
/// unclosed tag strikes to the end of the line, as browsers render it.
fn struck_spans(original: &str, masked: &str, rules: &LineRules) -> Vec<Range<usize>> {
    if !masked.contains('<') && !masked.contains("{{") {
        return Vec::new();
    }
    let lower = masked.to_ascii_lowercase();
    let mut spans = Vec::new();
    for tag in ["s", "del", "strike"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut i = 0;
        while let Some(found) = lower[i..].find(&open) {
            let start = i + found;
            let Some(gt) = lower[start..].find('>').map(|g| start + g + 1) else {
                break;
            };
            let attrs = &lower[start + open.len()..gt - 1];
            if !attrs.is_empty() && !attrs.starts_with([' ', '\t']) {
                i = gt;
                continue; // `<span>` is not `<s>`.
            }
            let end = lower[gt..]
                .find(&close)
                .map_or(lower.len(), |e| gt + e + close.len());
            spans.push(start..end);
            i = end;
        }
    }
    if masked.contains("{{") {
        let (calls, _) = wikitext::template_calls(original, masked);
        for call in calls {
            if rules.strike_templates.contains(&call.name.to_lowercase()) {
                spans.push(call.range);
            }
        }
    }
    spans
}

/// The user named by `{{unsigned|NAME|...}}` / `{{unsigned2|date|NAME}}` on the line.
fn unsigned_user(original: &str, masked: &str, rules: &LineRules) -> Option<String> {
    if !masked.contains("{{") {
        return None;
    }
    let (calls, _) = wikitext::template_calls(original, masked);
    calls.iter().rev().find_map(|call| {
        let index = *rules.unsigned.get(&call.name.trim().to_lowercase())?;
        let positional: Vec<&str> = call
            .params
            .iter()
            .filter(|p| p.name.is_none())
            .map(|p| p.value.as_str())
            .collect();
        let named = call
            .params
            .iter()
            .find(|p| p.name.as_deref() == Some(&index.to_string()))
            .map(|p| p.value.as_str());
        named
            .or(positional.get(index - 1).copied())
            .and_then(normalize_user)
    })
}

#[cfg(test)]
mod tests;
