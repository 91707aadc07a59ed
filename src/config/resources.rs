//! The `[resources]` section: which list's links are checked, how often, and how politely.

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Layers, invalid};
use crate::analyse::proposal::normalize_template_name;

#[derive(Deserialize)]
pub(super) struct RawResources {
    enabled: bool,
    page: String,
    section: String,
    recheck_days: u64,
    interval_hours: u64,
    timeout_s: u64,
    concurrency: usize,
    per_host_delay_ms: u64,
    disambiguation_templates: Vec<String>,
    disambiguation_categories: Vec<String>,
    local_interwiki_prefixes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ResourcesSettings {
    pub enabled: bool,
    pub page: String,
    pub section: String,
    /// How old a cached result of an external link may be before it is fetched again.
    pub recheck: Duration,
    /// How often the continuous job checks the list.
    pub interval: Duration,
    pub timeout: Duration,
    pub concurrency: usize,
    pub per_host_delay: Duration,
    /// Normalised template names, without namespace.
    pub disambiguation_templates: Vec<String>,
    /// Category names without namespace.
    pub disambiguation_categories: Vec<String>,
    /// Lower-case.
    pub local_interwiki_prefixes: Vec<String>,
}

pub(super) fn validate_resources(
    raw: RawResources,
    layers: &Layers,
) -> Result<ResourcesSettings, ConfigError> {
    let page = raw.page.trim().to_owned();
    let section = raw.section.trim().to_owned();
    if raw.enabled && (page.is_empty() || page.contains(['[', ']', '{', '}', '|', '#'])) {
        return Err(invalid(
            layers,
            "resources.page",
            format!("the title of the page holding the list, got {page:?}"),
        ));
    }
    if raw.enabled && section.is_empty() {
        return Err(invalid(
            layers,
            "resources.section",
            "the heading of the list's section, e.g. \"Resources\"",
        ));
    }
    if raw.timeout_s == 0 {
        return Err(invalid(layers, "resources.timeout_s", "seconds above 0"));
    }
    if raw.concurrency == 0 {
        return Err(invalid(
            layers,
            "resources.concurrency",
            "a number of requests above 0",
        ));
    }
    if raw.interval_hours == 0 {
        return Err(invalid(layers, "resources.interval_hours", "hours above 0"));
    }
    let disambiguation_templates = raw
        .disambiguation_templates
        .iter()
        .map(|n| {
            normalize_template_name(n).ok_or_else(|| {
                invalid(
                    layers,
                    "resources.disambiguation_templates",
                    format!("template names, not {n:?}"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(ResourcesSettings {
        enabled: raw.enabled,
        page,
        section,
        recheck: Duration::from_secs(raw.recheck_days * 24 * 3600),
        interval: Duration::from_secs(raw.interval_hours * 3600),
        timeout: Duration::from_secs(raw.timeout_s),
        concurrency: raw.concurrency,
        per_host_delay: Duration::from_millis(raw.per_host_delay_ms),
        disambiguation_templates,
        disambiguation_categories: super::category_names(&raw.disambiguation_categories),
        local_interwiki_prefixes: raw
            .local_interwiki_prefixes
            .iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect(),
    })
}
