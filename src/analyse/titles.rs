//! Which pages are proposals, by title: configured prefixes, and never a translation subpage.

use std::collections::HashSet;

/// Extension:Translate names translations `Source/xx` (language code, optionally with a
/// variant: `pt-br`, `zh-hans`, `sr-ec`).
fn looks_like_language_code(segment: &str) -> bool {
    let mut parts = segment.split('-');
    let base = parts.next().unwrap_or_default();
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| {
            (2..=8).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `Source/fr` is a translation subpage when `Source` is itself among the pages.
pub fn is_translation_subpage(title: &str, pages: &HashSet<&str>) -> bool {
    match title.rsplit_once('/') {
        Some((source, code)) => looks_like_language_code(code) && pages.contains(source),
        None => false,
    }
}

/// The proposals among the titles that transclude the template, in a stable order.
pub fn proposals<'a>(titles: &'a [String], prefixes: &[String]) -> Vec<&'a str> {
    let all: HashSet<&str> = titles.iter().map(String::as_str).collect();
    let mut out: Vec<&str> = titles
        .iter()
        .map(String::as_str)
        .filter(|t| prefixes.is_empty() || prefixes.iter().any(|p| t.starts_with(p.as_str())))
        .filter(|t| !is_translation_subpage(t, &all))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_and_other_prefixes_are_left_out() {
        let titles: Vec<String> = [
            "Partnerships/Proposals/Museum",
            "Partnerships/Proposals/Museum/fr",
            "Partnerships/Proposals/Museum/pt-br",
            "Partnerships/Proposals/Museum/Budget",
            "Partnerships/Proposals/Library/de",
            "Sandbox",
        ]
        .map(String::from)
        .to_vec();
        let prefixes = vec!["Partnerships/Proposals/".to_string()];
        assert_eq!(
            proposals(&titles, &prefixes),
            [
                "Partnerships/Proposals/Library/de",
                "Partnerships/Proposals/Museum",
                "Partnerships/Proposals/Museum/Budget",
            ],
            "a subpage is a translation only when its source page is a proposal too"
        );
        assert_eq!(proposals(&titles, &[]).len(), 4);
    }
}
