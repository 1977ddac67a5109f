//! Encryption at rest with SQLCipher: recognising an encrypted practice, keying a connection
//! (silencing SQLCipher's own log first, so a wrong key never writes to the terminal), and
//! `encrypt`/`decrypt`, which rewrite the practice into a new file with `sqlcipher_export` and
//! rename it into place. This module decides nothing about who may do it (the CLI asks
//! `domain::access`) and never holds a passphrase.
//!
//! # Crash safety of encrypt and decrypt
//!
//! The live database is first switched out of WAL (which succeeds only when no other process
//! has it open, and leaves no `-wal`/`-shm` to be replayed into the new file). The whole practice
//! is exported into a private temporary beside it; the audit row that starts (or ends) the keyed
//! segment of the chain is appended there; it is fsynced; the key file is written (encrypt) and
//! then the temporary is renamed over the database while an exclusive lock on the old one keeps
//! every other writer out. A kill at any moment leaves the old practice (with, at worst, an
//! unused key file and a temporary that the next open removes) or the new one — never neither.

use super::{Store, audit, backup, keyfile};
use crate::domain::audit_chain;
use crate::domain::keyslot::{self, PracticeKey};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::Path;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// True when the file at `path` is an encrypted practice: not a plaintext SQLite file, with a
/// key file beside it.
pub fn is_encrypted(path: &Path) -> bool {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    read == head.len() && &head != SQLITE_MAGIC && keyfile::path_for(path).is_file()
}

/// The one line for a plaintext open of an encrypted practice.
pub fn encrypted_refusal() -> Error {
    Error::Denied(
        "this practice is encrypted: name yourself with --as NAME and give your passphrase \
         (CASELOAD_PASSPHRASE or the prompt)"
            .into(),
    )
}

/// The page size of an encrypted practice. SQLCipher decrypts and authenticates page by page:
/// 16 KiB pages pay that per-page cost a quarter as often as SQLite's 4 KiB, which on the
/// panel's scans brings the encrypted load from about 1.6× to about 1.3× of plaintext
/// (`cargo bench --bench crypt`). Every keyed connection and export must use it.
pub const CIPHER_PAGE_SIZE: u32 = 16_384;

/// Silences SQLCipher's log and, for an encrypted database, hands it the raw key, before
/// anything reads the file. A key that does not open the file is refused here.
pub fn apply_key(conn: &Connection, key: Option<&PracticeKey>, shown: &str) -> Result<()> {
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let Some(key) = key else {
        return Ok(());
    };
    conn.pragma_update(None, "key", key.pragma_value())?;
    conn.pragma_update(None, "cipher_page_size", CIPHER_PAGE_SIZE)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|_| {
        Error::Database(format!(
            "the practice key does not open {shown} (its key file belongs to another database, \
             or the file is damaged)"
        ))
    })?;
    Ok(())
}

/// Opens an encrypted or plaintext database file read-only: for checking a backup, and as
/// the second reader of a practice (`store::pair`).
pub fn open_read_only(path: &Path, key: Option<&PracticeKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(
        &conn,
        key,
        &crate::domain::text::sanitize(&path.display().to_string()),
    )?;
    Ok(conn)
}

/// Where the new file is written and what goes in it.
enum Direction<'a> {
    Encrypt(&'a PracticeKey),
    Decrypt,
}

/// Turns encryption on: a fresh practice key, a key slot for every clinician with a passphrase
/// (made from their passphrase hash, see `keyslot::wrap_from_hash`), the practice rewritten
/// encrypted. Returns the store reopened on the new file with the same actor.
pub fn encrypt(store: Store, now: DateTime<Utc>) -> Result<Store> {
    let path = store
        .path()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::invalid("encrypt needs a database file"))?;
    if store.encrypted() {
        return Err(Error::invalid("the practice is already encrypted"));
    }
    let key = keyfile::fresh_key()?;
    let mut entries = Vec::new();
    let clinicians: Vec<(i64, String, Option<String>)> = store
        .conn()
        .prepare("SELECT id, name, passphrase FROM clinicians ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, phc) in clinicians {
        let Some(phc) = phc else { continue };
        let (_, nonce) = keyfile::fresh_randomness()?;
        let slot = keyslot::wrap_from_hash(&key, id, &phc, nonce)?.ok_or_else(|| {
            Error::invalid(format!(
                "{}'s passphrase was stored in an older form that cannot open a key slot; \
                 set it again with `caseload clinician passphrase`, then encrypt",
                crate::domain::text::sanitize(&name)
            ))
        })?;
        entries.push(keyfile::Entry {
            clinician_id: id,
            name,
            slot,
            throttle: Default::default(),
        });
    }
    if entries.is_empty() {
        return Err(Error::invalid(
            "the practice has no passphrases: set them first (`caseload clinician passphrase NAME`), \
             since a clinician's passphrase is what opens an encrypted practice",
        ));
    }
    let keys = keyfile::Keys {
        entries,
        head: None,
    };
    rewrite(store, &path, Direction::Encrypt(&key), now, || {
        keyfile::write(&path, &keys)
    })?;
    Store::open_keyed(&path, Some(key), &mut |_, _| {})
}

/// Turns encryption off: the practice rewritten as a plaintext file, its key slots removed,
/// and the audit chain's key disclosed in the row that ends the keyed segment.
pub fn decrypt(store: Store, now: DateTime<Utc>) -> Result<Store> {
    let path = store
        .path()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::invalid("decrypt needs a database file"))?;
    if !store.encrypted() {
        return Err(Error::invalid("the practice is not encrypted"));
    }
    rewrite(store, &path, Direction::Decrypt, now, || Ok(()))?;
    keyfile::remove(&path)?;
    Store::open_keyed(&path, None, &mut |_, _| {})
}

fn rewrite(
    mut store: Store,
    path: &Path,
    direction: Direction,
    now: DateTime<Utc>,
    before_rename: impl FnOnce() -> Result<()>,
) -> Result<()> {
    store.checkpointer.settle();
    store.second.close();
    let actor = store.actor().clone();
    let old_chain = store.chain_key().cloned();
    let conn = store.lite()?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|_| in_use())?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use());
    }
    let (temp, file) = backup::private_temp_beside(path)?;
    drop(file);
    let outcome = (|| -> Result<()> {
        let target_key = match &direction {
            Direction::Encrypt(key) => key.pragma_value(),
            Direction::Decrypt => String::new(),
        };
        let before: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        conn.execute(
            "ATTACH DATABASE ?1 AS rewritten KEY ?2",
            rusqlite::params![temp.to_string_lossy(), target_key],
        )?;
        if matches!(direction, Direction::Encrypt(_)) {
            conn.execute_batch(&format!(
                "PRAGMA rewritten.cipher_page_size = {CIPHER_PAGE_SIZE};"
            ))?;
        }
        let exported = (|| -> Result<()> {
            conn.query_row("SELECT sqlcipher_export('rewritten')", [], |_| Ok(()))?;
            let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
            let app: i64 = conn.query_row("PRAGMA main.application_id", [], |r| r.get(0))?;
            conn.execute_batch(&format!(
                "PRAGMA rewritten.user_version = {version}; PRAGMA rewritten.application_id = {app};"
            ))?;
            Ok(())
        })();
        conn.execute_batch("DETACH DATABASE rewritten")?;
        exported?;
        // The row that opens or closes the keyed segment, appended in the new file only, so a
        // crash before the rename leaves the old chain exactly as it was.
        let new = Connection::open(&temp)?;
        let new_key = match &direction {
            Direction::Encrypt(key) => Some((*key).clone()),
            Direction::Decrypt => None,
        };
        apply_key(&new, new_key.as_ref(), "the new file")?;
        let new = super::db::Connection::from(new);
        match &direction {
            Direction::Encrypt(key) => {
                let chain = key.chain_key();
                let detail = audit_chain::keyed_detail(&chain);
                audit::append(
                    &new,
                    Some(&chain),
                    &actor,
                    now,
                    audit_chain::KEYED,
                    None,
                    &detail,
                )?;
            }
            Direction::Decrypt => {
                let chain = old_chain
                    .as_ref()
                    .ok_or_else(|| Error::invalid("the practice is not encrypted"))?;
                let detail = audit_chain::unkeyed_detail(chain);
                audit::append(
                    &new,
                    Some(chain),
                    &actor,
                    now,
                    audit_chain::UNKEYED,
                    None,
                    &detail,
                )?;
            }
        }
        let check: String = new.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(Error::Database(format!(
                "the rewritten practice failed its check ({check}); nothing was changed"
            )));
        }
        if let Some(new) = new.into_lite() {
            new.close().map_err(|(_, e)| e)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .open(&temp)?
            .sync_all()?;
        // Keep every other writer out from here to the rename, and make sure none wrote since
        // the export began (their change would be missing from the new file).
        conn.execute_batch("BEGIN EXCLUSIVE")?;
        let after: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let moved = (|| -> Result<()> {
            if after != before {
                return Err(in_use());
            }
            before_rename()?;
            std::fs::rename(&temp, path)?;
            backup::sync_dir_of(path)
        })();
        let _ = conn.execute_batch("ROLLBACK");
        moved
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temp);
        let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    }
    drop(store);
    outcome
}

fn in_use() -> Error {
    Error::invalid(
        "another caseload window or command has the practice open; close it and run this again",
    )
}
