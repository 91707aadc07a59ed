//! Where desired content meets the wiki: compare, then one edit per differing page or none.
//!
//! - [`plan`]: the pure decision for one proposal page;
//! - [`reconcile`]: proposals on the wiki, read, planned and saved (`run`, `check`);
//! - [`pages`]: keeping pages equal to files (`templates install`).

pub mod pages;
pub mod plan;
pub mod reconcile;
