//! The pure rendering core: domain facts in, wikitext out. Deterministic (no clock), so a
//! page whose facts did not change renders byte-for-byte the same and is never edited.
//!
//! - [`region`]: finding and replacing the bot-owned region of a page, and nothing else;
//! - [`inert`]: making values copied from pages harmless before they are written;
//! - [`checklist`]: the checklist region; [`tally`]: the support tally region;
//! - [`index`]: the lists of the index as tables of row templates, and reading them back;
//! - [`notice`]: the talk-page notice of a stage change;
//! - [`resources`]: the link report under the resources list.
//! - [`message`]: words as `{{Partnership message}}` calls, in the page's or reader's language.

pub mod checklist;
pub mod index;
pub mod inert;
pub mod message;
pub mod notice;
pub mod region;
pub mod resources;
pub mod status;
pub mod survey;
pub mod tally;
