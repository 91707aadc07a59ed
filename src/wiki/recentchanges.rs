//! `list=recentchanges`: every edit, page creation and log entry since a point in time, oldest
//! first, read to the end through continuation.

use serde_json::Value;

use super::{Connection, WikiError};

/// One row of recent changes, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentChange {
    pub rcid: u64,
    /// "edit", "new" or "log".
    pub kind: String,
    pub title: String,
    pub namespace: i32,
    pub timestamp: String,
    pub user: String,
    /// For log rows: type and action ("move"/"move", "delete"/"delete", "delete"/"restore").
    pub log: Option<(String, String)>,
    /// For moves: the new title.
    pub move_target: Option<String>,
}

impl Connection {
    /// Changes at or after `since` (ISO 8601), oldest first, and the server's time now (a
    /// cursor to start from when nothing was persisted). The caller drops the rows it has seen
    /// (same timestamp, rcid not above the last one).
    pub async fn recent_changes(
        &self,
        since: Option<&str>,
    ) -> Result<(Vec<RecentChange>, String), WikiError> {
        let limit = self.list_limit();
        let mut params: Vec<(String, String)> = [
            ("action", "query"),
            ("list", "recentchanges"),
            ("rcprop", "title|ids|timestamp|user|loginfo"),
            ("rctype", "edit|new|log"),
            ("rcdir", "newer"),
            ("rclimit", limit.as_str()),
            ("curtimestamp", "1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if let Some(since) = since {
            params.push(("rcstart".into(), since.to_owned()));
        }
        let mut out = Vec::new();
        let mut now = String::new();
        self.continued(params, |response| {
            if now.is_empty() {
                now = response["curtimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
            }
            for rc in response["query"]["recentchanges"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(change) = parse(rc) {
                    out.push(change);
                }
            }
            Ok(())
        })
        .await?;
        Ok((out, now))
    }
}

fn parse(rc: &Value) -> Option<RecentChange> {
    let kind = rc["type"].as_str()?.to_owned();
    let log = match (rc["logtype"].as_str(), rc["logaction"].as_str()) {
        (Some(t), Some(a)) => Some((t.to_owned(), a.to_owned())),
        _ => None,
    };
    Some(RecentChange {
        rcid: rc["rcid"].as_u64()?,
        kind,
        title: rc["title"].as_str()?.to_owned(),
        namespace: rc["ns"].as_i64().and_then(|n| i32::try_from(n).ok())?,
        timestamp: rc["timestamp"].as_str().unwrap_or_default().to_owned(),
        user: rc["user"].as_str().unwrap_or_default().to_owned(),
        log,
        move_target: rc["logparams"]["target_title"].as_str().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_plain_changes() {
        let move_row = serde_json::json!({"type": "log", "ns": 0, "title": "A", "rcid": 7,
            "timestamp": "2026-11-26T12:00:00Z", "user": "U", "logtype": "move",
            "logaction": "move", "logparams": {"target_ns": 0, "target_title": "B"}});
        let c = parse(&move_row).unwrap();
        assert_eq!(c.log, Some(("move".into(), "move".into())));
        assert_eq!(c.move_target.as_deref(), Some("B"));
        let edit = serde_json::json!({"type": "edit", "ns": 1, "title": "Talk:A", "rcid": 8,
            "timestamp": "2026-11-26T12:00:01Z", "user": "U"});
        assert_eq!(parse(&edit).unwrap().namespace, 1);
        assert_eq!(parse(&serde_json::json!({"type": "edit"})), None);
    }
}
