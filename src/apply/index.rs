//! Keeping the index lists current: list and read the pages behind each list in batches, build
//! the rows, and write each list's region on its target page, saving only pages that differ.
//!
//! The rows already on the wiki are the memory between passes: a learning pattern's creation
//! date is read back instead of refetched, and [`Indexer::update`] changes the rows of a few
//! pages without reading the rest.

mod patterns;
pub mod plan;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use super::reconcile::Reconciler;
use crate::analyse::index::{
    self, CaseStudyPage, ListKind, ProposalEntry, Row, case_study_rows, dashboard_rows,
};
use crate::config::{Settings, Target};
use crate::wiki::{Connection, PageRevision, WikiError};
use write::previous_rows;

/// Attempts per index page when humans edit it while we work.
const CONFLICT_ATTEMPTS: usize = 3;

pub struct Indexer<'a> {
    reconciler: &'a Reconciler<'a>,
    connection: &'a Connection,
    settings: &'a Settings,
    dry_run: bool,
}

/// What a pass found and did.
#[derive(Debug, Default, Serialize)]
pub struct IndexSummary {
    pub learning_patterns: usize,
    pub case_studies: usize,
    pub proposals: usize,
    pub communities: usize,
    /// Listed, but gone (deleted or missing) when read.
    pub vanished: usize,
    pub pages_edited: Vec<String>,
    pub pages_unchanged: Vec<String>,
    pub failed: Vec<String>,
    pub requests: u64,
    /// Pages with a row of their own (learning patterns, case studies): the watcher follows them.
    pub row_pages: Vec<String>,
}

/// Sections (None: the page's end) that lists go in, by list.
type Placement = Vec<(ListKind, Option<String>)>;

/// An index page as read, and the lists it holds.
type TargetPage = (PageRevision, Placement);

/// The four lists, keyed by [`ListKind::key`].
pub type Lists = BTreeMap<ListKind, BTreeMap<String, Row>>;

impl<'a> Indexer<'a> {
    pub fn new(reconciler: &'a Reconciler<'a>, dry_run: bool) -> Self {
        Indexer {
            reconciler,
            connection: reconciler.connection,
            settings: reconciler.settings,
            dry_run,
        }
    }

    fn target(&self, kind: ListKind) -> Option<&Target> {
        let t = &self.settings.index.targets;
        match kind {
            ListKind::LearningPatterns => t.learning_patterns.as_ref(),
            ListKind::CaseStudies => t.case_studies.as_ref(),
            ListKind::Proposals => t.proposals.as_ref(),
            ListKind::Communities => t.communities.as_ref(),
        }
    }

    /// Rebuilds every list. `entries` are the proposals as the proposal pass left them (None:
    /// read and analyse them here).
    pub async fn rebuild(
        &self,
        proposals: &[String],
        entries: Option<Vec<ProposalEntry>>,
    ) -> Result<IndexSummary, WikiError> {
        let before = self.connection.requests();
        if self.connection.is_stopping() {
            return Ok(IndexSummary::default()); // SIGTERM: the next start rebuilds it.
        }
        let targets = self.read_targets().await?;
        let previous = previous_rows(&targets);
        let entries = match entries {
            Some(e) => e,
            None => self.proposal_entries(proposals).await?,
        };
        let case_pages = self.case_study_pages().await?;
        let mut summary = IndexSummary::default();
        let pattern_rows = self
            .patterns(&previous[&ListKind::LearningPatterns], &mut summary)
            .await?;
        let links: BTreeMap<String, BTreeSet<String>> = pattern_rows
            .iter()
            .map(|(t, (_, links))| (t.clone(), links.clone()))
            .collect();
        let ix = &self.settings.index;
        let stages = &self.settings.proposals.stages;
        let mut lists = Lists::new();
        lists.insert(
            ListKind::LearningPatterns,
            pattern_rows
                .into_iter()
                .map(|(t, (row, _))| (t, row))
                .collect(),
        );
        lists.insert(
            ListKind::CaseStudies,
            case_study_rows(
                &entries,
                &case_pages,
                &links,
                ix.case_study_from_stage,
                &ix.case_study_statuses,
            ),
        );
        lists.insert(ListKind::Proposals, dashboard_rows(&entries, stages));
        lists.insert(ListKind::Communities, self.communities().await?);
        self.write(targets, &lists, &mut summary).await?;
        summary.requests = self.connection.requests() - before;
        Ok(summary)
    }

    /// Updates the rows of `titles` only (a proposal, a learning pattern, a case-study page or
    /// the sign-up page that changed), reusing every other row from the wiki.
    pub async fn update(
        &self,
        titles: &[String],
        proposals: &HashSet<String>,
    ) -> Result<IndexSummary, WikiError> {
        self.update_with(titles, proposals, &[]).await
    }

    /// [`Indexer::update`], with the entries of proposals the caller has just reconciled
    /// (they are not read again).
    pub async fn update_with(
        &self,
        titles: &[String],
        proposals: &HashSet<String>,
        fresh: &[ProposalEntry],
    ) -> Result<IndexSummary, WikiError> {
        let before = self.connection.requests();
        let targets = self.read_targets().await?;
        let mut lists = previous_rows(&targets);
        let mut summary = IndexSummary::default();
        let ix = &self.settings.index;
        let signup = match &ix.signup {
            Some((page, _)) => Some(self.connection.normalize_title(page)?),
            None => None,
        };
        for title in titles {
            let title = self.connection.normalize_title(title)?;
            if signup.as_ref() == Some(&title) {
                lists.insert(ListKind::Communities, self.communities().await?);
            }
            if proposals.contains(&title) {
                let known: Vec<ProposalEntry> =
                    fresh.iter().filter(|e| e.title == title).cloned().collect();
                self.update_proposal(&title, known, &mut lists).await?;
                continue;
            }
            let listed = lists[&ListKind::LearningPatterns].contains_key(&title);
            if listed || self.is_pattern(&title).await? {
                let mut rows = self
                    .pattern_batch(
                        std::slice::from_ref(&title),
                        &lists[&ListKind::LearningPatterns],
                        &mut summary,
                    )
                    .await?;
                let patterns = lists.entry(ListKind::LearningPatterns).or_default();
                patterns.remove(&title);
                patterns.extend(
                    rows.iter_mut()
                        .map(|(t, (row, _))| (t.clone(), std::mem::take(row))),
                );
            }
            let page = self
                .connection
                .read_following(std::slice::from_ref(&title))
                .await?;
            let case = page
                .first()
                .filter(|p| p.exists)
                .and_then(|p| index::read_case_study(&p.text, &ix.case_study_template));
            let studies = lists.entry(ListKind::CaseStudies).or_default();
            match case {
                Some(case) => {
                    let old = studies
                        .get(&title)
                        .and_then(|r| r.get("learning_patterns"))
                        .cloned();
                    let mut row = case.row(&title, None, &case.named_patterns());
                    if let Some(old) = old.filter(|_| case.named_patterns().is_empty()) {
                        row.insert("learning_patterns".into(), old);
                    }
                    studies.insert(title.clone(), row);
                }
                None if !proposals.contains(&title) => {
                    studies.remove(&title);
                }
                None => {}
            }
        }
        self.write(targets, &lists, &mut summary).await?;
        summary.requests = self.connection.requests() - before;
        Ok(summary)
    }

    async fn update_proposal(
        &self,
        title: &str,
        known: Vec<ProposalEntry>,
        lists: &mut Lists,
    ) -> Result<(), WikiError> {
        let entries = if known.is_empty() {
            let analysed = self.reconciler.analyse(&[title.to_owned()]).await?;
            analysed
                .iter()
                .filter(|(r, _)| r.exists)
                .map(|(r, a)| self.reconciler.entry(r, a))
                .collect()
        } else {
            known
        };
        let stages = &self.settings.proposals.stages;
        let dashboard = lists.entry(ListKind::Proposals).or_default();
        dashboard.remove(title);
        dashboard.extend(dashboard_rows(&entries, stages));
        let studies = lists.entry(ListKind::CaseStudies).or_default();
        let old = studies.remove(title);
        let ix = &self.settings.index;
        for e in &entries {
            if e.is_case_study(ix.case_study_from_stage, &ix.case_study_statuses) {
                let mut row = e.case_study_row(&BTreeSet::new());
                // Relations to learning patterns are refreshed by the full pass.
                if let Some(cell) = old.as_ref().and_then(|r| r.get("learning_patterns")) {
                    row.insert("learning_patterns".into(), cell.clone());
                }
                studies.insert(e.title.clone(), row);
            }
        }
        Ok(())
    }

    /// Whether a page not yet listed is a learning pattern: under a prefix, or directly in
    /// one of the categories (a page in a subcategory is found by the next full pass).
    async fn is_pattern(&self, title: &str) -> Result<bool, WikiError> {
        let ix = &self.settings.index;
        if ix
            .pattern_prefixes
            .iter()
            .any(|p| title.starts_with(p.as_str()))
        {
            return Ok(true);
        }
        if ix.pattern_categories.is_empty() {
            return Ok(false);
        }
        self.connection
            .in_categories(title, &ix.pattern_categories)
            .await
    }

    async fn proposal_entries(&self, titles: &[String]) -> Result<Vec<ProposalEntry>, WikiError> {
        let mut out = Vec::with_capacity(titles.len());
        for batch in titles.chunks(self.connection.titles_per_query()) {
            for (revision, analysis) in self.reconciler.analyse(batch).await? {
                if revision.exists {
                    out.push(self.reconciler.entry(&revision, &analysis));
                }
            }
        }
        Ok(out)
    }

    /// Pages calling the case-study template (in the proposals' namespaces).
    async fn case_study_pages(&self) -> Result<Vec<(String, CaseStudyPage)>, WikiError> {
        let ix = &self.settings.index;
        let template = format!("Template:{}", ix.case_study_template);
        let found = self
            .connection
            .transclusions(&template, &self.settings.proposals.namespaces)
            .await?;
        let mut out = Vec::new();
        for page in self.connection.read_following(&found.pages).await? {
            if let Some(case) = page
                .exists
                .then(|| index::read_case_study(&page.text, &ix.case_study_template))
                .flatten()
            {
                out.push((page.title, case));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }

    async fn communities(&self) -> Result<BTreeMap<String, Row>, WikiError> {
        let Some((page, section)) = &self.settings.index.signup else {
            return Ok(BTreeMap::new());
        };
        let read = self
            .connection
            .read_following(std::slice::from_ref(page))
            .await?;
        let Some(page) = read.into_iter().find(|p| p.exists) else {
            tracing::warn!(page = %page, "the sign-up page does not exist");
            return Ok(BTreeMap::new());
        };
        let signatures = self.reconciler.signatures();
        Ok(
            index::signups(&page.text, section, &self.settings.tally.lines, signatures)
                .iter()
                .map(index::community_row)
                .map(|r| (ListKind::Communities.key(&r), r))
                .collect(),
        )
    }
}
