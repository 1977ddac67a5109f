//! Opening a practice file as a [`Store`]: the file made private before SQLite makes it, the
//! practice key applied, the file checked to be caseload's, the pragmas that protect clinical
//! data, the SQLite version checked, and the embedded migrations applied. A practice on a
//! server opens in `pg::open`. Nothing here reads or writes the practice's rows.

use super::{Actor, Connection, Store, backup, checkpoint, cipher, identity, migrate, pair};
use super::{SCHEMA_VERSION, file_id};
use crate::domain::keyslot::PracticeKey;
use crate::error::{Error, Result};
use rusqlite::OpenFlags;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The oldest SQLite without the WAL-reset corruption bug (sqlite.org/wal.html). SQLCipher
/// 4.14 ships exactly this release, so the bundled one passes with nothing to spare.
const MIN_SQLITE: (u32, u32, u32) = (3, 51, 3);
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens (creating if needed) the database at `path`: pragmas, version check, migrations.
    /// The folder must exist. A file that is not a caseload database, or one written by a
    /// newer caseload, is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_noting_upgrade(path, &mut |_, _| {})
    }

    /// [`Store::open`], calling `upgrading(from, to)` before an existing database's schema is
    /// brought up to date (on a large practice that takes a while, and the user should know).
    pub fn open_noting_upgrade(path: &Path, upgrading: &mut dyn FnMut(i64, i64)) -> Result<Store> {
        Store::open_keyed(path, None, upgrading)
    }

    /// Opens the database at `path` with the practice key (`None`: a plaintext practice). A
    /// plaintext open of an encrypted practice is refused with one line saying so.
    pub fn open_keyed(
        path: &Path,
        key: Option<PracticeKey>,
        upgrading: &mut dyn FnMut(i64, i64),
    ) -> Result<Store> {
        let shown = crate::domain::text::sanitize(&path.display().to_string());
        if key.is_none() && cipher::is_encrypted(path) {
            return Err(cipher::encrypted_refusal());
        }
        let created = create_private_file(path)?;
        if !created && key.is_none() {
            identity::check_file(path, &shown)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = rusqlite::Connection::open_with_flags(path, flags)
            .map_err(|e| Error::Database(format!("cannot open the database at {shown}: {e}")))?;
        cipher::apply_key(&conn, key.as_ref(), &shown)?;
        let in_file = |e: Error| match e {
            Error::Sqlite(e) => {
                Error::Database(format!("cannot open the database at {shown}: {e}"))
            }
            other => other,
        };
        if let identity::Holding::Caseload { version, .. } =
            identity::check_connection(&conn, &shown).map_err(in_file)?
            && version < SCHEMA_VERSION
        {
            upgrading(version, SCHEMA_VERSION);
        }
        let mut store = Store::prepare(conn, Some(path.to_path_buf()), key).map_err(in_file)?;
        store.created = created;
        store.file_id = file_id(path);
        backup::remove_stale_temporaries(path);
        Ok(store)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Store> {
        let conn = rusqlite::Connection::open_in_memory()?;
        cipher::apply_key(&conn, None, "memory")?;
        Store::prepare(conn, None, None)
    }

    fn prepare(
        conn: rusqlite::Connection,
        path: Option<PathBuf>,
        key: Option<PracticeKey>,
    ) -> Result<Store> {
        check_sqlite_version()?;
        // The busy timeout first: switching to WAL may wait for another process.
        reader_settings(&conn)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Database(format!(
                "the database could not be put in WAL mode (got {mode})"
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )?;
        if path.is_some() {
            checkpoint::take_over(&conn);
        }
        let chain = key.as_ref().map(PracticeKey::chain_key);
        let mut conn = Connection::from(conn);
        migrate::migrate(&mut conn, chain.as_ref())?;
        let store = Store {
            checkpointer: checkpoint::Checkpointer::default(),
            second: pair::SecondReader::default(),
            conn,
            path,
            actor: Actor::unnamed(),
            created: false,
            key,
            chain,
            file_id: None,
            server: None,
        };
        Ok(store)
    }
}

/// What every connection that reads the practice is set to (the store's own, and the second
/// reader's in `pair`): wait for a writer rather than fail, no trust in the schema's code, and
/// a 16 MiB page cache (SQLite's default is 2 MiB), so a long TUI session at a large centre
/// keeps the pages its panel and keys touch instead of asking the OS for them again on every
/// key; it grows only as pages are read.
pub(super) fn reader_settings(conn: &rusqlite::Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -16384;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The linked SQLite's version, checked against the WAL-reset fix.
pub fn sqlite_version() -> (u32, u32, u32) {
    let n = rusqlite::version_number() as u32;
    (n / 1_000_000, n / 1000 % 1000, n % 1000)
}

fn check_sqlite_version() -> Result<()> {
    let v = sqlite_version();
    if v < MIN_SQLITE {
        return Err(Error::Database(format!(
            "SQLite {}.{}.{} has the WAL-reset corruption bug; caseload needs {}.{}.{} or newer",
            v.0, v.1, v.2, MIN_SQLITE.0, MIN_SQLITE.1, MIN_SQLITE.2
        )));
    }
    Ok(())
}

/// Creates the database file readable by the owner only, before SQLite does; SQLite gives the
/// -wal and -shm files the same permissions. True when this call created it. The folder must
/// already exist: a mistyped `--db` folder is refused rather than made.
fn create_private_file(path: &Path) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let shown = |p: &Path| crate::domain::text::sanitize(&p.display().to_string());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(Error::Database(format!(
            "there is no folder {} for the database {}; create it first or check the path",
            shown(dir),
            shown(path)
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::Database(format!(
            "cannot create the database at {}: {e}",
            shown(path)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sqlite_has_the_wal_reset_fix() {
        assert!(sqlite_version() >= MIN_SQLITE, "{:?}", sqlite_version());
    }

    #[test]
    fn open_sets_the_protective_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        let c = store.conn();
        let get = |p: &str| -> String {
            c.query_row(&format!("PRAGMA {p}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .unwrap()
        };
        assert_eq!(get("journal_mode"), "wal");
        assert_eq!(get("synchronous"), "2");
        assert_eq!(get("foreign_keys"), "1");
        assert_eq!(get("trusted_schema"), "0");
        assert!(get("busy_timeout").parse::<i64>().unwrap() >= 5000);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("p.db"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the database must be private to its owner");
        }
    }
}
