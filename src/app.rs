//! The long-running bot (`partnerbot run`): a full pass at start, then changes from the
//! configured source go through the work queue into reconciles, with a full pass every
//! `watch.full_pass` to repair anything missed, until SIGTERM or SIGINT.
//!
//! Level-triggered: each piece of work reads the wiki fresh and edits only what differs, so a
//! lost, repeated or reordered event costs time, never a wrong edit.

mod cycle;
mod resources;
mod source;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch as signal;

use crate::config::{self, Overlay, Settings};
use crate::state::{State, StateError};
use crate::watch::WatchError;
use crate::wiki::{Connection, WikiError};

/// How the watcher was started: what it needs to reload its settings when the on-wiki
/// configuration changes.
#[derive(Debug, Clone)]
pub struct Launch {
    pub config_file: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Wiki(#[from] WikiError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(
        "the account {0} lacks the `bot` right: its edits would flood Recent changes. Ask for the \
         bot flag, or set bot.require_bot_right = false on a test wiki"
    )]
    NoBotRight(String),
}

/// A receiver that turns true when the process should stop.
pub type Stop = signal::Receiver<bool>;

/// A stop signal raised by SIGTERM or SIGINT.
pub fn stop_on_signals() -> Stop {
    let (tx, rx) = signal::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                },
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("stop requested: finishing the current edit");
        let _ = tx.send(true);
    });
    rx
}

/// Runs until `stop`. Returns after the current edit is finished and the state is saved.
pub async fn run(launch: Launch, stop: Stop) -> Result<(), AppError> {
    let base = config::load(launch.config_file.as_deref(), launch.env.clone())?;
    let connection = Connection::connect(&base).await?;
    let site = connection.site_status(&base.bot.shutoff_page).await?;
    if base.bot.require_bot_right && !launch.dry_run && !site.account.has_bot_right() {
        return Err(AppError::NoBotRight(site.account.name));
    }
    let state = State::open(&base.watch.state_path)?;
    tracing::info!(
        state = %base.watch.state_path.display(),
        source = ?base.watch.source,
        account = %site.account.name,
        "watching"
    );
    let stopper = connection.clone();
    let mut stop_watch = stop.clone();
    tokio::spawn(async move {
        if stop_watch.wait_for(|s| *s).await.is_ok() {
            stopper.stop();
        }
    });
    let ticks = Arc::new(AtomicU64::new(0));
    heartbeat(
        base.watch.state_path.with_file_name(HEARTBEAT_FILE),
        connection.clone(),
        ticks.clone(),
    );
    let mut source = source::Source::new(&base, &state, &site.account.name)?;
    let mut settings = base;
    let mut overlay: Option<Overlay> = None;
    let mut config_note = String::from("not used");
    let mut backoff = TURN_BACKOFF_FIRST;
    // Each turn: (re)discover with the current settings, then follow changes until the
    // settings change, a full pass is due, or the bot stops.
    loop {
        let turn = cycle::Turn {
            settings: &settings,
            connection: &connection,
            state: &state,
            account: site.account.name.clone(),
            dry_run: launch.dry_run || settings.bot.dry_run,
            config_note: config_note.clone(),
            ticks: ticks.clone(),
        };
        match turn.run(&mut source, stop.clone()).await {
            Ok(cycle::Next::Stop) => break,
            Ok(cycle::Next::FullPass) => backoff = TURN_BACKOFF_FIRST,
            Ok(cycle::Next::Reload) => {
                let (next, note) = reload(&launch, &connection, &settings, &mut overlay).await;
                settings = next;
                config_note = note;
            }
            // The wiki failed beyond the retries (down, or a batch that cannot be read): wait,
            // then start over with a full pass. The state and the config are not at fault.
            Err(AppError::Wiki(e)) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "the pass failed; starting over after a pause");
                let mut stop_wait = stop.clone();
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop_wait.wait_for(|s| *s) => break,
                }
                backoff = (backoff * 2).min(TURN_BACKOFF_MAX);
            }
            Err(e) => return Err(e),
        }
    }
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Reads the on-wiki configuration; an invalid page keeps the settings in use (and says why).
async fn reload(
    launch: &Launch,
    connection: &Connection,
    current: &Settings,
    overlay: &mut Option<Overlay>,
) -> (Settings, String) {
    let Some(page) = current.bot.onwiki_config_page.clone() else {
        return (current.clone(), "not used".into());
    };
    let text = match connection.read_following(std::slice::from_ref(&page)).await {
        Ok(pages) => pages.into_iter().find(|p| p.exists).map(|p| p.text),
        Err(e) => {
            let note =
                format!("{page}: could not be read ({e}); the last good settings are in use");
            return (current.clone(), note);
        }
    };
    let Some(text) = text else {
        *overlay = None;
        let reloaded = config::load(launch.config_file.as_deref(), launch.env.clone());
        return match reloaded {
            Ok(s) => (
                s,
                format!("{page}: does not exist; the file's settings are in use"),
            ),
            Err(e) => (current.clone(), format!("error: {e}")),
        };
    };
    let parsed = Overlay::parse(&page, &text).and_then(|o| {
        config::load_with(launch.config_file.as_deref(), launch.env.clone(), Some(&o))
            .map(|s| (s, o))
            .map_err(|e| e.to_string())
    });
    match parsed {
        Ok((settings, o)) => {
            tracing::info!(page = %page, "on-wiki configuration loaded");
            *overlay = Some(o);
            (settings, format!("{page}: in use"))
        }
        Err(e) => {
            tracing::warn!(page = %page, error = %e, "on-wiki configuration refused; keeping the last good one");
            let note = format!(
                "{page}: the last edit was refused ({e}); the last good settings are in use"
            );
            (current.clone(), note)
        }
    }
}

/// Pause after a failed pass before the next one: doubles up to the maximum.
const TURN_BACKOFF_FIRST: Duration = Duration::from_secs(30);
const TURN_BACKOFF_MAX: Duration = Duration::from_secs(15 * 60);

/// Next to the state file; Toolforge's health check reads its age (deploy/toolforge).
const HEARTBEAT_FILE: &str = "partnerbot-heartbeat";
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// Touches the heartbeat file every half minute while the bot makes progress: the loop turned
/// or a request went out (a long full pass). A hung bot stops touching it, and the health check
/// restarts the job.
fn heartbeat(path: PathBuf, connection: Connection, ticks: Arc<AtomicU64>) {
    tokio::spawn(async move {
        let mut seen = (u64::MAX, u64::MAX);
        loop {
            let now = (ticks.load(Ordering::Relaxed), connection.requests());
            if now != seen {
                if let Err(e) = std::fs::write(&path, chrono::Utc::now().to_rfc3339()) {
                    tracing::warn!(path = %path.display(), error = %e, "heartbeat not written");
                }
                seen = now;
            }
            tokio::time::sleep(HEARTBEAT_EVERY).await;
        }
    });
}

/// Seconds, for log fields.
fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
