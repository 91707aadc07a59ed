//! Layered settings: built-in `config/default.toml` < `--config FILE` < `PARTNERBOT_*` variables.
//!
//! Every error names the key, where it was set and what was expected, so a maintainer can fix a
//! broken deployment from the log line alone. Secrets never appear in errors or `Debug` output.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod index;
mod onwiki;
mod resources;
mod survey;
mod watch;

pub use index::{IndexSettings, Target, Targets};
use index::{RawIndex, validate_index};
pub use onwiki::Overlay;
pub use resources::ResourcesSettings;
use resources::{RawResources, validate_resources};
use watch::{RawState, RawWatch, validate_watch};
pub use watch::{Source, Watch};

use crate::analyse::principles::{Principles, PrinciplesConfig};
use crate::analyse::proposal::param_names;
use crate::analyse::stages::Stages;
use crate::analyse::tally::lines::Position;
use crate::analyse::tally::{CountRules, LineRules};

/// The built-in layer; also the reference of which keys exist.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");
const ENV_PREFIX: &str = "PARTNERBOT_";
const ENV_SEPARATOR: &str = "__";
const SECRET_KEYS: [&str; 2] = ["auth.password", "auth.oauth2_token"];

/// Why the settings could not be loaded. Shown to the maintainer as is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("unknown key `{key}` in {origin}; known keys: {known}")]
    UnknownKey {
        key: String,
        origin: String,
        known: String,
    },
    #[error("key `{key}` in {origin}: expected {expected}")]
    Invalid {
        key: String,
        origin: String,
        expected: String,
    },
    #[error(
        "config file {path} holds a secret (`{key}`) but its permissions ({mode:o}) let other \
         users read or change it; run `chmod 600 {path}`"
    )]
    ReadableSecret {
        path: PathBuf,
        key: &'static str,
        mode: u32,
    },
}

/// A secret string: usable by the wiki edge, invisible in logs and errors.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub wiki: Wiki,
    pub auth: Option<Auth>,
    pub bot: Bot,
    pub templates: Templates,
    pub proposals: Proposals,
    pub tally: TallySettings,
    pub index: IndexSettings,
    pub survey: crate::analyse::survey::SurveyRules,
    pub watch: Watch,
    pub resources: ResourcesSettings,
}

#[derive(Debug, Clone)]
pub struct TallySettings {
    pub lines: LineRules,
    pub count: CountRules,
    pub foreign_user_namespaces: Vec<String>,
    pub verify_history: bool,
}

#[derive(Debug, Clone)]
pub struct Proposals {
    /// Normalised template name, without namespace.
    pub template: String,
    pub namespaces: Vec<i32>,
    pub title_prefixes: Vec<String>,
    pub problems_category: String,
    /// Per parameter: lower-case alias -> canonical value.
    pub aliases: HashMap<String, HashMap<String, String>>,
    pub stages: Stages,
    pub principles: Principles,
}

#[derive(Debug, Clone)]
pub struct Wiki {
    /// Always ends with `/`.
    pub url: String,
    pub rest_url: Option<String>,
    pub timeout: Duration,
    pub maxlag: u32,
}

impl Wiki {
    pub fn api_url(&self) -> String {
        format!("{}api.php", self.url)
    }
    pub fn rest_url(&self) -> String {
        self.rest_url
            .clone()
            .unwrap_or_else(|| format!("{}rest.php", self.url))
    }
}

#[derive(Debug, Clone)]
pub enum Auth {
    BotPassword { username: String, password: Secret },
    OAuth2 { username: String, token: Secret },
}

impl Auth {
    pub fn username(&self) -> &str {
        match self {
            Auth::BotPassword { username, .. } | Auth::OAuth2 { username, .. } => username,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Bot {
    pub user_agent_contact: String,
    pub dry_run: bool,
    pub shutoff_page: String,
    pub shutoff_run_value: String,
    pub save_delay: Duration,
    pub docs_page: String,
    pub edit_namespaces: Vec<i32>,
    pub edit_title_prefixes: Vec<String>,
    pub require_bot_right: bool,
    /// None: no status page.
    pub status_page: Option<String>,
    pub status_interval: Duration,
    /// None: no on-wiki configuration.
    pub onwiki_config_page: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Templates {
    pub dir: PathBuf,
}

// The shape of the merged layers, before validation.
#[derive(Deserialize)]
struct Raw {
    wiki: RawWiki,
    auth: RawAuth,
    bot: RawBot,
    templates: RawTemplates,
    proposals: RawProposals,
    principles: PrinciplesConfig,
    tally: RawTally,
    index: RawIndex,
    survey: survey::RawSurvey,
    watch: RawWatch,
    state: RawState,
    resources: RawResources,
}

#[derive(Deserialize)]
struct RawTally {
    sections: Vec<String>,
    support: Vec<String>,
    oppose: Vec<String>,
    neutral: Vec<String>,
    unsigned_templates: HashMap<String, usize>,
    strike_templates: Vec<String>,
    foreign_user_namespaces: Vec<String>,
    count_ips: bool,
    count_temporary_accounts: bool,
    exclude_blocked: bool,
    min_edits: u64,
    min_age_days: u32,
    min_support: usize,
    min_percent: f64,
    verify_history: bool,
}

#[derive(Deserialize)]
struct RawProposals {
    template: String,
    namespaces: Vec<i32>,
    title_prefixes: Vec<String>,
    problems_category: String,
    stages_file: PathBuf,
    aliases: HashMap<String, HashMap<String, String>>,
}

#[derive(Deserialize)]
struct RawWiki {
    url: String,
    rest_url: String,
    timeout_s: u64,
    maxlag: u32,
}

#[derive(Deserialize)]
struct RawAuth {
    username: String,
    password: Secret,
    oauth2_token: Secret,
}

#[derive(Deserialize)]
struct RawBot {
    user_agent_contact: String,
    dry_run: bool,
    shutoff_page: String,
    shutoff_run_value: String,
    save_delay_s: u64,
    docs_page: String,
    edit_namespaces: Vec<i32>,
    edit_title_prefixes: Vec<String>,
    require_bot_right: bool,
    status_page: String,
    status_interval_s: u64,
    onwiki_config_page: String,
}

#[derive(Deserialize)]
struct RawTemplates {
    dir: PathBuf,
}

/// Where each layer came from, to name the origin of a bad key.
struct Layers {
    file: Option<(PathBuf, BTreeSet<String>)>,
    /// The on-wiki configuration page and the keys it sets.
    overlay: Option<(String, BTreeSet<String>)>,
    /// Stage definitions from the on-wiki page: (page, TOML text).
    stages: Option<(String, String)>,
    env: BTreeMap<String, String>,
}

impl Layers {
    fn origin(&self, key: &str) -> String {
        if self.env.contains_key(key) {
            return format!("environment variable {}", env_name(key));
        }
        if let Some((page, keys)) = &self.overlay
            && keys.contains(key)
        {
            return format!("the on-wiki configuration [[{page}]]");
        }
        match &self.file {
            Some((path, keys)) if keys.contains(key) => path.display().to_string(),
            _ => "the built-in config/default.toml (not set in any file or variable)".into(),
        }
    }
}

/// Category names as configured, trimmed and without a leading "Category:"; empty ones dropped.
fn category_names(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|c| {
            let c = c.trim();
            c.strip_prefix("Category:").unwrap_or(c).trim().to_owned()
        })
        .filter(|c| !c.is_empty())
        .collect()
}

fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.replace('.', ENV_SEPARATOR).to_uppercase()
    )
}

/// Loads settings from the built-in defaults, `file` and the `PARTNERBOT_*` entries of `env`.
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    load_with(file, env, None)
}

/// [`load`] with the on-wiki configuration layered over the file (the environment still wins).
pub fn load_with(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    overlay: Option<&Overlay>,
) -> Result<Settings, ConfigError> {
    let known = flat_keys(
        &DEFAULT_TOML
            .parse()
            .expect("built-in default.toml is valid TOML"),
    );
    let mut builder = config::Config::builder().add_source(config::File::from_str(
        DEFAULT_TOML,
        config::FileFormat::Toml,
    ));

    let file = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Syntax {
                        path: path.to_owned(),
                        message: e.to_string(),
                    })?;
            let keys = flat_keys(&table);
            check_known(&keys, &known, &path.display().to_string())?;
            check_secret_permissions(path, &table)?;
            builder = builder.add_source(config::File::from_str(&text, config::FileFormat::Toml));
            Some((path.to_owned(), keys))
        }
        None => None,
    };

    if let Some(o) = overlay {
        let keys = o.keys();
        check_known(
            &keys,
            &known,
            &format!("the on-wiki configuration [[{}]]", o.page),
        )?;
        let text = toml::to_string(&o.table).map_err(|e| ConfigError::Invalid {
            key: "bot.onwiki_config_page".into(),
            origin: format!("[[{}]]", o.page),
            expected: format!("settings the bot can read ({e})"),
        })?;
        builder = builder.add_source(config::File::from_str(&text, config::FileFormat::Toml));
    }
    let env: BTreeMap<String, String> = env
        .into_iter()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(ENV_PREFIX)?;
            rest.contains(ENV_SEPARATOR)
                .then(|| (rest.to_lowercase().replace(ENV_SEPARATOR, "."), value))
        })
        .collect();
    for key in env.keys() {
        if !known.contains(key) {
            return Err(unknown(
                key,
                format!("environment variable {}", env_name(key)),
                &known,
            ));
        }
    }
    for (key, value) in &env {
        builder = builder
            .set_override(key.as_str(), value.as_str())
            .expect("a dotted key is a valid config path");
    }
    let file_path = file.as_ref().map(|(p, _)| p.clone());
    let layers = Layers {
        file,
        overlay: overlay.map(|o| (o.page.clone(), o.keys())),
        stages: overlay.and_then(|o| Some((o.page.clone(), o.stages.clone()?))),
        env,
    };

    let raw: Raw = builder
        .build()
        .and_then(|c| c.try_deserialize())
        .map_err(|e| from_config_error(e, &layers))?;
    validate(raw, file_path.as_deref(), &layers)
}

fn flat_keys(table: &toml::Table) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (section, value) in table {
        match value.as_table() {
            Some(inner) => out.extend(inner.keys().map(|k| format!("{section}.{k}"))),
            None => {
                out.insert(section.clone());
            }
        }
    }
    out
}

fn check_known(
    keys: &BTreeSet<String>,
    known: &BTreeSet<String>,
    origin: &str,
) -> Result<(), ConfigError> {
    match keys.iter().find(|k| !known.contains(*k)) {
        Some(key) => Err(unknown(key, origin.to_owned(), known)),
        None => Ok(()),
    }
}

fn unknown(key: &str, origin: String, known: &BTreeSet<String>) -> ConfigError {
    // List the keys of the same section: that is where the typo most likely is.
    let section = key.split('.').next().unwrap_or_default();
    let mut same: Vec<&str> = known
        .iter()
        .filter(|k| k.split('.').next() == Some(section))
        .map(String::as_str)
        .collect();
    if same.is_empty() {
        same = known.iter().map(String::as_str).collect();
    }
    ConfigError::UnknownKey {
        key: key.to_owned(),
        origin,
        known: same.join(", "),
    }
}

#[cfg(unix)]
fn check_secret_permissions(path: &Path, table: &toml::Table) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let holds = |key: &str| {
        let (section, name) = key.split_once('.').expect("secret keys are dotted");
        table
            .get(section)
            .and_then(|s| s.get(name))
            .and_then(|v| v.as_str())
            .is_some_and(|v| !v.is_empty())
    };
    let Some(key) = SECRET_KEYS.into_iter().find(|k| holds(k)) else {
        return Ok(());
    };
    let mode = std::fs::metadata(path)
        .map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::ReadableSecret {
            path: path.to_owned(),
            key,
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_secret_permissions(_: &Path, _: &toml::Table) -> Result<(), ConfigError> {
    Ok(())
}

fn from_config_error(error: config::ConfigError, layers: &Layers) -> ConfigError {
    match error {
        config::ConfigError::Type {
            key: Some(key),
            expected,
            ..
        } => {
            // `unexpected` is deliberately dropped: it may be a secret's value.
            let origin = layers.origin(&key);
            ConfigError::Invalid {
                key,
                origin,
                expected: expected.to_owned(),
            }
        }
        other => ConfigError::Invalid {
            key: "(unknown)".into(),
            origin: "the merged configuration".into(),
            expected: format!("a well-formed configuration ({other})"),
        },
    }
}

fn invalid(layers: &Layers, key: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        origin: layers.origin(key),
        expected: expected.into(),
    }
}

fn http_url(layers: &Layers, key: &str, value: &str) -> Result<String, ConfigError> {
    let expected = || {
        format!(
            "an http:// or https:// URL such as \"https://meta.wikimedia.org/w/\", got {value:?}"
        )
    };
    let parsed = url::Url::parse(value).map_err(|_| invalid(layers, key, expected()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid(layers, key, expected()));
    }
    Ok(value.to_owned())
}

fn validate(
    raw: Raw,
    config_file: Option<&Path>,
    layers: &Layers,
) -> Result<Settings, ConfigError> {
    let mut url = http_url(layers, "wiki.url", raw.wiki.url.trim())?;
    if !url.ends_with('/') {
        url.push('/');
    }
    if url.ends_with("api.php/") || url.ends_with("index.php/") {
        return Err(invalid(
            layers,
            "wiki.url",
            format!("the folder that holds api.php, not api.php itself, got {url:?}"),
        ));
    }
    let rest_url = match raw.wiki.rest_url.trim() {
        "" => None,
        value => Some(http_url(
            layers,
            "wiki.rest_url",
            value.trim_end_matches('/'),
        )?),
    };
    if raw.wiki.timeout_s == 0 {
        return Err(invalid(
            layers,
            "wiki.timeout_s",
            "a number of seconds above 0",
        ));
    }

    let username = raw.auth.username.trim().to_owned();
    let auth = match (
        raw.auth.password.is_empty(),
        raw.auth.oauth2_token.is_empty(),
    ) {
        (false, false) => {
            return Err(invalid(
                layers,
                "auth.oauth2_token",
                "either auth.password or auth.oauth2_token, not both",
            ));
        }
        (true, true) => None,
        (password_missing, _) => {
            if username.is_empty() {
                return Err(invalid(
                    layers,
                    "auth.username",
                    "the account name the secret belongs to",
                ));
            }
            if password_missing {
                Some(Auth::OAuth2 {
                    username,
                    token: raw.auth.oauth2_token,
                })
            } else {
                check_bot_password(layers, &username, &raw.auth.password)?;
                Some(Auth::BotPassword {
                    username,
                    password: raw.auth.password,
                })
            }
        }
    };

    let contact = raw.bot.user_agent_contact.trim().to_owned();
    if contact.is_empty() {
        return Err(invalid(
            layers,
            "bot.user_agent_contact",
            "a way to reach the operator (a user page URL or e-mail address), as the Wikimedia \
             User-Agent policy requires",
        ));
    }
    let shutoff_page = raw.bot.shutoff_page.trim().to_owned();
    if shutoff_page.is_empty() {
        return Err(invalid(
            layers,
            "bot.shutoff_page",
            "a page title, e.g. \"User:Partnerbot/Shutoff\"",
        ));
    }
    let proposals = validate_proposals(raw.proposals, &raw.principles, layers)?;
    let tally = validate_tally(raw.tally, layers)?;
    let index = validate_index(raw.index, &proposals.stages, layers)?;
    let watch = validate_watch(raw.watch, raw.state, config_file, layers)?;
    let survey = survey::validate_survey(raw.survey, &proposals.stages, layers)?;
    let resources = validate_resources(raw.resources, layers)?;
    Ok(Settings {
        survey,
        proposals,
        tally,
        index,
        watch,
        resources,
        wiki: Wiki {
            url,
            rest_url,
            timeout: Duration::from_secs(raw.wiki.timeout_s),
            maxlag: raw.wiki.maxlag,
        },
        auth,
        bot: Bot {
            user_agent_contact: contact,
            dry_run: raw.bot.dry_run,
            shutoff_page,
            shutoff_run_value: raw.bot.shutoff_run_value.trim().to_owned(),
            save_delay: Duration::from_secs(raw.bot.save_delay_s),
            docs_page: raw.bot.docs_page.trim().to_owned(),
            edit_namespaces: raw.bot.edit_namespaces,
            edit_title_prefixes: raw
                .bot
                .edit_title_prefixes
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect(),
            require_bot_right: raw.bot.require_bot_right,
            status_page: Some(raw.bot.status_page.trim().to_owned()).filter(|p| !p.is_empty()),
            status_interval: Duration::from_secs(raw.bot.status_interval_s),
            onwiki_config_page: Some(raw.bot.onwiki_config_page.trim().to_owned())
                .filter(|p| !p.is_empty()),
        },
        templates: Templates {
            dir: raw.templates.dir,
        },
    })
}

fn validate_tally(raw: RawTally, layers: &Layers) -> Result<TallySettings, ConfigError> {
    let lower = |v: &[String]| {
        v.iter()
            .map(|s| s.trim().to_lowercase())
            .collect::<Vec<_>>()
    };
    let mut positions = HashMap::new();
    let groups = [
        (&raw.support, Position::Support),
        (&raw.oppose, Position::Oppose),
        (&raw.neutral, Position::Neutral),
    ];
    for (names, position) in groups {
        for name in lower(names) {
            positions.insert(name, position);
        }
    }
    if raw.unsigned_templates.values().any(|&i| i == 0) {
        return Err(invalid(
            layers,
            "tally.unsigned_templates",
            "parameter numbers starting at 1",
        ));
    }
    if !(0.0..=100.0).contains(&raw.min_percent) {
        return Err(invalid(
            layers,
            "tally.min_percent",
            "a percentage from 0 to 100",
        ));
    }
    Ok(TallySettings {
        lines: LineRules {
            section_titles: lower(&raw.sections),
            positions,
            unsigned: raw
                .unsigned_templates
                .into_iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v))
                .collect(),
            strike_templates: lower(&raw.strike_templates),
        },
        count: CountRules {
            count_ips: raw.count_ips,
            count_temporary_accounts: raw.count_temporary_accounts,
            exclude_blocked: raw.exclude_blocked,
            min_edits: raw.min_edits,
            min_age_days: (raw.min_age_days > 0).then_some(raw.min_age_days),
            min_support: raw.min_support,
            min_percent: raw.min_percent,
        },
        foreign_user_namespaces: lower(&raw.foreign_user_namespaces),
        verify_history: raw.verify_history,
    })
}

fn validate_proposals(
    raw: RawProposals,
    principles: &PrinciplesConfig,
    layers: &Layers,
) -> Result<Proposals, ConfigError> {
    let template =
        crate::analyse::proposal::normalize_template_name(&raw.template).ok_or_else(|| {
            invalid(
                layers,
                "proposals.template",
                "a template name such as \"Partnership proposal\"",
            )
        })?;
    let params = param_names();
    let stages = if let Some((page, text)) = &layers.stages {
        Stages::parse(text, &params).map_err(|e| ConfigError::Invalid {
            key: "stages".into(),
            origin: format!("the on-wiki configuration [[{page}]]"),
            expected: format!("valid stage definitions ({e})"),
        })?
    } else if raw.stages_file.as_os_str().is_empty() {
        Stages::builtin()
    } else {
        let path = &raw.stages_file;
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Stages::parse(&text, &params).map_err(|e| ConfigError::Invalid {
            key: "proposals.stages_file".into(),
            origin: path.display().to_string(),
            expected: format!("valid stage definitions ({e})"),
        })?
    };
    let mut aliases = HashMap::new();
    for (param, map) in raw.aliases {
        if !params.contains(&param.as_str()) {
            return Err(invalid(
                layers,
                "proposals.aliases",
                format!("parameters of the proposal template, not `{param}`"),
            ));
        }
        let map = map
            .into_iter()
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        aliases.insert(param, map);
    }
    let principles = Principles::new(principles, &stages, &params).map_err(|e| {
        let key = if e.starts_with("principles.exclude") {
            "principles.exclude"
        } else {
            "principles.require"
        };
        invalid(layers, key, e)
    })?;
    Ok(Proposals {
        template,
        namespaces: raw.namespaces,
        title_prefixes: raw
            .title_prefixes
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect(),
        problems_category: raw.problems_category.trim().to_owned(),
        aliases,
        stages,
        principles,
    })
}

/// MediaWiki silently treats a login whose password is not of the bot-password form as a
/// main-account login and rejects it with a misleading message; catch that here.
fn check_bot_password(
    layers: &Layers,
    username: &str,
    password: &Secret,
) -> Result<(), ConfigError> {
    if !username.contains('@') {
        return Err(invalid(
            layers,
            "auth.username",
            format!("a bot-password login name of the form \"Account@appid\", got {username:?}"),
        ));
    }
    let p = password.expose();
    if p.len() < 32
        || !p
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'w').contains(&b))
    {
        return Err(invalid(
            layers,
            "auth.password",
            "a bot password as Special:BotPasswords issues it (32 or more characters of 0-9 and \
             a-w); the value is not shown",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
