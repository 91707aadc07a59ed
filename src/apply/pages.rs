//! Keeping wiki pages equal to files (`templates install` / `templates diff`).
//!
//! Level-triggered like the rest of the bot: the plan is computed from the wiki's current
//! content, pages that already match are never touched, and a page whose latest revision is
//! someone else's is left alone unless the maintainer forces it, because their change would be
//! lost.

use std::fmt::Write as _;

use crate::pagefiles::PageFile;
use crate::wiki::{PageRevision, PageStore, SaveOutcome, SaveRequest, WikiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Keep,
}

#[derive(Debug, Clone)]
pub struct PlannedPage {
    pub file: PageFile,
    pub current: PageRevision,
    pub action: Action,
    /// The latest editor, when an update would replace someone else's revision.
    pub foreign_editor: Option<String>,
}

/// Pairs files with their pages' current revisions (same order) and decides what to do.
pub fn plan(
    files: Vec<PageFile>,
    current: Vec<PageRevision>,
    bot_account: &str,
) -> Vec<PlannedPage> {
    files
        .into_iter()
        .zip(current)
        .map(|(file, current)| {
            let action = if !current.exists {
                Action::Create
            } else if current.text.trim_end() == file.text {
                Action::Keep
            } else {
                Action::Update
            };
            let foreign_editor = match (&action, &current.user) {
                (Action::Update, Some(user)) if user != bot_account => Some(user.clone()),
                (Action::Update, None) => Some("(hidden user)".into()),
                _ => None,
            };
            PlannedPage {
                file,
                current,
                action,
                foreign_editor,
            }
        })
        .collect()
}

/// A unified diff from the wiki's content to the file's, headed by the title.
pub fn diff(page: &PlannedPage) -> String {
    let old = if page.current.exists {
        format!("{}\n", page.current.text.trim_end())
    } else {
        String::new()
    };
    let new = format!("{}\n", page.file.text);
    let old_label = match page.current.revid {
        Some(revid) => format!("wiki: [[{}]] (revision {revid})", page.current.title),
        None => format!("wiki: [[{}]] (does not exist)", page.current.title),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(&old_label, &page.file.path.display().to_string())
    );
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created {
        revid: u64,
    },
    Updated {
        revid: u64,
    },
    Unchanged,
    /// Would be saved, but this is a dry run.
    WouldSave,
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
}

impl Outcome {
    pub fn is_problem(&self) -> bool {
        matches!(self, Outcome::Skipped { .. } | Outcome::Failed { .. })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    pub dry_run: bool,
    /// Replace pages even when someone else edited them last.
    pub force: bool,
}

/// Saves every planned change; one page's failure does not stop the others.
pub async fn apply<S: PageStore>(
    store: &S,
    plan: &[PlannedPage],
    options: ApplyOptions,
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(plan.len());
    for page in plan {
        outcomes.push(apply_one(store, page, options).await);
    }
    let stale = parents_of_saved(plan, &outcomes);
    if !stale.is_empty() {
        // Without this a template shows its old TemplateData until the job queue gets to it.
        if let Err(e) = store.refresh_links(&stale).await {
            tracing::warn!(error = %e, pages = ?stale, "could not refresh the link tables of changed templates");
        }
    }
    outcomes
}

/// Pages of the plan whose subpage (e.g. `/doc`) was just saved.
fn parents_of_saved(plan: &[PlannedPage], outcomes: &[Outcome]) -> Vec<String> {
    let saved = plan
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| matches!(o, Outcome::Created { .. } | Outcome::Updated { .. }));
    let mut parents: Vec<String> = saved
        .filter_map(|(page, _)| {
            page.current
                .title
                .rsplit_once('/')
                .map(|(parent, _)| parent.to_owned())
        })
        .filter(|parent| plan.iter().any(|p| &p.current.title == parent))
        .collect();
    parents.sort();
    parents.dedup();
    parents
}

async fn apply_one<S: PageStore>(store: &S, page: &PlannedPage, options: ApplyOptions) -> Outcome {
    if page.action == Action::Keep {
        return Outcome::Unchanged;
    }
    if let (Some(editor), false) = (&page.foreign_editor, options.force) {
        return Outcome::Skipped {
            reason: format!(
                "last edited by {editor}; copy their change into {} or use --force to replace it",
                page.file.path.display()
            ),
        };
    }
    if options.dry_run {
        return Outcome::WouldSave;
    }
    let verb = if page.action == Action::Create {
        "create"
    } else {
        "update"
    };
    let summary = format!(
        "partnerbot {}: {verb} from {} (partnerbot templates install)",
        env!("CARGO_PKG_VERSION"),
        page.file.path.display()
    );
    let request = SaveRequest {
        base: &page.current,
        text: &page.file.text,
        summary: &summary,
    };
    match store.save(&request).await {
        Ok(SaveOutcome::Saved { revid, .. }) if page.action == Action::Create => {
            Outcome::Created { revid }
        }
        Ok(SaveOutcome::Saved { revid, .. }) => Outcome::Updated { revid },
        Ok(SaveOutcome::NoChange) => Outcome::Unchanged,
        Err(WikiError::Conflict { code, .. }) => Outcome::Skipped {
            reason: format!(
                "someone edited the page while we worked ({code}); run again to see the new diff"
            ),
        },
        Err(e) => Outcome::Failed {
            error: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests;
