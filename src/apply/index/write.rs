//! Reading the index pages and writing the lists into them: one save per page that differs,
//! against the revision read, re-planned on an edit conflict.

use std::collections::BTreeMap;

use super::plan::{self, ListOnPage};
use super::{CONFLICT_ATTEMPTS, IndexSummary, Indexer, Lists, Placement, TargetPage};
use crate::analyse::bots;
use crate::analyse::index::ListKind;
use crate::render::index as render;
use crate::render::message::Lang;
use crate::wiki::{PageRevision, PageStore, SaveOutcome, SaveRequest, WikiError};

impl Indexer<'_> {
    /// The target pages (redirects followed), with the lists each holds.
    pub(super) async fn read_targets(&self) -> Result<Vec<TargetPage>, WikiError> {
        let mut by_page: BTreeMap<String, Placement> = BTreeMap::new();
        for kind in ListKind::ALL {
            if let Some(t) = self.target(kind) {
                let page = self.connection.normalize_title(&t.page)?;
                by_page
                    .entry(page)
                    .or_default()
                    .push((kind, t.section.clone()));
            }
        }
        let titles: Vec<String> = by_page.keys().cloned().collect();
        let pages = self.connection.read_following(&titles).await?;
        // Two targets may redirect to one page: merge them.
        let mut merged: BTreeMap<String, TargetPage> = BTreeMap::new();
        for (asked, page) in titles.iter().zip(pages) {
            let lists = by_page.remove(asked).unwrap_or_default();
            merged
                .entry(page.title.clone())
                .or_insert_with(|| (page, Vec::new()))
                .1
                .extend(lists);
        }
        Ok(merged.into_values().collect())
    }

    pub(super) async fn write(
        &self,
        targets: Vec<TargetPage>,
        lists: &Lists,
        summary: &mut IndexSummary,
    ) -> Result<(), WikiError> {
        let count = |k| lists.get(&k).map_or(0, BTreeMap::len);
        summary.learning_patterns = count(ListKind::LearningPatterns);
        summary.case_studies = count(ListKind::CaseStudies);
        summary.proposals = count(ListKind::Proposals);
        summary.communities = count(ListKind::Communities);
        summary.row_pages = [ListKind::LearningPatterns, ListKind::CaseStudies]
            .iter()
            .filter_map(|k| lists.get(k))
            .flat_map(|rows| rows.keys().cloned())
            .collect();
        let docs = &self.settings.bot.docs_page;
        let content_language = self.reconciler.content_language();
        for (page, kinds) in targets {
            let on_page: Vec<ListOnPage> = kinds
                .iter()
                .map(|(kind, section)| ListOnPage {
                    kind: *kind,
                    section: section.clone(),
                    region: render::region(
                        *kind,
                        lists.get(kind).unwrap_or(&BTreeMap::new()),
                        docs,
                        Lang::of_page(page.language.as_deref(), content_language),
                    ),
                })
                .collect();
            let title = page.title.clone();
            match self.settle(page, &on_page).await {
                Ok(true) => summary.pages_edited.push(title),
                Ok(false) => summary.pages_unchanged.push(title),
                Err(e) => {
                    tracing::warn!(page = %title, error = %e, "index page not saved");
                    summary.failed.push(format!("{title}: {e}"));
                }
            }
        }
        Ok(())
    }

    /// Saves the page if its lists differ; on an edit conflict, re-reads it and tries again.
    pub(super) async fn settle(
        &self,
        mut page: PageRevision,
        lists: &[ListOnPage],
    ) -> Result<bool, WikiError> {
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let desired = match plan::plan(&page.text, lists) {
                Ok(Some(d)) => d,
                Ok(None) => return Ok(false),
                Err(e) => return Err(WikiError::Unexpected(e.to_string())),
            };
            if !bots::allowed(&page.text, &self.reconciler.account) {
                tracing::info!(page = %page.title, "the page opts out of bots; not editing");
                return Ok(false);
            }
            if self.dry_run {
                tracing::info!(page = %page.title, "would update the index");
                return Ok(true);
            }
            let names: Vec<&str> = lists.iter().map(|l| l.kind.label()).collect();
            let summary = format!(
                "partnerbot: update the index of {} ([[{}|how it works]])",
                names.join(", "),
                self.settings.bot.docs_page
            );
            let request = SaveRequest {
                base: &page,
                text: &desired,
                summary: &summary,
            };
            match self.connection.save(&request).await {
                Ok(SaveOutcome::Saved { .. }) => {
                    tracing::info!(page = %page.title, %summary, "saved");
                    return Ok(true);
                }
                Ok(SaveOutcome::NoChange) => return Ok(false),
                Err(WikiError::Conflict { .. }) if attempt < CONFLICT_ATTEMPTS => {
                    let fresh = self
                        .connection
                        .read_following(std::slice::from_ref(&page.title))
                        .await?;
                    page = fresh.into_iter().next().ok_or_else(|| {
                        WikiError::Unexpected(format!("[[{}]] vanished", page.title))
                    })?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(WikiError::Unexpected(
            "edit conflicts on every attempt".into(),
        ))
    }
}

/// The rows each list has on the wiki now (empty lists for absent regions).
pub(super) fn previous_rows(targets: &[TargetPage]) -> Lists {
    let mut out: Lists = ListKind::ALL
        .iter()
        .map(|k| (*k, BTreeMap::new()))
        .collect();
    for (page, kinds) in targets {
        for (kind, _) in kinds {
            out.insert(*kind, render::read_rows(&page.text, *kind));
        }
    }
    out
}
