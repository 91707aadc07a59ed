//! partnerbot: the bot behind Meta-Wiki's Community Capacity Development / Partnerships work.
//!
//! Module map, in the order data flows through it:
//!
//! - [`config`]: layered settings (built-in defaults < `--config` file < environment).
//! - [`watch`]: where changes come from (EventStreams, recent-changes polling) and the work
//!   queue that decides which pages to reconcile when.
//! - [`state`]: the bot's cache between runs (SQLite): cursors, reconciled revisions, notices.
//! - [`wiki`]: the edge to MediaWiki (with [`web`], the only modules that speak HTTP): read
//!   pages in batches, save one page against the revision it was computed from, site and
//!   account facts.
//! - [`web`]: the edge to the rest of the web: checking external links, politely.
//! - [`pagefiles`]: a folder of `.wikitext` files as the desired content of wiki pages.
//! - [`apply`]: compares desired with current content and makes one edit per differing page, or
//!   none; the one place where files, domain and wiki meet.
//! - [`app`]: the long-running bot: a full pass, then changes into reconciles until stopped.
//! - [`cli`]: the command line; each command is a small function over the modules above.

pub mod analyse;
pub mod app;
pub mod apply;
pub mod cli;
pub mod config;
pub mod pagefiles;
pub mod render;
pub mod state;
pub mod watch;
pub mod web;
pub mod wiki;
