//! Signatures: who signed a line, and when. The voter is the user link nearest before the
//! line's last timestamp; display text never decides who the user is.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDateTime;
use regex::Regex;

/// User and User talk namespace names of other Wikimedia wikis, lower-case (built-in table;
/// `tally.foreign_user_namespaces` extends it). Signatures copied from a home wiki use them.
pub const FOREIGN_USER_NAMESPACES: &[&str] = &[
    // de
    "benutzer",
    "benutzerin",
    "benutzer diskussion",
    "benutzerin diskussion",
    // fr
    "utilisateur",
    "utilisatrice",
    "discussion utilisateur",
    "discussion utilisatrice",
    // es
    "usuario",
    "usuaria",
    "usuario discusión",
    "usuaria discusión",
    // it
    "utente",
    "discussioni utente",
    // pt
    "usuário",
    "usuária",
    "utilizador",
    "utilizadora",
    "usuário discussão",
    "usuária discussão",
    "utilizador discussão",
    "utilizadora discussão",
    // pl
    "wikipedysta",
    "wikipedystka",
    "dyskusja wikipedysty",
    "dyskusja wikipedystki",
    "użytkownik",
    "użytkowniczka",
    "dyskusja użytkownika",
    "dyskusja użytkowniczki",
    // nl
    "gebruiker",
    "overleg gebruiker",
    // ru
    "участник",
    "участница",
    "обсуждение участника",
    "обсуждение участницы",
    // ja
    "利用者",
    "利用者‐会話",
    "利用者-会話",
    // zh
    "user",
    "用户",
    "用戶",
    "user talk",
    "用户讨论",
    "用戶討論",
    // ar
    "مستخدم",
    "مستخدمة",
    "نقاش المستخدم",
    "نقاش المستخدمة",
    // sv
    "användare",
    "användardiskussion",
];

/// Hosts of Wikimedia wikis whose `/wiki/User:X` URLs count as user links.
const WIKIMEDIA_HOSTS: &[&str] = &[
    "wikipedia.org",
    "wikimedia.org",
    "wiktionary.org",
    "wikibooks.org",
    "wikiquote.org",
    "wikisource.org",
    "wikinews.org",
    "wikiversity.org",
    "wikivoyage.org",
    "wikidata.org",
    "mediawiki.org",
    "wikifunctions.org",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What the wiki calls its user namespaces and special pages (from siteinfo), and the rest of
/// the signature vocabulary.
#[derive(Debug, Clone)]
pub struct SignatureRules {
    /// Lower-case names, aliases and gender forms of namespaces 2 and 3 (and the foreign ones).
    user_namespaces: HashSet<String>,
    /// Lower-case names and aliases of namespace -1.
    special_namespaces: HashSet<String>,
    /// Lower-case names and aliases of Special:Contributions.
    contributions: HashSet<String>,
    /// Lower-case interwiki prefixes (including language codes).
    interwiki: HashSet<String>,
    /// Extra hosts (the wiki's own) for URL signatures.
    hosts: Vec<String>,
    timestamp: Regex,
}

/// Site vocabulary, as read from siteinfo (lower-case or not; normalised here).
#[derive(Debug, Clone, Default)]
pub struct SiteNames {
    pub user_namespaces: Vec<String>,
    pub special_namespaces: Vec<String>,
    pub contributions: Vec<String>,
    pub interwiki: Vec<String>,
    pub foreign_user_namespaces: Vec<String>,
    pub hosts: Vec<String>,
}

impl SiteNames {
    /// English MediaWiki defaults, for tests and for a wiki whose siteinfo is not at hand.
    pub fn english() -> Self {
        SiteNames {
            user_namespaces: ["User", "User talk"].map(String::from).to_vec(),
            special_namespaces: vec!["Special".into()],
            contributions: ["Contributions", "Contribs"].map(String::from).to_vec(),
            interwiki: [
                "m",
                "meta",
                "w",
                "wikipedia",
                "commons",
                "de",
                "fr",
                "es",
                "it",
                "pt",
                "pl",
                "nl",
                "ru",
                "ja",
                "zh",
                "ar",
                "sv",
                "en",
            ]
            .map(String::from)
            .to_vec(),
            foreign_user_namespaces: vec![],
            hosts: vec![],
        }
    }
}

fn key(s: &str) -> String {
    s.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl SignatureRules {
    pub fn new(names: &SiteNames) -> Self {
        let set = |v: &[String]| v.iter().map(|s| key(s)).collect::<HashSet<_>>();
        let mut user_namespaces = set(&names.user_namespaces);
        user_namespaces.extend(FOREIGN_USER_NAMESPACES.iter().map(|s| key(s)));
        user_namespaces.extend(names.foreign_user_namespaces.iter().map(|s| key(s)));
        let months =
            "January|February|March|April|May|June|July|August|September|October|November|December";
        SignatureRules {
            user_namespaces,
            special_namespaces: set(&names.special_namespaces),
            contributions: set(&names.contributions),
            interwiki: set(&names.interwiki),
            hosts: names.hosts.iter().map(|h| h.to_lowercase()).collect(),
            timestamp: Regex::new(&format!(
                r"(\d{{1,2}}):(\d{{2}}), (\d{{1,2}}) ({months}) (\d{{4}}) \(UTC\)"
            ))
            .expect("timestamp pattern is valid"),
        }
    }

    /// Every signature timestamp of the text, with its byte range.
    pub fn timestamps(&self, text: &str) -> Vec<(Range<usize>, NaiveDateTime)> {
        self.timestamp
            .captures_iter(text)
            .filter_map(|c| {
                let whole = c.get(0)?;
                let stamp = format!("{} {} {} {}:{}", &c[3], &c[4], &c[5], &c[1], &c[2]);
                let at = NaiveDateTime::parse_from_str(&stamp, "%d %B %Y %H:%M").ok()?;
                Some((whole.range(), at))
            })
            .collect()
    }

    /// Every user link of the (masked) text: `(range, user name)`, in order.
    pub fn user_links(&self, text: &str) -> Vec<(Range<usize>, String)> {
        link_candidates(text)
            .into_iter()
            .filter_map(|(range, link)| Some((range, self.user_of_link(link)?)))
            .collect()
    }

    fn user_of_link(&self, link: Link<'_>) -> Option<String> {
        match link {
            Link::Wiki(target) => self.user_of_title(target),
            Link::External(url) => self.user_of_url(url),
        }
    }

    /// `User:X`, `:de:Benutzer:X`, `w:fr:Utilisatrice:X`, `Special:Contributions/X` -> X.
    /// None for user subpages (`User:X/y`, a mention) and everything else.
    pub fn user_of_title(&self, target: &str) -> Option<String> {
        let decoded = decode(target.trim());
        let mut rest = decoded.trim_start_matches(':');
        // Interwiki prefixes (`m:`, `w:fr:`) lead to another wiki; the rest is the same.
        let (mut ns, mut tail) = rest.split_once(':')?;
        while self.interwiki.contains(&key(ns)) && tail.contains(':') {
            rest = tail;
            (ns, tail) = rest.split_once(':')?;
        }
        let ns = key(ns);
        let tail = tail.split('#').next().unwrap_or_default();
        if self.user_namespaces.contains(&ns) {
            if tail.contains('/') {
                return None;
            }
            return normalize_user(tail);
        }
        if self.special_namespaces.contains(&ns) || ns == "special" {
            let (page, name) = tail.split_once('/')?;
            let page = key(page);
            if self.contributions.contains(&page) || page == "contributions" {
                return normalize_user(name);
            }
        }
        None
    }

    /// `https://de.wikipedia.org/wiki/Benutzer:X` -> X, for Wikimedia hosts and the wiki's own.
    fn user_of_url(&self, url: &str) -> Option<String> {
        let parsed = url::Url::parse(url).ok()?;
        let host = parsed.host_str()?.to_lowercase();
        let known = WIKIMEDIA_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
            || self.hosts.contains(&host);
        if !known {
            return None;
        }
        let title = match parsed.path().strip_prefix("/wiki/") {
            Some(t) => t.to_owned(),
            None => parsed
                .query_pairs()
                .find(|(k, _)| k == "title")?
                .1
                .into_owned(),
        };
        self.user_of_title(&title)
    }

    /// The last signature timestamp of the text. Only the last match is captured: capture
    /// groups cost far more than finding matches, and this runs on every vote line.
    fn last_timestamp(&self, text: &str) -> Option<(Range<usize>, NaiveDateTime)> {
        // Every timestamp ends in "(UTC)": look only just before the last one. The longest
        // timestamp ("23:59, 30 September 2026 (UTC)") is 31 bytes.
        let mut end = text.len();
        while let Some(utc) = text[..end].rfind("(UTC)") {
            let mut from = utc.saturating_sub(32);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let window = &text[from..utc + 5];
            if let Some(found) = self.timestamp.find_iter(window).last() {
                let c = self.timestamp.captures(found.as_str())?;
                let month = MONTHS.iter().position(|m| *m == &c[4])? as u32 + 1;
                let number = |i: usize| c[i].parse::<u32>().ok();
                let date = chrono::NaiveDate::from_ymd_opt(number(5)? as i32, month, number(3)?)?;
                let at = date.and_hms_opt(number(1)?, number(2)?, 0)?;
                return Some((from + found.start()..from + found.end(), at));
            }
            end = utc;
        }
        None
    }

    /// The signature of a line: the last timestamp, and the user link nearest before it.
    pub fn signature(&self, text: &str) -> Option<Signature> {
        let (range, at) = self.last_timestamp(text)?;
        // From the nearest link backwards: usually the first one tried is the user talk link.
        let (link, user) = link_candidates(&text[..range.start])
            .into_iter()
            .rev()
            .find_map(|(r, link)| Some((r, self.user_of_link(link)?)))?;
        Some(Signature {
            user,
            at,
            range: link.start..range.end,
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Link<'a> {
    /// The target of `[[target|text]]`.
    Wiki(&'a str),
    /// The URL of `[url text]`.
    External(&'a str),
}

/// Every wikilink and bracketed external link of one line, in order (not yet interpreted).
fn link_candidates(text: &str) -> Vec<(Range<usize>, Link<'_>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(offset) = text[i..].find('[') {
        let start = i + offset;
        let rest = &text[start..];
        if let Some(inner) = rest.strip_prefix("[[") {
            match inner.find("]]").filter(|e| !inner[..*e].contains('\n')) {
                Some(end) => {
                    let target = inner[..end].split('|').next().unwrap_or_default();
                    out.push((start..start + 2 + end + 2, Link::Wiki(target)));
                    i = start + 2 + end + 2;
                }
                None => i = start + 2,
            }
        } else {
            if let Some(end) = rest.find(']').filter(|e| !rest[..*e].contains('\n')) {
                let url = rest[1..end].split_whitespace().next().unwrap_or_default();
                out.push((start..start + end + 1, Link::External(url)));
            }
            i = start + 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub user: String,
    pub at: NaiveDateTime,
    /// From the user link to the end of the timestamp.
    pub range: Range<usize>,
}

/// Percent-encoding and the HTML entities that occur in titles.
fn decode(s: &str) -> String {
    if !s.contains(['%', '&']) {
        return s.to_owned();
    }
    let percent = percent_decode(s);
    decode_entities(&percent)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';').filter(|&semi| semi <= 12) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "lt" => Some('<'),
            "gt" => Some('>'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// MediaWiki's user-name form: spaces for underscores, runs collapsed, first letter upper-case;
/// IPv6 addresses upper-case.
pub fn normalize_user(name: &str) -> Option<String> {
    let decoded = decode(name);
    let name = if decoded.contains('_') || decoded.contains("  ") || decoded.trim() != decoded {
        decoded
            .replace('_', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        decoded
    };
    if name.is_empty() || name.contains(['[', ']', '{', '}', '|', '<', '>', '#']) {
        return None;
    }
    if name.contains(':') && name.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(name.to_uppercase());
    }
    let mut chars = name.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// IPv4 or IPv6 address.
pub fn is_ip(name: &str) -> bool {
    name.parse::<std::net::IpAddr>().is_ok()
}

/// Temporary accounts (MediaWiki 1.43+): `~2025-12345-67`.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('~') && name[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests;
