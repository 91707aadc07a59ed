//! The community-support tally, by public rules (README "How votes are counted"):
//! [`lines`] finds the vote lines, [`signature`] names each voter, [`count`] applies the rules.

pub mod count;
pub mod lines;
pub mod signature;

use std::collections::{HashMap, HashSet};

/// Counts the lines with the facts the fetch layer found.
pub use count::count as tally;
pub use count::{Account, CountRules, History, Period, Tally};
pub use lines::{LineRules, VoteLine};
pub use signature::SignatureRules;

use crate::analyse::wikitext;

/// The vote lines of a page's community-support section, or None without such a section.
pub fn read_lines(
    text: &str,
    line_rules: &LineRules,
    signatures: &SignatureRules,
) -> Option<(std::ops::Range<usize>, Vec<VoteLine>)> {
    let masked = wikitext::mask(text);
    let sections = wikitext::sections(text, &masked);
    lines::vote_lines(text, &masked, &sections, line_rules, signatures)
}

/// Voters whose accounts the fetch layer must look up.
pub fn voters(lines: &[VoteLine]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.signature
                .as_ref()
                .map(|s| s.user.clone())
                .or(l.unsigned_user.clone())
        })
        .filter(|u| !signature::is_ip(u))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What identifies a vote line across revisions: its signature, or (unsigned votes) its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LineKey {
    Signed(String, String),
    Unsigned(String),
}

pub fn line_key(line: &VoteLine) -> Option<LineKey> {
    match (&line.signature, &line.unsigned_user) {
        (Some(sig), _) => Some(LineKey::Signed(sig.user.clone(), count::stamp(&sig.at))),
        (None, Some(_)) => Some(LineKey::Unsigned(count::unsigned_key(&line.text))),
        (None, None) => None,
    }
}

/// The keys of every vote line of one revision's text.
pub fn keys_in(
    text: &str,
    line_rules: &LineRules,
    signatures: &SignatureRules,
) -> HashSet<LineKey> {
    read_lines(text, line_rules, signatures)
        .map(|(_, lines)| lines.iter().filter_map(line_key).collect())
        .unwrap_or_default()
}

/// History facts from the first author of each line key.
pub fn history_from(authors: HashMap<LineKey, String>) -> History {
    let mut history = History {
        checked: true,
        ..History::default()
    };
    for (key, author) in authors {
        match key {
            LineKey::Signed(user, at) => {
                history.signature_authors.insert((user, at), author);
            }
            LineKey::Unsigned(text) => {
                history.line_authors.insert(text, author);
            }
        }
    }
    history
}

/// A short stable hash of a line key (FNV-1a, 32 bits), kept in the tally region's opening
/// comment to remember which lines' history was already verified.
pub fn key_hash(key: &LineKey) -> String {
    let text = match key {
        LineKey::Signed(user, at) => format!("s|{user}|{at}"),
        LineKey::Unsigned(text) => format!("u|{text}"),
    };
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

/// What the bot already verified on a page (from the tally region): hashes of line keys whose
/// first author was checked, and of those found forged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    pub checked: std::collections::BTreeSet<String>,
    pub forged: std::collections::BTreeSet<String>,
}

impl Verified {
    pub fn from_attrs(attrs: &std::collections::BTreeMap<String, String>) -> Self {
        let set = |k: &str| {
            attrs
                .get(k)
                .map(|v| {
                    v.split(',')
                        .filter(|h| !h.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Verified {
            checked: set("verified"),
            forged: set("forged"),
        }
    }
}
