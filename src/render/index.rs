//! The index lists as regions: a sortable table of row-template calls, one per line, sorted by
//! the list's key. The region is also read back, so a later pass can reuse rows it need not
//! refetch (a pattern's creation date) and update one page's row without reading the rest.

use std::collections::{BTreeMap, BTreeSet};

use super::inert::inert;
use super::message::{Lang, key};
use super::region;
use crate::analyse::index::{Cell, ListKind, Row};
use crate::analyse::proposal::normalize_template_name;
use crate::analyse::wikitext;

/// The row template of a list: `Partnership index/learning pattern row`.
fn row_template(kind: ListKind) -> String {
    format!("Partnership index/{} row", kind.template())
}

/// The region holding `rows` (keyed by [`ListKind::key`], so already in order).
pub fn region(kind: ListKind, rows: &BTreeMap<String, Row>, docs_page: &str, lang: Lang) -> String {
    let attrs = [("rows".to_owned(), rows.len().to_string())].into();
    let note = format!(
        "partnerbot keeps this list of {} current from the pages themselves; edits inside are \
         replaced, see [[{docs_page}]]",
        kind.label()
    );
    region::wrap(kind.region_kind(), &attrs, &note, &body(kind, rows, lang))
}

fn body(kind: ListKind, rows: &BTreeMap<String, Row>, lang: Lang) -> String {
    if rows.is_empty() {
        let empty = match kind {
            ListKind::LearningPatterns => "index-empty-learning-patterns",
            ListKind::CaseStudies => "index-empty-case-studies",
            ListKind::Proposals => "index-empty-proposals",
            ListKind::Communities => "index-empty-communities",
        };
        return key(empty, lang);
    }
    let mut out = format!(
        "{{{{Partnership index/{} header{}}}}}\n",
        kind.template(),
        lang.param()
    );
    let template = row_template(kind);
    for row in rows.values() {
        out.push_str("{{");
        out.push_str(&template);
        for (name, cell) in kind.schema() {
            let value = row.get(*name).map(String::as_str).unwrap_or_default();
            out.push('|');
            out.push_str(name);
            out.push('=');
            match cell {
                Cell::Text => out.push_str(&text_cell(value)),
                Cell::Wiki => out.push_str(value),
            }
        }
        out.push_str(&lang.param());
        out.push_str("}}\n");
    }
    out.push_str("{{Partnership index/end}}");
    out
}

/// [`inert`], plus a leading `*`, `#`, `:` or `;` as an entity: a parser function that
/// returns a value starting with one of them (the row templates' `#switch` defaults) makes
/// MediaWiki start a new line there, which would break the table row.
fn text_cell(value: &str) -> String {
    let safe = inert(value);
    match safe.chars().next() {
        Some(c @ ('*' | '#' | ':' | ';')) => format!("&#{};{}", c as u32, &safe[1..]),
        _ => safe,
    }
}

/// Undoes [`text_cell`]: every `&` in its output starts an entity it wrote.
pub fn decode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let entity = after.find(';').map(|end| &after[1..end]);
        let decoded = match entity {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some(e) => e
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32),
            None => None,
        };
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rows in the region of `kind` on the page (none if absent or damaged), keyed by
/// [`ListKind::key`].
pub fn read_rows(text: &str, kind: ListKind) -> BTreeMap<String, Row> {
    let Ok(Some(found)) = region::find(text, kind.region_kind()) else {
        return BTreeMap::new();
    };
    let inside = &text[found.range];
    let masked = wikitext::mask(inside);
    let (calls, _) = wikitext::template_calls(inside, &masked);
    let template = row_template(kind);
    let schema: BTreeMap<&str, Cell> = kind.schema().iter().copied().collect();
    calls
        .iter()
        .filter(|c| normalize_template_name(&c.name).as_deref() == Some(template.as_str()))
        .map(|call| {
            let mut row = Row::new();
            for p in &call.params {
                let Some(name) = p.name.as_deref() else {
                    continue;
                };
                let value = match schema.get(name) {
                    Some(Cell::Text) => decode(&p.value),
                    Some(Cell::Wiki) => p.value.clone(),
                    None => continue,
                };
                row.insert(name.to_owned(), value);
            }
            (kind.key(&row), row)
        })
        .collect()
}

/// Every list kind whose region is on the page.
pub fn kinds_on(text: &str) -> BTreeSet<ListKind> {
    ListKind::ALL
        .into_iter()
        .filter(|k| matches!(region::find(text, k.region_kind()), Ok(Some(_))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(kind: ListKind, list: &[Row]) -> BTreeMap<String, Row> {
        list.iter().map(|r| (kind.key(r), r.clone())).collect()
    }

    fn pattern(title: &str, problem: &str) -> Row {
        [
            ("title", title),
            ("problem", problem),
            ("endorsements", "2"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    const HOSTILE: [&str; 8] = [
        "}}{{Delete}}",
        "[[Category:Spam]]",
        "|}",
        "<div>",
        "~~~~",
        "* list",
        "&amp; &#124; literally",
        "a\nb",
    ];

    #[test]
    fn rows_are_sorted_and_hostile_values_stay_inside_their_cell() {
        let kind = ListKind::LearningPatterns;
        let mut list = vec![pattern("B", "plain")];
        for (n, h) in HOSTILE.iter().enumerate() {
            list.push(pattern(&format!("A{n}"), h));
        }
        let text = region(kind, &rows(kind, &list), "User:Partnerbot", Lang::READER);
        let lines: Vec<&str> = text.lines().collect();
        // Opening comment, header, one line per row, end, closing comment.
        assert_eq!(lines.len(), list.len() + 4, "{text}");
        assert!(lines[1] == "{{Partnership index/learning pattern header}}");
        assert!(lines[2].contains("|title=A0|"));
        assert!(lines[list.len() + 1].contains("|title=B|"));
        for line in &lines[2..list.len() + 2] {
            assert!(line.starts_with("{{Partnership index/learning pattern row|"));
            assert!(line.ends_with("}}"));
            let inner = &line[2..line.len() - 2];
            for bad in ["{{", "}}", "[[", "]]", "~~~", "<"] {
                assert!(!inner.contains(bad), "{line}");
            }
            // Exactly one pipe per parameter: no value adds a cell or a parameter.
            assert_eq!(inner.matches('|').count(), kind.schema().len(), "{line}");
        }
        assert!(text.contains("|problem=&#42; list|"));
    }

    #[test]
    fn rows_read_back_exactly() {
        let kind = ListKind::LearningPatterns;
        let mut list = vec![pattern("B", "plain")];
        for (n, h) in HOSTILE.iter().enumerate() {
            list.push(pattern(&format!("A{n}"), h));
        }
        let written = rows(kind, &list);
        let page = format!(
            "intro\n{}\noutro",
            region(kind, &written, "D", Lang::READER)
        );
        let read = read_rows(&page, kind);
        assert_eq!(read.len(), written.len());
        for (key, row) in &written {
            let back = &read[key];
            for (name, value) in row {
                let expected = value.replace('\n', " ");
                assert_eq!(back[name], expected);
            }
        }
        // Rendering what was read gives the same text: no drift, no double escaping.
        assert_eq!(
            region(kind, &read, "D", Lang::READER),
            region(kind, &written, "D", Lang::READER)
        );
        assert_eq!(kinds_on(&page), [kind].into());
    }

    #[test]
    fn a_page_language_goes_into_header_and_rows_and_reads_back() {
        let kind = ListKind::LearningPatterns;
        let written = rows(kind, &[pattern("A", "x"), pattern("B", "y")]);
        let text = region(kind, &written, "D", Lang::fixed("fr"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "{{Partnership index/learning pattern header|lang=fr}}"
        );
        assert!(
            lines[2].ends_with("|lang=fr}}") && lines[3].ends_with("|lang=fr}}"),
            "{text}"
        );
        let read = read_rows(&text, kind);
        assert!(
            read.values().all(|r| !r.contains_key("lang")),
            "lang is not a cell"
        );
        assert_eq!(region(kind, &read, "D", Lang::fixed("fr")), text);
    }

    #[test]
    fn empty_lists_say_so() {
        let text = region(ListKind::CaseStudies, &BTreeMap::new(), "D", Lang::READER);
        assert!(text.contains("{{Partnership message|index-empty-case-studies}}"));
        let french = region(
            ListKind::CaseStudies,
            &BTreeMap::new(),
            "D",
            Lang::fixed("fr"),
        );
        assert!(french.contains("{{Partnership message|index-empty-case-studies|lang=fr}}"));
        assert!(read_rows(&text, ListKind::CaseStudies).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn decode_inverts_the_cell_escaping(s in "\\PC{0,60}") {
            let flat = s.replace(['\n', '\r', '\t'], " ");
            proptest::prop_assert_eq!(decode(&text_cell(&s)), flat);
        }
    }
}
