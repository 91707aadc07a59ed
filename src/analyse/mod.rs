//! The pure core: wikitext in, domain facts out. No network, no clock (time is passed in), so
//! everything here is tested on fixtures.
//!
//! - [`wikitext`]: masking, template calls and sections with exact byte ranges;
//! - [`proposal`]: the `{{Partnership proposal}}` parameters, checked by type;
//! - [`principles`]: the community's guiding principles and exclusion list;
//! - [`stages`]: the process as data; [`checklist`]: which items the page evidences;
//! - [`page`]: the two phases of analysing one page; [`titles`]: which pages are proposals;
//! - [`tally`]: the community-support tally by public rules;
//! - [`index`]: rows of the learning-pattern, case-study, proposal and sign-up lists;
//! - [`bots`]: the `{{bots}}`/`{{nobots}}` opt-out; [`message`]: words as keys and arguments;
//! - [`resources`]: the links of the human-curated resources list.

pub mod bots;
pub mod builtin;
pub mod checklist;
pub mod index;
pub mod message;
pub mod page;
pub mod principles;
pub mod proposal;
pub mod resources;
pub mod stages;
pub mod survey;
pub mod tally;
pub mod titles;
pub mod wikitext;
