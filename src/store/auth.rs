//! Passphrases and logins against the database: the Argon2id hash on the clinician's row, the
//! failed-login throttle (persisted, so it survives a restart and holds across processes), and
//! the audit rows for login, failed login, lock and unlock. The rules are in
//! `domain::auth`; this file keeps state and reads the random source, never the clock.

use super::{Actor, Store, Tx};
use crate::domain::auth::{self as rules, Throttle};
use crate::domain::{Clinician, ClinicianId};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

/// An authenticated clinician: what the CLI acts as and the TUI unlocks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub clinician: Clinician,
    pub started: DateTime<Utc>,
}

impl Session {
    pub fn actor(&self) -> Actor {
        actor_of(&self.clinician)
    }
}

fn actor_of(c: &Clinician) -> Actor {
    Actor {
        clinician_id: Some(c.id),
        name: c.name.clone(),
    }
}

/// Why a login attempt starts: audited as `login` or `unlock` on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A fresh session (the CLI, or a different clinician at the lock screen).
    Login,
    /// The same clinician coming back to a locked screen.
    Unlock,
}

impl Purpose {
    fn action(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Unlock => "unlock",
        }
    }
}

/// Why an attempt was refused. The messages name no client and never hint at the passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The clinician has no passphrase yet; an admin must set one.
    NoPassphrase,
    /// Wrong passphrase; `failures` in a row now, and the wait before the next attempt.
    Wrong {
        failures: u32,
        retry_after: Duration,
    },
    /// Too many failures: the attempt was not even checked.
    Throttled { retry_after: Duration },
}

impl Denial {
    /// The wait before another attempt can succeed (zero when none).
    pub fn retry_after(&self) -> Duration {
        match self {
            Denial::NoPassphrase => Duration::ZERO,
            Denial::Wrong { retry_after, .. } | Denial::Throttled { retry_after } => *retry_after,
        }
    }
}

fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::NoPassphrase => write!(
                f,
                "this clinician has no passphrase yet; an admin can set one with `caseload clinician passphrase NAME`"
            ),
            Denial::Wrong { retry_after, .. } if retry_after.is_zero() => {
                write!(f, "wrong passphrase")
            }
            Denial::Wrong { retry_after, .. } => write!(
                f,
                "wrong passphrase; the next attempt is possible in {} s",
                seconds(*retry_after)
            ),
            Denial::Throttled { retry_after } => write!(
                f,
                "too many wrong passphrases; try again in {} s",
                seconds(*retry_after)
            ),
        }
    }
}

/// True once any clinician has a passphrase: the practice then locks its screens and the CLI
/// asks who is acting.
pub fn practice_uses_passphrases(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM clinicians WHERE passphrase IS NOT NULL)")?
        .query_row([], |r| r.get(0))?)
}

/// The clinicians who have a passphrase.
pub fn with_passphrase(conn: &Connection) -> Result<Vec<ClinicianId>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM clinicians WHERE passphrase IS NOT NULL ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The stored PHC string, if the clinician has a passphrase.
pub fn stored_hash(conn: &Connection, clinician: ClinicianId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT passphrase FROM clinicians WHERE id = ?1")?
        .query_row([clinician.0], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// The clinician's run of failed logins.
pub fn throttle(conn: &Connection, clinician: ClinicianId) -> Result<Throttle> {
    let row: Option<(i64, Option<String>)> = conn
        .prepare_cached(
            "SELECT failures, last_failure_at FROM login_throttle WHERE clinician_id = ?1",
        )?
        .query_row([clinician.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((failures, last)) = row else {
        return Ok(Throttle::default());
    };
    let last_failure = last
        .map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| Error::Database("login_throttle holds a bad time".into()))
        })
        .transpose()?;
    Ok(Throttle {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_failure,
    })
}

fn store_throttle(tx: &Tx, clinician: ClinicianId, t: &Throttle) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO login_throttle (clinician_id, failures, last_failure_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (clinician_id) DO UPDATE
           SET failures = excluded.failures, last_failure_at = excluded.last_failure_at",
    )?
    .execute(params![
        clinician,
        i64::from(t.failures),
        t.last_failure.map(super::audit::timestamp)
    ])?;
    Ok(())
}

/// Checks the passphrase policy and hashes a new passphrase with a fresh random salt. Slow on
/// purpose (Argon2id): call it before opening the write transaction.
pub fn hash_new_passphrase(passphrase: &str, own_name: &str) -> Result<String> {
    rules::check_new_passphrase(passphrase, own_name)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::Database(format!("no random source for the salt: {e}")))?;
    rules::hash_passphrase(passphrase, &salt)
}

/// Stores a passphrase hash (from [`hash_new_passphrase`]) and clears the clinician's failed
/// logins; audited as `clinician.passphrase` by the acting clinician.
pub fn set_passphrase(tx: &Tx, clinician: ClinicianId, phc: &str, at: DateTime<Utc>) -> Result<()> {
    let had = stored_hash(tx, clinician)?.is_some();
    let changed = tx
        .prepare_cached(
            "UPDATE clinicians SET passphrase = ?1, passphrase_set_at = ?2 WHERE id = ?3",
        )?
        .execute(params![phc, super::audit::timestamp(at), clinician])?;
    if changed == 0 {
        return Err(Error::no_id("clinician", clinician));
    }
    store_throttle(tx, clinician, &Throttle::default())?;
    let what = if had { "changed" } else { "set" };
    let tag = super::clinician_audit::tag(tx, clinician.0)?;
    tx.audit_as(
        tx.actor(),
        at,
        "clinician.passphrase",
        None,
        &format!("clinician {clinician}: passphrase {what}{tag}"),
    )
}

/// Removes a clinician's passphrase (they can no longer log in until one is set again);
/// audited as `clinician.passphrase` by the acting clinician.
pub fn remove_passphrase(tx: &Tx, clinician: ClinicianId, at: DateTime<Utc>) -> Result<()> {
    let changed = tx
        .prepare_cached(
            "UPDATE clinicians SET passphrase = NULL, passphrase_set_at = ?1 WHERE id = ?2",
        )?
        .execute(params![super::audit::timestamp(at), clinician])?;
    if changed == 0 {
        return Err(Error::no_id("clinician", clinician));
    }
    let tag = super::clinician_audit::tag(tx, clinician.0)?;
    tx.audit_as(
        tx.actor(),
        at,
        "clinician.passphrase",
        None,
        &format!("clinician {clinician}: passphrase removed{tag}"),
    )
}

/// Starts a session for a clinician whose passphrase already opened the practice's key slot
/// (an encrypted practice: the slot's authenticated encryption proved the passphrase, so it is
/// not hashed a second time). Audits `login` (or `unlock`), and first the wrong passphrases
/// the key file counted while the database could not be written.
pub fn login_by_key_slot(
    store: &mut Store,
    clinician: &Clinician,
    failures_before: u32,
    now: DateTime<Utc>,
    purpose: Purpose,
) -> Result<Session> {
    let actor = actor_of(clinician);
    store.write(|tx| {
        if failures_before > 0 {
            tx.audit_as(
                &actor,
                now,
                "login.failed",
                None,
                &format!(
                    "{failures_before} wrong passphrase(s) before this login, counted in the key file"
                ),
            )?;
        }
        if throttle(tx, clinician.id)? != Throttle::default() {
            store_throttle(tx, clinician.id, &Throttle::default())?;
        }
        tx.audit_as(&actor, now, purpose.action(), None, "")
    })?;
    store.set_actor(actor);
    Ok(Session {
        clinician: clinician.clone(),
        started: now,
    })
}

/// Audits a refused unlock of an encrypted practice's screen (the database is open; only the
/// key slot could check the passphrase).
pub fn audit_failed_unlock(
    store: &mut Store,
    clinician: &Clinician,
    now: DateTime<Utc>,
    denial: &Denial,
) -> Result<()> {
    let actor = actor_of(clinician);
    let detail = match denial {
        Denial::Wrong { failures, .. } => format!("wrong passphrase ({failures} in a row)"),
        Denial::Throttled { .. } => "throttled; not checked".into(),
        Denial::NoPassphrase => "no passphrase set".into(),
    };
    store.write(|tx| tx.audit_as(&actor, now, "login.failed", None, &detail))
}

/// Checks a passphrase for `clinician` at `now`. On success the failed-login run is cleared,
/// `login` (or `unlock`) is audited and the store acts as the clinician from then on. On
/// failure the run grows (wrong passphrase) and `login.failed` is audited; while throttled the
/// passphrase is not even checked. The Argon2 work happens outside the write transaction, so
/// other processes are not held up by it.
pub fn authenticate(
    store: &mut Store,
    clinician: &Clinician,
    passphrase: &str,
    now: DateTime<Utc>,
    purpose: Purpose,
) -> Result<std::result::Result<Session, Denial>> {
    let actor = actor_of(clinician);
    let id = clinician.id;
    let Some(stored) = stored_hash(store.conn(), id)? else {
        store.write(|tx| tx.audit_as(&actor, now, "login.failed", None, "no passphrase set"))?;
        return Ok(Err(Denial::NoPassphrase));
    };
    if let Some(retry_after) = throttle(store.conn(), id)?.retry_after(now) {
        store
            .write(|tx| tx.audit_as(&actor, now, "login.failed", None, "throttled; not checked"))?;
        return Ok(Err(Denial::Throttled { retry_after }));
    }
    let matches = rules::passphrase_matches(&stored, passphrase);
    let outcome = store.write(|tx| {
        // Another process may have failed meanwhile, or changed the passphrase.
        let current = throttle(tx, id)?;
        if let Some(retry_after) = current.retry_after(now) {
            tx.audit_as(&actor, now, "login.failed", None, "throttled; not checked")?;
            return Ok(Err(Denial::Throttled { retry_after }));
        }
        if matches && stored_hash(tx, id)?.as_deref() == Some(stored.as_str()) {
            if current != Throttle::default() {
                store_throttle(tx, id, &Throttle::default())?;
            }
            tx.audit_as(&actor, now, purpose.action(), None, "")?;
            return Ok(Ok(()));
        }
        let next = current.failed(now);
        store_throttle(tx, id, &next)?;
        tx.audit_as(
            &actor,
            now,
            "login.failed",
            None,
            &format!("wrong passphrase ({} in a row)", next.failures),
        )?;
        Ok(Err(Denial::Wrong {
            failures: next.failures,
            retry_after: rules::delay_after(next.failures),
        }))
    })?;
    Ok(outcome.map(|()| {
        store.set_actor(actor);
        Session {
            clinician: clinician.clone(),
            started: now,
        }
    }))
}

/// Why a screen locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    /// The idle time passed (the `lock-minutes` setting).
    Idle,
    /// The clinician asked (Ctrl-L).
    Manual,
}

/// Audits that `session`'s screen locked at `now`.
pub fn lock(
    store: &mut Store,
    session: &Session,
    now: DateTime<Utc>,
    reason: LockReason,
) -> Result<()> {
    let detail = match reason {
        LockReason::Idle => "idle",
        LockReason::Manual => "on demand",
    };
    let actor = session.actor();
    store.write(|tx| tx.audit_as(&actor, now, "lock", None, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, Role};
    use crate::store::{audit, clinicians};
    use argon2::password_hash::PasswordHash;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn practice(path: &std::path::Path) -> (Store, Clinician) {
        let mut store = Store::open(path).unwrap();
        let id = store
            .write(|tx| clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(0)))
            .unwrap();
        let phc = hash_new_passphrase("river stone lamp", "Ann").unwrap();
        store
            .write(|tx| set_passphrase(tx, id, &phc, t("2026-03-01T09:00:00Z")))
            .unwrap();
        let dana = clinicians::get(store.conn(), id).unwrap();
        (store, dana)
    }

    fn actions(store: &Store) -> Vec<String> {
        audit::recent(store.conn(), 100)
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.action, r.detail))
            .collect()
    }

    #[test]
    fn the_stored_hash_is_argon2id_with_owasp_parameters_and_a_random_salt() {
        let dir = tempfile::tempdir().unwrap();
        let (store, dana) = practice(&dir.path().join("a.db"));
        let phc = stored_hash(store.conn(), dana.id).unwrap().unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = argon2::Params::try_from(&parsed).unwrap();
        assert!(params.m_cost() >= 19_456, "{}", params.m_cost());
        assert!(params.t_cost() >= 2);
        assert_eq!(params.p_cost(), 1);
        assert!(!phc.contains("river"));
        let again = hash_new_passphrase("river stone lamp", "Ann").unwrap();
        assert_ne!(again, phc, "each hash gets its own salt");
        assert!(practice_uses_passphrases(store.conn()).unwrap());
        assert!(hash_new_passphrase("short", "Ann").is_err());
    }

    #[test]
    fn right_passphrase_logs_in_wrong_one_is_refused_and_both_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, dana) = practice(&dir.path().join("a.db"));
        let now = t("2026-03-01T10:00:00Z");
        let denied = authenticate(&mut store, &dana, "river stone lam", now, Purpose::Login)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            denied,
            Denial::Wrong {
                failures: 1,
                retry_after: Duration::ZERO
            }
        );
        assert_eq!(store.actor(), &Actor::unnamed());
        let session = authenticate(&mut store, &dana, "river stone lamp", now, Purpose::Login)
            .unwrap()
            .unwrap();
        assert_eq!(session.clinician.id, dana.id);
        assert_eq!(store.actor().clinician_id, Some(dana.id));
        lock(&mut store, &session, now, LockReason::Idle).unwrap();
        authenticate(&mut store, &dana, "river stone lamp", now, Purpose::Unlock)
            .unwrap()
            .unwrap();
        let log = actions(&store);
        assert_eq!(
            log[log.len() - 4..],
            [
                "login.failed wrong passphrase (1 in a row)",
                "login ",
                "lock idle",
                "unlock "
            ]
        );
        assert_eq!(
            throttle(store.conn(), dana.id).unwrap(),
            Throttle::default()
        );
        assert!(audit::verify(store.conn()).unwrap().is_ok());
    }

    #[test]
    fn throttling_grows_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let (mut store, dana) = practice(&path);
        let start = t("2026-03-01T10:00:00Z");
        let at = |s: i64| start + chrono::Duration::seconds(s);
        for _ in 0..3 {
            authenticate(&mut store, &dana, "nope nope", start, Purpose::Login)
                .unwrap()
                .unwrap_err();
        }
        drop(store);
        // A new process: the wait is still there, and even the right passphrase is refused.
        let mut store = Store::open(&path).unwrap();
        let denied = authenticate(&mut store, &dana, "river stone lamp", start, Purpose::Login)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            denied,
            Denial::Throttled {
                retry_after: Duration::from_secs(1)
            }
        );
        // After the wait, another failure doubles it, and so on.
        let denied = authenticate(&mut store, &dana, "nope nope", at(1), Purpose::Login)
            .unwrap()
            .unwrap_err();
        assert_eq!(denied.retry_after(), Duration::from_secs(2));
        let denied = authenticate(&mut store, &dana, "nope nope", at(3), Purpose::Login)
            .unwrap()
            .unwrap_err();
        assert_eq!(denied.retry_after(), Duration::from_secs(4));
        assert_eq!(throttle(store.conn(), dana.id).unwrap().failures, 5);
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert!(
            authenticate(&mut store, &dana, "river stone lamp", at(6), Purpose::Login)
                .unwrap()
                .is_err()
        );
        let ok =
            authenticate(&mut store, &dana, "river stone lamp", at(7), Purpose::Login).unwrap();
        assert!(ok.is_ok());
        assert_eq!(throttle(store.conn(), dana.id).unwrap().failures, 0);
        let failed = actions(&store)
            .iter()
            .filter(|a| a.starts_with("login.failed"))
            .count();
        assert_eq!(failed, 7, "every failed or throttled attempt is audited");
    }

    #[test]
    fn a_clinician_without_a_passphrase_cannot_log_in() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .write(|tx| clinicians::insert(tx, "Sam", Role::Clinician, Money(0)))
            .unwrap();
        let sam = clinicians::get(store.conn(), id).unwrap();
        let denied = authenticate(
            &mut store,
            &sam,
            "",
            t("2026-03-01T10:00:00Z"),
            Purpose::Login,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(denied, Denial::NoPassphrase);
        assert!(!practice_uses_passphrases(store.conn()).unwrap());
    }
}
