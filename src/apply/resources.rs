//! Keeping the link report under the resources list current: read the list's section, ask the
//! wiki about its wikilinks and the web about its addresses (reusing results younger than
//! `resources.recheck_days`), and write the report region, only when its results changed.
//!
//! The list is the humans': only the region is ever written, and an edit conflict means the
//! page is read and the report worked out again.

mod classify;

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::analyse::bots;
use crate::analyse::resources::{Finding, LinkRules, LinkTarget, Verdict, section_links};
use crate::config::{ResourcesSettings, Settings};
use crate::render::resources as render;
use crate::state::{LinkCheck, State};
use crate::web::{Politeness, Probe, Web};
use crate::wiki::{
    Connection, Disambiguation, PageFacts, PageRevision, PageStore, SaveOutcome, SaveRequest,
    WikiError, user_agent,
};

/// Attempts when humans edit the page while we work.
const CONFLICT_ATTEMPTS: usize = 3;

/// Where link facts come from: the wiki and the web, or a test's fakes.
pub trait LinkChecks {
    /// Facts about each title, in the order given.
    fn pages(
        &self,
        titles: &[String],
    ) -> impl Future<Output = Result<Vec<PageFacts>, WikiError>> + Send;
    /// What each address gave, in the order given.
    fn urls(&self, urls: &[String]) -> impl Future<Output = Vec<Probe>> + Send;
    /// HTTP requests made so far (for the summary).
    fn http_requests(&self) -> u64;
}

/// The real sources: the wiki's API and the web.
pub struct Live<'a> {
    connection: &'a Connection,
    settings: &'a ResourcesSettings,
    web: Web,
}

impl<'a> Live<'a> {
    pub fn new(connection: &'a Connection, settings: &'a Settings) -> Result<Self, WikiError> {
        let r = &settings.resources;
        let web = Web::new(&Politeness {
            user_agent: user_agent(&settings.bot.user_agent_contact),
            timeout: r.timeout,
            concurrency: r.concurrency,
            per_host_delay: r.per_host_delay,
        })
        .map_err(WikiError::Unexpected)?;
        Ok(Live {
            connection,
            settings: r,
            web,
        })
    }
}

impl LinkChecks for Live<'_> {
    async fn pages(&self, titles: &[String]) -> Result<Vec<PageFacts>, WikiError> {
        let d = Disambiguation {
            templates: &self.settings.disambiguation_templates,
            categories: &self.settings.disambiguation_categories,
        };
        self.connection.page_facts(titles, &d).await
    }

    async fn urls(&self, urls: &[String]) -> Vec<Probe> {
        self.web.check_all(urls).await
    }

    fn http_requests(&self) -> u64 {
        self.web.requests()
    }
}

/// What one check of the list found and did.
#[derive(Debug, Default)]
pub struct ResourcesSummary {
    /// The page the list is on (after redirects).
    pub page: String,
    pub findings: Vec<Finding>,
    /// Addresses fetched now, and reused from the state file.
    pub fetched: usize,
    pub cached: usize,
    pub http_requests: u64,
    pub edited: bool,
    /// A dry run's change: the page now and as it would be saved.
    pub would_save: Option<(String, String)>,
    /// Why nothing was written although the report differs (or there is no list).
    pub note: Option<String>,
}

impl ResourcesSummary {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .count()
    }
}

pub struct ResourcesChecker<'a, C> {
    pub connection: &'a Connection,
    pub checks: C,
    pub state: &'a State,
    pub settings: &'a Settings,
    /// The bot's account, for `{{bots|deny=...}}`.
    pub account: String,
    pub dry_run: bool,
}

impl<C: LinkChecks> ResourcesChecker<'_, C> {
    /// One check of the list as of `now`.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<ResourcesSummary, WikiError> {
        let r = &self.settings.resources;
        let mut summary = ResourcesSummary::default();
        for _ in 0..CONFLICT_ATTEMPTS {
            let page = self
                .connection
                .read_following(std::slice::from_ref(&r.page))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| WikiError::Unexpected(format!("no answer for [[{}]]", r.page)))?;
            summary.page = page.title.clone();
            if !page.exists {
                summary.note = Some(format!("[[{}]] does not exist", r.page));
                return Ok(summary);
            }
            let rules = LinkRules {
                local_interwiki: r.local_interwiki_prefixes.clone(),
                page_title: page.title.clone(),
            };
            let Some(section) = section_links(&page.text, &r.section, &rules) else {
                summary.note = Some(format!(
                    "[[{}]] has no section \"{}\"",
                    page.title, r.section
                ));
                return Ok(summary);
            };
            summary.findings = self.check(&section.links, now, &mut summary).await?;
            summary.http_requests = self.checks.http_requests();
            let today = now.format("%Y-%m-%d").to_string();
            let docs = &self.settings.bot.docs_page;
            let desired = render::place(&page.text, section.end, &summary.findings, &today, docs)
                .map_err(|e| WikiError::Unexpected(format!("[[{}]]: {e}", page.title)))?;
            let Some(desired) = desired else {
                return Ok(summary);
            };
            if let Some(why) = self.refusal(&page) {
                summary.note = Some(why);
                return Ok(summary);
            }
            if self.dry_run {
                summary.would_save = Some((page.text.clone(), desired));
                return Ok(summary);
            }
            match self.save(&page, &desired).await {
                Ok(saved) => {
                    summary.edited = saved;
                    return Ok(summary);
                }
                Err(WikiError::Conflict { .. }) => {
                    tracing::info!(page = %page.title, "edited meanwhile; reading it again");
                }
                Err(e) => return Err(e),
            }
        }
        Err(WikiError::Unexpected(
            "edit conflicts on every attempt".into(),
        ))
    }

    /// Why the bot must not save this page, if it must not.
    fn refusal(&self, page: &PageRevision) -> Option<String> {
        if !self.connection.may_edit(&page.title) {
            return Some(format!(
                "[[{}]] is outside the edit allow-list (bot.edit_namespaces, \
                 bot.edit_title_prefixes): not edited",
                page.title
            ));
        }
        if !bots::allowed(&page.text, &self.account) {
            return Some(format!(
                "[[{}]] opts out of bots ({{{{nobots}}}}): not edited",
                page.title
            ));
        }
        None
    }

    async fn save(&self, page: &PageRevision, text: &str) -> Result<bool, WikiError> {
        let summary = format!(
            "partnerbot: link report of the resources list ([[{}|how it works]])",
            self.settings.bot.docs_page
        );
        let request = SaveRequest {
            base: page,
            text,
            summary: &summary,
        };
        match self.connection.save(&request).await? {
            SaveOutcome::Saved { .. } => {
                tracing::info!(page = %page.title, "link report saved");
                Ok(true)
            }
            SaveOutcome::NoChange => Ok(false),
        }
    }

    /// A finding per link, in the list's order.
    async fn check(
        &self,
        links: &[LinkTarget],
        now: DateTime<Utc>,
        summary: &mut ResourcesSummary,
    ) -> Result<Vec<Finding>, WikiError> {
        let titles: Vec<String> = links
            .iter()
            .filter_map(|l| match l {
                LinkTarget::Page(t) => Some(t.clone()),
                LinkTarget::Url(_) => None,
            })
            .collect();
        let facts = if titles.is_empty() {
            Vec::new()
        } else {
            self.checks.pages(&titles).await?
        };
        let mut found: Vec<Option<Finding>> = Vec::with_capacity(links.len());
        let mut to_fetch: Vec<(usize, String)> = Vec::new();
        let mut facts = facts.iter();
        for (i, link) in links.iter().enumerate() {
            match link {
                LinkTarget::Page(_) => {
                    let f = facts.next().ok_or_else(|| {
                        WikiError::Unexpected("fewer page facts than titles".into())
                    })?;
                    found.push(Some(classify::page(link.clone(), f)));
                }
                LinkTarget::Url(u) => match self.cached(u, now)? {
                    Some(f) => {
                        summary.cached += 1;
                        found.push(Some(f));
                    }
                    None => {
                        to_fetch.push((i, u.clone()));
                        found.push(None);
                    }
                },
            }
        }
        let urls: Vec<String> = to_fetch.iter().map(|(_, u)| u.clone()).collect();
        let probes = self.checks.urls(&urls).await;
        summary.fetched = urls.len();
        let checked_at = now.to_rfc3339();
        for ((i, url), probe) in to_fetch.into_iter().zip(probes) {
            let f = classify::url(LinkTarget::Url(url.clone()), &probe);
            if probe.is_transient() {
                found[i] = Some(f);
                continue;
            }
            let record = LinkCheck {
                status: f.verdict.as_str().to_owned(),
                detail: f.detail.clone(),
                moved_to: f.to.clone(),
                checked_at: checked_at.clone(),
            };
            self.state.set_link_check(&url, &record)?;
            found[i] = Some(f);
        }
        Ok(found.into_iter().flatten().collect())
    }

    /// The stored result for `url`, if it is younger than `resources.recheck`.
    fn cached(&self, url: &str, now: DateTime<Utc>) -> Result<Option<Finding>, WikiError> {
        let Some(stored) = self.state.link_check(url)? else {
            return Ok(None);
        };
        let fresh = DateTime::parse_from_rfc3339(&stored.checked_at)
            .ok()
            .and_then(|at| (now - at.to_utc()).to_std().ok())
            .is_some_and(|age| age < self.settings.resources.recheck);
        let verdict = Verdict::parse(&stored.status);
        Ok(match verdict {
            Some(verdict) if fresh => Some(Finding {
                target: LinkTarget::Url(url.to_owned()),
                verdict,
                detail: stored.detail,
                to: stored.moved_to,
            }),
            _ => None,
        })
    }
}
