//! The command line: clap definitions and one small function per command.

mod index;
mod proposals;
mod resources;
mod status;
mod templates;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::apply::pages::ApplyOptions;
use crate::config;

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
    /// Log lines as plain text (default) or as JSON objects, one per line (for Toolforge).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
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
    /// Print what the bot reads from one page: parameters, problems, stage and checklist.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml inspect \"Partnerships/Proposals/City Museum of Lisbon\"
  partnerbot --config devwiki/partnerbot.toml inspect --json \"Partnerships/Proposals/Faro Science Centre\"

Reads only. The JSON form is documented in README.md (\"inspect --json\").")]
    Inspect {
        /// The page title.
        title: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Show the exact diff of every edit the bot would make for one page; edits nothing.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml check \"Partnerships/Proposals/City Museum of Lisbon\"

Prints the unified diff of the page (left: the wiki, right: what the bot would save) and the
talk-page section it would add if the stage changed. Exit 0 whether or not there is a change.")]
    Check {
        /// The page title.
        title: String,
    },
    /// Rebuild the index lists: learning patterns, case studies, proposals, interested communities.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml index --dry-run
  partnerbot --config devwiki/partnerbot.toml index
  partnerbot --config devwiki/partnerbot.toml index --page \"Learning patterns/Start with a low-touch pilot\"

Lists the learning patterns (index.pattern_categories with subcategories to
index.pattern_category_depth, index.pattern_prefixes), the case studies (proposals from
index.case_study_from_stage on or with a status in index.case_study_statuses, and pages calling
index.case_study_template), the proposals that have not ended, and the signed lines of the
sign-up section (index.signup_page, index.signup_section). Each list is written into a region of
its target page (index.*_target, \"Page#Section\"); a page is saved only if a list changed.
With --page, only the rows of those pages are recomputed; every other row is taken from the
index pages as they are. Prints the lists' sizes, the pages edited and the API requests made.")]
    Index {
        /// Compute everything, save nothing (as bot.dry_run = true).
        #[arg(long)]
        dry_run: bool,
        /// Update only the rows of this page (repeatable); without it, rebuild every list.
        #[arg(long, value_name = "TITLE")]
        page: Vec<String>,
    },
    /// Keep proposals, tallies and the index current: watch the wiki (or one pass with --once).
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml run --once --dry-run
  partnerbot --config devwiki/partnerbot.toml run --once
  partnerbot --config ~/partnerbot.toml --log-format json run

With --once: finds every page that calls the proposal template (proposals.namespaces,
proposals.title_prefixes; never translation subpages), reads them in batches, saves only pages
whose regions differ from what the bot computes now, then rebuilds the index lists as
`partnerbot index` does, prints a summary (pages seen, edited, unchanged, with problems, stage
notices, API requests) and exits. A progress bar is shown when stderr is a terminal.

Without --once: the continuous job. One full pass at start, then it follows the wiki's changes
(watch.source: EventStreams or recent-changes polling, resuming from the cursor in the state
file) and reconciles each changed proposal, talk page, learning pattern or case study within
seconds; a full pass every watch.full_pass_hours repairs anything missed. While the shut-off page
does not read bot.shutoff_run_value it edits nothing but keeps watching. SIGTERM or Ctrl-C
finishes the current edit and exits 0. Exits 1 on a fatal error (such as a missing `bot` right
when bot.require_bot_right is true).")]
    Run {
        /// One full pass, then exit.
        #[arg(long)]
        once: bool,
        /// Compute everything, save nothing (as bot.dry_run = true).
        #[arg(long)]
        dry_run: bool,
    },
    /// Check the links of the resources list and report broken and moved ones under it.
    #[command(after_help = "\
Examples:
  partnerbot --config devwiki/partnerbot.toml resources --dry-run
  partnerbot --config devwiki/partnerbot.toml resources

Reads the section resources.section of resources.page (default: the \"Resources\" list of
Community Capacity Development/Partnerships) and checks every link in it: wikilinks through the
wiki's API (missing page, redirect and its target, disambiguation page), web addresses over
HTTP (HEAD, then GET if HEAD is refused; redirects followed; resources.timeout_s per request,
resources.concurrency at once, resources.per_host_delay_ms between two requests to one host).
Results of web addresses are kept in the state file and fetched again only after
resources.recheck_days. Broken, moved and disambiguation links are listed in a
{{Partnership resources report}} box the bot keeps at the end of the section; the list itself
is never edited, and the page is saved only when the results changed. With --dry-run the diff
is printed and nothing is saved. Nothing is saved while the shut-off page says stop. The
continuous job (`run`) does this every resources.interval_hours.")]
    Resources {
        /// Check and show the diff, save nothing (as bot.dry_run = true).
        #[arg(long)]
        dry_run: bool,
    },
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false);
    match args.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// The continuous job: runs until SIGTERM/SIGINT, then exits 0.
async fn watch(config: &Option<PathBuf>, dry_run: bool) -> anyhow::Result<ExitCode> {
    let launch = crate::app::Launch {
        config_file: config.clone(),
        env: std::env::vars().collect(),
        dry_run,
    };
    crate::app::run(launch, crate::app::stop_on_signals()).await?;
    Ok(ExitCode::SUCCESS)
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
        Command::Status => status::status(&settings).await,
        Command::Templates(TemplatesCommand::Install { dry_run, force }) => {
            let options = ApplyOptions {
                dry_run: dry_run || settings.bot.dry_run,
                force,
            };
            templates::templates_install(&settings, options).await
        }
        Command::Templates(TemplatesCommand::Diff) => templates::templates_diff(&settings).await,
        Command::Inspect { title, json } => proposals::inspect(&settings, &title, json).await,
        Command::Check { title } => proposals::check(&settings, &title).await,
        Command::Index { dry_run, page } => {
            index::index(&settings, dry_run || settings.bot.dry_run, &page).await
        }
        Command::Resources { dry_run } => {
            resources::resources(&settings, dry_run || settings.bot.dry_run).await
        }
        Command::Run {
            once: false,
            dry_run,
        } => watch(&args.config, dry_run).await,
        Command::Run {
            once: true,
            dry_run,
        } => proposals::run_once(&settings, dry_run || settings.bot.dry_run).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("partnerbot: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
