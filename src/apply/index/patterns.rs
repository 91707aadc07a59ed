//! Learning patterns: listed through categories and prefixes, read in batches (only rows and
//! link sets outlive a batch), endorsements counted with the tally rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{IndexSummary, Indexer};
use crate::analyse::index::{self, PatternFacts, Row};
use crate::analyse::tally::{self, Tally};
use crate::wiki::{PageRevision, WikiError};

impl Indexer<'_> {
    /// Every learning pattern's row and the pages it links to, by title.
    pub(super) async fn patterns(
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
            if self.connection.is_stopping() {
                return Err(WikiError::Stopping);
            }
            out.extend(self.pattern_batch(batch, previous, summary).await?);
        }
        Ok(out)
    }

    pub(super) async fn pattern_batch(
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
}
