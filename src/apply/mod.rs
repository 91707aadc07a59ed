//! Where desired content meets the wiki: compare, then one edit per differing page or none.

pub mod pages;
