//! Embedded, numbered schema migrations versioned by `PRAGMA user_version`.
//!
//! Migrations are append-only: a released file is never edited. A database written by a newer
//! caseload is refused rather than guessed at. A migration may hand over to Rust between two
//! parts of its file (a marker line names the step), for work SQL cannot do, such as hashing.

use super::db::Connection;
use super::identity::APPLICATION_ID;
use crate::domain::keyslot::ChainKey;
use crate::error::{Error, Result};

/// The migrations in order; the schema version is how many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_shared_terminals.sql"),
    include_str!("../../migrations/0003_rosters.sql"),
    include_str!("../../migrations/0004_indexes.sql"),
    include_str!("../../migrations/0005_corrections.sql"),
    include_str!("../../migrations/0006_contracts.sql"),
    include_str!("../../migrations/0007_appointments.sql"),
    include_str!("../../migrations/0008_x12.sql"),
    include_str!("../../migrations/0009_clinician_audit.sql"),
    include_str!("../../migrations/0010_flag_windows.sql"),
    include_str!("../../migrations/0011_due_dates.sql"),
    include_str!("../../migrations/0012_revenue_summaries.sql"),
    include_str!("../../migrations/0013_client_histories.sql"),
];

/// A marker line in a migration file and the Rust step that runs where it stands.
/// A step gets the audit chain's key, so rows it appends link as the practice's chain does.
type RustStep = fn(&Connection, Option<&ChainKey>) -> Result<()>;
const RUST_STEPS: &[(&str, RustStep)] = &[
    ("-- caseload: seal legacy audit rows --", |tx, _| {
        super::audit::seal_legacy_rows(tx)
    }),
    (
        "-- caseload: audit clinician baselines --",
        super::clinician_audit::seal_baselines,
    ),
    // Version 10's windows and 11's due dates are computed by version 13's step, with the
    // client histories beside them (the code that computes them writes all three): the clients
    // stay marked until then.
    ("-- caseload: compute flag windows --", |_, _| Ok(())),
    (
        "-- caseload: compute flag windows and due dates --",
        |_, _| Ok(()),
    ),
    (
        "-- caseload: compute flag windows, due dates and histories --",
        |tx, _| super::windows::refresh_dirty(tx).map(|_| ()),
    ),
];

/// Runs one migration file, handing over to Rust at each marker line.
fn apply(tx: &Connection, sql: &str, chain: Option<&ChainKey>) -> Result<()> {
    let mut rest = sql;
    loop {
        let next = RUST_STEPS
            .iter()
            .filter_map(|(marker, step)| rest.find(marker).map(|at| (at, *marker, *step)))
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, marker, step)) => {
                tx.execute_batch(&rest[..at])?;
                step(tx, chain)?;
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
pub fn migrate(conn: &mut Connection, chain: Option<&ChainKey>) -> Result<()> {
    migrate_keyed(conn, SCHEMA_VERSION, chain)?;
    mark_as_caseload(conn)
}

/// Sets the application id that says "a caseload database" (databases made before it existed
/// get it on their first open by this version).
fn mark_as_caseload(conn: &mut Connection) -> Result<()> {
    let id = |c: &Connection| -> Result<i32> {
        Ok(c.query_row("PRAGMA application_id", [], |r| r.get(0))?)
    };
    if id(conn)? == APPLICATION_ID {
        return Ok(());
    }
    let tx = conn.begin(true)?;
    if id(&tx)? != APPLICATION_ID {
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
    }
    tx.commit()?;
    Ok(())
}

/// Brings the schema up to `target` (tests build databases of earlier versions with it).
#[cfg(test)]
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    migrate_keyed(conn, target, None)
}

fn migrate_keyed(conn: &mut Connection, target: i64, chain: Option<&ChainKey>) -> Result<()> {
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
    // A migration may rebuild a table others reference (SQLite's documented way to change a
    // constraint), which needs foreign key enforcement off; it cannot change inside a
    // transaction. Every reference is checked before the commit instead, and enforcement is
    // back on whatever happens.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let outcome = migrate_in_transaction(conn, target, chain, refuse_newer);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    outcome
}

fn migrate_in_transaction(
    conn: &mut Connection,
    target: i64,
    chain: Option<&ChainKey>,
    refuse_newer: impl Fn(i64) -> Error,
) -> Result<()> {
    let tx = conn.begin(true)?;
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
        apply(&tx, sql, chain)
            .map_err(|e| Error::Database(format!("schema migration {} failed: {e}", index + 1)))?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(Error::Database(format!(
            "the schema migration would leave {broken} broken references; nothing was changed"
        )));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
