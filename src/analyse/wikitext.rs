//! Just enough of MediaWiki's preprocessor to read template calls and sections from wikitext.
//!
//! We parse wikitext ourselves instead of fetching Parsoid HTML because wikitext arrives in
//! batches of 50-500 pages per API request (Parsoid HTML is one request per page), and because
//! the bot must know exact byte ranges to rewrite its own region and nothing else.
//!
//! The approach: first *mask* everything MediaWiki would not parse (comments, `<nowiki>`,
//! `<pre>` and similar) by replacing it with spaces of the same byte length; then scan the
//! masked text for braces, links and headings. Byte offsets stay valid for the original text.

use std::ops::Range;

/// Tags whose content is never parsed as wikitext (and never yields templates or headings).
const OPAQUE_TAGS: [&str; 6] = [
    "nowiki",
    "pre",
    "syntaxhighlight",
    "source",
    "math",
    "templatedata",
];

/// The text with comments and opaque tags blanked out, same length and line structure.
pub fn mask(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    for span in masked_spans(text) {
        for b in &mut out[span] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes and whole multi-byte sequences were replaced, so this is still UTF-8.
    String::from_utf8(out).expect("masking keeps UTF-8 valid")
}

/// The byte ranges of the comments and opaque tags (an unclosed one runs to the end), in order.
pub fn masked_spans(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    let mut i = 0;
    while let Some(offset) = lower[i..].find('<') {
        let start = i + offset;
        let end = if lower[start..].starts_with("<!--") {
            lower[start + 4..]
                .find("-->")
                .map_or(text.len(), |e| start + 4 + e + 3)
        } else if let Some(tag) = opaque_tag_at(&lower, start) {
            opaque_end(&lower, start, tag)
        } else {
            i = start + 1;
            continue;
        };
        spans.push(start..end);
        i = end;
    }
    spans
}

/// The first line start at or after `pos` that no comment or opaque tag covers (text inserted
/// there stays visible and closes nothing), or None when such spans run to the end.
pub fn free_line_start(text: &str, pos: usize) -> Option<usize> {
    let spans = masked_spans(text);
    let mut at = pos;
    loop {
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
        match spans
            .iter()
            .find(|s| s.start < line_end && line_end < s.end)
        {
            None => return Some(line_end),
            Some(span) if span.end < text.len() => at = span.end,
            Some(_) => return None,
        }
    }
}

/// Whether byte `pos` lies inside a comment or an opaque tag (one opened before `pos` and not
/// closed by then): text inserted there would be swallowed by it, or would close it.
pub fn inside_masked(text: &str, pos: usize) -> bool {
    let Some(prefix) = text.get(..pos) else {
        return false;
    };
    let probe = format!("{prefix}X");
    mask(&probe).ends_with(' ')
}

fn opaque_tag_at(lower: &str, start: usize) -> Option<&'static str> {
    let rest = &lower[start + 1..];
    OPAQUE_TAGS.into_iter().find(|tag| {
        rest.starts_with(tag)
            && rest[tag.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c == '/' || c.is_ascii_whitespace())
    })
}

/// End of an opaque element starting at `start`: after `</tag>`, after a self-closing `/>`,
/// or (unclosed, as MediaWiki treats it) the end of the opening tag only.
fn opaque_end(lower: &str, start: usize, tag: &str) -> usize {
    let Some(open_end) = lower[start..].find('>').map(|e| start + e + 1) else {
        return lower.len();
    };
    if lower[..open_end].ends_with("/>") {
        return open_end;
    }
    let close = format!("</{tag}");
    match lower[open_end..].find(&close) {
        Some(c) => {
            let c = open_end + c;
            lower[c..].find('>').map_or(lower.len(), |e| c + e + 1)
        }
        None => open_end,
    }
}

/// One template call at the top level of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCall {
    /// From the first `{` to after the last `}`.
    pub range: Range<usize>,
    /// The name as written (comments removed, trimmed).
    pub name: String,
    pub params: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// `None` for positional parameters.
    pub name: Option<String>,
    /// Trimmed wikitext, comments removed.
    pub value: String,
}

/// Top-level template calls in order; unclosed `{{` are plain text, as in MediaWiki.
/// Also returns the offsets of `{{` that were never closed, for problem reports.
///
/// One linear pass with a stack, like MediaWiki's preprocessor: `{{`/`{{{` runs and `[[` open
/// elements, `}}`/`}}}` and `]]` close the element on top of the stack only (anything else is
/// text), and elements still open at the end are text. Hostile nesting costs no recursion.
pub fn template_calls(text: &str, masked: &str) -> (Vec<TemplateCall>, Vec<usize>) {
    let bytes = masked.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                let run = run_length(bytes, i, b'{');
                stack.push(Open::Braces {
                    start: i,
                    count: run,
                    pipes: Vec::new(),
                });
                i += run;
            }
            b'[' if bytes.get(i + 1) == Some(&b'[') => {
                stack.push(Open::Link);
                i += 2;
            }
            b']' if bytes.get(i + 1) == Some(&b']') && matches!(stack.last(), Some(Open::Link)) => {
                stack.pop();
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                let run = run_length(bytes, i, b'}');
                let used = close_braces(&mut stack, i, run, &mut groups);
                i += used.max(1);
            }
            b'|' => {
                if let Some(Open::Braces { pipes, .. }) = stack.last_mut() {
                    pipes.push(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    let unclosed = stack
        .iter()
        .filter_map(|o| match o {
            Open::Braces { start, .. } => Some(*start),
            Open::Link => None,
        })
        .collect();
    (top_level(text, groups), unclosed)
}

/// A closed `{{...}}` (template) or `{{{...}}}` (parameter) and its top-level pipes.
struct Group {
    range: Range<usize>,
    template: bool,
    pipes: Vec<usize>,
}

/// Templates not inside another closed group. Groups nest properly, so one sweep in start
/// order finds them; an unclosed `{{` around a group does not count (it is text).
fn top_level(text: &str, mut groups: Vec<Group>) -> Vec<TemplateCall> {
    groups.sort_by_key(|g| (g.range.start, std::cmp::Reverse(g.range.end)));
    let mut covered_until = 0;
    let mut calls = Vec::new();
    for g in groups {
        if g.range.start < covered_until {
            continue;
        }
        covered_until = g.range.end;
        if g.template {
            calls.push(build_call(text, g.range, &g.pipes));
        }
    }
    calls
}

enum Open {
    /// A run of `count` opening braces starting at `start`; `pipes` of its innermost group.
    Braces {
        start: usize,
        count: usize,
        pipes: Vec<usize>,
    },
    Link,
}

fn run_length(bytes: &[u8], at: usize, byte: u8) -> usize {
    bytes[at..].iter().take_while(|&&b| b == byte).count()
}

/// Matches a run of `run` closing braces at `at` against the top of the stack; returns how
/// many braces were used (0: the run is text).
fn close_braces(stack: &mut Vec<Open>, at: usize, run: usize, groups: &mut Vec<Group>) -> usize {
    let mut used = 0;
    while run - used >= 2 {
        let Some(Open::Braces {
            start,
            count,
            pipes,
        }) = stack.last_mut()
        else {
            break;
        };
        // Three or more on both sides make a `{{{parameter}}}`, otherwise a `{{template}}`.
        let take = if *count >= 3 && run - used >= 3 { 3 } else { 2 };
        if *count < take {
            break;
        }
        let group_start = *start + *count - take;
        let group_pipes = std::mem::take(pipes);
        *count -= take;
        let end = at + used + take;
        used += take;
        if *count < 2 {
            stack.pop();
        }
        groups.push(Group {
            range: group_start..end,
            template: take == 2,
            pipes: group_pipes,
        });
    }
    used
}

fn build_call(text: &str, range: Range<usize>, pipes: &[usize]) -> TemplateCall {
    let mut bounds = vec![range.start + 2];
    bounds.extend(pipes.iter().map(|p| p + 1));
    let mut ends: Vec<usize> = pipes.to_vec();
    ends.push(range.end - 2);
    let parts: Vec<&str> = bounds
        .iter()
        .zip(&ends)
        .map(|(&s, &e)| &text[s..e])
        .collect();
    let name = clean(parts[0]);
    let params = parts[1..]
        .iter()
        .map(|part| match top_level_equals(&mask(part)) {
            Some(eq) => Param {
                name: Some(clean(&part[..eq])),
                value: clean(&part[eq + 1..]),
            },
            None => Param {
                name: None,
                value: clean(part),
            },
        })
        .collect();
    TemplateCall {
        range,
        name,
        params,
    }
}

/// The first `=` outside nested braces and links: what makes a parameter named. The part
/// comes from a closed call, so its nesting is balanced and counters suffice.
fn top_level_equals(masked: &str) -> Option<usize> {
    let bytes = masked.as_bytes();
    let (mut braces, mut links) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match &bytes[i..] {
            [b'{', b'{', ..] => (braces, i) = (braces + 1, i + 2),
            [b'}', b'}', ..] => (braces, i) = (braces.saturating_sub(1), i + 2),
            [b'[', b'[', ..] => (links, i) = (links + 1, i + 2),
            [b']', b']', ..] => (links, i) = (links.saturating_sub(1), i + 2),
            [b'=', ..] if braces == 0 && links == 0 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Whether anything but whitespace and comments is in `s` (`clean(s)` is not empty), without
/// building the cleaned string.
pub fn has_content(s: &str) -> bool {
    let mut rest = s;
    loop {
        let (before, after) = match rest.find("<!--") {
            Some(start) => (&rest[..start], Some(&rest[start + 4..])),
            None => (rest, None),
        };
        if !before.trim().is_empty() {
            return true;
        }
        match after.and_then(|a| a.find("-->").map(|e| &a[e + 3..])) {
            Some(next) => rest = next,
            None => return false,
        }
    }
}

/// Removes comments and surrounding whitespace.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = match rest[start + 4..].find("-->") {
            Some(end) => &rest[start + 4 + end + 3..],
            None => "",
        };
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// Byte ranges of the bot's own regions (`<!-- partnerbot:KIND ... -->` to
/// `<!-- /partnerbot:KIND -->`): what the bot wrote is never read back as human input (a line
/// of its audit list is no vote). An unclosed region runs to the end of the text.
pub fn bot_regions(text: &str) -> Vec<Range<usize>> {
    const OPEN: &str = "<!-- partnerbot:";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(OPEN) {
        let start = from + found;
        let kind: String = text[start + OPEN.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let close = format!("<!-- /partnerbot:{kind} -->");
        let end = text[start..]
            .find(&close)
            .map_or(text.len(), |e| start + e + close.len());
        out.push(start..end);
        from = end.max(start + OPEN.len());
    }
    out
}

/// [`mask`], with the bot's own regions blanked as well (line breaks kept): the structure of
/// the page as the humans wrote it. A `{{` before a region and a `}}` inside it do not pair up,
/// since the region is replaced wholesale at the next edit.
pub fn mask_without_regions(text: &str) -> String {
    let masked = mask(text);
    let regions = bot_regions(text);
    if regions.is_empty() {
        return masked;
    }
    let mut bytes = masked.into_bytes();
    for r in regions {
        for b in &mut bytes[r] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).expect("ASCII blanks keep UTF-8 valid")
}

/// A section: its heading line and the text up to the next heading of any level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub level: usize,
    /// Heading text, comments removed, trimmed.
    pub title: String,
    pub heading: Range<usize>,
    pub body: Range<usize>,
}

/// Every heading (`== X ==`) of the page outside comments and opaque tags, in order.
pub fn sections(text: &str, masked: &str) -> Vec<Section> {
    let mut headings: Vec<(usize, String, Range<usize>)> = Vec::new();
    let mut offset = 0;
    for line in masked.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end();
        let level = trimmed.bytes().take_while(|&b| b == b'=').count();
        let closing = trimmed.bytes().rev().take_while(|&b| b == b'=').count();
        let level = level.min(closing).min(6);
        if level == 0 || trimmed.len() <= 2 * level {
            continue;
        }
        let inner = &text[start + level..start + trimmed.len() - level];
        let title = clean(inner);
        if title.is_empty() {
            continue;
        }
        headings.push((level, title, start..start + line.len()));
    }
    let mut out = Vec::with_capacity(headings.len());
    for (n, (level, title, heading)) in headings.iter().enumerate() {
        let body_end = headings.get(n + 1).map_or(text.len(), |h| h.2.start);
        out.push(Section {
            level: *level,
            title: title.clone(),
            heading: heading.clone(),
            body: heading.end..body_end,
        });
    }
    out
}

#[cfg(test)]
mod tests;
