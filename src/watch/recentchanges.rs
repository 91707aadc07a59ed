//! Polling `list=recentchanges` from a persisted cursor, for any wiki (the dev wiki included).
//! The cursor is the last row handled ("timestamp|rcid"): rows at that second with a higher
//! rcid are new, so nothing is handled twice and nothing between two polls is missed.

use super::{Batch, Change, ChangeKind, WatchError};
use crate::wiki::{Connection, RecentChange};

/// How far back a poller without a cursor starts: the start-up full pass covers the rest.
const FRESH_START_LOOKBACK_S: i64 = 60;

pub struct Poller {
    last: Option<(String, u64)>,
    /// The bot's own account: its edits need no reaction.
    ignore_user: String,
}

impl Poller {
    pub fn new(cursor: Option<&str>, ignore_user: &str) -> Self {
        let last = cursor.and_then(|c| {
            let (ts, rcid) = c.split_once('|')?;
            Some((ts.to_owned(), rcid.parse().ok()?))
        });
        Poller {
            last,
            ignore_user: ignore_user.to_owned(),
        }
    }

    /// One poll: the changes since the cursor (possibly none) and the new cursor.
    pub async fn poll(&mut self, connection: &Connection) -> Result<Batch, WatchError> {
        let since = match &self.last {
            Some((ts, _)) => ts.clone(),
            None => (chrono::Utc::now() - chrono::Duration::seconds(FRESH_START_LOOKBACK_S))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        };
        let (rows, _) = connection.recent_changes(Some(&since)).await?;
        let mut changes = Vec::new();
        for row in rows {
            if let Some((ts, rcid)) = &self.last
                && (row.timestamp.as_str(), row.rcid) <= (ts.as_str(), *rcid)
            {
                continue;
            }
            self.last = Some((row.timestamp.clone(), row.rcid));
            if row.user != self.ignore_user {
                changes.push(change(row));
            }
        }
        Ok(Batch {
            changes,
            cursor: self.last.as_ref().map(|(ts, id)| format!("{ts}|{id}")),
        })
    }
}

fn change(row: RecentChange) -> Change {
    let kind = match (row.kind.as_str(), &row.log) {
        ("edit", _) => ChangeKind::Edit,
        ("new", _) => ChangeKind::New,
        (_, Some((t, a))) => match (t.as_str(), a.as_str(), row.move_target.clone()) {
            ("move", _, Some(to)) => ChangeKind::Move { to },
            ("delete", "delete", _) => ChangeKind::Delete,
            ("delete", "restore", _) => ChangeKind::Undelete,
            _ => ChangeKind::Other,
        },
        _ => ChangeKind::Other,
    };
    Change {
        title: row.title,
        namespace: row.namespace,
        kind,
        timestamp: row.timestamp,
        id: row.rcid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, log: Option<(&str, &str)>, target: Option<&str>) -> RecentChange {
        RecentChange {
            rcid: 1,
            kind: kind.into(),
            title: "A".into(),
            namespace: 0,
            timestamp: "2026-11-26T12:00:00Z".into(),
            user: "U".into(),
            log: log.map(|(t, a)| (t.into(), a.into())),
            move_target: target.map(str::to_owned),
        }
    }

    #[test]
    fn rows_map_to_change_kinds() {
        assert_eq!(change(row("edit", None, None)).kind, ChangeKind::Edit);
        assert_eq!(change(row("new", None, None)).kind, ChangeKind::New);
        assert_eq!(
            change(row("log", Some(("move", "move_redir")), Some("B"))).kind,
            ChangeKind::Move { to: "B".into() }
        );
        assert_eq!(
            change(row("log", Some(("delete", "delete")), None)).kind,
            ChangeKind::Delete
        );
        assert_eq!(
            change(row("log", Some(("delete", "restore")), None)).kind,
            ChangeKind::Undelete
        );
        assert_eq!(
            change(row("log", Some(("protect", "protect")), None)).kind,
            ChangeKind::Other
        );
    }

    #[test]
    fn cursors_round_trip() {
        let p = Poller::new(Some("2026-11-26T12:00:00Z|42"), "Bot");
        assert_eq!(p.last, Some(("2026-11-26T12:00:00Z".into(), 42)));
        assert_eq!(Poller::new(Some("garbage"), "Bot").last, None);
    }
}
