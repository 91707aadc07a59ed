//! The pure decision for one proposal page: from its current text and analysis to the desired
//! text, the edit summary, and whether a stage change must be announced. No I/O here.

use crate::analyse::page::PageAnalysis;
use crate::analyse::wikitext;
use crate::render::checklist::{self, KIND, RegionState, RenderSettings};
use crate::render::notice::{self, Notice};
use crate::render::region::{self, RegionError};
use crate::render::tally as tally_region;

#[derive(Debug)]
pub enum PagePlan {
    /// Nothing to do: the page already shows what the bot would write.
    Unchanged,
    /// Not a proposal any more and no region of ours: not our page.
    NotOurs,
    /// The region's markers are damaged; a human must repair them.
    Blocked(RegionError),
    Edit(Box<PageEdit>),
}

#[derive(Debug)]
pub struct PageEdit {
    pub text: String,
    pub summary: String,
    /// To post on the talk page before saving, unless it is already there.
    pub notice: Option<StageNotice>,
}

#[derive(Debug)]
pub struct StageNotice {
    pub n: u32,
    pub from: String,
    pub to: String,
    pub notice: Notice,
}

/// `revid` is the revision `text` was read at (the tally says which revision it counted).
pub fn plan(
    title: &str,
    revid: u64,
    text: &str,
    analysis: &PageAnalysis,
    settings: &RenderSettings,
) -> PagePlan {
    let existing = match region::find(text, KIND) {
        Ok(r) => r,
        Err(e) => return PagePlan::Blocked(e),
    };
    let proposal = &analysis.proposal;
    // Replacing a region that starts inside the template would cut the template.
    for kind in [KIND, tally_region::KIND] {
        let region = match region::find(text, kind) {
            Ok(r) => r,
            Err(e) => return PagePlan::Blocked(e),
        };
        if let (Some(r), Some(t)) = (&region, &proposal.template_range)
            && t.start < r.range.start
            && r.range.start < t.end
        {
            return PagePlan::Blocked(RegionError::Misplaced {
                kind: kind.to_owned(),
            });
        }
    }
    let insert_at = match (&existing, &proposal.template_range) {
        (Some(_), _) => 0, // Replaced in place.
        // After the template's line, so text after the template on that line stays with it;
        // right after the template if that line ends inside a comment (the region's markers
        // would close it and change how the page reads).
        (None, Some(range)) => {
            let line_end = text[range.end..]
                .find('\n')
                .map_or(text.len(), |n| range.end + n + 1);
            if wikitext::inside_masked(text, line_end) {
                range.end
            } else {
                line_end
            }
        }
        (None, None) => return PagePlan::NotOurs,
    };
    let old = existing
        .as_ref()
        .map(|r| RegionState::from_attrs(&r.attrs))
        .unwrap_or_default();
    // An invalid stage keeps the last valid one, so fixing a typo announces nothing.
    let mut new = RegionState {
        stage: proposal.stage.clone().or(old.stage.clone()),
        notice: old.notice,
    };
    let mut stage_notice = None;
    if let (Some(_), Some(from), Some(to), Some(c)) =
        (&existing, &old.stage, &proposal.stage, &analysis.checklist)
    {
        if from != to {
            new.notice = old.notice + 1;
            stage_notice = Some(StageNotice {
                n: new.notice,
                from: from.clone(),
                to: to.clone(),
                notice: notice::stage_notice(
                    title,
                    from,
                    c,
                    &proposal.contacts(),
                    new.notice,
                    settings.docs_page,
                    settings.notice_lang,
                ),
            });
        }
    }
    let body = checklist::region(
        analysis.checklist.as_ref(),
        &proposal.problems,
        &new,
        settings,
    );
    let with_checklist = region::put(text, existing.as_ref(), insert_at, &body);
    // Where the template is now: the checklist region may have grown or shrunk before it.
    let edited_at = existing.as_ref().map_or(insert_at, |r| r.range.start);
    let delta = with_checklist.len() as isize - text.len() as isize;
    let template = proposal.template_range.as_ref().map(|t| {
        let shift = |p: usize| {
            if p >= edited_at {
                p.saturating_add_signed(delta)
            } else {
                p
            }
        };
        shift(t.start)..shift(t.end)
    });
    let desired = match &analysis.tally {
        Some(tally) => match put_tally(&with_checklist, tally, revid, analysis, template, settings)
        {
            Ok(t) => t,
            Err(e) => return PagePlan::Blocked(e),
        },
        None => with_checklist,
    };
    if desired == text {
        return PagePlan::Unchanged;
    }
    PagePlan::Edit(Box::new(PageEdit {
        summary: summary(
            analysis,
            stage_notice.as_ref(),
            existing.is_none(),
            settings.docs_page,
        ),
        text: desired,
        notice: stage_notice,
    }))
}

/// Puts the tally region at the top of the community-support section. Its `as_of` revision
/// stays as it was while the count does not change, so the bot's own edits never make it stale.
fn put_tally(
    text: &str,
    tally: &crate::analyse::tally::Tally,
    revid: u64,
    analysis: &PageAnalysis,
    template: Option<std::ops::Range<usize>>,
    settings: &RenderSettings,
) -> Result<String, RegionError> {
    let existing = region::find(text, tally_region::KIND)?;
    let closes = analysis.proposal.value("support_closes");
    let render = |as_of| {
        tally_region::region(
            tally,
            &analysis.verified,
            settings.count_rules,
            closes,
            as_of,
            settings.docs_page,
            settings.lang,
        )
    };
    if let Some(r) = &existing
        && let Some(old) = tally_region::as_of(r)
        && render(old) == text[r.range.clone()]
    {
        return Ok(text.to_owned());
    }
    let insert_at = match &existing {
        Some(_) => 0,
        None => {
            let masked = wikitext::mask_without_regions(text);
            let template = template.unwrap_or_default();
            let heading = wikitext::sections(text, &masked).into_iter().find(|s| {
                s.level == 2
                    && settings.support_sections.contains(&s.title.to_lowercase())
                    && !template.contains(&s.heading.start)
            });
            match heading {
                Some(h) => h.heading.end,
                None => return Ok(text.to_owned()),
            }
        }
    };
    Ok(region::put(
        text,
        existing.as_ref(),
        insert_at,
        &render(revid),
    ))
}

fn summary(
    analysis: &PageAnalysis,
    change: Option<&StageNotice>,
    first: bool,
    docs: &str,
) -> String {
    let mut parts = Vec::new();
    if first {
        parts.push("add the partnership checklist".to_owned());
    }
    if let Some(c) = change {
        parts.push(format!("stage changed from {} to {}", c.from, c.to));
    }
    match &analysis.checklist {
        Some(c) => parts.push(format!(
            "checklist for stage {}: {}/{} done",
            c.stage_label, c.done, c.total
        )),
        None => parts.push("no valid stage".into()),
    }
    if let Some(t) = &analysis.tally {
        let t = &t.totals;
        parts.push(format!(
            "support {}, oppose {}, neutral {}",
            t.support, t.oppose, t.neutral
        ));
    }
    match analysis.proposal.problems.len() {
        0 => {}
        1 => parts.push("1 problem".into()),
        n => parts.push(format!("{n} problems")),
    }
    format!("partnerbot: {} ([[{docs}|how it works]])", parts.join("; "))
}

#[cfg(test)]
mod tests;
