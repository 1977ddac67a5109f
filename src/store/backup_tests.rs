//! Tests of backup and restore: temporary names, leftovers of killed writers, older schemas.

use super::*;

#[test]
fn temporary_names_are_recognised_by_their_database() {
    let name = temp_name("p.db.before-restore-20261201T000000Z", 42, 0);
    assert_eq!(temp_writer(&name, "p.db"), Some(42));
    assert_eq!(temp_writer(&name, "q.db"), None);
    assert_eq!(temp_writer(".p.db.tmp-x-0", "p.db"), None);
    assert_eq!(temp_writer("p.db.tmp-1-0", "p.db"), None);
    assert_eq!(temp_writer(".p.db.tmp-7-0-journal", "p.db"), Some(7));
}

#[test]
fn a_dead_writers_leftover_is_removed_at_open_and_a_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("p.db");
    // No process has pid 4194304 + 1 on Linux (above pid_max's ceiling).
    let stale = dir
        .path()
        .join(temp_name("p.db.before-restore-x", 4_194_305, 0));
    let running = dir.path().join(temp_name("p.db", std::process::id(), 0));
    let other = dir.path().join(".notes.tmp-4194305-0");
    for f in [&stale, &running, &other] {
        std::fs::write(f, b"x").unwrap();
    }
    Store::open(&live).unwrap();
    if cfg!(target_os = "linux") {
        assert!(!stale.exists());
    }
    assert!(running.exists());
    assert!(
        other.exists(),
        "only the database's own leftovers are touched"
    );
}
use crate::domain::{Money, Role};
use crate::store::{SCHEMA_VERSION, clinicians};

/// A backup written by an older caseload (schema version 2) restores into a current
/// database and is brought up to date, keeping its data and its audit chain.
#[test]
fn a_backup_from_an_older_schema_is_restored_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    {
        let mut conn = crate::store::db::Connection::open(&old).unwrap();
        super::super::migrate::migrate_to(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO clinicians (id, name, role, hourly_cost_cents, created_at)
             VALUES (1, 'Old Timer', 'admin', 100, '2025-01-01 00:00:00');",
        )
        .unwrap();
    }
    let checked = check(&old, None).unwrap();
    assert_eq!(checked.schema_version, 2);
    let live = dir.path().join("live.db");
    let mut store = Store::open(&live).unwrap();
    store
        .write(|tx| clinicians::insert(tx, "Newer", Role::Admin, Money(0)).map(|_| ()))
        .unwrap();
    let restored = restore_into(&mut store, &old, "t", None).unwrap();
    assert!(restored.previous.is_some_and(|p| p.exists()));
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let names: Vec<String> = clinicians::list(store.conn())
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["Old Timer"]);
    assert!(audit::verify(store.conn()).unwrap().is_ok());
}
