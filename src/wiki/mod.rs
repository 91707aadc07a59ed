//! The edge to MediaWiki: the only module that imports `mwbot`, `mwapi` and `parsoid`.
//!
//! It speaks in plain data (titles, wikitext, revision ids) and knows no domain type, so the
//! rest of the bot can be tested without a wiki and this module without the domain.

mod client;
mod discovery;
mod error;
mod linkfacts;
mod listing;
mod pages;
mod recentchanges;
mod site;
mod users;

pub use client::{Connection, user_agent};
pub use discovery::Transclusions;
pub use error::WikiError;
pub use linkfacts::{Disambiguation, PageFacts};
pub use pages::{PageRevision, PageStore, SaveOutcome, SaveRequest};
pub use recentchanges::RecentChange;
pub use site::{Account, SiteStatus};
pub use users::{Revision, SiteVocabulary, UserInfo};
