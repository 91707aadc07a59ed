//! Keeping the index lists current: list and read the pages behind each list in batches, build
//! the rows, and write each list's region on its target page, saving only pages that differ.
//!
//! The rows already on the wiki are the memory between passes: a learning pattern's creation
//! date is read back instead of refetched, and [`Indexer::update`] changes the rows of a few
//! pages without reading the rest.

pub mod plan;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::reconcile::Reconciler;
use crate::analyse::bots;
use crate::analyse::index::{
    self, CaseStudyPage, ListKind, PatternFacts, ProposalEntry, Row, case_study_rows,
    dashboard_rows,
};
use crate::analyse::tally::{self, Tally};
use crate::config::{Settings, Target};
use crate::render::index as render;
use crate::wiki::{Connection, PageRevision, PageStore, SaveOutcome, SaveRequest, WikiError};
use plan::ListOnPage;

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
                self.update_proposal(&title, &mut lists).await?;
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

    async fn update_proposal(&self, title: &str, lists: &mut Lists) -> Result<(), WikiError> {
        let analysed = self.reconciler.analyse(&[title.to_owned()]).await?;
        let entries: Vec<ProposalEntry> = analysed
            .iter()
            .filter(|(r, _)| r.exists)
            .map(|(r, a)| self.reconciler.entry(r, a))
            .collect();
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

    /// Every learning pattern's row and the pages it links to, by title.
    async fn patterns(
        &self,
        previous: &BTreeMap<String, Row>,
        summary: &mut IndexSummary,
    ) -> Result<BTreeMap<String, (Row, BTreeSet<String>)>, WikiError> {
        let ix = &self.settings.index;
        let mut titles = BTreeSet::new();
        if !ix.pattern_categories.is_empty() {
            titles.extend(
                self.connection
                    .category_members(&ix.pattern_categories, ix.pattern_category_depth)
                    .await?,
            );
        }
        for prefix in &ix.pattern_prefixes {
            titles.extend(self.connection.prefix_pages(prefix).await?);
        }
        let titles: Vec<String> = titles.into_iter().collect();
        let mut out = BTreeMap::new();
        // Batches bound the memory: only rows and link sets outlive a batch.
        for batch in titles.chunks(self.connection.titles_per_query()) {
            out.extend(self.pattern_batch(batch, previous, summary).await?);
        }
        Ok(out)
    }

    async fn pattern_batch(
        &self,
        titles: &[String],
        previous: &BTreeMap<String, Row>,
        summary: &mut IndexSummary,
    ) -> Result<BTreeMap<String, (Row, BTreeSet<String>)>, WikiError> {
        let ix = &self.settings.index;
        let lines = &self.settings.tally.lines;
        let signatures = self.reconciler.signatures();
        let mut read: BTreeMap<String, (PageRevision, PatternFacts)> = BTreeMap::new();
        for page in self.connection.read_following(titles).await? {
            if !page.exists {
                tracing::info!(page = %page.title, "learning pattern gone since it was listed");
                summary.vanished += 1;
                continue;
            }
            let facts = index::read_pattern(&page.text, &ix.patterns, lines, signatures);
            let text_free = PageRevision {
                text: String::new(),
                ..page
            };
            read.insert(text_free.title.clone(), (text_free, facts));
        }
        let voters: Vec<String> = {
            let mut v: Vec<String> = read
                .values()
                .flat_map(|(_, f)| tally::voters(&f.endorsements))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let accounts = if voters.is_empty() {
            HashMap::new()
        } else {
            self.reconciler.accounts(&voters).await?
        };
        // The creation date never changes: reuse the one already in the index.
        let known = |title: &str| {
            previous
                .get(title)
                .filter(|r| r.get("created").is_some_and(|c| !c.is_empty()))
                .map(|r| {
                    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
                    (format!("{}T00:00:00Z", get("created")), get("creator"))
                })
        };
        let missing: Vec<String> = read
            .keys()
            .filter(|t| known(t).is_none())
            .cloned()
            .collect();
        let firsts = self.connection.first_revisions(&missing).await?;
        let now = chrono::Utc::now().naive_utc();
        let mut out = BTreeMap::new();
        for (title, (page, facts)) in read {
            let first = firsts.get(&title).cloned().or_else(|| known(&title));
            let tally: Tally = index::endorsement_tally(
                &facts.endorsements,
                &accounts,
                &self.settings.tally.count,
                now,
            );
            let row = index::pattern_row(
                &title,
                &facts,
                first.as_ref().map(|(a, u)| (a.as_str(), u.as_str())),
                page.timestamp.as_deref(),
                Some(&tally),
            );
            out.insert(title, (row, facts.links));
        }
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

    /// The target pages (redirects followed), with the lists each holds.
    async fn read_targets(&self) -> Result<Vec<TargetPage>, WikiError> {
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

    async fn write(
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
        let docs = &self.settings.bot.docs_page;
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
    async fn settle(
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
fn previous_rows(targets: &[TargetPage]) -> Lists {
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
