//! The key file beside an encrypted practice (`<db>.keys`, JSON, 0600): one key slot per
//! clinician with a passphrase (id, name, salt, nonce, wrapped practice key), the failed-login
//! throttle of each slot (the database cannot be read to keep it there before the key is
//! known), and the last audit head seen, authenticated with the chain key. It holds clinician
//! names and nothing else of the practice: never a client's data, never a key in the clear.
//!
//! Every change is a read-modify-write under an exclusive lock on `<db>.keys.lock`, written
//! through `outfile::write` (a private temporary, fsynced, renamed into place), so two processes
//! never lose each other's slot and a crash leaves the old file or the new one.

use super::auth::Denial;
use crate::domain::auth::{Throttle, delay_after};
use crate::domain::keyslot::{self, ChainKey, PracticeKey, Slot, hex, unhex};
use crate::domain::text::sanitize;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const FORMAT: &str = "caseload-keys-1";

/// Where the key file of the database at `db` lives.
pub fn path_for(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.keys", db.display()))
}

fn lock_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.keys.lock", db.display()))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFileRaw {
    format: String,
    kdf: String,
    slots: Vec<SlotRaw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    head: Option<HeadRaw>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SlotRaw {
    clinician_id: i64,
    name: String,
    salt: String,
    nonce: String,
    wrapped: String,
    #[serde(default)]
    failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_failure_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HeadRaw {
    seq: i64,
    hash: String,
    mac: String,
}

/// One clinician's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub clinician_id: i64,
    pub name: String,
    pub slot: Slot,
    pub throttle: Throttle,
}

/// The whole key file, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    pub entries: Vec<Entry>,
    /// The highest audit head seen (seq, hash, MAC under the chain key).
    pub head: Option<(i64, String, String)>,
}

fn bad(path: &Path, why: &str) -> Error {
    Error::Database(format!(
        "the key file {} is damaged ({why}); restore it from the backup's .keys file",
        sanitize(&path.display().to_string())
    ))
}

fn parse(path: &Path, text: &str) -> Result<Keys> {
    let raw: KeyFileRaw = serde_json::from_str(text).map_err(|_| bad(path, "not JSON"))?;
    if raw.format != FORMAT {
        return Err(bad(path, "unknown format"));
    }
    let mut entries = Vec::new();
    for s in raw.slots {
        let nonce: [u8; 24] = unhex(&s.nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| bad(path, "a slot's nonce"))?;
        let last_failure = s
            .last_failure_at
            .map(|t| t.parse::<DateTime<Utc>>())
            .transpose()
            .map_err(|_| bad(path, "a slot's time"))?;
        entries.push(Entry {
            clinician_id: s.clinician_id,
            name: s.name,
            slot: Slot {
                salt: unhex(&s.salt).ok_or_else(|| bad(path, "a slot's salt"))?,
                nonce,
                wrapped: unhex(&s.wrapped).ok_or_else(|| bad(path, "a slot's key"))?,
            },
            throttle: Throttle {
                failures: s.failures,
                last_failure,
            },
        });
    }
    Ok(Keys {
        entries,
        head: raw.head.map(|h| (h.seq, h.hash, h.mac)),
    })
}

fn render(keys: &Keys) -> Result<String> {
    let raw = KeyFileRaw {
        format: FORMAT.into(),
        kdf: "argon2id m=19456 t=2 p=1 / xchacha20poly1305".into(),
        slots: keys
            .entries
            .iter()
            .map(|e| SlotRaw {
                clinician_id: e.clinician_id,
                name: e.name.clone(),
                salt: hex(&e.slot.salt),
                nonce: hex(&e.slot.nonce),
                wrapped: hex(&e.slot.wrapped),
                failures: e.throttle.failures,
                last_failure_at: e.throttle.last_failure.map(super::audit::timestamp),
            })
            .collect(),
        head: keys
            .head
            .clone()
            .map(|(seq, hash, mac)| HeadRaw { seq, hash, mac }),
    };
    serde_json::to_string_pretty(&raw)
        .map_err(|e| Error::Database(format!("could not write the key file: {e}")))
}

/// The key file of `db`, if there is one.
pub fn read(db: &Path) -> Result<Option<Keys>> {
    let path = path_for(db);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Database(format!(
            "cannot read the key file {}: {e}",
            sanitize(&path.display().to_string())
        ))),
    }
}

/// Writes the key file of `db` whole (a private temporary, fsynced, renamed into place).
pub fn write(db: &Path, keys: &Keys) -> Result<()> {
    let text = render(keys)?;
    super::outfile::write(&path_for(db), true, |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })
}

/// Removes the key file (after `decrypt`); best effort for the lock file.
pub fn remove(db: &Path) -> Result<()> {
    match std::fs::remove_file(path_for(db)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let _ = std::fs::remove_file(lock_path(db));
    super::backup::sync_dir_of(db)
}

/// Runs `f` on the current key file under the exclusive lock and writes the result back.
pub fn update<T>(db: &Path, f: impl FnOnce(&mut Keys) -> Result<T>) -> Result<T> {
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path(db));
    #[cfg(unix)]
    if let Ok(file) = &lock {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    let lock = lock?;
    lock.lock()?;
    let mut keys = read(db)?.unwrap_or_default();
    let value = f(&mut keys)?;
    write(db, &keys)?;
    drop(lock);
    Ok(value)
}

/// The entry `name` refers to: exact (any case), else the one whose name contains it.
pub fn find<'a>(keys: &'a Keys, name: &str) -> Result<&'a Entry> {
    let needle = name.trim().to_lowercase();
    if let Some(e) = keys
        .entries
        .iter()
        .find(|e| e.name.to_lowercase() == needle)
    {
        return Ok(e);
    }
    let matching: Vec<&Entry> = keys
        .entries
        .iter()
        .filter(|e| !needle.is_empty() && e.name.to_lowercase().contains(&needle))
        .collect();
    if let [only] = matching.as_slice() {
        return Ok(only);
    }
    let known: Vec<String> = keys.entries.iter().map(|e| sanitize(&e.name)).collect();
    Err(Error::NotFound {
        what: "clinician",
        reference: format!("named '{}'", sanitize(name)),
        hint: format!(
            " can open this encrypted practice (known: {})",
            known.join(", ")
        ),
    })
}

/// A successful unlock: the practice key, and how many wrong passphrases were tried on this
/// slot since its last success (to be audited once the database can be written).
#[derive(Debug)]
pub struct Unlocked {
    pub key: PracticeKey,
    pub failures_before: u32,
}

/// Tries `passphrase` on `clinician_id`'s slot at `now`, with the same growing wait as a
/// login: while throttled it is not even checked; a wrong one lengthens the wait.
pub fn unlock(
    db: &Path,
    clinician_id: i64,
    passphrase: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Unlocked, Denial>> {
    let keys = read(db)?.ok_or_else(|| missing(db))?;
    let entry = keys
        .entries
        .iter()
        .find(|e| e.clinician_id == clinician_id)
        .ok_or(Error::Denied("this clinician has no key slot".into()))?;
    if let Some(retry_after) = entry.throttle.retry_after(now) {
        return Ok(Err(Denial::Throttled { retry_after }));
    }
    if let Some(key) = keyslot::unwrap(&entry.slot, clinician_id, passphrase)? {
        let failures_before = entry.throttle.failures;
        if entry.throttle != Throttle::default() {
            set_throttle(db, clinician_id, Throttle::default())?;
        }
        return Ok(Ok(Unlocked {
            key,
            failures_before,
        }));
    }
    let next = update(db, |keys| {
        let Some(e) = keys
            .entries
            .iter_mut()
            .find(|e| e.clinician_id == clinician_id)
        else {
            return Ok(Throttle::default().failed(now));
        };
        e.throttle = e.throttle.failed(now);
        Ok(e.throttle)
    })?;
    Ok(Err(Denial::Wrong {
        failures: next.failures,
        retry_after: delay_after(next.failures),
    }))
}

fn set_throttle(db: &Path, clinician_id: i64, throttle: Throttle) -> Result<()> {
    update(db, |keys| {
        for e in keys.entries.iter_mut() {
            if e.clinician_id == clinician_id {
                e.throttle = throttle;
            }
        }
        Ok(())
    })
}

/// The refusal when the database is encrypted and its key file is gone.
pub fn missing(db: &Path) -> Error {
    Error::Database(format!(
        "the key file {} of this encrypted practice is missing; restore it from a backup's .keys file",
        sanitize(&path_for(db).display().to_string())
    ))
}

/// Puts (or replaces) `clinician_id`'s slot, made by the caller (slow: Argon2id).
pub fn put_slot(db: &Path, clinician_id: i64, name: &str, slot: Slot) -> Result<()> {
    update(db, |keys| {
        keys.entries.retain(|e| e.clinician_id != clinician_id);
        keys.entries.push(Entry {
            clinician_id,
            name: name.to_string(),
            slot,
            throttle: Throttle::default(),
        });
        keys.entries.sort_by_key(|e| e.clinician_id);
        Ok(())
    })
}

/// Removes `clinician_id`'s slot.
pub fn remove_slot(db: &Path, clinician_id: i64) -> Result<()> {
    update(db, |keys| {
        keys.entries.retain(|e| e.clinician_id != clinician_id);
        Ok(())
    })
}

/// Records the audit head (seq, hash) as seen, if it is further on than the one recorded. Only
/// ever moves forward, so processes racing each other or a crash leave it at most behind.
pub fn advance_head(db: &Path, key: &ChainKey, seq: i64, hash: &str) -> Result<()> {
    if read(db)?
        .and_then(|k| k.head)
        .is_some_and(|(s, _, _)| s >= seq)
    {
        return Ok(());
    }
    update(db, |keys| {
        if keys.head.as_ref().is_none_or(|(s, _, _)| *s < seq) {
            let mac = crate::domain::audit_chain::head_mac(key, seq, hash);
            keys.head = Some((seq, hash.to_string(), mac));
        }
        Ok(())
    })
}

/// Records (seq, hash) as the audit head seen, even behind the recorded one: after a restore,
/// the one rollback that is meant (and audited).
pub fn reset_head(db: &Path, key: &ChainKey, seq: i64, hash: &str) -> Result<()> {
    update(db, |keys| {
        let mac = crate::domain::audit_chain::head_mac(key, seq, hash);
        keys.head = Some((seq, hash.to_string(), mac));
        Ok(())
    })
}

/// A fresh random salt and nonce for a slot.
pub fn fresh_randomness() -> Result<([u8; 16], [u8; 24])> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt)
        .and_then(|()| getrandom::fill(&mut nonce))
        .map_err(|e| Error::Database(format!("no random source: {e}")))?;
    Ok((salt, nonce))
}

/// A new random practice key.
pub fn fresh_key() -> Result<PracticeKey> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::Database(format!("no random source: {e}")))?;
    Ok(PracticeKey(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn slots_round_trip_unlock_and_throttle_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let key = PracticeKey([5; 32]);
        let slot = keyslot::wrap(&key, 1, "river stone lamp", [1; 16], [2; 24]).unwrap();
        put_slot(&db, 1, "Dana Reyes", slot).unwrap();
        let text = std::fs::read_to_string(path_for(&db)).unwrap();
        assert!(text.contains("Dana Reyes") && !text.contains(&hex(&key.0)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_for(&db))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0);
        }
        let now = t("2026-03-01T10:00:00Z");
        let ok = unlock(&db, 1, "river stone lamp", now).unwrap().unwrap();
        assert_eq!(ok.key, key);
        for n in 1..=3 {
            let denied = unlock(&db, 1, "nope nope", now).unwrap().unwrap_err();
            assert_eq!(denied.retry_after(), delay_after(n), "{n}");
        }
        // Throttled now: even the right passphrase waits.
        let denied = unlock(&db, 1, "river stone lamp", now)
            .unwrap()
            .unwrap_err();
        assert!(matches!(denied, Denial::Throttled { .. }));
        let later = t("2026-03-01T10:00:02Z");
        let ok = unlock(&db, 1, "river stone lamp", later).unwrap().unwrap();
        assert_eq!(ok.failures_before, 3);
        assert_eq!(
            read(&db).unwrap().unwrap().entries[0].throttle,
            Throttle::default()
        );
        assert_eq!(
            find(&read(&db).unwrap().unwrap(), "dana")
                .unwrap()
                .clinician_id,
            1
        );
        remove_slot(&db, 1).unwrap();
        assert!(read(&db).unwrap().unwrap().entries.is_empty());
    }

    #[test]
    fn the_head_only_moves_forward() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let key = PracticeKey([5; 32]).chain_key();
        advance_head(&db, &key, 5, "aa").unwrap();
        advance_head(&db, &key, 3, "bb").unwrap();
        let head = read(&db).unwrap().unwrap().head.unwrap();
        assert_eq!((head.0, head.1.as_str()), (5, "aa"));
    }
}
