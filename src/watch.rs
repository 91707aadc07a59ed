//! Watching the wiki: sources of changes (EventStreams, recent-changes polling), a work queue
//! that dedupes and debounces them, and the loop that turns them into reconciles.
//!
//! Events only decide *which* pages to reconcile and *when*; what is written is always computed
//! from the wiki's current state, so a lost or repeated event costs nothing but a pass.

pub mod eventstreams;
pub mod queue;
pub mod recentchanges;
pub mod route;

use serde::{Deserialize, Serialize};

/// One change on the wiki, as a source reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The page's full title ("Talk:Foo", "Partnerships/Proposals/X").
    pub title: String,
    pub namespace: i32,
    pub kind: ChangeKind,
    /// ISO 8601 time of the change.
    pub timestamp: String,
    /// The source's id of the change (rcid for polling), for deduplication; 0 if unknown.
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Edit,
    New,
    /// The page was moved to `to` (the old title may now be a redirect or gone).
    Move {
        to: String,
    },
    Delete,
    Undelete,
    /// Any other logged action (protection, import, ...): the page may have changed.
    Other,
}

impl Change {
    /// Every title the change touches (both ends of a move).
    pub fn titles(&self) -> Vec<&str> {
        match &self.kind {
            ChangeKind::Move { to } => vec![self.title.as_str(), to.as_str()],
            _ => vec![self.title.as_str()],
        }
    }
}

/// A batch of changes and the cursor to persist once they are handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub changes: Vec<Change>,
    /// Opaque to everything but the source: where to resume after a restart. None: unchanged.
    pub cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("change source: {0}")]
    Source(String),
    #[error(transparent)]
    Wiki(#[from] crate::wiki::WikiError),
}
