//! One turn of the watcher: discovery and a full pass with the settings in force, then changes
//! into work until a full pass is due, the settings change or the bot stops.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;

use super::source::Source;
use super::{AppError, Stop};
use crate::analyse::index::ProposalEntry;
use crate::apply::index::{IndexSummary, Indexer};
use crate::apply::reconcile::{Reconciler, Summary};
use crate::config::Settings;
use crate::render::region;
use crate::render::status::{self, StatusFacts};
use crate::state::State;
use crate::watch::queue::{Work, WorkQueue};
use crate::watch::route::{Known, route};
use crate::wiki::{Connection, PageStore, SaveRequest, WikiError};

/// The longest a busy page waits, in debounce periods.
const MAX_DELAY_DEBOUNCES: u32 = 5;
/// Backoff after a failed piece of work: doubles up to the maximum.
const ERROR_BACKOFF_FIRST: Duration = Duration::from_secs(5);
const ERROR_BACKOFF_MAX: Duration = Duration::from_secs(300);
/// The state fact holding when the status page was last saved.
const STATUS_SAVED_AT: &str = "status_saved_at";
/// Longest wait for changes before the loop looks at its clocks again.
const IDLE_TICK: Duration = Duration::from_secs(5);

/// How a turn ended.
pub enum Next {
    Stop,
    FullPass,
    /// The on-wiki configuration changed: reload it, then a full pass.
    Reload,
}

pub struct Turn<'a> {
    pub settings: &'a Settings,
    pub connection: &'a Connection,
    pub state: &'a State,
    pub account: String,
    pub dry_run: bool,
    pub config_note: String,
    /// Counts the loop's turns, for the heartbeat.
    pub ticks: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// What the turn has learnt and reports.
struct Memory {
    known: Known,
    entries: BTreeMap<String, ProposalEntry>,
    facts: StatusFacts,
    /// Work was dropped while editing was stopped: a full pass is owed.
    missed: bool,
    last_status: String,
    backoff: Duration,
}

impl Turn<'_> {
    pub async fn run(&self, source: &mut Source, mut stop: Stop) -> Result<Next, AppError> {
        let (reconciler, titles) = Reconciler::new(
            self.connection,
            self.settings,
            self.account.clone(),
            self.dry_run,
        )
        .await?;
        let reconciler = reconciler.with_state(self.state);
        let mut memory = Memory {
            known: self.known(&reconciler, &titles)?,
            entries: BTreeMap::new(),
            facts: StatusFacts {
                source: source.name().into(),
                config: self.config_note.clone(),
                outside: reconciler.outside.clone(),
                last_full_pass: self.state.fact("last_full_pass")?,
                ..Default::default()
            },
            missed: false,
            last_status: String::new(),
            backoff: ERROR_BACKOFF_FIRST,
        };
        memory.facts.stopped = self.shutoff().await;
        if memory.facts.stopped.is_none() {
            match self.full_pass(&reconciler, &titles, &mut memory).await {
                Err(AppError::Wiki(WikiError::Stopping)) => return Ok(Next::Stop),
                other => other?,
            }
        } else {
            memory.missed = true;
        }
        let debounce = self.settings.watch.debounce;
        let mut queue = WorkQueue::new(debounce, debounce * MAX_DELAY_DEBOUNCES);
        let full_pass_at = Instant::now() + self.settings.watch.full_pass;
        let mut resources_at = Instant::now();
        loop {
            if *stop.borrow() {
                // No save now (the connection is stopping); the facts go to the state file.
                self.record_facts(&memory.facts);
                return Ok(Next::Stop);
            }
            if Instant::now() >= full_pass_at {
                return Ok(Next::FullPass);
            }
            if Instant::now() >= resources_at && memory.facts.stopped.is_none() {
                if let Some(e) = self.check_resources().await {
                    memory.facts.last_error = Some(e);
                }
                resources_at = Instant::now() + self.settings.resources.interval;
            }
            let due = queue.take_due(Instant::now().into_std());
            if let Some(next) = self.handle(&reconciler, due, &mut memory, &mut queue).await {
                return Ok(next);
            }
            self.save_status(&mut memory).await;
            self.ticks
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let until_due = queue
                .next_due()
                .map(|d| d.saturating_duration_since(std::time::Instant::now()))
                .unwrap_or(IDLE_TICK)
                .min(IDLE_TICK);
            tokio::select! {
                _ = stop.changed() => {}
                batch = source.next(self.connection, self.state, until_due) => match batch {
                    Ok(batch) => {
                        let now = std::time::Instant::now();
                        for change in &batch.changes {
                            for work in route(change, &memory.known, |t| self.subject_of(t)) {
                                tracing::debug!(page = %change.title, ?work, "queued");
                                queue.push(work, now);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "change source failed; retrying");
                        memory.facts.last_error = Some(e.to_string());
                        tokio::time::sleep(ERROR_BACKOFF_FIRST).await;
                    }
                },
            }
        }
    }

    fn known(&self, reconciler: &Reconciler<'_>, titles: &[String]) -> Result<Known, AppError> {
        let s = self.settings;
        let mut templates: HashSet<String> = HashSet::new();
        templates.insert(format!("Template:{}", s.proposals.template));
        templates.insert(format!("Template:{}", s.index.case_study_template));
        templates.extend(reconciler.template_redirects().iter().cloned());
        let mut index_pages = HashSet::new();
        let t = &s.index.targets;
        for target in [
            &t.learning_patterns,
            &t.case_studies,
            &t.proposals,
            &t.communities,
        ]
        .into_iter()
        .flatten()
        {
            index_pages.insert(self.connection.normalize_title(&target.page)?);
        }
        let mut index_rows = HashSet::new();
        if let Some((page, _)) = &s.index.signup {
            index_rows.insert(self.connection.normalize_title(page)?);
        }
        Ok(Known {
            shutoff_page: self.connection.normalize_title(&s.bot.shutoff_page)?,
            config_page: match &s.bot.onwiki_config_page {
                Some(p) => Some(self.connection.normalize_title(p)?),
                None => None,
            },
            proposals: titles.iter().cloned().collect(),
            proposal_namespaces: s.proposals.namespaces.clone(),
            proposal_prefixes: s.proposals.title_prefixes.clone(),
            templates,
            index_pages,
            index_rows,
            pattern_prefixes: s.index.pattern_prefixes.clone(),
            pattern_namespaces: HashSet::new(),
        })
    }

    fn subject_of(&self, title: &str) -> Option<String> {
        let (ns, rest) = self.connection.split_namespace(title).ok()?;
        if ns < 0 || ns % 2 == 0 {
            return None;
        }
        match self.connection.namespace_name(ns - 1) {
            Some(name) if !name.is_empty() => Some(format!("{name}:{rest}")),
            _ => Some(rest),
        }
    }

    /// Why editing is stopped (None: allowed). Fails closed: an error stops editing.
    async fn shutoff(&self) -> Option<String> {
        match self
            .connection
            .site_status(&self.settings.bot.shutoff_page)
            .await
        {
            Ok(site) => {
                let (running, why) = site.shutoff(&self.settings.bot.shutoff_run_value);
                (!running).then(|| format!("[[{}]] {why}", self.settings.bot.shutoff_page))
            }
            Err(e) => Some(format!("the shut-off page could not be read ({e})")),
        }
    }

    async fn full_pass(
        &self,
        reconciler: &Reconciler<'_>,
        titles: &[String],
        memory: &mut Memory,
    ) -> Result<(), AppError> {
        let started = std::time::Instant::now();
        let summary = reconciler.run(titles, |_, _| {}).await?;
        self.after_reconcile(&summary, memory)?;
        memory.entries = summary
            .entries
            .iter()
            .map(|e| (e.title.clone(), e.clone()))
            .collect();
        if summary.unread > 0 {
            // Some proposals could not be read: a rebuild now would drop their rows. Retry.
            return Err(AppError::Wiki(WikiError::Unexpected(format!(
                "{} proposals could not be read",
                summary.unread
            ))));
        }
        let indexer = Indexer::new(reconciler, self.dry_run);
        let index = indexer.rebuild(titles, Some(summary.entries)).await?;
        if self.connection.is_stopping() {
            // Cut short by SIGTERM: not a full pass; the next start makes one.
            return Err(AppError::Wiki(WikiError::Stopping));
        }
        self.after_index(&index, memory);
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        self.state.set_fact("last_full_pass", &now)?;
        memory.facts.last_full_pass = Some(now);
        memory.missed = false;
        tracing::info!(
            proposals = summary.seen,
            edited = summary.edited,
            index_edited = index.pages_edited.len(),
            seconds = super::secs(started.elapsed()),
            "full pass done"
        );
        Ok(())
    }

    /// Handles due work; Some(next) when the turn must end.
    async fn handle(
        &self,
        reconciler: &Reconciler<'_>,
        due: Vec<Work>,
        memory: &mut Memory,
        queue: &mut WorkQueue,
    ) -> Option<Next> {
        if due.is_empty() {
            return None;
        }
        let mut proposals = Vec::new();
        let mut rows = Vec::new();
        let mut rebuild = false;
        for work in &due {
            match work {
                Work::Shutoff => {
                    let was_stopped = memory.facts.stopped.is_some();
                    memory.facts.stopped = self.shutoff().await;
                    match (&memory.facts.stopped, was_stopped) {
                        (Some(why), false) => tracing::warn!("editing stopped: {why}"),
                        (None, true) => {
                            tracing::info!("editing resumed");
                            if memory.missed {
                                return Some(Next::FullPass);
                            }
                        }
                        _ => {}
                    }
                }
                Work::Config => return Some(Next::Reload),
                Work::FullPass => return Some(Next::FullPass),
                Work::Proposal(t) => proposals.push(t.clone()),
                Work::IndexRow(t) => rows.push(t.clone()),
                Work::IndexRebuild => rebuild = true,
            }
        }
        if memory.facts.stopped.is_some() {
            memory.missed = true;
            return None;
        }
        let result = self
            .work(reconciler, &proposals, &rows, rebuild, memory)
            .await;
        match result {
            Ok(()) => memory.backoff = ERROR_BACKOFF_FIRST,
            Err(WikiError::Stopping) => return Some(Next::Stop),
            Err(e) => {
                // Like a controller's error policy: report, wait, try the same work again.
                tracing::warn!(error = %e, retry_in = ?memory.backoff, "work failed; will retry");
                memory.facts.last_error = Some(e.to_string());
                tokio::time::sleep(memory.backoff).await;
                memory.backoff = (memory.backoff * 2).min(ERROR_BACKOFF_MAX);
                let now = std::time::Instant::now();
                for w in due.into_iter().filter(|w| !matches!(w, Work::Shutoff)) {
                    queue.push(w, now);
                }
            }
        }
        None
    }

    async fn work(
        &self,
        reconciler: &Reconciler<'_>,
        proposals: &[String],
        rows: &[String],
        rebuild: bool,
        memory: &mut Memory,
    ) -> Result<(), WikiError> {
        let indexer = Indexer::new(reconciler, self.dry_run);
        let (allowed, outside): (Vec<String>, Vec<String>) = proposals
            .iter()
            .cloned()
            .partition(|t| self.connection.may_edit(t));
        for t in outside {
            tracing::warn!(page = %t, "outside the edit allow-list: not edited");
            if !memory.facts.outside.contains(&t) {
                memory.facts.outside.push(t);
            }
        }
        if !allowed.is_empty() {
            let summary = reconciler.run(&allowed, |_, _| {}).await?;
            self.after_reconcile(&summary, memory)
                .map_err(|e| WikiError::Unexpected(e.to_string()))?;
            for t in &allowed {
                if summary.entries.iter().any(|e| &e.title == t) {
                    memory.known.proposals.insert(t.clone());
                } else {
                    memory.known.proposals.remove(t);
                    memory.entries.remove(t);
                }
            }
            for e in &summary.entries {
                memory.entries.insert(e.title.clone(), e.clone());
            }
            if !rebuild {
                let index = indexer
                    .update_with(&allowed, &memory.known.proposals, &summary.entries)
                    .await?;
                self.after_index(&index, memory);
            }
        }
        if rebuild {
            let titles: Vec<String> = memory.entries.keys().cloned().collect();
            let entries = memory.entries.values().cloned().collect();
            let index = indexer.rebuild(&titles, Some(entries)).await?;
            self.after_index(&index, memory);
        } else if !rows.is_empty() {
            let index = indexer.update(rows, &memory.known.proposals).await?;
            self.after_index(&index, memory);
        }
        Ok(())
    }

    fn after_reconcile(&self, summary: &Summary, memory: &mut Memory) -> Result<(), AppError> {
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        for _ in 0..summary.edited {
            if !self.dry_run {
                self.state.count_edit(&day)?;
            }
        }
        memory.facts.edits_today = self.state.edits_on(&day)?;
        memory.facts.proposals = memory.known.proposals.len();
        memory.facts.with_problems = summary
            .with_problems
            .max(memory.entries.values().filter(|e| e.problems > 0).count());
        if summary.failed > 0 {
            memory.facts.last_error =
                Some(format!("{} page(s) failed; see the logs", summary.failed));
        }
        Ok(())
    }

    fn after_index(&self, index: &IndexSummary, memory: &mut Memory) {
        memory
            .known
            .index_rows
            .extend(index.row_pages.iter().cloned());
        for page in &index.row_pages {
            if let Ok((ns, _)) = self.connection.split_namespace(page) {
                memory.known.pattern_namespaces.insert(ns);
            }
        }
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        if !self.dry_run {
            for _ in &index.pages_edited {
                let _ = self.state.count_edit(&day);
            }
        }
        if let Some(f) = index.failed.first() {
            memory.facts.last_error = Some(f.clone());
        }
    }

    /// Saves the status page when it changed, at most every `bot.status_interval` (counted
    /// across restarts: a restart with nothing to do edits nothing).
    async fn save_status(&self, memory: &mut Memory) {
        let Some(page) = &self.settings.bot.status_page else {
            return;
        };
        self.record_facts(&memory.facts);
        let text = status::region(&memory.facts, &self.settings.bot.docs_page);
        let interval = self.settings.bot.status_interval;
        let recent = self
            .state
            .fact(STATUS_SAVED_AT)
            .ok()
            .flatten()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .and_then(|t| (chrono::Utc::now() - t.to_utc()).to_std().ok())
            .is_some_and(|age| age < interval);
        if text == memory.last_status || recent || self.dry_run || self.connection.is_stopping() {
            return;
        }
        if memory.facts.stopped.is_some() {
            return; // The shut-off page stops every edit, this one too.
        }
        match self.put_status(page, &text).await {
            Ok(()) => {
                memory.last_status = text;
                let now = chrono::Utc::now().to_rfc3339();
                if let Err(e) = self.state.set_fact(STATUS_SAVED_AT, &now) {
                    tracing::warn!(error = %e, "state not updated (status time)");
                }
            }
            Err(e) => tracing::warn!(page = %page, error = %e, "status page not saved"),
        }
    }

    /// The status facts in the state file too, so `partnerbot status` can show them locally.
    fn record_facts(&self, facts: &StatusFacts) {
        let pairs = [
            (
                "editing",
                facts.stopped.clone().unwrap_or_else(|| "yes".into()),
            ),
            ("proposals", facts.proposals.to_string()),
            ("with_problems", facts.with_problems.to_string()),
            ("outside", facts.outside.join(", ")),
            ("onwiki_config", facts.config.clone()),
            (
                "last_error",
                facts.last_error.clone().unwrap_or_else(|| "none".into()),
            ),
        ];
        for (key, value) in pairs {
            if self.state.fact(key).ok().flatten().as_deref() != Some(value.as_str())
                && let Err(e) = self.state.set_fact(key, &value)
            {
                tracing::warn!(error = %e, "state not updated (status facts)");
            }
        }
    }

    async fn put_status(&self, page: &str, region_text: &str) -> Result<(), WikiError> {
        let current = self.connection.read(&[page.to_owned()]).await?;
        let Some(current) = current.into_iter().next() else {
            return Ok(());
        };
        let existing = region::find(&current.text, status::KIND)
            .map_err(|e| WikiError::Unexpected(e.to_string()))?;
        let desired = region::put(
            &current.text,
            existing.as_ref(),
            current.text.len(),
            region_text,
        );
        if desired == current.text {
            return Ok(());
        }
        let summary = format!(
            "partnerbot: status ([[{}|how it works]])",
            self.settings.bot.docs_page
        );
        let request = SaveRequest {
            base: &current,
            text: &desired,
            summary: &summary,
        };
        match self.connection.save(&request).await {
            Ok(_) | Err(WikiError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl From<crate::state::StateError> for WikiError {
    fn from(e: crate::state::StateError) -> Self {
        WikiError::Unexpected(e.to_string())
    }
}
