//! Embedded, numbered schema migrations versioned by `PRAGMA user_version`.
//!
//! Migrations are append-only: a released file is never edited. A database written by a newer
//! caseload is refused rather than guessed at. A migration may hand over to Rust between two
//! parts of its file (a marker line names the step), for work SQL cannot do, such as hashing.

use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

/// The migrations in order; the schema version is how many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_shared_terminals.sql"),
];

/// A marker line in a migration file and the Rust step that runs where it stands.
type RustStep = fn(&rusqlite::Transaction) -> Result<()>;
const RUST_STEPS: &[(&str, RustStep)] = &[(
    "-- caseload: seal legacy audit rows --",
    super::audit::seal_legacy_rows,
)];

/// Runs one migration file, handing over to Rust at each marker line.
fn apply(tx: &rusqlite::Transaction, sql: &str) -> Result<()> {
    let mut rest = sql;
    loop {
        let next = RUST_STEPS
            .iter()
            .filter_map(|(marker, step)| rest.find(marker).map(|at| (at, *marker, *step)))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, marker, step)) => {
                tx.execute_batch(&rest[..at])?;
                step(tx)?;
                rest = &rest[at + marker.len()..];
            }
            None => {
                tx.execute_batch(rest)?;
                return Ok(());
            }
        }
    }
}

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to date. Safe when several processes open a new database at once:
/// the version is re-read under the write lock.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the schema up to `target` (tests build databases of earlier versions with it).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let refuse_newer = |found: i64| {
        Error::Database(format!(
            "this database was written by a newer caseload (schema version {found}; this \
             program knows up to {SCHEMA_VERSION}); upgrade caseload to open it"
        ))
    };
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(refuse_newer(version));
    }
    if version >= target {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version = user_version(&tx)?;
    if version > SCHEMA_VERSION {
        return Err(refuse_newer(version));
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(version as usize)
    {
        apply(&tx, sql)
            .map_err(|e| Error::Database(format!("schema migration {} failed: {e}", index + 1)))?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_fresh_database_gets_every_migration_and_reopening_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(user_version(store.conn()).unwrap(), SCHEMA_VERSION);
        let tables: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(user_version(store.conn()).unwrap(), SCHEMA_VERSION);
        let again: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, again);
    }

    #[test]
    fn a_database_from_a_newer_caseload_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path)
            .err()
            .expect("must be refused")
            .to_string();
        assert!(err.contains("newer caseload"), "{err}");
    }

    #[test]
    fn every_strict_table_is_strict() {
        let store = Store::open_in_memory().unwrap();
        let mut stmt = store
            .conn()
            .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'")
            .unwrap();
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!rows.is_empty());
        for (name, strict) in rows {
            assert_eq!(strict, 1, "{name} must be STRICT");
        }
    }
}
