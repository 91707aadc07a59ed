//! `inspect`, `check` and `run --once`: the proposal workflow from the command line.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde_json::json;

use super::status::shutoff_state;
use crate::analyse::page::PageAnalysis;
use crate::apply::index::Indexer;
use crate::apply::plan::PagePlan;
use crate::apply::reconcile::{Outcome, Reconciler};
use crate::config::Settings;
use crate::render::checklist::{KIND, RegionState};
use crate::render::region;
use crate::wiki::{Connection, PageRevision};

/// Connects and prepares a reconciler (reads the account and the template's redirects).
pub(super) async fn reconciler<'a>(
    settings: &'a Settings,
    connection: &'a Connection,
    dry_run: bool,
) -> Result<(Reconciler<'a>, Vec<String>, bool, String)> {
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    let (running, why) = shutoff_state(settings, &site);
    if !dry_run && !site.account.has_bot_right() {
        tracing::warn!(account = %site.account.name, "the account lacks the `bot` right: edits will not be flagged as bot edits");
    }
    let (reconciler, titles) =
        Reconciler::new(connection, settings, site.account.name.clone(), dry_run).await?;
    Ok((reconciler, titles, running, why))
}

/// Commands that edit need credentials (unless they only show what they would do).
pub(super) fn require_account(settings: &Settings, dry_run: bool) -> Result<()> {
    if settings.auth.is_none() && !dry_run {
        bail!("editing needs an account: set auth.username and auth.password (or use --dry-run)");
    }
    Ok(())
}

/// A reconciler for a command that edits: refused while the shut-off page says stop.
pub(super) async fn editing_reconciler<'a>(
    settings: &'a Settings,
    connection: &'a Connection,
    dry_run: bool,
) -> Result<(Reconciler<'a>, Vec<String>)> {
    let (reconciler, titles, running, why) = reconciler(settings, connection, dry_run).await?;
    if !running && !dry_run {
        bail!(
            "not editing: the shut-off page [[{}]] {why}",
            settings.bot.shutoff_page
        );
    }
    Ok((reconciler, titles))
}

/// One page, read and analysed.
async fn one_page(
    reconciler: &Reconciler<'_>,
    connection: &Connection,
    title: &str,
) -> Result<(PageRevision, PageAnalysis)> {
    let title = connection.normalize_title(title)?;
    let mut pages = reconciler.analyse(std::slice::from_ref(&title)).await?;
    let (revision, analysis) = pages.pop().expect("one page asked, one answered");
    if !revision.exists {
        bail!("[[{title}]] does not exist");
    }
    Ok((revision, analysis))
}

pub async fn inspect(settings: &Settings, title: &str, as_json: bool) -> Result<ExitCode> {
    let connection = Connection::connect(settings).await?;
    let (reconciler, _, _, _) = reconciler(settings, &connection, true).await?;
    let (revision, analysis) = one_page(&reconciler, &connection, title).await?;
    let region = region::find(&revision.text, KIND);
    let state = match &region {
        Ok(Some(r)) => Some(RegionState::from_attrs(&r.attrs)),
        _ => None,
    };
    let would_edit = matches!(reconciler.plan(&revision, &analysis), PagePlan::Edit(_));
    let proposal = &analysis.proposal;
    if as_json {
        let checklist = analysis.checklist.as_ref();
        let value = json!({
            "title": revision.title,
            "revision": revision.revid,
            "proposal": { "params": proposal.params, "problems": proposal.problems },
            "stage": proposal.stage,
            "checklist": checklist.map(|c| &c.items),
            "progress": checklist.map(|c| json!({ "done": c.done, "total": c.total })),
            "region": match (&region, &state) {
                (Err(e), _) => json!({ "present": true, "error": e.to_string() }),
                (Ok(_), Some(s)) => json!({ "present": true, "stage": s.stage, "notice": s.notice }),
                _ => json!({ "present": false }),
            },
            "tally": analysis.tally,
            "survey": analysis.survey,
            "would_edit": would_edit,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "page:      [[{}]] (revision {})",
        revision.title,
        revision.revid.unwrap_or(0)
    );
    println!(
        "stage:     {}",
        proposal.stage.as_deref().unwrap_or("(none: see problems)")
    );
    println!("parameters:");
    for (name, value) in &proposal.params {
        println!("  {name} = {value}");
    }
    println!("problems:  {}", proposal.problems.len());
    for p in &proposal.problems {
        println!("  - {}", p.message);
    }
    if let Some(c) = &analysis.checklist {
        println!(
            "checklist: stage {} ({}/{} done)",
            c.stage_label, c.done, c.total
        );
        for item in &c.items {
            let mark = if item.done { "[x]" } else { "[ ]" };
            let carried = if item.carried_over {
                format!(" (from {})", item.stage)
            } else {
                String::new()
            };
            println!("  {mark} {}{carried}: {}", item.label, item.evidence);
        }
    }
    match &analysis.tally {
        Some(t) => {
            let percent = t.percent.map_or("-".into(), |p| format!("{p:.1}%"));
            println!(
                "tally:     support {}, oppose {}, neutral {}, ignored {} ({percent}; {:?})",
                t.totals.support, t.totals.oppose, t.totals.neutral, t.totals.ignored, t.status
            );
            for i in &t.ignored {
                let who = i.user.as_deref().unwrap_or("(no signature)");
                println!(
                    "  - not counted: {who} ({:?}): {}",
                    i.position,
                    i.reason.explain()
                );
            }
        }
        None => println!("tally:     no community-support section"),
    }
    print_survey(analysis.survey.as_ref());
    match (&region, &state) {
        (Err(e), _) => println!("region:    DAMAGED: {e}"),
        (Ok(_), Some(s)) => println!(
            "region:    present (last stage written: {}, notices: {})",
            s.stage.as_deref().unwrap_or("none"),
            s.notice
        ),
        _ => println!("region:    not yet on the page"),
    }
    println!(
        "would edit: {}",
        if would_edit {
            "yes (see `partnerbot check`)"
        } else {
            "no"
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn check(settings: &Settings, title: &str) -> Result<ExitCode> {
    let connection = Connection::connect(settings).await?;
    let (reconciler, _, _, _) = reconciler(settings, &connection, true).await?;
    let (revision, analysis) = one_page(&reconciler, &connection, title).await?;
    match reconciler.plan(&revision, &analysis) {
        PagePlan::Unchanged => println!("[[{}]]: no edit, the page is up to date", revision.title),
        PagePlan::NotOurs => println!(
            "[[{}]]: not a proposal and no partnerbot region: no edit",
            revision.title
        ),
        PagePlan::Blocked(e) => println!("[[{}]]: no edit: {e}", revision.title),
        PagePlan::Edit(edit) => {
            println!("summary: {}", edit.summary);
            let old = format!("{}\n", revision.text);
            let new = format!("{}\n", edit.text);
            print!(
                "{}",
                similar::TextDiff::from_lines(&old, &new)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!(
                            "[[{}]] (revision {})",
                            revision.title,
                            revision.revid.unwrap_or(0)
                        ),
                        "partnerbot"
                    )
            );
            if let Some(change) = &edit.notice {
                let talk = connection.talk_title(&revision.title)?.unwrap_or_default();
                println!(
                    "\nnew section on [[{talk}]] (unless notice {} is already there): == {} ==",
                    change.n,
                    change.notice.title.english()
                );
                println!("{}", change.notice.text);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_once(settings: &Settings, dry_run: bool) -> Result<ExitCode> {
    require_account(settings, dry_run)?;
    let connection = Connection::connect(settings).await?;
    let (reconciler, titles) = editing_reconciler(settings, &connection, dry_run).await?;
    let bar = progress_bar(titles.len());
    let mut summary = reconciler
        .run(&titles, |title, outcome| {
            if let Some(bar) = &bar {
                bar.set_message(title.to_owned());
                bar.inc(1);
            }
            match outcome {
                Outcome::Failed(e) => tracing::warn!(page = %title, error = %e, "failed"),
                Outcome::Blocked(e) => tracing::warn!(page = %title, "skipped: {e}"),
                _ => tracing::debug!(page = %title, ?outcome),
            }
        })
        .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let entries = std::mem::take(&mut summary.entries);
    let edited = if dry_run { "would edit:" } else { "edited:" };
    println!("pages seen:     {}", summary.seen);
    println!("{edited:<15} {}", summary.edited);
    println!("unchanged:      {}", summary.unchanged);
    println!("with problems:  {}", summary.with_problems);
    println!("stage notices:  {}", summary.notices);
    println!(
        "skipped:        {} (not a proposal any more, {{{{nobots}}}}, or damaged region)",
        summary.skipped
    );
    println!("failed:         {}", summary.failed);
    println!(
        "API requests:   {} (plus 3 for login and site info)",
        summary.requests
    );
    // Without every proposal's entry the index would lose rows: leave it for the next pass.
    let index = if summary.unread == 0 {
        let index = Indexer::new(&reconciler, dry_run)
            .rebuild(&titles, Some(entries))
            .await?;
        super::index::print_summary(&index, dry_run);
        index
    } else {
        println!(
            "index:          not rebuilt: {} proposals could not be read",
            summary.unread
        );
        Default::default()
    };
    Ok(if summary.failed > 0 || !index.failed.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on stderr, only for a human at a terminal (never in Toolforge logs).
fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// The survey part of `inspect`'s text output.
fn print_survey(survey: Option<&crate::analyse::survey::Survey>) {
    let Some(s) = survey else {
        println!("survey:    none (before the survey's stage, or no survey section)");
        return;
    };
    let share = |p: Option<f64>| p.map_or("-".into(), |p| format!("{p:.0}%"));
    println!(
        "survey:    {} responses, approval {} (process), {} (outcomes); target {}% with {}+ responses: {}",
        s.responses.len(),
        share(s.process.approve_percent),
        share(s.outcomes.approve_percent),
        s.target_percent,
        s.min_responses,
        if s.met { "met" } else { "not met" }
    );
    for i in &s.ignored {
        let who = i.user.as_deref().unwrap_or("(no signature)");
        let detail = i
            .detail
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        println!("  - not counted: {who}: {}{detail}", i.reason.explain());
    }
}
