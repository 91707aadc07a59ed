//! `index`: rebuild the learning-pattern, case-study, proposal and sign-up lists, or update
//! the rows of a few pages.

use std::collections::HashSet;
use std::process::ExitCode;

use anyhow::Result;

use super::proposals::{editing_reconciler, require_account};
use crate::apply::index::{IndexSummary, Indexer};
use crate::config::Settings;
use crate::wiki::Connection;

pub async fn index(settings: &Settings, dry_run: bool, pages: &[String]) -> Result<ExitCode> {
    require_account(settings, dry_run)?;
    let connection = Connection::connect(settings).await?;
    let (reconciler, titles) = editing_reconciler(settings, &connection, dry_run).await?;
    let indexer = Indexer::new(&reconciler, dry_run);
    let summary = if pages.is_empty() {
        indexer.rebuild(&titles, None).await?
    } else {
        let proposals: HashSet<String> = titles.into_iter().collect();
        indexer.update(pages, &proposals).await?
    };
    print_summary(&summary, dry_run);
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn print_summary(summary: &IndexSummary, dry_run: bool) {
    let edited = if dry_run { "would edit:" } else { "edited:" };
    println!(
        "index:          {} learning patterns, {} case studies, {} proposals, {} interested communities",
        summary.learning_patterns, summary.case_studies, summary.proposals, summary.communities
    );
    if summary.vanished > 0 {
        println!("  listed but gone when read: {}", summary.vanished);
    }
    println!("  {edited:<13} {}", list(&summary.pages_edited));
    println!("  unchanged:    {}", list(&summary.pages_unchanged));
    for f in &summary.failed {
        println!("  FAILED:       {f}");
    }
    println!("  API requests: {}", summary.requests);
}

fn list(pages: &[String]) -> String {
    if pages.is_empty() {
        "none".into()
    } else {
        pages
            .iter()
            .map(|p| format!("[[{p}]]"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
