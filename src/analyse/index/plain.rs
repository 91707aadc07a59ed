//! Wikitext summaries as plain text for the index tables: links become their labels, quotes,
//! tags, templates and references go, and long texts are cut at a word boundary.

/// The longest summary shown in an index cell, in characters.
pub const SUMMARY_CHARS: usize = 300;

/// `''The'' [[Foo|bar]] {{tl}}<ref>x</ref>` -> `The bar`; `<nowiki>` content stays as written
/// (the editor meant those characters literally).
pub fn plain(wikitext: &str) -> String {
    let text = super::super::wikitext::clean(wikitext);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some(open) = lower.find("<nowiki>") else {
            out.push_str(&markup_to_text(rest));
            break;
        };
        out.push_str(&markup_to_text(&rest[..open]));
        let inner = &rest[open + "<nowiki>".len()..];
        match inner.to_ascii_lowercase().find("</nowiki>") {
            Some(close) => {
                out.push_str(&inner[..close]);
                rest = &inner[close + "</nowiki>".len()..];
            }
            None => {
                out.push_str(inner);
                break;
            }
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    shorten(&words.join(" "), SUMMARY_CHARS)
}

fn markup_to_text(text: &str) -> String {
    let text = drop_between(text, "<ref", "</ref>");
    let text = drop_templates(&text);
    let text = links_to_labels(&text);
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("'''", "").replace("''", "")
}

/// At most `max` characters, cut after a whole word with "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// Removes `<ref ...>...</ref>` and `<ref .../>`.
fn drop_between(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let gt = after.find('>').map_or(after.len(), |g| g + 1);
        if after[..gt].ends_with("/>") {
            rest = &after[gt..];
            continue;
        }
        rest = match after.find(close) {
            Some(end) => &after[end + close.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Removes template calls (a summary shows text, not the boxes templates draw).
fn drop_templates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut keep_from = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            if depth == 0 {
                out.push_str(&text[keep_from..i]);
            }
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"}}") && depth > 0 {
            depth -= 1;
            i += 2;
            if depth == 0 {
                keep_from = i;
            }
        } else {
            i += 1;
        }
    }
    if depth == 0 {
        out.push_str(&text[keep_from..]);
    }
    out
}

/// `[[A|b]]` -> b, `[[A]]` -> A, `[https://x label]` -> label; file and category links go.
fn links_to_labels(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(inner) = after.strip_prefix("[[") {
            let Some(end) = inner.find("]]") else {
                out.push_str("[[");
                rest = inner;
                continue;
            };
            let link = &inner[..end];
            let (target, label) = link.split_once('|').unwrap_or((link, link));
            let ns = target
                .trim_start_matches(':')
                .split(':')
                .next()
                .unwrap_or("");
            let lower = ns.trim().to_lowercase();
            if !(target.contains(':')
                && !target.starts_with(':')
                && ["file", "image", "category"].contains(&lower.as_str()))
            {
                out.push_str(label.trim_start_matches(':'));
            }
            rest = &inner[end + 2..];
        } else {
            let inner = &after[1..];
            match inner.find(']') {
                Some(end) if inner.starts_with("http") || inner.starts_with("//") => {
                    let link = &inner[..end];
                    if let Some((_, label)) = link.split_once(' ') {
                        out.push_str(label);
                    }
                    rest = &inner[end + 1..];
                }
                _ => {
                    out.push('[');
                    rest = inner;
                }
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            plain("''The'' '''[[Foo|bar]]''' {{tl|x|{{y}}}} baz<ref>note</ref> [[Category:X]]"),
            "The bar baz"
        );
        assert_eq!(
            plain("see [https://example.org the site] and [[:Category:Y]]"),
            "see the site and Category:Y"
        );
        assert_eq!(
            plain("a <span style=\"x\">b</span>\n\nc <!-- hidden -->"),
            "a b c"
        );
        assert_eq!(
            plain("unclosed [[link and {{template"),
            "unclosed [[link and"
        );
        assert_eq!(plain("[[File:X.jpg|thumb|caption]] text"), "text");
        assert_eq!(
            plain("a <nowiki>}}{{Delete}} [[x]] <div></nowiki> ''b''"),
            "a }}{{Delete}} [[x]] <div> b"
        );
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let long = "word ".repeat(100);
        let short = plain(&long);
        assert!(short.chars().count() <= SUMMARY_CHARS + 1, "{short}");
        assert!(short.ends_with("word…"));
        assert_eq!(shorten("abc", 2), "ab…");
    }
}
