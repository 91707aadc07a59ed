//! Values copied from wiki pages are written back as plain text: every character that could
//! open markup (a template, link, category, table cell, signature, tag) is replaced by its HTML
//! entity, which MediaWiki displays as the character and never parses.

/// `}}{{Delete}}`, `[[Category:Spam]]`, `|}`, `<div>`, `~~~~` -> harmless text.
///
/// Values are always written inside a line (after `| name =` or `* `), never at its start, so
/// line-start markup (`*`, `#`, `:`, `;`, `----`, `{|`) needs no escaping once line breaks are
/// gone. Pairs are escaped only where only a pair means something (`''`, `__`), to keep the
/// page source readable.
pub fn inert(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '|' => out.push_str("&#124;"),
            '~' => out.push_str("&#126;"),
            // A line break would end the list item or template parameter it is written into.
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.replace("__", "_&#95;").replace("''", "'&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_lose_their_meaning() {
        let hostile = [
            "}}{{Delete}}",
            "[[Category:Spam]]",
            "|}",
            "<div>",
            "~~~~",
            "__NOTOC__",
            "{{{1}}}",
            "a\n* b",
            "'''x'''",
        ];
        for value in hostile {
            let safe = inert(value);
            for forbidden in [
                "{{", "}}", "[[", "]]", "|", "<", ">", "~~~", "__", "\n", "''",
            ] {
                assert!(
                    !safe.contains(forbidden),
                    "{value:?} -> {safe:?} keeps {forbidden:?}"
                );
            }
        }
        assert_eq!(inert("Museu de Lisboa"), "Museu de Lisboa");
    }

    proptest::proptest! {
        #[test]
        fn inert_output_has_no_markup_characters(s in "\\PC{0,100}") {
            let safe = inert(&s);
            let markup = ['<', '>', '[', ']', '{', '}', '|', '~', '\n'];
            proptest::prop_assert!(!safe.contains(markup), "markup left in {:?}", safe);
            proptest::prop_assert!(!safe.contains("__") && !safe.contains("''"));
        }
    }
}
