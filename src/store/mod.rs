//! The store: one `Store` owns the SQLite connection. Opening sets the pragmas that protect
//! clinical data, checks the SQLite version and applies the embedded migrations. All SQL lives
//! in this module's files, one per aggregate; they return domain structs.
//!
//! Reads are functions over `&Connection`; writes are functions over `&Tx`, which only exists
//! inside [`Store::write`] — one `BEGIN IMMEDIATE` transaction per command, so a refused
//! command writes nothing.

pub mod access;
pub mod appointments;
pub mod attributions;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk;
mod checkpoint;
pub mod cipher;
pub mod clients;
pub mod clinician_audit;
pub mod clinicians;
pub mod contract_report;
pub mod contracts;
pub mod copy;
pub mod corrections;
pub mod db;
pub mod due;
pub mod encounters;
pub mod events;
pub mod export;
pub mod facts;
pub mod fairness;
pub mod flagged;
pub mod history;
mod identity;
pub mod keyfile;
pub mod measurements;
mod migrate;
pub mod outfile;
mod pair;
pub mod panel;
pub mod panel_window;
pub mod pg;
pub mod reconcile;
pub mod record;
pub mod revenue;
pub mod reviews;
pub mod roster;
mod row;
pub mod settings;
mod sql_types;
pub mod targets;
pub mod today;
pub mod value;
pub mod windows;
#[cfg(test)]
mod windows_tests;

use crate::domain::ClinicianId;
use crate::domain::keyslot::{ChainKey, PracticeKey};
use crate::error::{Error, Result};
pub use db::Connection;
use rusqlite::OpenFlags;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use migrate::SCHEMA_VERSION;

/// The oldest SQLite without the WAL-reset corruption bug (sqlite.org/wal.html). SQLCipher
/// 4.14 ships exactly this release, so the bundled one passes with nothing to spare.
const MIN_SQLITE: (u32, u32, u32) = (3, 51, 3);
/// How many times a write on a server is run again after a serialization failure.
const WRITE_TRIES: u32 = 12;
/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Who is acting: recorded on every audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub clinician_id: Option<ClinicianId>,
    pub name: String,
}

impl Actor {
    /// The command line without `--as`: changes are attributed to the program user.
    pub fn unnamed() -> Actor {
        Actor {
            clinician_id: None,
            name: "(unnamed)".to_string(),
        }
    }
}

/// The practice database.
pub struct Store {
    /// Declared first so a running checkpoint ends before the connection closes.
    checkpointer: checkpoint::Checkpointer,
    /// A second, read-only connection for reads split across two threads (`pair`).
    second: pair::SecondReader,
    conn: Connection,
    path: Option<PathBuf>,
    actor: Actor,
    /// True when this open created the database file (it did not exist before).
    created: bool,
    /// The practice key, when the database is encrypted.
    key: Option<PracticeKey>,
    /// The audit chain's MAC key (derived from the practice key), when encrypted.
    chain: Option<ChainKey>,
    /// The file this connection opened (device, inode): a write is refused once the path holds
    /// another file (encrypted, decrypted or replaced meanwhile), so no write goes into an
    /// unlinked file.
    file_id: Option<(u64, u64)>,
    /// The server's URL without its password, for a practice on PostgreSQL.
    server: Option<String>,
}

/// A write transaction; derefs to the connection so read functions work inside it.
pub struct Tx<'a> {
    inner: db::Transaction<'a>,
    actor: &'a Actor,
    chain: Option<&'a ChainKey>,
}

impl Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.inner
    }
}

impl Tx<'_> {
    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// The audit chain's MAC key when the practice is encrypted.
    pub fn chain_key(&self) -> Option<&ChainKey> {
        self.chain
    }
}

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

    /// True when the practice is encrypted at rest.
    pub fn encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The practice key (encrypted practices only).
    pub fn key(&self) -> Option<&PracticeKey> {
        self.key.as_ref()
    }

    /// The audit chain's MAC key (encrypted practices only).
    pub fn chain_key(&self) -> Option<&ChainKey> {
        self.chain.as_ref()
    }

    /// The connection, for the store's own functions only: everything outside reads through
    /// [`Store::read`] and writes through [`Store::write`].
    pub(in crate::store) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the practice lives, as a message may name it: the file, the server's URL without
    /// its password, or "memory".
    pub fn place(&self) -> String {
        match (&self.path, &self.server) {
            (Some(path), _) => crate::domain::text::sanitize(&path.display().to_string()),
            (None, Some(server)) => server.clone(),
            (None, None) => "memory".into(),
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// True when opening created the database file: nothing was there before this process.
    /// Of several processes opening the same new path at once, only one sees true.
    pub fn created_file(&self) -> bool {
        self.created
    }

    /// True when the practice holds no clinicians, contracts or clients (a fresh database).
    pub fn holds_no_practice(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM clinicians)
                AND NOT EXISTS (SELECT 1 FROM contracts)
                AND NOT EXISTS (SELECT 1 FROM clients)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Sets who the following writes are audited as.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it is committed, or none.
    pub fn write<T>(&mut self, mut f: impl FnMut(&Tx) -> Result<T>) -> Result<T> {
        if let Some(path) = &self.path
            && self.file_id.is_some()
            && file_id(path) != self.file_id
        {
            return Err(Error::Database(
                "the practice database was replaced since this caseload opened it (encrypted, \
                 decrypted or restored); nothing was written: close this window and open caseload again"
                    .into(),
            ));
        }
        // On a server another machine's write can make this one's serializable transaction
        // fail (the audit chain's head, a client both touched): it is run again from the
        // start, a few times, after a short wait that differs from process to process.
        let mut tries = 0;
        let value = loop {
            match self.write_once(&mut f) {
                Err(e) if self.conn.is_server() && db::must_retry(&e) && tries < WRITE_TRIES => {
                    tries += 1;
                    std::thread::sleep(db::retry_wait(tries));
                }
                outcome => break outcome?,
            }
        };
        if let Some(path) = &self.path {
            let pages = checkpoint::take_wal_pages();
            self.checkpointer
                .after_commit(pages, path, self.key.as_ref());
        }
        self.record_head()?;
        Ok(value)
    }

    /// One try of [`Store::write`]'s transaction.
    fn write_once<T>(&self, f: &mut impl FnMut(&Tx) -> Result<T>) -> Result<T> {
        let inner = self.conn.begin(true)?;
        let tx = Tx {
            inner,
            actor: &self.actor,
            chain: self.chain.as_ref(),
        };
        let value = f(&tx)?;
        // The flag windows of every client this write touched, before anyone can read it.
        windows::refresh_dirty(&tx)?;
        let Tx { inner, .. } = tx;
        checkpoint::take_wal_pages();
        inner.commit()?;
        Ok(value)
    }

    /// Runs `f` in one read transaction, so every figure it reads comes from one consistent
    /// state of the database even while another process writes. Inside a transaction already
    /// (a read within a read), `f` simply shares it.
    pub fn read<T>(&self, f: impl FnOnce(&Snapshot) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return f(&Snapshot { conn: &self.conn });
        }
        let tx = self.conn.begin(false)?;
        // A deferred transaction takes its snapshot at the first read: take it now, so that
        // `data_version` read inside `f` belongs to the same state as everything else.
        if let Some(conn) = tx.lite() {
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        }
        let value = f(&Snapshot { conn: &tx })?;
        // Nothing was written; ending the transaction only releases the snapshot.
        tx.rollback()?;
        Ok(value)
    }

    /// The audit head recorded in the key file (encrypted practices), if its MAC holds; a
    /// recorded head whose MAC does not is refused as tampering.
    pub fn recorded_head(&self) -> Result<Option<(i64, String)>> {
        let (Some(path), Some(chain)) = (&self.path, &self.chain) else {
            return Ok(None);
        };
        let Some((seq, hash, mac)) = keyfile::read(path)?.and_then(|k| k.head) else {
            return Ok(None);
        };
        if crate::domain::audit_chain::head_mac(chain, seq, &hash) != mac {
            return Err(Error::Database(
                "the audit trail is broken: the head recorded in the key file was altered".into(),
            ));
        }
        Ok(Some((seq, hash)))
    }

    /// In an encrypted practice, notes the audit head in the key file after a commit, so a
    /// later rollback or truncation of the database is seen (`keyfile::advance_head`).
    fn record_head(&self) -> Result<()> {
        let (Some(path), Some(chain)) = (&self.path, &self.chain) else {
            return Ok(());
        };
        if let Some((seq, hash)) = audit::head(&self.conn)? {
            keyfile::advance_head(path, chain, seq, &hash)?;
        }
        Ok(())
    }

    /// Reads the file through a memory map (up to 1 GiB), for a one-shot command that walks
    /// an index and seeks into the tables for every row (`flags --json` of a large centre):
    /// it then pays no system call per page read. Only there: a command that reads scattered
    /// pages once each pays more in page faults and unmapping than it saves (the check-in,
    /// the value report), and the TUI's resident memory stays its small page cache. SQLCipher
    /// maps nothing of an encrypted file.
    pub fn map_for_reading(&self) -> Result<()> {
        if let Some(conn) = self.conn.lite() {
            conn.query_row("PRAGMA mmap_size = 1073741824", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Changes whenever another connection commits: the TUI polls it to stay live.
    pub fn data_version(&self) -> Result<i64> {
        data_version(&self.conn)
    }

    /// The SQLite connection, for what only SQLite has; refused on a server.
    pub(in crate::store) fn lite(&self) -> Result<&rusqlite::Connection> {
        self.conn.lite().ok_or_else(sqlite_only)
    }
}

/// One consistent read of the database ([`Store::read`]); derefs to the connection, so every
/// read function of the store takes it.
pub struct Snapshot<'a> {
    conn: &'a Connection,
}

impl Deref for Snapshot<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Snapshot<'_> {
    /// The database's change counter as of this snapshot.
    pub fn data_version(&self) -> Result<i64> {
        data_version(self.conn)
    }
}

/// What every connection that reads the practice is set to (the store's own, and the second
/// reader's in `pair`): wait for a writer rather than fail, no trust in the schema's code, and
/// a 16 MiB page cache (SQLite's default is 2 MiB), so a long TUI session at a large centre
/// keeps the pages its panel and keys touch instead of asking the OS for them again on every
/// key; it grows only as pages are read.
fn reader_settings(conn: &rusqlite::Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -16384;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn data_version(conn: &Connection) -> Result<i64> {
    let conn = conn.lite().ok_or_else(sqlite_only)?;
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

/// What a store on a server answers where only SQLite's file can.
fn sqlite_only() -> Error {
    Error::Database("this needs a caseload SQLite file, not a PostgreSQL server".into())
}

/// The (device, inode) of the file at `path`, where the platform has them.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
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

    /// A read sees one state of the database from start to end, even when another process
    /// commits in the middle of it; the change counter read inside belongs to that state, so
    /// the TUI's next poll still sees the write.
    #[test]
    fn a_read_is_one_snapshot_and_its_change_counter_belongs_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let reader = Store::open(&path).unwrap();
        let mut writer = Store::open(&path).unwrap();
        let clinicians = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM clinicians", [], |r| r.get(0))
                .unwrap()
        };
        let (before, during, version) = reader
            .read(|snap| {
                let before = clinicians(snap);
                writer.write(|tx| {
                    let role = crate::domain::Role::Clinician;
                    clinicians::insert(tx, "Ann", role, crate::domain::Money(0))
                })?;
                Ok((before, clinicians(snap), snap.data_version()?))
            })
            .unwrap();
        assert_eq!((before, during), (0, 0), "the write is not seen mid-read");
        assert_eq!(reader.read(|snap| Ok(clinicians(snap))).unwrap(), 1);
        assert_ne!(
            reader.data_version().unwrap(),
            version,
            "the next poll sees the write"
        );
        // A read inside a read shares it rather than failing to nest.
        assert_eq!(
            reader.read(|_| reader.read(|s| Ok(clinicians(s)))).unwrap(),
            1
        );
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let mut store = Store::open_in_memory().unwrap();
        let result: Result<()> = store.write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ('x', '1')", [])?;
            Err(Error::invalid("refused"))
        });
        assert!(result.is_err());
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM settings WHERE key = 'x'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 0);
    }
}
