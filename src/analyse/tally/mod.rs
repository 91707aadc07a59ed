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
    /// A keyed hash of the two lists, so an edit of the comment by anyone but the bot (say, a
    /// forger adding their line's hash) is noticed and the history is walked again.
    pub seal: Option<String>,
}

impl Verified {
    /// The seal of the lists under `key` (SipHash-2-4, a keyed hash made for short inputs).
    pub fn compute_seal(&self, key: (u64, u64)) -> String {
        use std::hash::Hasher;
        #[allow(deprecated)] // std's SipHasher is the keyed SipHash-2-4 we need; no extra crate.
        let mut h = std::hash::SipHasher::new_with_keys(key.0, key.1);
        for (tag, set) in [("v", &self.checked), ("f", &self.forged)] {
            h.write(tag.as_bytes());
            for hash in set {
                h.write(hash.as_bytes());
                h.write_u8(b',');
            }
        }
        format!("{:016x}", h.finish())
    }

    /// The lists if their seal is right under `key`; nothing otherwise (walk the history).
    pub fn trusted(self, key: Option<(u64, u64)>) -> Self {
        match (key, &self.seal) {
            (Some(key), Some(seal)) if *seal == self.compute_seal(key) => self,
            _ => Verified::default(),
        }
    }

    /// These lists sealed under `key` (unsealed without a key: never trusted later).
    pub fn sealed(mut self, key: Option<(u64, u64)>) -> Self {
        self.seal = key.map(|k| self.compute_seal(k));
        self
    }

    /// The lists restricted to the hashes `keep` accepts, sealed under `key`.
    pub fn only(&self, keep: impl Fn(&str) -> bool, key: Option<(u64, u64)>) -> Self {
        let pick = |set: &std::collections::BTreeSet<String>| {
            set.iter().filter(|h| keep(h)).cloned().collect()
        };
        Verified {
            checked: pick(&self.checked),
            forged: pick(&self.forged),
            seal: None,
        }
        .sealed(key)
    }

    /// Both lists, each as trusted as it was.
    pub fn union(mut self, other: Verified) -> Self {
        self.checked.extend(other.checked);
        self.forged.extend(other.forged);
        self.seal = None;
        self
    }

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
            seal: attrs.get("seal").cloned(),
        }
    }
}

#[cfg(test)]
mod verified_tests {
    use super::Verified;

    #[test]
    fn only_a_correctly_sealed_list_is_trusted() {
        let key = Some((1, 2));
        let list = Verified {
            checked: ["aa".to_string()].into(),
            ..Default::default()
        }
        .sealed(key);
        assert_eq!(list.clone().trusted(key), list);
        let mut tampered = list.clone();
        tampered.checked.insert("forger".into());
        assert_eq!(tampered.trusted(key), Verified::default());
        assert_eq!(
            list.clone().trusted(Some((3, 4))),
            Verified::default(),
            "another key"
        );
        assert_eq!(list.trusted(None), Verified::default(), "no key, no trust");
    }
}
