//! The pure decision for one index page: its text with each list's region put in place.
//! A region is replaced where it is; a new one goes at the top of its section, and a missing
//! section is added at the end of the page. Nothing else on the page changes.

use crate::analyse::index::ListKind;
use crate::analyse::wikitext;
use crate::render::region::{self, RegionError};

/// One list to put on a page.
#[derive(Debug, Clone)]
pub struct ListOnPage {
    pub kind: ListKind,
    /// Heading of the section it goes in; None: the end of the page.
    pub section: Option<String>,
    /// The rendered region.
    pub region: String,
}

/// The desired text of the page, or None when it already is what the bot would write.
pub fn plan(text: &str, lists: &[ListOnPage]) -> Result<Option<String>, RegionError> {
    let mut out = text.to_owned();
    for list in lists {
        let existing = region::find(&out, list.kind.region_kind())?;
        out = match (&existing, &list.section) {
            (Some(_), _) => region::put(&out, existing.as_ref(), 0, &list.region),
            (None, Some(heading)) => match section_start(&out, heading) {
                Some(at) => region::put(&out, None, at, &list.region),
                None => append(&out, &format!("== {heading} ==\n{}", list.region)),
            },
            (None, None) => append(&out, &list.region),
        };
    }
    Ok((out != text).then_some(out))
}

/// Just after the heading line of the first section titled `heading` (case-insensitive).
fn section_start(text: &str, heading: &str) -> Option<usize> {
    let masked = wikitext::mask(text);
    wikitext::sections(text, &masked)
        .into_iter()
        .find(|s| s.title.eq_ignore_ascii_case(heading.trim()))
        .map(|s| s.heading.end)
}

fn append(text: &str, block: &str) -> String {
    let body = text.trim_end_matches('\n');
    if body.is_empty() {
        format!("{block}\n")
    } else {
        format!("{body}\n\n{block}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::region::wrap;

    fn list(kind: ListKind, section: Option<&str>, body: &str) -> ListOnPage {
        ListOnPage {
            kind,
            section: section.map(str::to_owned),
            region: wrap(kind.region_kind(), &Default::default(), "note", body),
        }
    }

    #[test]
    fn new_regions_go_to_their_sections_and_keep_every_other_byte() {
        let page = "Intro  \n== Case studies ==\n* (none yet)\n\n== Interested communities ==\n* A – sig\n";
        let lists = [
            list(ListKind::CaseStudies, Some("Case studies"), "CS"),
            list(ListKind::Proposals, Some("Proposals"), "P"),
        ];
        let out = plan(page, &lists).unwrap().unwrap();
        let cs = &lists[0].region;
        assert!(out.starts_with(&format!(
            "Intro  \n== Case studies ==\n{cs}\n* (none yet)\n"
        )));
        assert!(out.ends_with(&format!(
            "* A – sig\n\n== Proposals ==\n{}\n",
            lists[1].region
        )));
        // Second pass: nothing to do.
        assert_eq!(plan(&out, &lists).unwrap(), None);
        // A changed list replaces only its region.
        let changed = [
            list(ListKind::CaseStudies, Some("Case studies"), "CS2"),
            lists[1].clone(),
        ];
        let again = plan(&out, &changed).unwrap().unwrap();
        assert_eq!(again, out.replace(cs, &changed[0].region));
    }

    #[test]
    fn a_missing_page_is_created_and_damaged_regions_are_refused() {
        let lists = [list(
            ListKind::LearningPatterns,
            Some("Learning patterns"),
            "LP",
        )];
        let out = plan("", &lists).unwrap().unwrap();
        assert_eq!(
            out,
            format!("== Learning patterns ==\n{}\n", lists[0].region)
        );
        let damaged = "<!-- partnerbot:index-learning-patterns | x -->\nno end";
        assert!(plan(damaged, &lists).is_err());
        let end_of_page = [list(ListKind::Communities, None, "C")];
        assert_eq!(
            plan("text\n", &end_of_page).unwrap().unwrap(),
            format!("text\n\n{}\n", end_of_page[0].region)
        );
    }
}
