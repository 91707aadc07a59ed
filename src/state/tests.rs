use super::*;
use std::sync::Arc;

fn temp_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    (dir, path)
}

fn user_version(state: &State) -> u32 {
    let conn = state.conn.lock().unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn state_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<State>();
    shareable::<Arc<State>>();
}

#[test]
fn open_close_reopen_keeps_data_and_is_idempotent() {
    let (_dir, path) = temp_file();
    let state = State::open(&path).unwrap();
    assert_eq!(user_version(&state), MIGRATIONS.len() as u32);
    state
        .set_cursor("recentchanges", "2024-05-01T00:00:00Z|42")
        .unwrap();
    state.set_reconciled("Grants:Example", 123).unwrap();
    drop(state);
    for _ in 0..2 {
        let state = State::open(&path).unwrap();
        assert_eq!(user_version(&state), MIGRATIONS.len() as u32);
        assert_eq!(
            state.cursor("recentchanges").unwrap().as_deref(),
            Some("2024-05-01T00:00:00Z|42")
        );
        assert_eq!(state.reconciled("Grants:Example").unwrap(), Some(123));
    }
}

#[test]
fn open_creates_missing_parent_folders_and_uses_a_rollback_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/state.sqlite");
    let state = State::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(state.path(), path);
    let mode: String = state
        .conn
        .lock()
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

#[test]
fn v1_file_is_migrated_to_latest_keeping_data() {
    let (_dir, path) = temp_file();
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path, &MIGRATIONS[..1]).unwrap();
        conn.execute(
            "INSERT INTO reconciled (title, revid) VALUES ('Grants:Old', 7)",
            [],
        )
        .unwrap();
        let v: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
    }
    let state = State::open(&path).unwrap();
    assert_eq!(user_version(&state), MIGRATIONS.len() as u32);
    assert_eq!(state.reconciled("Grants:Old").unwrap(), Some(7));
}

#[test]
fn migrations_run_in_order_once_each() {
    let (_dir, path) = temp_file();
    let mut conn = Connection::open(&path).unwrap();
    let v1 = "CREATE TABLE t (a INTEGER NOT NULL)";
    let v2 = "ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t (a, b) VALUES (1, 'x')";
    migrate(&mut conn, &path, &[v1]).unwrap();
    migrate(&mut conn, &path, &[v1, v2]).unwrap();
    // Running again must not re-run v2 (that would insert a second row or fail on ALTER).
    migrate(&mut conn, &path, &[v1, v2]).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM t WHERE b = 'x'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn failed_migration_leaves_the_previous_version() {
    let (_dir, path) = temp_file();
    let mut conn = Connection::open(&path).unwrap();
    let v1 = "CREATE TABLE t (a INTEGER)";
    let bad = "CREATE TABLE u (a INTEGER); THIS IS NOT SQL";
    migrate(&mut conn, &path, &[v1]).unwrap();
    let err = migrate(&mut conn, &path, &[v1, bad]).unwrap_err();
    assert!(
        matches!(err, StateError::Migrate { version: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("schema version 2"), "{err}");
    let v: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    let u_exists: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'u')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!u_exists, "the failed batch must be rolled back whole");
}

#[test]
fn future_file_is_refused_naming_both_versions() {
    let (_dir, path) = temp_file();
    let future = MIGRATIONS.len() as u32 + 5;
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", future).unwrap();
    }
    let err = State::open(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StateError::TooNew { .. }), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&format!("schema version {future}")), "{msg}");
    assert!(msg.contains(&format!("({})", MIGRATIONS.len())), "{msg}");
    // Refused, not downgraded.
    let conn = Connection::open(&path).unwrap();
    let v: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, future);
}

#[test]
fn garbage_file_is_reported_as_deletable_cache() {
    let (_dir, path) = temp_file();
    std::fs::write(
        &path,
        b"this is not an SQLite database, just some bytes\n".repeat(100),
    )
    .unwrap();
    let err = State::open(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StateError::Corrupt { .. }), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("cannot open"), "{msg}");
    assert!(msg.contains("deleted safely"), "{msg}");
}

#[test]
fn unopenable_path_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // The "parent folder" is a regular file, so it cannot be created.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"").unwrap();
    let path = blocker.join("state.sqlite");
    let err = State::open(&path).unwrap_err();
    assert!(matches!(err, StateError::CreateDir { .. }), "{err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn cursors_round_trip_per_source() {
    let state = State::in_memory().unwrap();
    assert_eq!(state.cursor("eventstreams").unwrap(), None);
    state
        .set_cursor("eventstreams", "[{\"offset\":1}]")
        .unwrap();
    state
        .set_cursor("eventstreams", "[{\"offset\":2}]")
        .unwrap();
    state.set_cursor("recentchanges", "rc").unwrap();
    assert_eq!(
        state.cursor("eventstreams").unwrap().as_deref(),
        Some("[{\"offset\":2}]")
    );
    assert_eq!(
        state.cursor("recentchanges").unwrap().as_deref(),
        Some("rc")
    );
}

#[test]
fn reconciled_set_forget_and_count() {
    let state = State::in_memory().unwrap();
    assert_eq!(state.reconciled("A").unwrap(), None);
    assert_eq!(state.reconciled_count().unwrap(), 0);
    state.set_reconciled("A", 1).unwrap();
    state.set_reconciled("A", 2).unwrap();
    state.set_reconciled("B", i64::MAX as u64).unwrap();
    assert_eq!(state.reconciled("A").unwrap(), Some(2));
    assert_eq!(state.reconciled("B").unwrap(), Some(i64::MAX as u64));
    assert_eq!(state.reconciled_count().unwrap(), 2);
    state.forget("A").unwrap();
    state.forget("never seen").unwrap();
    assert_eq!(state.reconciled("A").unwrap(), None);
    assert_eq!(state.reconciled_count().unwrap(), 1);
}

#[test]
fn out_of_range_revisions_are_errors_not_panics() {
    let state = State::in_memory().unwrap();
    let err = state.set_reconciled("A", u64::MAX).unwrap_err();
    assert!(
        err.to_string().contains("cannot write reconciled revision"),
        "{err}"
    );
    state
        .conn
        .lock()
        .unwrap()
        .execute(
            "INSERT INTO reconciled (title, revid) VALUES ('Bad', -1)",
            [],
        )
        .unwrap();
    let err = state.reconciled("Bad").unwrap_err();
    assert!(
        err.to_string().contains("cannot read reconciled revision"),
        "{err}"
    );
}

#[test]
fn first_authors_are_per_title_and_line() {
    let state = State::in_memory().unwrap();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, a)| (k.to_string(), a.to_string()))
            .collect()
    };
    state.set_first_authors("P", &[]).unwrap();
    state
        .set_first_authors("P", &pairs(&[("support#1", "Alice"), ("oppose#1", "Bob")]))
        .unwrap();
    state
        .set_first_authors("Q", &pairs(&[("support#1", "Carol")]))
        .unwrap();
    state
        .set_first_authors("P", &pairs(&[("oppose#1", "Dave")]))
        .unwrap();
    assert_eq!(
        state.first_author("P", "support#1").unwrap().as_deref(),
        Some("Alice")
    );
    assert_eq!(
        state.first_author("P", "oppose#1").unwrap().as_deref(),
        Some("Dave")
    );
    assert_eq!(
        state.first_author("Q", "support#1").unwrap().as_deref(),
        Some("Carol")
    );
    assert_eq!(state.first_author("Q", "oppose#1").unwrap(), None);
}

#[test]
fn notices_are_recorded_once_keeping_the_first_time() {
    let state = State::in_memory().unwrap();
    assert!(!state.notice_recorded("P", 2).unwrap());
    state.record_notice("P", 2, "2024-05-01T10:00:00Z").unwrap();
    state.record_notice("P", 2, "2024-06-01T10:00:00Z").unwrap();
    assert!(state.notice_recorded("P", 2).unwrap());
    assert!(!state.notice_recorded("P", 3).unwrap());
    assert!(!state.notice_recorded("Q", 2).unwrap());
    let at: String = state
        .conn
        .lock()
        .unwrap()
        .query_row(
            "SELECT at FROM notices WHERE title = 'P' AND stage = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(at, "2024-05-01T10:00:00Z");
}

#[test]
fn facts_and_edit_counts() {
    let state = State::in_memory().unwrap();
    assert_eq!(state.fact("last_full_pass").unwrap(), None);
    state
        .set_fact("last_full_pass", "2024-05-01T00:00:00Z")
        .unwrap();
    state
        .set_fact("last_full_pass", "2024-05-02T00:00:00Z")
        .unwrap();
    assert_eq!(
        state.fact("last_full_pass").unwrap().as_deref(),
        Some("2024-05-02T00:00:00Z")
    );
    assert_eq!(state.edits_on("2024-05-01").unwrap(), 0);
    for _ in 0..3 {
        state.count_edit("2024-05-01").unwrap();
    }
    state.count_edit("2024-05-02").unwrap();
    assert_eq!(state.edits_on("2024-05-01").unwrap(), 3);
    assert_eq!(state.edits_on("2024-05-02").unwrap(), 1);
}

#[test]
fn shared_between_threads() {
    let (_dir, path) = temp_file();
    let state = Arc::new(State::open(&path).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                for j in 0..25 {
                    state.count_edit("2024-05-01").unwrap();
                    state.set_reconciled(&format!("T{i}/{j}"), j).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(state.edits_on("2024-05-01").unwrap(), 200);
    assert_eq!(state.reconciled_count().unwrap(), 200);
}

#[test]
fn poisoned_lock_does_not_stop_the_state() {
    let state = Arc::new(State::in_memory().unwrap());
    let s = Arc::clone(&state);
    let _ = std::thread::spawn(move || {
        let _guard = s.conn.lock().unwrap();
        panic!("poison the lock on purpose");
    })
    .join();
    assert!(state.conn.is_poisoned());
    state.set_fact("k", "v").unwrap();
    assert_eq!(state.fact("k").unwrap().as_deref(), Some("v"));
}
