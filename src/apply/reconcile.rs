//! Reconciling proposals: read the wiki, compute the desired page, post a stage notice at most
//! once, save only what differs. Level-triggered: every pass starts from the wiki's state, so
//! a crash, a conflict or a lost event is repaired by the next pass.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::plan::{self, PageEdit, PagePlan};
use crate::analyse::index::{ProposalEntry, proposal_entry};
use crate::analyse::page::{self, PageAnalysis, VoteRules};
use crate::analyse::proposal::{ProposalRules, normalize_template_name};
use crate::analyse::survey;
use crate::analyse::tally::signature::SiteNames;
use crate::analyse::tally::{self, Account, History, LineKey, SignatureRules, VoteLine};
use crate::analyse::{bots, titles};
use crate::config::Settings;
use crate::render::checklist::RenderSettings;
use crate::render::message::Lang;
use crate::render::notice;
use crate::render::region;
use crate::render::survey as survey_region;
use crate::render::tally as tally_region;
use crate::state::State;
use crate::wiki::{Connection, PageRevision, PageStore, SaveOutcome, SaveRequest, WikiError};

/// The Template namespace, the same on every MediaWiki.
const TEMPLATE_NS: i32 = 10;

/// Attempts per page when humans keep editing it while we work.
const CONFLICT_ATTEMPTS: usize = 3;

/// Everything a pass needs that does not change during it.
pub struct Reconciler<'a> {
    pub connection: &'a Connection,
    pub settings: &'a Settings,
    /// The bot's account name, for `{{bots}}`.
    pub account: String,
    pub dry_run: bool,
    /// Pages that call the template but are outside the proposal namespaces or the edit
    /// allow-list: reported, never edited.
    pub outside: Vec<String>,
    template_names: HashSet<String>,
    signatures: SignatureRules,
    /// Key that seals the verified-lines list in tally regions (derived from the bot's secret).
    seal_key: Option<(u64, u64)>,
    /// (page, vote line) -> who first added it. Revisions never change, so this never goes
    /// stale: a new vote costs only the revisions since it was added.
    first_authors: Mutex<HashMap<(String, LineKey), String>>,
    /// The state file, when running as the continuous job: the same facts across restarts,
    /// plus the reconciled revisions and the notices sent.
    state: Option<&'a State>,
    /// The wiki's content language, from siteinfo.
    content_language: String,
}

/// The seal key: a hash of the bot's secret, so only this bot can seal its regions. Without
/// credentials (read-only runs) nothing is sealed or trusted.
fn seal_key(settings: &Settings) -> Option<(u64, u64)> {
    use std::hash::Hasher;
    let secret = match settings.auth.as_ref()? {
        crate::config::Auth::BotPassword { password, .. } => password.expose(),
        crate::config::Auth::OAuth2 { token, .. } => token.expose(),
    };
    let half = |salt: u64| {
        #[allow(deprecated)] // Keyed SipHash from std; see Verified::compute_seal.
        let mut h = std::hash::SipHasher::new_with_keys(salt, !salt);
        h.write(secret.as_bytes());
        h.finish()
    };
    Some((half(0x7061_7274), half(0x6e65_7262)))
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
    /// Pages whose batch could not be read: they have no index entry this pass.
    pub unread: usize,
    pub requests: u64,
    /// What the index needs of each proposal, as it is after this pass.
    #[serde(skip)]
    pub entries: Vec<ProposalEntry>,
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
        // Every namespace: pages outside the proposal namespaces or the edit allow-list are
        // reported, never edited.
        let found = connection.transclusions(&template, &[]).await?;
        let mut template_names: HashSet<String> = [settings.proposals.template.clone()].into();
        template_names.extend(
            found
                .redirects
                .iter()
                .filter_map(|r| normalize_template_name(r)),
        );
        let candidates = titles::proposals(&found.pages, &settings.proposals.title_prefixes);
        let (proposals, outside): (Vec<String>, Vec<String>) =
            candidates.into_iter().map(str::to_owned).partition(|t| {
                let ns = connection.split_namespace(t).map_or(-1, |(ns, _)| ns);
                settings.proposals.namespaces.contains(&ns) && connection.may_edit(t)
            });
        // The template's own pages (its documentation shows an example) are not proposals.
        let outside: Vec<String> = outside
            .into_iter()
            .filter(|t| {
                connection
                    .split_namespace(t)
                    .map_or(true, |(ns, _)| ns != TEMPLATE_NS)
            })
            .collect();
        for title in &outside {
            tracing::warn!(page = %title, "calls the proposal template but is outside proposals.namespaces or the edit allow-list: not edited");
        }
        let vocabulary = connection.vocabulary().await?;
        let signatures = SignatureRules::new(&SiteNames {
            user_namespaces: vocabulary.user_namespaces,
            special_namespaces: vocabulary.special_namespaces,
            contributions: vocabulary.contributions,
            interwiki: vocabulary.interwiki,
            foreign_user_namespaces: settings.tally.foreign_user_namespaces.clone(),
            hosts: vec![vocabulary.host],
        });
        let content_language = vocabulary.content_language;
        let reconciler = Reconciler {
            connection,
            settings,
            account,
            dry_run,
            outside,
            template_names,
            signatures,
            seal_key: seal_key(settings),
            content_language,
            first_authors: Mutex::default(),
            state: None,
        };
        Ok((reconciler, proposals))
    }

    /// Keeps first authors, reconciled revisions and notices in `state` too.
    pub fn with_state(mut self, state: &'a State) -> Self {
        self.state = Some(state);
        self
    }

    /// A state error is logged, never fatal: the state is only a cache.
    fn remember(&self, what: &str, result: Result<(), crate::state::StateError>) {
        if let Err(e) = result {
            tracing::warn!(error = %e, "state not updated ({what})");
        }
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

    /// Rendering settings for a page in `language` (None: the wiki's).
    fn render_settings<'s>(&'s self, language: Option<&'s str>) -> RenderSettings<'s> {
        let page_language = language.unwrap_or(&self.content_language);
        RenderSettings {
            docs_page: &self.settings.bot.docs_page,
            problems_category: &self.settings.proposals.problems_category,
            count_rules: &self.settings.tally.count,
            support_sections: &self.settings.tally.lines.section_titles,
            survey_sections: &self.settings.survey.section_titles,
            lang: Lang::of_page(language, &self.content_language),
            notice_lang: Lang::fixed(page_language),
        }
    }

    /// The wiki's content language.
    pub fn content_language(&self) -> &str {
        &self.content_language
    }

    /// The proposal template's names as page titles ("Template:..."), redirects included.
    pub fn template_redirects(&self) -> Vec<String> {
        self.template_names
            .iter()
            .map(|n| format!("Template:{n}"))
            .collect()
    }

    /// How signatures are read on this wiki.
    pub fn signatures(&self) -> &SignatureRules {
        &self.signatures
    }

    fn vote_rules(&self) -> VoteRules<'_> {
        VoteRules {
            lines: &self.settings.tally.lines,
            signatures: &self.signatures,
            survey: &self.settings.survey,
        }
    }

    /// Reads and analyses pages in batches: one read per batch, one existence query for all
    /// their linked pages, one account query for all their voters, history where needed.
    pub async fn analyse(
        &self,
        titles: &[String],
    ) -> Result<Vec<(PageRevision, PageAnalysis)>, WikiError> {
        let revisions = self.connection.read(titles).await?;
        let rules = self.rules();
        let votes = self.vote_rules();
        let stages = &self.settings.proposals.stages;
        let read: Vec<PageAnalysis> = revisions
            .iter()
            .map(|r| page::read(&r.text, &rules, &votes))
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
        let mut voters: Vec<String> = read
            .iter()
            .flat_map(|a| [a.votes.as_deref(), a.survey_lines.as_deref()])
            .flatten()
            .flat_map(tally::voters)
            .collect();
        voters.sort();
        voters.dedup();
        let accounts = if voters.is_empty() {
            HashMap::new()
        } else {
            self.accounts(&voters).await?
        };
        let now = chrono::Utc::now().naive_utc();
        let mut out = Vec::with_capacity(read.len());
        for (revision, mut analysis) in revisions.into_iter().zip(read) {
            let votes = analysis.votes.as_deref().unwrap_or_default();
            let responses = analysis.survey_lines.as_deref().unwrap_or_default();
            // One history walk answers for the votes and the survey responses.
            let lines: Vec<&VoteLine> = votes.iter().chain(responses).collect();
            let (history, verified) = self
                .history(
                    &revision.title,
                    &revision.text,
                    &lines,
                    !responses.is_empty(),
                )
                .await?;
            let tally = analysis.votes.as_ref().map(|lines| {
                let period = page::period(&analysis.proposal, lines);
                tally::tally(
                    lines,
                    &accounts,
                    &history,
                    period,
                    &self.settings.tally.count,
                    now,
                )
            });
            analysis.survey = analysis.survey_lines.as_ref().map(|lines| {
                survey::count(
                    lines,
                    &accounts,
                    &history,
                    &self.settings.tally.count,
                    &self.settings.survey,
                    page::approval_target(&analysis.proposal),
                    now,
                )
            });
            // Each region remembers the lines of its own section.
            let hashes = |lines: &[VoteLine]| -> HashSet<String> {
                lines
                    .iter()
                    .filter_map(tally::line_key)
                    .map(|k| tally::key_hash(&k))
                    .collect()
            };
            let (in_votes, in_survey) = (hashes(votes), hashes(responses));
            let vote_verified = verified.only(|h| in_votes.contains(h), self.seal_key);
            let survey_verified = verified.only(|h| in_survey.contains(h), self.seal_key);
            let mut analysis = page::complete(analysis, stages, &exists, tally);
            analysis.verified = vote_verified;
            analysis.survey_verified = survey_verified;
            out.push((revision, analysis));
        }
        Ok(out)
    }

    pub(crate) async fn accounts(
        &self,
        voters: &[String],
    ) -> Result<HashMap<String, Account>, WikiError> {
        let users = self.connection.users(voters).await?;
        Ok(users
            .into_iter()
            .map(|(name, u)| {
                let registered = u
                    .registered
                    .and_then(|r| NaiveDateTime::parse_from_str(&r, "%Y-%m-%dT%H:%M:%SZ").ok());
                (
                    name,
                    Account {
                        exists: u.exists,
                        blocked: u.blocked,
                        edits: u.edits,
                        registered,
                    },
                )
            })
            .collect())
    }

    /// Who first added each vote line. Lines the tally region records as verified need no
    /// history; for the others the page history is walked newest to oldest until each line's
    /// first revision is found (answers are also cached for later passes of this process).
    async fn history(
        &self,
        title: &str,
        text: &str,
        lines: &[&VoteLine],
        with_survey: bool,
    ) -> Result<(History, tally::Verified), WikiError> {
        if !self.settings.tally.verify_history || lines.is_empty() {
            return Ok((History::default(), tally::Verified::default()));
        }
        let known_in = |kind: &str| match region::find(text, kind) {
            Ok(Some(r)) => tally::Verified::from_attrs(&r.attrs).trusted(self.seal_key),
            _ => tally::Verified::default(),
        };
        let known = known_in(tally_region::KIND).union(known_in(survey_region::KIND));
        // Each line's key and voter; the voter is the author a genuine line has.
        let voters: HashMap<LineKey, String> = lines
            .iter()
            .filter_map(|l| {
                let voter = l.voter()?.to_owned();
                Some((tally::line_key(l)?, voter))
            })
            .collect();
        let mut authors: HashMap<LineKey, String> = HashMap::new();
        {
            let cache = self.first_authors.lock().expect("cache lock");
            for (key, voter) in &voters {
                let hash = tally::key_hash(key);
                if known.forged.contains(&hash) {
                    authors.insert(key.clone(), "(another account)".into());
                } else if known.checked.contains(&hash) {
                    authors.insert(key.clone(), voter.clone());
                } else if let Some(a) = cache.get(&(title.to_owned(), key.clone())) {
                    authors.insert(key.clone(), a.clone());
                } else if let Some(a) = self
                    .state
                    .and_then(|st| st.first_author(title, &hash).ok().flatten())
                {
                    authors.insert(key.clone(), a);
                }
            }
        }
        let mut pending: HashSet<LineKey> = voters
            .keys()
            .filter(|k| !authors.contains_key(*k))
            .cloned()
            .collect();
        if !pending.is_empty() {
            let found = self
                .walk_for_authors(title, &mut pending, with_survey)
                .await?;
            if let Some(st) = self.state {
                let rows: Vec<(String, String)> = found
                    .iter()
                    .map(|(k, a)| (tally::key_hash(k), a.clone()))
                    .collect();
                self.remember("first authors", st.set_first_authors(title, &rows));
            }
            let mut cache = self.first_authors.lock().expect("cache lock");
            for (key, author) in &found {
                cache.insert((title.to_owned(), key.clone()), author.clone());
            }
            authors.extend(found);
        }
        let mut verified = tally::Verified::default();
        for (key, voter) in &voters {
            if let Some(author) = authors.get(key) {
                let hash = tally::key_hash(key);
                if author != voter {
                    verified.forged.insert(hash.clone());
                }
                verified.checked.insert(hash);
            }
        }
        Ok((tally::history_from(authors), verified.sealed(self.seal_key)))
    }

    async fn walk_for_authors(
        &self,
        title: &str,
        pending: &mut HashSet<LineKey>,
        with_survey: bool,
    ) -> Result<HashMap<LineKey, String>, WikiError> {
        let mut candidate: HashMap<LineKey, String> = HashMap::new();
        let mut found: HashMap<LineKey, String> = HashMap::new();
        let (line_rules, signatures) = (&self.settings.tally.lines, &self.signatures);
        self.connection
            .walk_history(title, |revision| {
                let mut signed = tally::keys_in(&revision.text, line_rules, signatures);
                if with_survey {
                    let survey = &self.settings.survey;
                    signed.extend(survey::keys_in(
                        &revision.text,
                        survey,
                        line_rules,
                        signatures,
                    ));
                }
                pending.retain(|key| {
                    let present = match key {
                        LineKey::Signed(..) => signed.contains(key),
                        LineKey::Unsigned(text) => revision.text.contains(text.as_str()),
                    };
                    if present {
                        candidate.insert(key.clone(), revision.user.clone());
                        return true;
                    }
                    // Absent here, present in the next newer revision: that one added it.
                    if let Some(author) = candidate.get(key) {
                        found.insert(key.clone(), author.clone());
                    }
                    false
                });
                !pending.is_empty()
            })
            .await?;
        for key in pending.drain() {
            if let Some(author) = candidate.remove(&key) {
                found.insert(key, author); // Present since the page was created.
            }
        }
        Ok(found)
    }

    pub fn plan(&self, revision: &PageRevision, analysis: &PageAnalysis) -> PagePlan {
        let revid = revision.revid.unwrap_or(0);
        plan::plan(
            &revision.title,
            revid,
            &revision.text,
            analysis,
            &self.render_settings(revision.language.as_deref()),
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
            if self.connection.is_stopping() {
                break; // SIGTERM: the rest waits for the next start.
            }
            // One batch that cannot be read (after the retries) fails its pages, not the pass.
            let analysed = match self.analyse(batch).await {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(pages = batch.len(), error = %e, "batch not read; its pages wait for the next pass");
                    summary.failed += batch.len();
                    summary.unread += batch.len();
                    for title in batch {
                        progress(title, &Outcome::Failed(e.to_string()));
                    }
                    continue;
                }
            };
            for (revision, analysis) in analysed {
                if self.connection.is_stopping() {
                    break;
                }
                summary.seen += 1;
                if !analysis.proposal.problems.is_empty() {
                    summary.with_problems += 1;
                }
                let title = revision.title.clone();
                let exists = revision.exists;
                let (outcome, noticed, entry) = self.settle(revision, analysis).await;
                summary.notices += usize::from(noticed);
                // Pages that are not (or no longer) proposals have no entry.
                if exists && outcome != Outcome::NotOurs {
                    summary.entries.push(entry);
                }
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

    /// What the index keeps of a proposal read at `timestamp`.
    pub fn entry(&self, revision: &PageRevision, analysis: &PageAnalysis) -> ProposalEntry {
        let timestamp = revision.timestamp.as_deref().unwrap_or_default();
        self.entry_at(revision, analysis, timestamp)
    }

    fn entry_at(
        &self,
        revision: &PageRevision,
        analysis: &PageAnalysis,
        timestamp: &str,
    ) -> ProposalEntry {
        let stages = &self.settings.proposals.stages;
        proposal_entry(&revision.title, &revision.text, timestamp, analysis, stages)
    }

    /// Brings one page to its desired state; on an edit conflict, re-reads and recomputes.
    /// Returns the outcome, whether a talk notice was posted, and the page's index entry.
    async fn settle(
        &self,
        revision: PageRevision,
        analysis: PageAnalysis,
    ) -> (Outcome, bool, ProposalEntry) {
        let (outcome, noticed, revision, analysis, saved_at) =
            self.settle_page(revision, analysis).await;
        let entry = match &saved_at {
            Some(at) => self.entry_at(&revision, &analysis, at),
            None => self.entry(&revision, &analysis),
        };
        (outcome, noticed, entry)
    }

    /// The page as it ended: outcome, notice posted, last revision read and its analysis, and
    /// the timestamp of the bot's save if it saved.
    async fn settle_page(
        &self,
        mut revision: PageRevision,
        mut analysis: PageAnalysis,
    ) -> (Outcome, bool, PageRevision, PageAnalysis, Option<String>) {
        let mut noticed = false;
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let edit = match self.plan(&revision, &analysis) {
                PagePlan::Unchanged => {
                    if let (Some(st), Some(revid)) = (self.state, revision.revid) {
                        self.remember("reconciled", st.set_reconciled(&revision.title, revid));
                    }
                    return (Outcome::Unchanged, noticed, revision, analysis, None);
                }
                PagePlan::NotOurs => return (Outcome::NotOurs, noticed, revision, analysis, None),
                PagePlan::Blocked(e) => {
                    tracing::warn!(page = %revision.title, "{e}");
                    return (
                        Outcome::Blocked(e.to_string()),
                        noticed,
                        revision,
                        analysis,
                        None,
                    );
                }
                PagePlan::Edit(edit) => edit,
            };
            if !bots::allowed(&revision.text, &self.account) {
                tracing::info!(page = %revision.title, "the page opts out of bots; not editing");
                return (Outcome::OptedOut, noticed, revision, analysis, None);
            }
            if self.dry_run {
                return (Outcome::WouldEdit, noticed, revision, analysis, None);
            }
            match self.post_notice(&revision, &edit).await {
                Ok(posted) => noticed |= posted,
                Err(e) => {
                    tracing::warn!(page = %revision.title, error = %e, "stage notice not posted; page not saved");
                    return (
                        Outcome::Failed(e.to_string()),
                        noticed,
                        revision,
                        analysis,
                        None,
                    );
                }
            }
            let request = SaveRequest {
                base: &revision,
                text: &edit.text,
                summary: &edit.summary,
            };
            match self.connection.save(&request).await {
                Ok(SaveOutcome::Saved { revid, timestamp }) => {
                    tracing::info!(page = %revision.title, summary = %edit.summary, "saved");
                    if let Some(st) = self.state {
                        self.remember("reconciled", st.set_reconciled(&revision.title, revid));
                    }
                    return (
                        Outcome::Edited,
                        noticed,
                        revision,
                        analysis,
                        Some(timestamp),
                    );
                }
                Ok(SaveOutcome::NoChange) => {
                    return (Outcome::Unchanged, noticed, revision, analysis, None);
                }
                Err(WikiError::Conflict { code, .. }) if attempt < CONFLICT_ATTEMPTS => {
                    tracing::info!(page = %revision.title, %code, "changed while we worked; reading it again");
                    match self.analyse(std::slice::from_ref(&revision.title)).await {
                        Ok(mut fresh) if fresh.len() == 1 => (revision, analysis) = fresh.remove(0),
                        Ok(_) => {
                            let failed = Outcome::Failed("page vanished".into());
                            return (failed, noticed, revision, analysis, None);
                        }
                        Err(e) => {
                            let failed = Outcome::Failed(e.to_string());
                            return (failed, noticed, revision, analysis, None);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(page = %revision.title, error = %e, "not saved");
                    return (
                        Outcome::Failed(e.to_string()),
                        noticed,
                        revision,
                        analysis,
                        None,
                    );
                }
            }
        }
        let failed = Outcome::Failed("edit conflicts on every attempt".into());
        (failed, noticed, revision, analysis, None)
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
        let section_title = self.section_title(&talk, &change.notice).await;
        self.connection
            .new_section(&talk, &section_title, &change.notice.text, &summary)
            .await?;
        if let Some(st) = self.state {
            let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            self.remember("notice", st.record_notice(&revision.title, change.n, &at));
        }
        Ok(true)
    }
}

impl Reconciler<'_> {
    /// A notice's section title in its language: section titles are plain text, so the wiki
    /// expands the message (one request, only when a notice is posted). English if it fails.
    async fn section_title(&self, talk: &str, notice: &notice::Notice) -> String {
        match self.connection.expand(talk, &notice.title_call()).await {
            Ok(t) if !t.trim().is_empty() && !t.contains(['{', '}', '[', ']', '\n', '⧼']) => {
                t.trim().to_owned()
            }
            Ok(t) => {
                tracing::warn!(expanded = %t, "notice title did not expand to plain text; English used");
                notice.title.english()
            }
            Err(e) => {
                tracing::warn!(error = %e, "notice title not expanded; English used");
                notice.title.english()
            }
        }
    }
}
