//! The bot's memory between runs: one SQLite file holding stream cursors, the revision each page
//! was last reconciled at, tally facts that need page history to compute, the stage notices
//! already posted, and a few run facts for the status page.
//!
//! It is only a cache. The wiki is the source of truth, so deleting the file is always safe: the
//! next run starts without cursors and makes one full pass over every page (re-reading history
//! where a fact is missing), then carries on as before. Nothing here is ever the only copy of
//! anything that matters.
//!
//! One [`State`] is shared by all tasks (`Arc<State>`); each method locks the connection for one
//! short statement or transaction and never across an `.await` (there are no async methods).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::FromSql;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Params, TransactionBehavior, params};

/// Schema migrations, in order: entry `i` takes the file from `user_version` `i` to `i + 1`.
/// Append only; never edit a batch that has shipped (files in the field already ran it).
const MIGRATIONS: &[&str] = &[
    // v1
    "CREATE TABLE cursors (source TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE reconciled (title TEXT PRIMARY KEY, revid INTEGER NOT NULL) WITHOUT ROWID;
     CREATE TABLE first_authors (
         title TEXT NOT NULL, line_key TEXT NOT NULL, author TEXT NOT NULL,
         PRIMARY KEY (title, line_key)) WITHOUT ROWID;
     CREATE TABLE notices (
         title TEXT NOT NULL, stage INTEGER NOT NULL, at TEXT NOT NULL,
         PRIMARY KEY (title, stage)) WITHOUT ROWID;
     CREATE TABLE facts (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE edits_per_day (day TEXT PRIMARY KEY, edits INTEGER NOT NULL) WITHOUT ROWID;",
    // v2: results of the resources list's link checks (`target` is the URL or the title).
    "CREATE TABLE link_checks (
         target TEXT PRIMARY KEY, status TEXT NOT NULL, detail TEXT NOT NULL,
         moved_to TEXT, checked_at TEXT NOT NULL) WITHOUT ROWID;",
];

/// How long a statement waits for another process (a second bot, a `sqlite3` shell) to release
/// the file before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the state file could not be used. Every variant names the file, so an operator knows
/// which file to look at (or delete).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state file {}: cannot create its folder: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "state file {}: cannot {op}: not a usable SQLite database ({source}); it is only a cache, \
         so it can be deleted safely (the next run makes one full pass)",
        path.display()
    )]
    Corrupt {
        path: PathBuf,
        op: &'static str,
        source: rusqlite::Error,
    },
    #[error(
        "state file {}: schema version {found} is newer than this bot knows ({known}); refusing \
         to downgrade it: run a newer bot, or delete the file (it is only a cache)",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("state file {}: cannot migrate to schema version {version}: {source}", path.display())]
    Migrate {
        path: PathBuf,
        version: u32,
        source: rusqlite::Error,
    },
    #[error("state file {}: cannot {op}: {source}", path.display())]
    Sql {
        path: PathBuf,
        op: &'static str,
        source: rusqlite::Error,
    },
}

/// Sorts an SQLite failure: a damaged file gets the "delete it, it is a cache" advice.
fn sql_error(path: &Path, op: &'static str, source: rusqlite::Error) -> StateError {
    let path = path.to_owned();
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StateError::Corrupt { path, op, source }
        }
        _ => StateError::Sql { path, op, source },
    }
}

/// Stored integers are `i64`; the API speaks `u64`. A value that does not fit is bad data, which
/// becomes an error rather than a panic or a silently wrapped number.
fn to_u64(v: i64) -> rusqlite::Result<u64> {
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, v))
}

/// The persistent cache; see the module documentation.
#[derive(Debug)]
pub struct State {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl State {
    /// Opens (or creates) the state file at `path`, creating its folder if needed, and brings
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<State, StateError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StateError::CreateDir {
                path: path.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| sql_error(path, "open", e))?;
        State::setup(conn, path.to_owned())
    }

    /// A fresh state that lives only as long as the value (tests, dry runs).
    pub fn in_memory() -> Result<State, StateError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sql_error(&path, "open", e))?;
        State::setup(conn, path)
    }

    fn setup(mut conn: Connection, path: PathBuf) -> Result<State, StateError> {
        // NORMAL is durable enough for a cache (a crash loses at most the last commits, which the
        // next pass redoes). The first statement to read the file is here, so a garbage file is
        // reported as "cannot open".
        conn.busy_timeout(BUSY_TIMEOUT)
            // A rollback journal, not WAL: WAL needs shared memory, which network file systems
            // (Toolforge's tool home is NFS) do not give.
            .and_then(|()| conn.pragma_update(None, "journal_mode", "DELETE"))
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .map_err(|e| sql_error(&path, "open", e))?;
        migrate(&mut conn, &path, MIGRATIONS)?;
        Ok(State {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The file this state lives in (`:memory:` for [`State::in_memory`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the locked connection. A poisoned lock is taken over rather than panicking:
    /// SQLite rolls back any transaction the panicking thread left open, so the data is intact.
    fn with<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn).map_err(|e| sql_error(&self.path, op, e))
    }

    /// Runs one statement that changes data.
    fn execute(&self, op: &'static str, sql: &str, p: impl Params) -> Result<(), StateError> {
        self.with(op, |c| c.execute(sql, p).map(drop))
    }

    /// Reads the first column of the one row `sql` finds, if any.
    fn get<T: FromSql>(
        &self,
        op: &'static str,
        sql: &str,
        p: impl Params,
    ) -> Result<Option<T>, StateError> {
        self.with(op, |c| c.query_row(sql, p, |r| r.get(0)).optional())
    }

    /// Where reading `source` ("recentchanges", "eventstreams") should resume; opaque to us.
    pub fn cursor(&self, source: &str) -> Result<Option<String>, StateError> {
        let sql = "SELECT value FROM cursors WHERE source = ?1";
        self.get("read cursor", sql, [source])
    }

    /// Stores the cursor for `source`, replacing the previous one.
    pub fn set_cursor(&self, source: &str, value: &str) -> Result<(), StateError> {
        let sql = "INSERT INTO cursors (source, value) VALUES (?1, ?2)
                   ON CONFLICT (source) DO UPDATE SET value = excluded.value";
        self.execute("write cursor", sql, [source, value])
    }

    /// The last revision the bot reconciled `title` at; a page whose current revision matches
    /// can be skipped.
    pub fn reconciled(&self, title: &str) -> Result<Option<u64>, StateError> {
        let sql = "SELECT revid FROM reconciled WHERE title = ?1";
        self.with("read reconciled revision", |c| {
            let revid: Option<i64> = c.query_row(sql, [title], |r| r.get(0)).optional()?;
            revid.map(to_u64).transpose()
        })
    }

    /// Records that `title` is reconciled as of revision `revid`.
    pub fn set_reconciled(&self, title: &str, revid: u64) -> Result<(), StateError> {
        let sql = "INSERT INTO reconciled (title, revid) VALUES (?1, ?2)
                   ON CONFLICT (title) DO UPDATE SET revid = excluded.revid";
        self.with("write reconciled revision", |c| {
            let revid = i64::try_from(revid)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
            c.execute(sql, params![title, revid]).map(drop)
        })
    }

    /// Forgets the reconciled revision of `title`, so the next pass looks at the page again.
    /// Tally facts and notices are kept: they describe history, which does not change.
    pub fn forget(&self, title: &str) -> Result<(), StateError> {
        let sql = "DELETE FROM reconciled WHERE title = ?1";
        self.execute("forget reconciled revision", sql, [title])
    }

    /// How many pages have a reconciled revision (for the status page).
    pub fn reconciled_count(&self) -> Result<u64, StateError> {
        self.with("count reconciled pages", |c| {
            to_u64(c.query_row("SELECT COUNT(*) FROM reconciled", [], |r| r.get(0))?)
        })
    }

    /// Who first wrote the vote line `line_key` on `title`, if already worked out; finding it
    /// costs a walk through the page history, hence the cache.
    pub fn first_author(&self, title: &str, line_key: &str) -> Result<Option<String>, StateError> {
        let sql = "SELECT author FROM first_authors WHERE title = ?1 AND line_key = ?2";
        self.get("read first author", sql, [title, line_key])
    }

    /// Stores first authors of vote lines on `title` (line key, author), replacing earlier
    /// values for the same keys; all or none, so a crash never leaves half a history walk.
    pub fn set_first_authors(
        &self,
        title: &str,
        authors: &[(String, String)],
    ) -> Result<(), StateError> {
        self.with("write first authors", |c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare(
                    "INSERT INTO first_authors (title, line_key, author) VALUES (?1, ?2, ?3)
                     ON CONFLICT (title, line_key) DO UPDATE SET author = excluded.author",
                )?;
                for (line_key, author) in authors {
                    stmt.execute([title, line_key, author])?;
                }
            }
            tx.commit()
        })
    }

    /// Whether the notice for stage `n` of `title` was already posted (post each one once).
    pub fn notice_recorded(&self, title: &str, n: u32) -> Result<bool, StateError> {
        let sql = "SELECT 1 FROM notices WHERE title = ?1 AND stage = ?2";
        Ok(self
            .get::<i64>("read notice", sql, params![title, n])?
            .is_some())
    }

    /// Records that the notice for stage `n` of `title` was posted at `at` (ISO 8601). A second
    /// record keeps the first time: that is when the notice went out.
    pub fn record_notice(&self, title: &str, n: u32, at: &str) -> Result<(), StateError> {
        let sql = "INSERT INTO notices (title, stage, at) VALUES (?1, ?2, ?3)
                   ON CONFLICT (title, stage) DO NOTHING";
        self.execute("record notice", sql, params![title, n, at])
    }

    /// Stores a run fact for the status page (last full pass, last error, ...).
    pub fn set_fact(&self, key: &str, value: &str) -> Result<(), StateError> {
        let sql = "INSERT INTO facts (key, value) VALUES (?1, ?2)
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        self.execute("write fact", sql, [key, value])
    }

    /// A run fact stored with [`State::set_fact`].
    pub fn fact(&self, key: &str) -> Result<Option<String>, StateError> {
        self.get("read fact", "SELECT value FROM facts WHERE key = ?1", [key])
    }

    /// Counts one edit on UTC day `day` (`YYYY-MM-DD`), for rate reporting on the status page.
    pub fn count_edit(&self, day: &str) -> Result<(), StateError> {
        let sql = "INSERT INTO edits_per_day (day, edits) VALUES (?1, 1)
                   ON CONFLICT (day) DO UPDATE SET edits = edits + 1";
        self.execute("count edit", sql, [day])
    }

    /// How many edits were counted on UTC day `day` (0 if none).
    pub fn edits_on(&self, day: &str) -> Result<u64, StateError> {
        let sql = "SELECT edits FROM edits_per_day WHERE day = ?1";
        self.with("read edit count", |c| {
            let n: Option<i64> = c.query_row(sql, [day], |r| r.get(0)).optional()?;
            to_u64(n.unwrap_or(0))
        })
    }
}

/// Brings the schema from its `user_version` to `migrations.len()`, one transaction per step.
/// Each step takes the write lock first and re-reads the version, so two processes opening the
/// same new file do not both migrate it. A file newer than `migrations` is refused, not touched.
fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<(), StateError> {
    let version = |c: &Connection| -> rusqlite::Result<u32> {
        c.pragma_query_value(None, "user_version", |r| r.get(0))
    };
    let known = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    let found = version(conn).map_err(|e| sql_error(path, "read schema version", e))?;
    if found > known {
        return Err(StateError::TooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    for (target, sql) in (1..=known).zip(migrations).skip(found as usize) {
        let fail = |source| StateError::Migrate {
            path: path.to_owned(),
            version: target,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        if version(&tx).map_err(fail)? >= target {
            continue; // another process got here first
        }
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

mod links;
pub use links::LinkCheck;

#[cfg(test)]
mod tests;
