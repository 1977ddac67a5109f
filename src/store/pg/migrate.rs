//! The PostgreSQL schema: the files of `migrations/postgres/`, numbered as SQLite's are, each
//! applied in one transaction with the version recorded inside it (PostgreSQL has no
//! `user_version`; the table `caseload_schema` holds it). A database of another program, or one
//! written by a newer caseload, is refused before anything is written. It must not hold the
//! practice's own SQL beyond the one step each marker line stands for.

use super::Server;
use crate::domain::audit_chain;
use crate::error::{Error, Result};
use crate::store::SCHEMA_VERSION;
use postgres::Client;

/// The PostgreSQL form of each SQLite migration, in the same order.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_init.sql"),
    include_str!("../../../migrations/postgres/0002_shared_terminals.sql"),
    include_str!("../../../migrations/postgres/0003_rosters.sql"),
    include_str!("../../../migrations/postgres/0004_indexes.sql"),
    include_str!("../../../migrations/postgres/0005_corrections.sql"),
    include_str!("../../../migrations/postgres/0006_contracts.sql"),
    include_str!("../../../migrations/postgres/0007_appointments.sql"),
    include_str!("../../../migrations/postgres/0008_x12.sql"),
    include_str!("../../../migrations/postgres/0009_clinician_audit.sql"),
    include_str!("../../../migrations/postgres/0010_flag_windows.sql"),
    include_str!("../../../migrations/postgres/0011_due_dates.sql"),
    include_str!("../../../migrations/postgres/0012_revenue_summaries.sql"),
    include_str!("../../../migrations/postgres/0013_client_histories.sql"),
];

/// Where the schema version lives.
pub const VERSION_TABLE: &str = "caseload_schema";

/// Serialises two machines creating the schema at once (an arbitrary, fixed number).
const MIGRATION_LOCK: i64 = 0x00ca_5e10_ad00_0001;

/// What a database holds before caseload uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// No tables at all.
    Nothing,
    /// A caseload schema of this version.
    Caseload(i64),
    /// Tables, but not caseload's.
    Other,
}

/// Reads what the database holds, writing nothing.
pub fn holding(client: &mut Client, server: &Server) -> Result<Holding> {
    let row = client
        .query_one(
            "SELECT to_regclass('caseload_schema') IS NOT NULL,
                    (SELECT count(*) FROM information_schema.tables
                      WHERE table_schema = current_schema())",
            &[],
        )
        .map_err(|e| server.failed(&e))?;
    let (versioned, tables): (bool, i64) = (row.get(0), row.get(1));
    if !versioned {
        return Ok(if tables == 0 {
            Holding::Nothing
        } else {
            Holding::Other
        });
    }
    let version: i64 = client
        .query_one("SELECT version FROM caseload_schema", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|_| other_program(server))?;
    Ok(Holding::Caseload(version))
}

/// Brings the schema up to this program's version; refuses another program's database and a
/// newer caseload's.
pub fn migrate(client: &mut Client, server: &Server) -> Result<()> {
    match holding(client, server)? {
        Holding::Other => return Err(other_program(server)),
        Holding::Caseload(v) if v > SCHEMA_VERSION => {
            return Err(Error::Database(format!(
                "the database at {} was written by a newer caseload (schema {v}; this one knows \
                 {SCHEMA_VERSION}); upgrade caseload",
                server.shown()
            )));
        }
        Holding::Caseload(v) if v == SCHEMA_VERSION => return Ok(()),
        Holding::Caseload(_) | Holding::Nothing => {}
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        let mut tx = client.transaction().map_err(|e| server.failed(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(|e| server.failed(&e))?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS caseload_schema (version BIGINT NOT NULL)")
            .map_err(|e| server.failed(&e))?;
        let current: Option<i64> = tx
            .query_opt("SELECT version FROM caseload_schema", &[])
            .map_err(|e| server.failed(&e))?
            .map(|r| r.get(0));
        if current.unwrap_or(0) >= version {
            // Another machine got here first.
            continue;
        }
        apply(&mut tx, sql, server).map_err(|e| {
            Error::Database(format!(
                "creating caseload's schema (version {version}) on {} failed, nothing of it was \
                 kept: {e}",
                server.shown()
            ))
        })?;
        tx.execute("DELETE FROM caseload_schema", &[])
            .map_err(|e| server.failed(&e))?;
        tx.execute(
            "INSERT INTO caseload_schema (version) VALUES ($1)",
            &[&version],
        )
        .map_err(|e| server.failed(&e))?;
        tx.commit().map_err(|e| server.failed(&e))?;
    }
    Ok(())
}

/// One migration file, with each marker's step where it stands. On PostgreSQL a schema is
/// only ever created empty (no caseload before this one wrote one), so the steps that compute
/// from records have nothing to compute; the audit chain's head is started as SQLite's step
/// starts it for an empty trail.
fn apply(tx: &mut postgres::Transaction, sql: &str, server: &Server) -> Result<()> {
    let mut part = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("-- caseload:") && trimmed.ends_with("--") {
            tx.batch_execute(&part).map_err(|e| server.failed(&e))?;
            part.clear();
            if trimmed == "-- caseload: seal legacy audit rows --" {
                tx.execute(
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)",
                    &[&audit_chain::GENESIS],
                )
                .map_err(|e| server.failed(&e))?;
            }
        } else {
            part.push_str(line);
            part.push('\n');
        }
    }
    tx.batch_execute(&part).map_err(|e| server.failed(&e))
}

fn other_program(server: &Server) -> Error {
    Error::Database(format!(
        "the database at {} holds tables that are not a caseload practice; give caseload an \
         empty database (createdb) or its own",
        server.shown()
    ))
}
