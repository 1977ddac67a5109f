//! Backup and restore with SQLite's online backup API, and the checks a file must pass before it
//! may replace the practice database. Files are written privately (0600) beside their target and
//! renamed into place after an fsync, so a crash leaves the old file or the new one, never half.
//!
//! # Other processes
//!
//! A **backup** copies every page in one step inside a read transaction: in WAL mode that is a
//! consistent snapshot taken while other processes go on writing (they are never blocked, and
//! the copy never restarts because of them).
//!
//! A **restore** into a database that opens normally does not swap files under other processes:
//! renaming a new file over one that a running terminal UI holds open would leave that process
//! writing into the unlinked old file, and its `-wal`/`-shm` (found by name) beside the new one.
//! Instead the checked backup is copied *into* the live database through the backup API, as one
//! write transaction: SQLite takes the write lock (waiting for other writers), writes the new
//! pages through the WAL and commits. Other processes see the old practice or the restored one,
//! never a mix, and their next read sees the new data; nothing needs deleting, and a crash
//! midway leaves the old database (the WAL frames were never committed). Before that the live
//! database is copied aside (`<db>.before-restore-<time>`), so a mistaken restore loses nothing.
//!
//! Only when the practice database cannot be opened at all (damaged beyond SQLite's reach, or
//! not a database) is the file replaced: the backup is copied to a temporary file beside it,
//! fsynced, the damaged file and its `-wal` and `-shm` are renamed aside (kept, not deleted —
//! a stale WAL must not be replayed into the restored file, and its frames may be evidence),
//! and the temporary file is renamed into place.

use super::audit;
use super::{Store, cipher, keyfile};
use crate::domain::keyslot::PracticeKey;
use crate::error::{Error, Result};
use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a backup step waits on a lock before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Tables every caseload database has had since schema version 1.
const REQUIRED_TABLES: &[&str] = &[
    "clinicians",
    "clients",
    "contracts",
    "contract_rates",
    "attributions",
    "encounters",
    "measurements",
    "events",
    "settings",
    "audit",
];

/// Copies every page of `from` into `to` in one step, waiting out transient locks.
fn copy_all(from: &Connection, to: &mut Connection) -> Result<()> {
    let backup = Backup::new(from, to)?;
    let started = Instant::now();
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if started.elapsed() > LOCK_WAIT {
                    return Err(Error::Database(
                        "the database stayed locked by another process; try again in a moment"
                            .into(),
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {}
        }
    }
}

/// A file beside `target` that does not exist yet, created empty and private.
pub(crate) fn private_temp_beside(target: &Path) -> Result<(PathBuf, std::fs::File)> {
    let dir = parent_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "caseload".into());
    for n in 0..1000 {
        let candidate = dir.join(temp_name(&name, std::process::id(), n));
        match create_private(&candidate) {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::invalid(format!(
                    "cannot write in {}: {e}",
                    dir.display()
                )));
            }
        }
    }
    Err(Error::invalid(format!(
        "cannot find a free temporary name in {}",
        dir.display()
    )))
}

/// The hidden name of a temporary copy of `target_name` being written by process `pid`.
fn temp_name(target_name: &str, pid: u32, n: u32) -> String {
    format!(".{target_name}.tmp-{pid}-{n}")
}

/// The process that was writing a temporary file of `temp_name`'s shape, if it is one whose
/// target name starts with `prefix`.
fn temp_writer(temp_name: &str, prefix: &str) -> Option<u32> {
    // A killed writer may also leave SQLite's journal of the temporary (an encrypt's export).
    let temp_name = ["-journal", "-wal", "-shm"]
        .iter()
        .find_map(|s| temp_name.strip_suffix(s))
        .unwrap_or(temp_name);
    let rest = temp_name.strip_prefix('.')?.strip_prefix(prefix)?;
    let (_, tail) = rest.rsplit_once(".tmp-")?;
    let (pid, n) = tail.split_once('-')?;
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

/// True when process `pid` may still be writing: on Linux, while it runs; elsewhere (no
/// /proc to ask) for a day after the file was last written.
fn writer_may_be_alive(pid: u32, modified: Option<std::time::SystemTime>) -> bool {
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    modified
        .and_then(|m| m.elapsed().ok())
        .is_none_or(|age| age < Duration::from_secs(24 * 3600))
}

/// Removes the temporary copies a killed backup or restore left beside the database
/// (`.<db>.before-restore-….tmp-PID-N` and the like: plaintext copies of the practice) whose
/// writer is gone. Best effort: a file that cannot be removed is left for the next open.
pub fn remove_stale_temporaries(live: &Path) {
    let Some(db_name) = live.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent_of(live)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_writer(&name, &db_name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if pid != std::process::id()
            && meta.is_file()
            && !writer_may_be_alive(pid, meta.modified().ok())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Creates a new file readable and writable by the owner only.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a rename durable: fsyncs the directory holding `path` (where the platform allows).
pub fn sync_dir_of(path: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(parent_of(path))?.sync_all()?;
    let _ = path;
    Ok(())
}

/// Writes a self-contained copy of `from` (rollback journal, not WAL) to `target` atomically:
/// a private temporary file beside it, checked, fsynced, then put in place (over an existing
/// file only when `replace`).
fn copy_to_file(
    from: &Connection,
    target: &Path,
    replace: bool,
    key: Option<&PracticeKey>,
) -> Result<u64> {
    let (temp, file) = private_temp_beside(target)?;
    let result = (|| -> Result<u64> {
        drop(file);
        let mut to = Connection::open(&temp)?;
        // Keyed before the first page arrives: an encrypted practice's copy is encrypted with
        // the same key, page for page, and never exists in the clear.
        cipher::apply_key(&to, key, "the copy")?;
        copy_all(from, &mut to)?;
        finish(to, &temp, target, replace)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Makes the finished copy at `temp` a backup file (one file, no WAL beside it), checks it,
/// syncs it and puts it at `target`; returns its pages.
fn finish(to: Connection, temp: &Path, target: &Path, replace: bool) -> Result<u64> {
    let _: String = to.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    let check: String = to.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(Error::Database(format!(
            "the copy failed its check ({check}); nothing was replaced"
        )));
    }
    let pages: i64 = to.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    to.close().map_err(|(_, e)| e)?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(temp)?
        .sync_all()?;
    super::outfile::put_in_place(temp, target, replace)?;
    sync_dir_of(target)?;
    Ok(pages.max(0) as u64)
}

/// A plaintext caseload file finished at `temp` (by `copy`), made a backup at `target` as
/// [`backup`] makes one.
pub(crate) fn finish_file(temp: &Path, target: &Path, replace: bool) -> Result<u64> {
    finish(Connection::open(temp)?, temp, target, replace)
}

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub pages: u64,
    pub bytes: u64,
}

/// Backs the practice up to `target` (a new file, or one replaced atomically), safe while other
/// processes write, and audits it.
pub fn backup(store: &mut Store, target: &Path, replace: bool) -> Result<BackupSummary> {
    if let Some(live) = store.path()
        && super::outfile::is_database_file(target, live)
    {
        return Err(Error::invalid(
            "that is the practice database itself; back up to another file",
        ));
    }
    let pages = copy_to_file(store.lite()?, target, replace, store.key.as_ref())?;
    if let Some(live) = store.path()
        && store.encrypted()
    {
        // The backup's own key slots beside it, so it can be checked and restored on its own
        // (a lost laptop, a new machine). The head seen is the live file's, not the copy's.
        let mut keys = keyfile::read(live)?.ok_or_else(|| keyfile::missing(live))?;
        keys.head = None;
        for e in &mut keys.entries {
            e.throttle = Default::default();
        }
        keyfile::write(target, &keys)?;
    }
    let bytes = std::fs::metadata(target)?.len();
    store.write(|tx| tx.audit("backup.write", None, &format!("{pages} pages")))?;
    Ok(BackupSummary { pages, bytes })
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// What a backup file holds, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub schema_version: i64,
    pub clients: i64,
    pub encounters: i64,
    pub audit_rows: i64,
    pub page_size: i64,
}

/// Checks that `path` is a sound caseload database this program can use: SQLite's integrity
/// check passes, the schema is caseload's and not newer than this program's, and the audit
/// trail's hash chain is unbroken. Reads only.
pub fn check(path: &Path, key: Option<&PracticeKey>) -> Result<Checked> {
    let refuse =
        |why: String| Error::invalid(format!("{} cannot be restored: {why}", path.display()));
    if !path.is_file() {
        return Err(refuse("there is no such file".into()));
    }
    let conn: super::db::Connection = cipher::open_read_only(path, key)
        .map_err(|e| match e {
            Error::Sqlite(e) => refuse(format!("it cannot be opened ({e})")),
            other => refuse(other.to_string()),
        })?
        .into();
    let not_a_database = |e: rusqlite::Error| refuse(format!("it is not a SQLite database ({e})"));
    let mut problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .map_err(not_a_database)?
        .query_map([], |r| r.get(0))
        .map_err(not_a_database)?
        .collect::<rusqlite::Result<_>>()
        .map_err(not_a_database)?;
    if problems != ["ok"] {
        problems.truncate(3);
        return Err(refuse(format!(
            "it fails SQLite's integrity check ({})",
            problems.join("; ")
        )));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let missing: Vec<&str> = REQUIRED_TABLES
        .iter()
        .filter(|t| !tables.iter().any(|have| have == *t))
        .copied()
        .collect();
    if version == 0 || !missing.is_empty() {
        return Err(refuse("it is not a caseload database".into()));
    }
    if version > super::SCHEMA_VERSION {
        return Err(refuse(format!(
            "it was written by a newer caseload (schema version {version}; this program knows up to {})",
            super::SCHEMA_VERSION
        )));
    }
    let chain = key.map(PracticeKey::chain_key);
    if version >= 2
        && let Err(broken) = audit::verify_with(&conn, chain.as_ref(), &[])?
    {
        return Err(refuse(format!("its audit trail is broken: {broken}")));
    }
    let count = |table: &str| -> Result<i64> {
        Ok(
            conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })?,
        )
    };
    Ok(Checked {
        schema_version: version,
        clients: count("clients")?,
        encounters: count("encounters")?,
        audit_rows: count("audit")?,
        page_size: page_size(&conn)?,
    })
}

/// The page size; SQLCipher answers `PRAGMA page_size` of a keyed database as text.
fn page_size(conn: &super::db::Connection) -> Result<i64> {
    let value: rusqlite::types::Value = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(match value {
        rusqlite::types::Value::Integer(n) => n,
        rusqlite::types::Value::Text(t) => t.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

/// Where the practice database as it was before a restore is kept.
fn aside_name(live: &Path, what: &str, stamp: &str) -> PathBuf {
    PathBuf::from(format!("{}.{what}-{stamp}", live.display()))
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub checked: Checked,
    /// Where the database as it was is kept.
    pub previous: Option<PathBuf>,
}

/// Restores a checked backup into the open practice database, in place (see the module notes):
/// the live database is first copied aside, then overwritten in one transaction, migrated if
/// the backup is from an older schema, and the restore is audited in the restored trail.
pub fn restore_into(
    store: &mut Store,
    source: &Path,
    stamp: &str,
    source_key: Option<&PracticeKey>,
) -> Result<Restored> {
    let Some(live) = store.path().map(Path::to_path_buf) else {
        return Err(Error::invalid("restore needs a database file"));
    };
    if same_file(&live, source) {
        return Err(Error::invalid(
            "that is the practice database itself; restore from a backup file",
        ));
    }
    // SQLite's backup copies pages as they are, so both files must be keyed alike.
    match (store.key.as_ref(), source_key) {
        (None, Some(_)) => {
            return Err(Error::invalid(
                "the backup is encrypted and the practice is not: run `caseload encrypt` first, \
                 or restore it into a new --db path",
            ));
        }
        (Some(_), None) => {
            return Err(Error::invalid(
                "the practice is encrypted and the backup is not: run `caseload decrypt` first, \
                 or restore it into a new --db path",
            ));
        }
        (Some(a), Some(b)) if a != b => {
            return Err(Error::invalid(
                "the backup was encrypted with another key than the practice's (an earlier \
                 encryption); restore it into a new --db path",
            ));
        }
        _ => {}
    }
    let checked = check(source, source_key)?;
    store.checkpointer.settle();
    store.second.close();
    let live_page_size = page_size(&store.conn)?;
    if live_page_size != checked.page_size {
        return Err(Error::invalid(format!(
            "the backup's page size ({}) differs from the database's ({live_page_size}); restore it with the practice closed: move the database away and run restore again",
            checked.page_size
        )));
    }
    // A database holding nothing yet (just created to restore into) is not worth keeping.
    let holds_something: bool = store.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM clinicians) OR EXISTS (SELECT 1 FROM clients)
             OR EXISTS (SELECT 1 FROM contracts)",
        [],
        |r| r.get(0),
    )?;
    let previous = if holds_something {
        store.write(|tx| {
            tx.audit(
                "backup.restore",
                None,
                "restore begun from a checked backup; this database is copied aside first",
            )
        })?;
        let previous = aside_name(&live, "before-restore", stamp);
        copy_to_file(store.lite()?, &previous, false, store.key.as_ref())?;
        Some(previous)
    } else {
        None
    };
    let from = cipher::open_read_only(source, source_key)?;
    copy_all(&from, store.conn.lite_mut().ok_or_else(super::sqlite_only)?)?;
    drop(from);
    super::migrate::migrate(&mut store.conn, store.chain.as_ref())?;
    store.write(|tx| {
        tx.audit(
            "backup.restore",
            None,
            &format!(
                "restored from a backup (schema version {}, {} audit rows)",
                checked.schema_version, checked.audit_rows
            ),
        )
    })?;
    if let Some(chain) = store.chain_key()
        && let Some((seq, hash)) = audit::head(&store.conn)?
    {
        // The restored chain is shorter than the one the key file saw: this rollback is meant.
        keyfile::reset_head(&live, chain, seq, &hash)?;
    }
    Ok(Restored { checked, previous })
}

/// Restores a checked backup over a database file that cannot be opened (or does not exist):
/// a private copy beside it, fsynced, the damaged file and its `-wal`/`-shm` renamed aside, and
/// the copy renamed into place. Then it is opened (migrated) and the restore audited.
pub fn restore_replacing(
    live: &Path,
    source: &Path,
    stamp: &str,
    source_key: Option<&PracticeKey>,
) -> Result<Restored> {
    if same_file(live, source) {
        return Err(Error::invalid(
            "that is the practice database itself; restore from a backup file",
        ));
    }
    let checked = check(source, source_key)?;
    let from = cipher::open_read_only(source, source_key)?;
    let (temp, file) = private_temp_beside(live)?;
    drop(file);
    let staged = (|| -> Result<()> {
        let mut to = Connection::open(&temp)?;
        cipher::apply_key(&to, source_key, "the copy")?;
        copy_all(&from, &mut to)?;
        let _: String = to.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        to.close().map_err(|(_, e)| e)?;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&temp)?
            .sync_all()?;
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    let mut previous = None;
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", live.display()));
        if file.exists() {
            let aside = aside_name(&file, "damaged", stamp);
            std::fs::rename(&file, &aside)?;
            if suffix.is_empty() {
                previous = Some(aside);
            }
        }
    }
    if source_key.is_some() {
        // The restored practice opens with the backup's slots (the same key).
        let mut keys = keyfile::read(source)?
            .or(keyfile::read(live)?)
            .ok_or_else(|| keyfile::missing(source))?;
        keys.head = None;
        keyfile::write(live, &keys)?;
    }
    std::fs::rename(&temp, live)?;
    sync_dir_of(live)?;
    let mut store = Store::open_keyed(live, source_key.cloned(), &mut |_, _| {})?;
    store.write(|tx| {
        tx.audit(
            "backup.restore",
            None,
            &format!(
                "restored from a backup (schema version {}, {} audit rows) over a database that could not be opened",
                checked.schema_version, checked.audit_rows
            ),
        )
    })?;
    Ok(Restored { checked, previous })
}

#[cfg(test)]
#[path = "backup_tests.rs"]
mod tests;
