//! The command line: clap definitions and one small function per command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::apply::pages::{self as sync, Action, ApplyOptions, Outcome};
use crate::config::{self, Settings};
use crate::pagefiles;
use crate::wiki::{Connection, PageStore, SiteStatus};

/// Exit code for a configuration that cannot be used (sysexits' EX_CONFIG).
const EXIT_CONFIG: u8 = 78;

const LONG_ABOUT: &str = "\
partnerbot runs the on-wiki workflow of Meta-Wiki's Community Capacity Development / \
Partnerships effort: it keeps its templates on the wiki and reports what it can see.

Settings come from three layers, later wins: the built-in defaults (config/default.toml), the \
file given with --config, and environment variables PARTNERBOT_<SECTION>__<KEY> \
(e.g. PARTNERBOT_AUTH__PASSWORD).

Exit codes: 0 success; 1 the command failed or left something undone (see its output); \
2 wrong arguments; 78 unusable configuration.";

const AFTER_HELP: &str = "\
Examples:
  partnerbot --config ~/partnerbot.toml status
  partnerbot --config devwiki/partnerbot.toml templates diff
  PARTNERBOT_AUTH__PASSWORD=... partnerbot --config prod.toml templates install --dry-run";

#[derive(Debug, Parser)]
#[command(name = "partnerbot", version, about = "The partnerships bot for Meta-Wiki", long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    /// Settings file (TOML) layered over the built-in defaults; chmod 600 if it holds a secret.
    #[arg(
        long,
        short = 'c',
        global = true,
        value_name = "FILE",
        env = "PARTNERBOT_CONFIG"
    )]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only warnings and errors on stderr.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect, log in, and report the wiki, the account, its rights and the shut-off page.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml status

Prints the wiki's name and MediaWiki version, the account and whether it holds the `bot` right
(without it `bot=1` is silently ignored and every edit floods Recent changes), the shut-off
page's state, and the REST (Parsoid) endpoint with a test fetch. Exits 1 if something would stop
the bot from working.")]
    Status,
    /// Keep the wiki's copies of the bot's templates equal to wikitext-templates/.
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Create or update the pages whose content differs from their files; leave the rest.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml templates install --dry-run
  partnerbot --config devwiki/partnerbot.toml templates install

Each file in the templates folder (templates.dir) is one page: its path minus \".wikitext\",
with \"_\" for spaces, is the title. A page whose latest revision was made by another account
is not replaced (their change would be lost) unless --force is given; see `templates diff`.
Nothing is saved while the shut-off page says stop.")]
    Install {
        /// Show what would be saved, save nothing (as bot.dry_run = true).
        #[arg(long)]
        dry_run: bool,
        /// Also replace pages last edited by another account.
        #[arg(long)]
        force: bool,
    },
    /// Show, as unified diffs, what `templates install` would change on the wiki.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml templates diff

Reads only; works without credentials. The left side is the wiki, the right side the file.")]
    Diff,
}

pub fn init_logging(args: &Args) {
    let level = match (args.quiet, args.verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Logs go to stderr (stdout is the commands' output) and carry no ANSI colours, so they
    // read cleanly in Toolforge's log files.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .init();
}

pub async fn run(args: Args) -> ExitCode {
    let settings = match config::load(args.config.as_deref(), std::env::vars()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("partnerbot: configuration error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let result = match args.command {
        Command::Status => status(&settings).await,
        Command::Templates(TemplatesCommand::Install { dry_run, force }) => {
            let options = ApplyOptions {
                dry_run: dry_run || settings.bot.dry_run,
                force,
            };
            templates_install(&settings, options).await
        }
        Command::Templates(TemplatesCommand::Diff) => templates_diff(&settings).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("partnerbot: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn status(settings: &Settings) -> Result<ExitCode> {
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    let mut healthy = true;
    println!(
        "wiki:       {} ({}) at {}",
        site.sitename, site.generator, settings.wiki.url
    );
    println!("api:        {}", connection.api_url());
    let account = &site.account;
    if account.anonymous {
        println!("account:    not logged in (no auth.username in the settings): read-only");
    } else {
        println!(
            "account:    {} (login {}; groups: {})",
            account.name,
            connection.login_name().unwrap_or("?"),
            account.groups.join(", ")
        );
        if account.has_bot_right() {
            println!("bot right:  yes (edits are flagged as bot edits)");
        } else {
            healthy = false;
            println!(
                "bot right:  NO - MediaWiki will silently ignore bot=1 and every edit will show \
                 in Recent changes; ask a bureaucrat for the bot flag"
            );
            tracing::warn!(account = %account.name, "the account lacks the `bot` right");
        }
    }
    let (running, shutoff) = shutoff_state(settings, &site);
    healthy &= running;
    println!("shut-off:   [[{}]]: {shutoff}", site.page.title);
    println!(
        "dry run:    {}",
        if settings.bot.dry_run {
            "yes (bot.dry_run)"
        } else {
            "no"
        }
    );
    match connection.check_rest(&site.main_page).await {
        Ok(bytes) => println!(
            "rest:       {} (fetched [[{}]]: {bytes} bytes of HTML)",
            connection.rest_url(),
            site.main_page
        ),
        Err(e) => {
            healthy = false;
            println!("rest:       {} NOT working: {e}", connection.rest_url());
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Whether the shut-off page lets the bot edit, and a sentence saying why.
fn shutoff_state(settings: &Settings, site: &SiteStatus) -> (bool, String) {
    let expected = &settings.bot.shutoff_run_value;
    if !site.page.exists {
        return (
            false,
            format!("does not exist: editing STOPPED (create it with {expected:?} to allow edits)"),
        );
    }
    let content = site.page.text.trim();
    if content == expected {
        (true, format!("{content:?}: editing allowed"))
    } else {
        let shown: String = content.chars().take(60).collect();
        (
            false,
            format!("{shown:?}: editing STOPPED (it must read {expected:?} to allow edits)"),
        )
    }
}

/// The template files; read before connecting so a bad folder fails fast and clearly.
fn template_files(settings: &Settings) -> Result<Vec<pagefiles::PageFile>> {
    let dir = &settings.templates.dir;
    let files = pagefiles::load_dir(dir).with_context(|| templates_dir_hint(dir))?;
    if files.is_empty() {
        bail!("no .wikitext files in {}", dir.display());
    }
    Ok(files)
}

async fn planned(
    files: Vec<pagefiles::PageFile>,
    connection: &Connection,
    bot_account: &str,
) -> Result<Vec<sync::PlannedPage>> {
    let titles: Vec<String> = files.iter().map(|f| f.title.clone()).collect();
    let current = connection.read(&titles).await?;
    Ok(sync::plan(files, current, bot_account))
}

fn templates_dir_hint(dir: &Path) -> String {
    format!(
        "reading the templates folder {} (templates.dir, relative to the working directory)",
        dir.display()
    )
}

async fn templates_diff(settings: &Settings) -> Result<ExitCode> {
    let files = template_files(settings)?;
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    let plan = planned(files, &connection, &site.account.name).await?;
    let mut changes = 0;
    for page in plan.iter().filter(|p| p.action != Action::Keep) {
        changes += 1;
        if let Some(editor) = &page.foreign_editor {
            println!(
                "# [[{}]] was last edited by {editor}: install needs --force",
                page.current.title
            );
        }
        print!("{}", sync::diff(page));
    }
    println!(
        "{changes} of {} pages differ from {}",
        plan.len(),
        settings.templates.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn templates_install(settings: &Settings, options: ApplyOptions) -> Result<ExitCode> {
    if settings.auth.is_none() && !options.dry_run {
        bail!(
            "installing needs an account: set auth.username and auth.password (or use --dry-run)"
        );
    }
    let files = template_files(settings)?;
    let connection = Connection::connect(settings).await?;
    let site = connection.site_status(&settings.bot.shutoff_page).await?;
    if !options.dry_run {
        let (running, why) = shutoff_state(settings, &site);
        if !running {
            bail!(
                "not editing: the shut-off page [[{}]] {why}",
                site.page.title
            );
        }
        if !site.account.has_bot_right() {
            tracing::warn!(account = %site.account.name, "the account lacks the `bot` right: edits will not be flagged as bot edits");
        }
    }
    let plan = planned(files, &connection, &site.account.name).await?;
    let outcomes = sync::apply(&connection, &plan, options).await;
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for (page, outcome) in plan.iter().zip(&outcomes) {
        let title = &page.current.title;
        let (label, line) = match outcome {
            Outcome::Created { revid } => (
                "created",
                format!("created    [[{title}]] (revision {revid})"),
            ),
            Outcome::Updated { revid } => (
                "updated",
                format!("updated    [[{title}]] (revision {revid})"),
            ),
            Outcome::Unchanged => ("unchanged", format!("unchanged  [[{title}]]")),
            Outcome::WouldSave => {
                let verb = if page.action == Action::Create {
                    "create"
                } else {
                    "update"
                };
                ("would change", format!("would {verb} [[{title}]]"))
            }
            Outcome::Skipped { reason } => ("skipped", format!("SKIPPED    [[{title}]]: {reason}")),
            Outcome::Failed { error } => ("failed", format!("FAILED     [[{title}]]: {error}")),
        };
        *counts.entry(label).or_default() += 1;
        println!("{line}");
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!("{}", summary.join(", "));
    Ok(if outcomes.iter().any(Outcome::is_problem) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
