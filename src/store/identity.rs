//! Is this file a caseload database? Answered before anything is written to it: the SQLite
//! header's magic, then `PRAGMA application_id` (set on every caseload database) and the schema
//! version. A foreign file, or one from a newer caseload, is refused untouched — no switch to
//! WAL, no migration. This module only reads.

use super::migrate::SCHEMA_VERSION;
use crate::error::{Error, Result};
use rusqlite::Connection;
use std::io::Read;
use std::path::Path;

/// `PRAGMA application_id` of a caseload database: "CSLD" in ASCII.
pub const APPLICATION_ID: i32 = 0x4353_4C44;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Tables every caseload schema since version 1 has; a database without an application id is
/// an older caseload one only if it has all of them.
const CASELOAD_TABLES: &[&str] = &["clinicians", "clients", "encounters", "audit", "settings"];

fn not_caseload(shown: &str, why: &str) -> Error {
    Error::Database(format!("{shown} is not a caseload database ({why})"))
}

/// Refuses a path that is not a regular file, or a non-empty file that is not SQLite.
pub fn check_file(path: &Path, shown: &str) -> Result<()> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Database(format!("cannot open the database at {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(not_caseload(shown, "it is not a regular file"));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::Database(format!("cannot open the database at {shown}: {e}")))?;
    let read = file.read(&mut head).unwrap_or(0);
    if read < head.len() || &head != SQLITE_MAGIC {
        return Err(not_caseload(shown, "it is not an SQLite file"));
    }
    Ok(())
}

/// What an open connection holds, read without writing.
#[derive(Debug, PartialEq, Eq)]
pub enum Holding {
    /// An empty database: caseload may make it a practice.
    Empty,
    /// A caseload database at this schema version (application id set or not yet).
    Caseload { version: i64, marked: bool },
}

/// Reads what the database is and refuses it unless caseload may open it.
pub fn check_connection(conn: &Connection, shown: &str) -> Result<Holding> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let holding = if application_id == APPLICATION_ID {
        Holding::Caseload {
            version,
            marked: true,
        }
    } else if application_id != 0 {
        return Err(not_caseload(shown, "another program's file"));
    } else {
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if objects == 0 && version == 0 {
            Holding::Empty
        } else if version > 0 && has_caseload_tables(conn)? {
            Holding::Caseload {
                version,
                marked: false,
            }
        } else {
            return Err(not_caseload(shown, "it lacks caseload's tables"));
        }
    };
    if let Holding::Caseload { version, .. } = holding
        && version > SCHEMA_VERSION
    {
        return Err(Error::Database(format!(
            "{shown} was written by a newer caseload (schema version {version}; this \
                 program knows up to {SCHEMA_VERSION}); upgrade caseload to open it"
        )));
    }
    Ok(holding)
}

fn has_caseload_tables(conn: &Connection) -> Result<bool> {
    let mut statement =
        conn.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1")?;
    for table in CASELOAD_TABLES {
        let n: i64 = statement.query_row([table], |r| r.get(0))?;
        if n == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_database_may_become_a_practice() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(check_connection(&conn, "x").unwrap(), Holding::Empty);
    }

    #[test]
    fn another_programs_database_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE notes (t TEXT)").unwrap();
        let e = check_connection(&conn, "x.db").unwrap_err().to_string();
        assert!(e.contains("x.db is not a caseload database"), "{e}");
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA application_id = 1").unwrap();
        assert!(check_connection(&conn, "x").is_err());
        // Tables by caseload's names but no schema version: not ours either.
        let conn = Connection::open_in_memory().unwrap();
        for t in CASELOAD_TABLES {
            conn.execute_batch(&format!("CREATE TABLE {t} (x)"))
                .unwrap();
        }
        assert!(check_connection(&conn, "x").is_err());
    }

    #[test]
    fn a_newer_caseload_database_is_refused_and_the_current_one_opens() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let e = check_connection(&conn, "x").unwrap_err().to_string();
        assert!(e.contains("newer caseload"), "{e}");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
        assert_eq!(
            check_connection(&conn, "x").unwrap(),
            Holding::Caseload {
                version: SCHEMA_VERSION,
                marked: true
            }
        );
    }
}
