//! The bot-owned region of a page: delimited by two HTML comments, found and replaced
//! byte-exactly, so everything outside it stays exactly as the humans left it.
//!
//! The opening comment also carries the bot's memory of the page (`stage=`, `notice=`): the
//! wiki is the source of truth, and a state file can be lost without losing this.

use std::collections::BTreeMap;
use std::ops::Range;

/// A region's kind names its markers: `<!-- partnerbot:KIND ... -->` and `<!-- /partnerbot:KIND -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// From the start of the opening comment to the end of the closing one.
    pub range: Range<usize>,
    /// `key=value` words of the opening comment, before its `|` separator.
    pub attrs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error(
        "the page has {starts} opening and {ends} closing partnerbot:{kind} markers; a human \
         must repair them (keep one pair) before the bot edits the page again"
    )]
    Damaged {
        kind: String,
        starts: usize,
        ends: usize,
    },
    #[error(
        "the partnerbot:{kind} region starts inside the proposal template; a human must move it \
         out (or delete it) before the bot edits the page again"
    )]
    Misplaced { kind: String },
}

fn start_marker(kind: &str) -> String {
    format!("<!-- partnerbot:{kind}")
}

fn end_marker(kind: &str) -> String {
    format!("<!-- /partnerbot:{kind} -->")
}

/// The region of `kind` in `text`, None if absent, an error if its markers are damaged.
pub fn find(text: &str, kind: &str) -> Result<Option<Region>, RegionError> {
    let start = start_marker(kind);
    let end = end_marker(kind);
    // "<!-- partnerbot:checklist" must not match "<!-- partnerbot:checklists".
    let starts: Vec<usize> = text
        .match_indices(&start)
        .map(|(i, _)| i)
        .filter(|&i| text[i + start.len()..].starts_with([' ', '-']))
        .collect();
    let ends: Vec<usize> = text.match_indices(&end).map(|(i, _)| i).collect();
    match (starts.as_slice(), ends.as_slice()) {
        ([], []) => Ok(None),
        ([s], [e]) if s < e => {
            let header_end = text[*s..].find("-->").map_or(*s, |h| s + h);
            let header = &text[s + start.len()..header_end];
            let words = header.split('|').next().unwrap_or_default();
            let attrs = words
                .split_whitespace()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            Ok(Some(Region {
                range: *s..e + end.len(),
                attrs,
            }))
        }
        _ => Err(RegionError::Damaged {
            kind: kind.to_owned(),
            starts: starts.len(),
            ends: ends.len(),
        }),
    }
}

/// Builds a region: opening comment with attributes and a note for humans, body, closing one.
pub fn wrap(kind: &str, attrs: &BTreeMap<String, String>, note: &str, body: &str) -> String {
    let words: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    // A note must not end the comment early.
    let note = note.replace("--", "–");
    format!(
        "{} {} | {note} -->\n{}\n{}",
        start_marker(kind),
        words.join(" "),
        body.trim_end(),
        end_marker(kind)
    )
}

/// `text` with the region replaced by `region`, or, if there is none, `region` inserted on its
/// own line at byte `insert_at`. Every byte outside the region is kept.
pub fn put(text: &str, existing: Option<&Region>, insert_at: usize, region: &str) -> String {
    match existing {
        Some(r) => format!("{}{region}{}", &text[..r.range.start], &text[r.range.end..]),
        None => {
            let (before, after) = text.split_at(insert_at.min(text.len()));
            let lead = if before.is_empty() || before.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            let tail = if after.starts_with('\n') { "" } else { "\n" };
            format!("{before}{lead}{region}{tail}{after}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn wrap_find_and_replace_round_trip() {
        let region = wrap(
            "checklist",
            &attrs(&[("stage", "planning"), ("notice", "2")]),
            "bot box -- see [[User:Bot]]",
            "BODY\n",
        );
        assert!(
            region.starts_with("<!-- partnerbot:checklist notice=2 stage=planning | bot box – see")
        );
        let page = format!("{{{{P}}}}\n{region}\nhuman text\n");
        let found = find(&page, "checklist").unwrap().unwrap();
        assert_eq!(&page[found.range.clone()], region);
        assert_eq!(
            found.attrs,
            attrs(&[("stage", "planning"), ("notice", "2")])
        );
        let replaced = put(&page, Some(&found), 0, "NEW");
        assert_eq!(replaced, "{{P}}\nNEW\nhuman text\n");
    }

    #[test]
    fn insertion_keeps_every_other_byte() {
        let page = "{{P|a=1}}\n\nhuman  text \t\n";
        let out = put(page, None, 9, "R");
        assert_eq!(out, "{{P|a=1}}\nR\n\nhuman  text \t\n");
        assert_eq!(put("{{P}}tail", None, 5, "R"), "{{P}}\nR\ntail");
        assert_eq!(put("", None, 0, "R"), "R\n");
    }

    #[test]
    fn damaged_markers_are_refused() {
        let open_only = "<!-- partnerbot:checklist stage=x | n -->\nbody";
        assert!(matches!(
            find(open_only, "checklist"),
            Err(RegionError::Damaged {
                starts: 1,
                ends: 0,
                ..
            })
        ));
        let twice = format!("{0}\n{0}", wrap("checklist", &BTreeMap::new(), "n", "b"));
        assert!(find(&twice, "checklist").is_err());
        let reversed = "<!-- /partnerbot:checklist --> <!-- partnerbot:checklist | n -->";
        assert!(find(reversed, "checklist").is_err());
        assert_eq!(
            find("<!-- partnerbot:checklists | x -->", "checklist"),
            Ok(None)
        );
    }
}
