//! The resources list's link check as part of the continuous job: run at the start of each
//! turn (after its full pass) and then every `resources.interval_hours`. Cached results keep
//! it cheap; a failure is reported on the status page and never stops the job.

use super::cycle::Turn;
use crate::apply::resources::{Live, ResourcesChecker};

impl Turn<'_> {
    /// One check of the list; the error in words if it failed.
    pub(super) async fn check_resources(&self) -> Option<String> {
        if !self.settings.resources.enabled {
            return None;
        }
        let checks = match Live::new(self.connection, self.settings) {
            Ok(c) => c,
            Err(e) => return Some(e.to_string()),
        };
        let checker = ResourcesChecker {
            connection: self.connection,
            checks,
            state: self.state,
            settings: self.settings,
            account: self.account.clone(),
            dry_run: self.dry_run,
        };
        match checker.run(chrono::Utc::now()).await {
            Ok(summary) => {
                if summary.edited {
                    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
                    if let Err(e) = self.state.count_edit(&day) {
                        tracing::warn!(error = %e, "state not updated (edit count)");
                    }
                }
                if let Some(note) = &summary.note {
                    tracing::warn!(page = %summary.page, "resources list: {note}");
                }
                tracing::info!(
                    page = %summary.page,
                    links = summary.findings.len(),
                    fetched = summary.fetched,
                    cached = summary.cached,
                    edited = summary.edited,
                    "resources list checked"
                );
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "resources list not checked");
                Some(format!("resources list: {e}"))
            }
        }
    }
}
