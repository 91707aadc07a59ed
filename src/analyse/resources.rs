//! The links of a human-curated list (the partnerships page's "Resources" section): which
//! pages of this wiki and which web addresses it points to, read from wikitext alone.
//!
//! Comments, `<nowiki>` and the bot's own regions are masked first, so a link there is no
//! link. What a link's target *is* (missing, a redirect, an interwiki to another wiki) is for
//! the wiki to say; this only extracts and normalises what was written.

use std::ops::Range;

use super::wikitext;

/// One distinct link target of the section, in the order of its first appearance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkTarget {
    /// A page of this wiki (or another wiki's, if the wiki says the prefix is an interwiki),
    /// as written: no fragment, local interwiki prefixes removed, not yet normalised.
    Page(String),
    /// An `http://` or `https://` address.
    Url(String),
}

/// What to strip from wikilinks before asking the wiki.
#[derive(Debug, Clone, Default)]
pub struct LinkRules {
    /// Lower-case interwiki prefixes that name this wiki (`m`, `meta` on Meta-Wiki).
    pub local_interwiki: Vec<String>,
    /// The page the section is on, for relative links (`[[/Sub]]`).
    pub page_title: String,
}

/// The links of one section and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionLinks {
    pub links: Vec<LinkTarget>,
    /// Just after the section's last non-blank line: where a report below the list goes.
    pub end: usize,
}

/// What a check found out about one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// A redirect (on the wiki or over HTTP) to `Finding::to`.
    Moved,
    Broken,
    /// A disambiguation page: readers land on a list of meanings, not the resource.
    Disambiguation,
    /// Not checked: a page of another wiki, or a special page.
    Skipped,
}

impl Verdict {
    /// Stored in the state file and written into the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Moved => "moved",
            Verdict::Broken => "broken",
            Verdict::Disambiguation => "disambiguation",
            Verdict::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Ok,
            Verdict::Moved,
            Verdict::Broken,
            Verdict::Disambiguation,
            Verdict::Skipped,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Whether the report lists it: something a human should fix in the list.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Verdict::Moved | Verdict::Broken | Verdict::Disambiguation
        )
    }
}

/// One link and its verdict, with the reason in words and, when moved, where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub target: LinkTarget,
    pub verdict: Verdict,
    pub detail: String,
    pub to: Option<String>,
}

/// Namespaces whose links without a leading colon embed or categorise instead of linking.
const EMBEDDING: [&str; 4] = ["category", "file", "image", "media"];

/// Schemes MediaWiki turns into external links and we can check over HTTP.
const SCHEMES: [&str; 3] = ["https://", "http://", "//"];

/// The section titled `heading` (case-insensitive, first match, with its subsections), or
/// None if the page has no such section.
pub fn section_links(text: &str, heading: &str, rules: &LinkRules) -> Option<SectionLinks> {
    let masked = wikitext::mask_without_regions(text);
    let sections = wikitext::sections(text, &masked);
    let at = sections
        .iter()
        .position(|s| s.title.eq_ignore_ascii_case(heading.trim()))?;
    let level = sections[at].level;
    let start = sections[at].body.start;
    let stop = sections[at + 1..]
        .iter()
        .find(|s| s.level <= level)
        .map_or(text.len(), |s| s.heading.start);
    let body = &masked[start..stop];
    let end = start + body.trim_end().len();
    let mut links = Vec::new();
    for target in scan(body, rules) {
        if !links.contains(&target) {
            links.push(target);
        }
    }
    Some(SectionLinks { links, end })
}

/// Every link in `masked` (already masked text), in order, duplicates kept.
fn scan(masked: &str, rules: &LinkRules) -> Vec<LinkTarget> {
    let bytes = masked.as_bytes();
    let mut out = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if masked[i..].starts_with("[[") {
            let Some(close) = masked[i + 2..].find("]]").map(|c| i + 2 + c) else {
                break;
            };
            // `[[a [[b]]`: the inner one is the link.
            let inner = &masked[i + 2..close];
            if let Some(reopen) = inner.rfind("[[") {
                i += 2 + reopen;
                continue;
            }
            if let Some(t) = wikilink(inner, rules) {
                out.push((i, t));
            }
            taken.push(i..close + 2);
            i = close + 2;
        } else if bytes[i] == b'[' {
            if let Some(url) = url_at(masked, i + 1, true) {
                let end = masked[i..].find(']').map_or(masked.len(), |e| i + e + 1);
                taken.push(i..end);
                out.push((i, LinkTarget::Url(url)));
                i = end;
            } else {
                i += 1;
            }
        } else {
            i += masked[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    // Bare addresses: anywhere outside the bracketed links found above.
    for scheme in &SCHEMES[..2] {
        for (at, _) in masked.match_indices(scheme) {
            let inside = taken.iter().any(|r| r.contains(&at));
            let glued = masked[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '/');
            if !inside
                && !glued
                && let Some(url) = url_at(masked, at, false)
            {
                out.push((at, LinkTarget::Url(url)));
            }
        }
    }
    // Keep the order of appearance.
    out.sort_by_key(|(at, _)| *at);
    out.into_iter().map(|(_, t)| t).collect()
}

/// The address starting at `at`, if one does. In brackets it ends at a space or `]`; bare,
/// also before trailing punctuation, as MediaWiki reads it.
fn url_at(masked: &str, at: usize, bracketed: bool) -> Option<String> {
    let rest = &masked[at..];
    let scheme = SCHEMES
        .iter()
        .find(|s| rest.len() > s.len() && rest[..s.len()].eq_ignore_ascii_case(s))?;
    let len = rest
        .find(|c: char| {
            c.is_whitespace() || matches!(c, '[' | ']' | '<' | '>' | '"' | '{' | '}' | '|')
        })
        .unwrap_or(rest.len());
    let mut url = &rest[..len];
    if !bracketed {
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        if url.ends_with(')') && !url.contains('(') {
            url = url.trim_end_matches(')');
        }
    }
    if url.len() <= scheme.len() {
        return None;
    }
    let url = match *scheme {
        "//" => format!("https:{url}"),
        _ => url.to_owned(),
    };
    Some(url)
}

/// The page a `[[...]]`'s inside names, or None if it is no link to a page we can check.
fn wikilink(inner: &str, rules: &LinkRules) -> Option<LinkTarget> {
    let target = inner.split('|').next().unwrap_or_default().trim();
    if target.contains(['{', '}', '<', '>']) {
        return None; // Built by a template or a tag: not knowable from the source.
    }
    let (forced, mut target) = match target.strip_prefix(':') {
        Some(t) => (true, t.trim_start()),
        None => (false, target),
    };
    // Local interwiki prefixes (`m:`, `meta:`, stacked or not) name this wiki.
    while let Some((prefix, rest)) = target.split_once(':')
        && rules
            .local_interwiki
            .contains(&prefix.trim().to_lowercase())
    {
        target = rest.trim_start().trim_start_matches(':');
    }
    if !forced
        && let Some((prefix, _)) = target.split_once(':')
        && EMBEDDING.contains(&prefix.trim().to_lowercase().as_str())
    {
        return None;
    }
    let page = target.split('#').next().unwrap_or_default().trim();
    if page.is_empty() {
        return None; // `[[#Section]]`: this page.
    }
    if let Some(sub) = page.strip_prefix('/') {
        let sub = sub.trim_end_matches('/');
        if rules.page_title.is_empty() || sub.is_empty() {
            return None;
        }
        return Some(LinkTarget::Page(format!("{}/{sub}", rules.page_title)));
    }
    if page.starts_with("../") {
        return None;
    }
    Some(LinkTarget::Page(page.replace('_', " ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> LinkRules {
        LinkRules {
            local_interwiki: vec!["m".into(), "meta".into()],
            page_title: "Partnerships".into(),
        }
    }

    fn page(t: &str) -> LinkTarget {
        LinkTarget::Page(t.into())
    }

    fn url(u: &str) -> LinkTarget {
        LinkTarget::Url(u.into())
    }

    const PAGE: &str = "Intro [[Not this]].\n\
        == Resources ==\n\
        Please add resources (see [[#Learning patterns]]).\n\
        * [[Partnerships/Guide|the guide]] and [[Partnerships/Guide#Part 2]] again\n\
        * [[:Category:Partnership proposals]] [[Category:Not a link]] [[File:X.png|thumb]]\n\
        * [[m:Grants:Start]], [[meta:Old_name]], [[:de:Partnerschaft]], [[/Sub/]]\n\
        * [https://example.org/guide.pdf The guide] and https://example.org/bare.\n\
        * see http://example.org/a_(b) or (http://example.org/c)\n\
        * <!-- [[Commented]] https://hidden.example --> <nowiki>[[Nowiki]]</nowiki>\n\
        * [//example.org/proto relative] {{cite|url=https://example.org/cite|title=x}}\n\
        * [[{{PAGENAME}}]] [mailto:someone@example.org mail]\n\
        <!-- partnerbot:resources-report | x -->\n[[In the region]] https://region.example\n\
        <!-- /partnerbot:resources-report -->\n\n\
        === Sub list ===\n* [[Sub link]]\n\n\
        == Learning patterns ==\n* [[After]]\n";

    #[test]
    fn links_of_the_section_in_order_without_comments_regions_or_embeds() {
        let found = section_links(PAGE, "resources", &rules()).unwrap();
        assert_eq!(
            found.links,
            vec![
                page("Partnerships/Guide"),
                page("Category:Partnership proposals"),
                page("Grants:Start"),
                page("Old name"),
                page("de:Partnerschaft"),
                page("Partnerships/Sub"),
                url("https://example.org/guide.pdf"),
                url("https://example.org/bare"),
                url("http://example.org/a_(b)"),
                url("http://example.org/c"),
                url("https://example.org/proto"),
                url("https://example.org/cite"),
                page("Sub link"),
            ]
        );
    }

    #[test]
    fn the_end_is_after_the_last_line_of_the_section_and_its_subsections() {
        let found = section_links(PAGE, "Resources", &rules()).unwrap();
        assert!(PAGE[..found.end].ends_with("* [[Sub link]]"));
        assert!(PAGE[found.end..].starts_with("\n\n== Learning patterns =="));
        let only = "== Resources ==\n* [[A]]";
        assert_eq!(
            section_links(only, "Resources", &rules()).unwrap().end,
            only.len()
        );
    }

    #[test]
    fn no_section_no_links() {
        assert_eq!(section_links(PAGE, "Elsewhere", &rules()), None);
        let empty = section_links("== Resources ==\n\n== Next ==\n", "Resources", &rules());
        assert_eq!(
            empty,
            Some(SectionLinks {
                links: vec![],
                end: "== Resources ==\n".len()
            })
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "== Resources ==\n[[",
            "== Resources ==\n[[a|b",
            "== Resources ==\n[http://",
            "== Resources ==\n[[:]] [[#]] [[/]] [[m:]] https:// é[https://é.example/ü ü]",
            "== Resources ==\n[[[[[[x]]]]]] ]]]] [[a [[b]] c]]",
        ] {
            let _ = section_links(text, "Resources", &rules());
        }
        let nested = section_links("== Resources ==\n[[a [[b]] c]]", "Resources", &rules());
        assert_eq!(nested.unwrap().links, vec![page("b")]);
    }
}
