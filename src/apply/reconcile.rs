//! Reconciling proposals: read the wiki, compute the desired page, post a stage notice at most
//! once, save only what differs. Level-triggered: every pass starts from the wiki's state, so
//! a crash, a conflict or a lost event is repaired by the next pass.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::plan::{self, PageEdit, PagePlan};
use crate::analyse::page::{self, PageAnalysis};
use crate::analyse::proposal::{ProposalRules, normalize_template_name};
use crate::analyse::{bots, titles};
use crate::config::Settings;
use crate::render::checklist::RenderSettings;
use crate::render::notice;
use crate::wiki::{Connection, PageRevision, PageStore, SaveOutcome, SaveRequest, WikiError};

/// Attempts per page when humans keep editing it while we work.
const CONFLICT_ATTEMPTS: usize = 3;

/// Everything a pass needs that does not change during it.
pub struct Reconciler<'a> {
    pub connection: &'a Connection,
    pub settings: &'a Settings,
    /// The bot's account name, for `{{bots}}`.
    pub account: String,
    pub dry_run: bool,
    template_names: HashSet<String>,
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Unchanged,
    Edited,
    WouldEdit,
    NotOurs,
    /// `{{nobots}}` or `{{bots|deny=...}}` on the page.
    OptedOut,
    Blocked(String),
    Failed(String),
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub seen: usize,
    pub edited: usize,
    pub unchanged: usize,
    pub with_problems: usize,
    pub notices: usize,
    pub skipped: usize,
    pub failed: usize,
    pub requests: u64,
}

impl<'a> Reconciler<'a> {
    /// Learns the template's redirect names, so calls through them are recognised.
    pub async fn new(
        connection: &'a Connection,
        settings: &'a Settings,
        account: String,
        dry_run: bool,
    ) -> Result<(Self, Vec<String>), WikiError> {
        let template = format!("Template:{}", settings.proposals.template);
        let found = connection
            .transclusions(&template, &settings.proposals.namespaces)
            .await?;
        let mut template_names: HashSet<String> = [settings.proposals.template.clone()].into();
        template_names.extend(
            found
                .redirects
                .iter()
                .filter_map(|r| normalize_template_name(r)),
        );
        let proposals = titles::proposals(&found.pages, &settings.proposals.title_prefixes)
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok((
            Reconciler {
                connection,
                settings,
                account,
                dry_run,
                template_names,
            },
            proposals,
        ))
    }

    fn rules(&self) -> ProposalRules<'_> {
        let p = &self.settings.proposals;
        ProposalRules {
            template_names: self.template_names.clone(),
            aliases: &p.aliases,
            stages: &p.stages,
            principles: &p.principles,
        }
    }

    fn render_settings(&self) -> RenderSettings<'_> {
        RenderSettings {
            docs_page: &self.settings.bot.docs_page,
            problems_category: &self.settings.proposals.problems_category,
        }
    }

    /// Reads and analyses pages in batches: one read per batch, one existence query for all
    /// their linked pages.
    pub async fn analyse(
        &self,
        titles: &[String],
    ) -> Result<Vec<(PageRevision, PageAnalysis)>, WikiError> {
        let revisions = self.connection.read(titles).await?;
        let rules = self.rules();
        let stages = &self.settings.proposals.stages;
        let read: Vec<PageAnalysis> = revisions
            .iter()
            .map(|r| page::read(&r.text, &rules))
            .collect();
        let mut linked: Vec<String> = read
            .iter()
            .flat_map(|a| page::linked_pages(a, stages))
            .collect();
        linked.sort();
        linked.dedup();
        let exists = if linked.is_empty() {
            HashMap::new()
        } else {
            self.connection.exists(&linked).await?
        };
        let analysed = read
            .into_iter()
            .map(|a| page::complete(a, stages, &exists, false));
        Ok(revisions.into_iter().zip(analysed).collect())
    }

    pub fn plan(&self, revision: &PageRevision, analysis: &PageAnalysis) -> PagePlan {
        plan::plan(
            &revision.title,
            &revision.text,
            analysis,
            &self.render_settings(),
        )
    }

    /// Reconciles every page; `progress` is called after each page.
    pub async fn run(
        &self,
        titles: &[String],
        mut progress: impl FnMut(&str, &Outcome),
    ) -> Result<Summary, WikiError> {
        let mut summary = Summary::default();
        for batch in titles.chunks(self.connection.titles_per_query()) {
            for (revision, analysis) in self.analyse(batch).await? {
                summary.seen += 1;
                if !analysis.proposal.problems.is_empty() {
                    summary.with_problems += 1;
                }
                let title = revision.title.clone();
                let (outcome, noticed) = self.settle(revision, analysis).await;
                summary.notices += usize::from(noticed);
                match &outcome {
                    Outcome::Unchanged => summary.unchanged += 1,
                    Outcome::Edited | Outcome::WouldEdit => summary.edited += 1,
                    Outcome::Failed(_) => summary.failed += 1,
                    Outcome::NotOurs | Outcome::OptedOut | Outcome::Blocked(_) => {
                        summary.skipped += 1
                    }
                }
                progress(&title, &outcome);
            }
        }
        summary.requests = self.connection.requests();
        Ok(summary)
    }

    /// Brings one page to its desired state; on an edit conflict, re-reads and recomputes.
    /// Returns the outcome and whether a talk notice was posted.
    async fn settle(
        &self,
        mut revision: PageRevision,
        mut analysis: PageAnalysis,
    ) -> (Outcome, bool) {
        let mut noticed = false;
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let edit = match self.plan(&revision, &analysis) {
                PagePlan::Unchanged => return (Outcome::Unchanged, noticed),
                PagePlan::NotOurs => return (Outcome::NotOurs, noticed),
                PagePlan::Blocked(e) => {
                    tracing::warn!(page = %revision.title, "{e}");
                    return (Outcome::Blocked(e.to_string()), noticed);
                }
                PagePlan::Edit(edit) => edit,
            };
            if !bots::allowed(&revision.text, &self.account) {
                tracing::info!(page = %revision.title, "the page opts out of bots; not editing");
                return (Outcome::OptedOut, noticed);
            }
            if self.dry_run {
                return (Outcome::WouldEdit, noticed);
            }
            match self.post_notice(&revision, &edit).await {
                Ok(posted) => noticed |= posted,
                Err(e) => {
                    tracing::warn!(page = %revision.title, error = %e, "stage notice not posted; page not saved");
                    return (Outcome::Failed(e.to_string()), noticed);
                }
            }
            let request = SaveRequest {
                base: &revision,
                text: &edit.text,
                summary: &edit.summary,
            };
            match self.connection.save(&request).await {
                Ok(SaveOutcome::Saved { .. }) => {
                    tracing::info!(page = %revision.title, summary = %edit.summary, "saved");
                    return (Outcome::Edited, noticed);
                }
                Ok(SaveOutcome::NoChange) => return (Outcome::Unchanged, noticed),
                Err(WikiError::Conflict { code, .. }) if attempt < CONFLICT_ATTEMPTS => {
                    tracing::info!(page = %revision.title, %code, "changed while we worked; reading it again");
                    match self.analyse(std::slice::from_ref(&revision.title)).await {
                        Ok(mut fresh) if fresh.len() == 1 => (revision, analysis) = fresh.remove(0),
                        Ok(_) => return (Outcome::Failed("page vanished".into()), noticed),
                        Err(e) => return (Outcome::Failed(e.to_string()), noticed),
                    }
                }
                Err(e) => {
                    tracing::warn!(page = %revision.title, error = %e, "not saved");
                    return (Outcome::Failed(e.to_string()), noticed);
                }
            }
        }
        (
            Outcome::Failed("edit conflicts on every attempt".into()),
            noticed,
        )
    }

    /// Posts the stage notice unless the talk page already has it (a crash after posting and
    /// before saving the page must not post it twice). Returns whether it was posted now.
    async fn post_notice(
        &self,
        revision: &PageRevision,
        edit: &PageEdit,
    ) -> Result<bool, WikiError> {
        let Some(change) = &edit.notice else {
            return Ok(false);
        };
        let Some(talk) = self.connection.talk_title(&revision.title)? else {
            return Ok(false);
        };
        let current = self.connection.read(std::slice::from_ref(&talk)).await?;
        let talk_text = current.first().map(|r| r.text.as_str()).unwrap_or_default();
        if notice::already_posted(talk_text, change.n) {
            tracing::info!(page = %talk, n = change.n, "stage notice already on the talk page");
            return Ok(false);
        }
        if !bots::allowed(talk_text, &self.account) {
            return Ok(false);
        }
        let summary = format!(
            "partnerbot: stage of [[{}]] changed from {} to {} ([[{}|how it works]])",
            revision.title, change.from, change.to, self.settings.bot.docs_page
        );
        self.connection
            .new_section(
                &talk,
                &change.notice.section_title,
                &change.notice.text,
                &summary,
            )
            .await?;
        Ok(true)
    }
}
