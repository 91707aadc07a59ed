//! The counting rules: every vote line is either counted or ignored with exactly one reason.
//! Account and history facts come from the fetch layer; the time is passed in.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::analyse::message::Message;

use super::lines::{Position, VoteLine};
use super::signature::{is_ip, is_temporary};

/// The community's thresholds and eligibility rules (`[tally]` in the settings).
#[derive(Debug, Clone)]
pub struct CountRules {
    pub count_ips: bool,
    pub count_temporary_accounts: bool,
    pub exclude_blocked: bool,
    pub min_edits: u64,
    /// Minimum account age in days at the support period's start (None: no minimum).
    pub min_age_days: Option<u32>,
    pub min_support: usize,
    pub min_percent: f64,
}

impl Default for CountRules {
    fn default() -> Self {
        CountRules {
            count_ips: false,
            count_temporary_accounts: false,
            exclude_blocked: true,
            min_edits: 0,
            min_age_days: None,
            min_support: 5,
            min_percent: 66.0,
        }
    }
}

/// What the wiki knows of an account (`list=users`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub exists: bool,
    pub blocked: bool,
    pub edits: u64,
    pub registered: Option<NaiveDateTime>,
}

/// What the page history says about each counted line.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Whether history was consulted at all (no history: nothing can be called forged).
    pub checked: bool,
    /// (user, signature time "YYYY-MM-DD HH:MM") -> who first saved a revision containing it.
    pub signature_authors: HashMap<(String, String), String>,
    /// Line text (unsigned votes, template removed, trimmed) -> who first added it.
    pub line_authors: HashMap<String, String>,
}

/// The dates that bound the support period.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub start: Option<NaiveDate>,
    pub closes: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Struck,
    Unsigned,
    Ip,
    TemporaryAccount,
    UnknownUser,
    Ineligible,
    Forged,
    Late,
    Superseded,
    /// Survey responses only: a rating is missing or outside 1-5.
    InvalidResponse,
}

impl Reason {
    pub const ALL: [Reason; 10] = [
        Reason::Struck,
        Reason::Unsigned,
        Reason::Ip,
        Reason::TemporaryAccount,
        Reason::UnknownUser,
        Reason::Ineligible,
        Reason::Forged,
        Reason::Late,
        Reason::Superseded,
        Reason::InvalidResponse,
    ];

    /// What the reason means, in words a voter understands (`tally-reason-…`).
    pub fn message(self) -> Message {
        let id = match self {
            Reason::Struck => "struck",
            Reason::Unsigned => "unsigned",
            Reason::Ip => "ip",
            Reason::TemporaryAccount => "temporary-account",
            Reason::UnknownUser => "unknown-user",
            Reason::Ineligible => "ineligible",
            Reason::Forged => "forged",
            Reason::Late => "late",
            Reason::Superseded => "superseded",
            Reason::InvalidResponse => "invalid-response",
        };
        Message::new(&format!("tally-reason-{id}"))
    }

    /// [`Reason::message`] in English.
    pub fn explain(self) -> String {
        self.message().english()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vote {
    pub user: String,
    pub timestamp: String,
    pub line: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub user: Option<String>,
    pub position: Position,
    pub reason: Reason,
    pub line: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The support period is still running (or has no closing date).
    Open,
    Secured,
    NotSecured,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Positions {
    pub support: Vec<Vote>,
    pub oppose: Vec<Vote>,
    pub neutral: Vec<Vote>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub positions: Positions,
    pub ignored: Vec<Ignored>,
    pub totals: Totals,
    /// support / (support + oppose) × 100; None without any support or oppose vote.
    pub percent: Option<f64>,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub support: usize,
    pub oppose: usize,
    pub neutral: usize,
    pub ignored: usize,
}

impl Tally {
    pub fn secured(&self) -> bool {
        self.status == Status::Secured
    }
}

/// The minute a signature was made, as history keys and `inspect --json` write it.
pub fn stamp(at: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Hand-formatted: chrono's format machinery dominated the per-vote cost.
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// One line's index, voter, signature time and the first reason not to count it.
type Judged = (usize, Option<String>, Option<NaiveDateTime>, Option<Reason>);

/// Counts the lines. `accounts` is keyed by user name; `now` decides whether the period closed.
pub fn count(
    lines: &[VoteLine],
    accounts: &HashMap<String, Account>,
    history: &History,
    period: Period,
    rules: &CountRules,
    now: NaiveDateTime,
) -> Tally {
    // First pass: each line's voter, time and the first reason that applies, if any.
    let mut judged: Vec<Judged> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let user = line.voter().map(str::to_owned);
        let at = line.signature.as_ref().map(|s| s.at);
        let reason = judge(line, user.as_deref(), at, accounts, history, period, rules);
        judged.push((n, user, at, reason));
    }
    // Second pass: only each user's latest counted vote stands (page order breaks ties).
    let mut latest: HashMap<&str, (NaiveDateTime, usize)> = HashMap::new();
    for (n, user, at, reason) in &judged {
        if let (Some(user), None) = (user, reason) {
            let at = at.unwrap_or(NaiveDateTime::MIN);
            let entry = latest.entry(user.as_str()).or_insert((at, *n));
            if (at, *n) >= *entry {
                *entry = (at, *n);
            }
        }
    }
    let mut tally = Tally {
        positions: Positions::default(),
        ignored: Vec::new(),
        totals: Totals::default(),
        percent: None,
        status: Status::Open,
    };
    for (n, user, at, reason) in &judged {
        let line = &lines[*n];
        let reason = reason.or_else(|| {
            let user = user.as_deref()?;
            (latest.get(user).map(|(_, m)| m) != Some(n)).then_some(Reason::Superseded)
        });
        match reason {
            Some(reason) => tally.ignored.push(Ignored {
                user: user.clone(),
                position: line.position,
                reason,
                line: line.text.clone(),
            }),
            None => {
                let vote = Vote {
                    user: user.clone().unwrap_or_default(),
                    timestamp: at.map(|a| stamp(&a)).unwrap_or_default(),
                    line: line.text.clone(),
                };
                match line.position {
                    Position::Support => tally.positions.support.push(vote),
                    Position::Oppose => tally.positions.oppose.push(vote),
                    Position::Neutral => tally.positions.neutral.push(vote),
                }
            }
        }
    }
    let p = &tally.positions;
    tally.totals = Totals {
        support: p.support.len(),
        oppose: p.oppose.len(),
        neutral: p.neutral.len(),
        ignored: tally.ignored.len(),
    };
    let decisive = tally.totals.support + tally.totals.oppose;
    tally.percent = (decisive > 0).then(|| tally.totals.support as f64 * 100.0 / decisive as f64);
    let closed = period.closes.is_some_and(|c| now.date() > c);
    tally.status = if !closed {
        Status::Open
    } else if tally.totals.support >= rules.min_support
        && tally.percent.is_some_and(|p| p >= rules.min_percent)
    {
        Status::Secured
    } else {
        Status::NotSecured
    };
    tally
}

fn judge(
    line: &VoteLine,
    user: Option<&str>,
    at: Option<NaiveDateTime>,
    accounts: &HashMap<String, Account>,
    history: &History,
    period: Period,
    rules: &CountRules,
) -> Option<Reason> {
    if line.struck {
        return Some(Reason::Struck);
    }
    let Some(user) = user else {
        return Some(Reason::Unsigned);
    };
    if is_ip(user) {
        return (!rules.count_ips).then_some(Reason::Ip);
    }
    if is_temporary(user) && !rules.count_temporary_accounts {
        return Some(Reason::TemporaryAccount);
    }
    let account = accounts.get(user).cloned().unwrap_or_default();
    if !account.exists {
        return Some(Reason::UnknownUser);
    }
    let too_young = match (rules.min_age_days, account.registered, period.start) {
        (Some(days), Some(registered), Some(start)) => start
            .and_hms_opt(0, 0, 0)
            .is_some_and(|s| (s - registered).num_days() < i64::from(days)),
        _ => false,
    };
    if (rules.exclude_blocked && account.blocked) || account.edits < rules.min_edits || too_young {
        return Some(Reason::Ineligible);
    }
    if history.checked && forged(line, user, at, history) {
        return Some(Reason::Forged);
    }
    if let (Some(at), Some(closes)) = (at, period.closes)
        && at.date() > closes
    {
        return Some(Reason::Late);
    }
    None
}

fn forged(line: &VoteLine, user: &str, at: Option<NaiveDateTime>, history: &History) -> bool {
    let author = match at {
        Some(at) => history
            .signature_authors
            .get(&(user.to_owned(), stamp(&at))),
        None => history.line_authors.get(&unsigned_key(&line.text)),
    };
    author.is_some_and(|a| a != user)
}

/// The text of an unsigned vote line without its `{{unsigned...}}` call, to find who added it.
pub fn unsigned_key(line: &str) -> String {
    let cut = line.to_lowercase().find("{{unsigned").unwrap_or(line.len());
    line[..cut].trim().to_owned()
}

#[cfg(test)]
mod tests;
