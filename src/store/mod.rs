//! The store: one `Store` owns the connection to the practice — a SQLite file (`open`: the
//! pragmas that protect clinical data, the SQLite version, the embedded migrations) or a
//! PostgreSQL server (`pg::open`), both behind `db`. All SQL lives in this module's files, one
//! per aggregate; they return domain structs.
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
mod open;
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
use std::ops::Deref;
use std::path::{Path, PathBuf};

pub use migrate::SCHEMA_VERSION;
use open::reader_settings;
pub use open::sqlite_version;

/// How many times a write on a server is run again after a serialization failure.
const WRITE_TRIES: u32 = 12;
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
    /// The server, for a practice on PostgreSQL (shown only without its password).
    server: Option<pg::Server>,
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

    /// The server the practice lives on, if it is on PostgreSQL (so a second session, such
    /// as the TUI's background loader, can open it too).
    pub fn server(&self) -> Option<&pg::Server> {
        self.server.as_ref()
    }

    /// Where the practice lives, as a message may name it: the file, the server's URL without
    /// its password, or "memory".
    pub fn place(&self) -> String {
        match (&self.path, &self.server) {
            (Some(path), _) => crate::domain::text::sanitize(&path.display().to_string()),
            (None, Some(server)) => server.shown().to_string(),
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

    /// Changes whenever another connection commits: the TUI polls it to stay live (on a
    /// server once [`Store::watch_changes`] was called).
    pub fn data_version(&self) -> Result<i64> {
        data_version(&self.conn)
    }

    /// Asks to be told of other machines' commits, for [`Store::data_version`]; before the
    /// first read it should cover. Nothing to do on SQLite, whose file counts them.
    pub fn watch_changes(&self) -> Result<()> {
        Ok(self.conn.listen_for_changes()?)
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

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.data_version()?)
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

#[cfg(test)]
mod tests {
    use super::*;

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
