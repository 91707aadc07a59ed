//! `status`: what the bot sees of the wiki, its account and the shut-off page.

use std::process::ExitCode;

use anyhow::Result;

use crate::config::Settings;
use crate::wiki::{Connection, SiteStatus};

pub async fn status(settings: &Settings) -> Result<ExitCode> {
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
    print_state(settings);
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Whether the shut-off page lets the bot edit, and a sentence saying why.
pub fn shutoff_state(settings: &Settings, site: &SiteStatus) -> (bool, String) {
    site.shutoff(&settings.bot.shutoff_run_value)
}

/// What the continuous job recorded in its state file, if there is one here.
fn print_state(settings: &Settings) {
    let path = &settings.watch.state_path;
    if !path.exists() {
        println!(
            "watcher:    no state file at {} (the continuous job has not run here)",
            path.display()
        );
        return;
    }
    let state = match crate::state::State::open(path) {
        Ok(s) => s,
        Err(e) => {
            println!("watcher:    {e}");
            return;
        }
    };
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let fact = |k: &str| {
        state
            .fact(k)
            .ok()
            .flatten()
            .unwrap_or_else(|| "never".into())
    };
    let cursor = ["eventstreams", "recentchanges"]
        .iter()
        .find_map(|s| Some(format!("{s} at {}", state.cursor(s).ok().flatten()?)))
        .unwrap_or_else(|| "none".into());
    println!("watcher:    state {}", path.display());
    println!("  editing:        {}", fact("editing"));
    println!("  last full pass: {}", fact("last_full_pass"));
    println!(
        "  proposals:      {} ({} with problems)",
        fact("proposals"),
        fact("with_problems")
    );
    println!("  outside the allow-list: {}", fact("outside"));
    println!("  on-wiki config: {}", fact("onwiki_config"));
    println!("  last error:     {}", fact("last_error"));
    println!("  edits today:    {}", state.edits_on(&today).unwrap_or(0));
    println!(
        "  pages reconciled: {}",
        state.reconciled_count().unwrap_or(0)
    );
    println!("  change cursor:  {cursor}");
}
