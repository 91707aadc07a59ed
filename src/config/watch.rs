//! The `[watch]` and `[state]` sections, and the bot's edit allow-list and status page.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Layers, invalid};

#[derive(Deserialize)]
pub(super) struct RawWatch {
    source: String,
    eventstreams_url: String,
    poll_interval_s: u64,
    debounce_s: u64,
    full_pass_hours: u64,
}

#[derive(Deserialize)]
pub(super) struct RawState {
    path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    EventStreams,
    RecentChanges,
}

#[derive(Debug, Clone)]
pub struct Watch {
    pub source: Source,
    pub eventstreams_url: String,
    pub poll_interval: Duration,
    pub debounce: Duration,
    pub full_pass: Duration,
    /// The state file, resolved against the config file's folder.
    pub state_path: PathBuf,
}

pub(super) fn validate_watch(
    raw: RawWatch,
    state: RawState,
    config_file: Option<&Path>,
    layers: &Layers,
) -> Result<Watch, ConfigError> {
    let source = match raw.source.trim() {
        "eventstreams" => Source::EventStreams,
        "recentchanges" => Source::RecentChanges,
        _ => {
            return Err(invalid(
                layers,
                "watch.source",
                "\"eventstreams\" or \"recentchanges\"",
            ));
        }
    };
    if raw.poll_interval_s == 0 {
        return Err(invalid(layers, "watch.poll_interval_s", "seconds above 0"));
    }
    if raw.full_pass_hours == 0 {
        return Err(invalid(layers, "watch.full_pass_hours", "hours above 0"));
    }
    if state.path.as_os_str().is_empty() {
        return Err(invalid(layers, "state.path", "a file path"));
    }
    let state_path = match config_file.and_then(Path::parent) {
        Some(dir) if state.path.is_relative() => dir.join(&state.path),
        _ => state.path,
    };
    Ok(Watch {
        source,
        eventstreams_url: raw.eventstreams_url.trim().to_owned(),
        poll_interval: Duration::from_secs(raw.poll_interval_s),
        debounce: Duration::from_secs(raw.debounce_s),
        full_pass: Duration::from_secs(raw.full_pass_hours * 3600),
        state_path,
    })
}
