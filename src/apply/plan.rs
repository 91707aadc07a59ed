//! The pure decision for one proposal page: from its current text and analysis to the desired
//! text, the edit summary, and whether a stage change must be announced. No I/O here.

use crate::analyse::page::PageAnalysis;
use crate::analyse::wikitext;
use crate::render::checklist::{self, KIND, RegionState, RenderSettings};
use crate::render::notice::{self, Notice};
use crate::render::region::{self, RegionError};
use crate::render::survey as survey_region;
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
    for kind in [KIND, tally_region::KIND, survey_region::KIND] {
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
        // if that line ends inside a comment, after the line where the comment ends (the
        // region's markers would close it, and a region mid-line would cut the line, a vote
        // say, differently on the next run); right after the template if it never ends.
        (None, Some(range)) => wikitext::free_line_start(text, range.end).unwrap_or(range.end),
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
    let desired = match put_counts(with_checklist, revid, analysis, template, settings) {
        Ok(t) => t,
        Err(e) => return PagePlan::Blocked(e),
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

/// Puts the tally region at the top of the community-support section and the survey region at
/// the top of the survey section. The template's range moves with each edit before it.
fn put_counts(
    text: String,
    revid: u64,
    analysis: &PageAnalysis,
    template: Option<std::ops::Range<usize>>,
    settings: &RenderSettings,
) -> Result<String, RegionError> {
    let proposal = &analysis.proposal;
    let mut text = text;
    let mut template = template;
    if let Some(tally) = &analysis.tally {
        let closes = proposal.value("support_closes");
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
        let is_heading = |s: &wikitext::Section| {
            s.level == 2 && settings.support_sections.contains(&s.title.to_lowercase())
        };
        let edited = put_counted(
            &text,
            tally_region::KIND,
            is_heading,
            render,
            revid,
            &template,
        )?;
        template = shifted(template, &text, &edited);
        text = edited;
    }
    if let Some(survey) = &analysis.survey {
        let render = |as_of| {
            survey_region::region(
                survey,
                proposal,
                &analysis.survey_verified,
                as_of,
                settings.docs_page,
                settings.lang,
            )
        };
        let is_heading = |s: &wikitext::Section| {
            settings
                .survey_sections
                .contains(&s.title.trim().to_lowercase())
        };
        text = put_counted(
            &text,
            survey_region::KIND,
            is_heading,
            render,
            revid,
            &template,
        )?;
    }
    Ok(text)
}

/// Where the template is after an edit: the first difference of the texts is where the one
/// region that changed starts, so positions after it move by the change in length.
fn shifted(
    template: Option<std::ops::Range<usize>>,
    before: &str,
    after: &str,
) -> Option<std::ops::Range<usize>> {
    let t = template?;
    let edited_at = before
        .bytes()
        .zip(after.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(before.len().min(after.len()));
    let delta = after.len() as isize - before.len() as isize;
    let shift = |p: usize| {
        if p >= edited_at {
            p.saturating_add_signed(delta)
        } else {
            p
        }
    };
    Some(shift(t.start)..shift(t.end))
}

/// Puts the region `kind` at the top of the first section `is_heading` accepts (outside the
/// template). Its `as_of` revision stays as it was while the count does not change, so the
/// bot's own edits never make it stale. No such section: the text is unchanged.
fn put_counted(
    text: &str,
    kind: &str,
    is_heading: impl Fn(&wikitext::Section) -> bool,
    render: impl Fn(u64) -> String,
    revid: u64,
    template: &Option<std::ops::Range<usize>>,
) -> Result<String, RegionError> {
    let existing = region::find(text, kind)?;
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
            let template = template.clone().unwrap_or_default();
            let heading = wikitext::sections(text, &masked)
                .into_iter()
                .find(|s| is_heading(s) && !template.contains(&s.heading.start));
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
    if let Some(s) = &analysis.survey {
        let met = if s.met {
            "targets met"
        } else {
            "targets not met"
        };
        parts.push(format!("survey: {} responses, {met}", s.responses.len()));
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
