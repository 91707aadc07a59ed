//! Where desired content meets the wiki: compare, then one edit per differing page or none.
//!
//! - [`plan`]: the pure decision for one proposal page;
//! - [`reconcile`]: proposals on the wiki, read, planned and saved (`run`, `check`);
//! - [`index`]: the learning-pattern, case-study, proposal and sign-up lists (`index`);
//! - [`pages`]: keeping pages equal to files (`templates install`);
//! - [`resources`]: the link report under the resources list (`resources`).

pub mod index;
pub mod pages;
pub mod plan;
pub mod reconcile;
pub mod resources;
