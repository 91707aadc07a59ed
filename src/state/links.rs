//! Cached results of link checks, so an external site is asked again only after
//! `resources.recheck_days`, not on every run.

use rusqlite::{OptionalExtension, params};

use super::{State, StateError};

/// A stored result: the verdict's name, the reason, where a moved link goes, when (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCheck {
    pub status: String,
    pub detail: String,
    pub moved_to: Option<String>,
    pub checked_at: String,
}

impl State {
    /// The last result for `target` (a URL or a title), if any.
    pub fn link_check(&self, target: &str) -> Result<Option<LinkCheck>, StateError> {
        let sql = "SELECT status, detail, moved_to, checked_at FROM link_checks WHERE target = ?1";
        self.with("read link check", |c| {
            c.query_row(sql, [target], |r| {
                Ok(LinkCheck {
                    status: r.get(0)?,
                    detail: r.get(1)?,
                    moved_to: r.get(2)?,
                    checked_at: r.get(3)?,
                })
            })
            .optional()
        })
    }

    /// Stores the result for `target`, replacing the previous one.
    pub fn set_link_check(&self, target: &str, check: &LinkCheck) -> Result<(), StateError> {
        let sql = "INSERT INTO link_checks (target, status, detail, moved_to, checked_at)
                   VALUES (?1, ?2, ?3, ?4, ?5)
                   ON CONFLICT (target) DO UPDATE SET status = excluded.status,
                   detail = excluded.detail, moved_to = excluded.moved_to,
                   checked_at = excluded.checked_at";
        let p = params![
            target,
            check.status,
            check.detail,
            check.moved_to,
            check.checked_at
        ];
        self.execute("write link check", sql, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_stored_replaced_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let check = LinkCheck {
            status: "moved".into(),
            detail: "HTTP 301".into(),
            moved_to: Some("https://b.example/".into()),
            checked_at: "2026-11-26T12:00:00Z".into(),
        };
        {
            let state = State::open(&path).unwrap();
            assert_eq!(state.link_check("https://a.example/").unwrap(), None);
            state.set_link_check("https://a.example/", &check).unwrap();
            let newer = LinkCheck {
                moved_to: None,
                status: "ok".into(),
                ..check.clone()
            };
            state.set_link_check("https://c.example/", &newer).unwrap();
            state.set_link_check("https://c.example/", &newer).unwrap();
        }
        let state = State::open(&path).unwrap();
        assert_eq!(state.link_check("https://a.example/").unwrap(), Some(check));
        assert_eq!(
            state
                .link_check("https://c.example/")
                .unwrap()
                .unwrap()
                .status,
            "ok"
        );
    }
}
