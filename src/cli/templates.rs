//! `templates diff` and `templates install`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::status::shutoff_state;
use crate::apply::pages::{self as sync, Action, ApplyOptions, Outcome};
use crate::config::Settings;
use crate::pagefiles;
use crate::wiki::{Connection, PageStore};

/// The template files; read before connecting so a bad folder fails fast and clearly.
fn template_files(settings: &Settings) -> Result<Vec<pagefiles::PageFile>> {
    let dir = &settings.templates.dir;
    let files = pagefiles::load_dir(dir).with_context(|| templates_dir_hint(dir))?;
    if files.is_empty() {
        bail!("no .wikitext files in {}", dir.display());
    }
    Ok(files)
}

async fn planned(
    files: Vec<pagefiles::PageFile>,
    connection: &Connection,
    bot_account: &str,
) -> Result<Vec<sync::PlannedPage>> {
    let titles: Vec<String> = files.iter().map(|f| f.title.clone()).collect();
    let current = connection.read(&titles).await?;
    Ok(sync::plan(files, current, bot_account))
}

fn templates_dir_hint(dir: &Path) -> String {
    format!(
        "reading the templates folder {} (templates.dir, relative to the working directory)",
        dir.display()
    )
}

pub async fn templates_diff(settings: &Settings) -> Result<ExitCode> {
    let files = template_files(settings)?;
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    let plan = planned(files, &connection, &site.account.name).await?;
    let mut changes = 0;
    for page in plan.iter().filter(|p| p.action != Action::Keep) {
        changes += 1;
        if let Some(editor) = &page.foreign_editor {
            println!(
                "# [[{}]] was last edited by {editor}: install needs --force",
                page.current.title
            );
        }
        print!("{}", sync::diff(page));
    }
    println!(
        "{changes} of {} pages differ from {}",
        plan.len(),
        settings.templates.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn templates_install(settings: &Settings, options: ApplyOptions) -> Result<ExitCode> {
    if settings.auth.is_none() && !options.dry_run {
        bail!(
            "installing needs an account: set auth.username and auth.password (or use --dry-run)"
        );
    }
    let files = template_files(settings)?;
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    if !options.dry_run {
        let (running, why) = shutoff_state(settings, &site);
        if !running {
            bail!(
                "not editing: the shut-off page [[{}]] {why}",
                site.page.title
            );
        }
        if !site.account.has_bot_right() {
            tracing::warn!(account = %site.account.name, "the account lacks the `bot` right: edits will not be flagged as bot edits");
        }
    }
    let plan = planned(files, &connection, &site.account.name).await?;
    let outcomes = sync::apply(&connection, &plan, options).await;
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for (page, outcome) in plan.iter().zip(&outcomes) {
        let title = &page.current.title;
        let (label, line) = match outcome {
            Outcome::Created { revid } => (
                "created",
                format!("created    [[{title}]] (revision {revid})"),
            ),
            Outcome::Updated { revid } => (
                "updated",
                format!("updated    [[{title}]] (revision {revid})"),
            ),
            Outcome::Unchanged => ("unchanged", format!("unchanged  [[{title}]]")),
            Outcome::WouldSave => {
                let verb = if page.action == Action::Create {
                    "create"
                } else {
                    "update"
                };
                ("would change", format!("would {verb} [[{title}]]"))
            }
            Outcome::Skipped { reason } => ("skipped", format!("SKIPPED    [[{title}]]: {reason}")),
            Outcome::Failed { error } => ("failed", format!("FAILED     [[{title}]]: {error}")),
        };
        *counts.entry(label).or_default() += 1;
        println!("{line}");
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!("{}", summary.join(", "));
    Ok(if outcomes.iter().any(Outcome::is_problem) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
