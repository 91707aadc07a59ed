//! `resources`: check the links of the resources list once and update the report under it.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::proposals::require_account;
use super::status::shutoff_state;
use crate::analyse::resources::{LinkTarget, Verdict};
use crate::apply::resources::{Live, ResourcesChecker, ResourcesSummary};
use crate::config::Settings;
use crate::state::State;
use crate::wiki::Connection;

pub async fn resources(settings: &Settings, dry_run: bool) -> Result<ExitCode> {
    let r = &settings.resources;
    if !r.enabled {
        println!("resources: not checked (resources.enabled = false)");
        return Ok(ExitCode::SUCCESS);
    }
    require_account(settings, dry_run)?;
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    let (running, why) = shutoff_state(settings, &site);
    if !running && !dry_run {
        bail!(
            "not editing: the shut-off page [[{}]] {why}",
            settings.bot.shutoff_page
        );
    }
    let state = State::open(&settings.watch.state_path)?;
    let checker = ResourcesChecker {
        connection: &connection,
        checks: Live::new(&connection, settings)?,
        state: &state,
        settings,
        account: site.account.name.clone(),
        dry_run,
    };
    let summary = checker.run(chrono::Utc::now()).await?;
    print_summary(&summary, r.section.as_str(), dry_run);
    Ok(if summary.note.is_some() && summary.findings.is_empty() {
        ExitCode::FAILURE // No list found: nothing was checked.
    } else {
        ExitCode::SUCCESS
    })
}

pub fn print_summary(s: &ResourcesSummary, section: &str, dry_run: bool) {
    println!("resources:      [[{}#{section}]]", s.page);
    println!(
        "  links:        {} ({} ok, {} moved, {} broken, {} disambiguation, {} not checked)",
        s.findings.len(),
        s.count(Verdict::Ok),
        s.count(Verdict::Moved),
        s.count(Verdict::Broken),
        s.count(Verdict::Disambiguation),
        s.count(Verdict::Skipped),
    );
    println!(
        "  addresses:    {} fetched ({} HTTP requests), {} from the cache",
        s.fetched, s.http_requests, s.cached
    );
    for f in s.findings.iter().filter(|f| f.verdict.needs_attention()) {
        let link = match &f.target {
            LinkTarget::Page(t) => format!("[[{t}]]"),
            LinkTarget::Url(u) => u.clone(),
        };
        let to =
            f.to.as_deref()
                .map(|t| format!(" -> {t}"))
                .unwrap_or_default();
        println!("  {:<13} {link}: {}{to}", f.verdict.as_str(), f.detail);
    }
    if let Some(note) = &s.note {
        println!("  NOTE:         {note}");
    }
    let outcome = match (&s.would_save, s.edited) {
        (Some(_), _) => "report would change (dry run: not saved)",
        (None, true) => "report updated",
        (None, false) if s.note.is_some() => "not edited",
        (None, false) => "report unchanged: no edit",
    };
    println!("  page:         {outcome}");
    if let Some((old, new)) = &s.would_save
        && dry_run
    {
        let (old, new) = (format!("{old}\n"), format!("{new}\n"));
        print!(
            "{}",
            similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .header(&format!("[[{}]]", s.page), "partnerbot")
        );
    }
}
