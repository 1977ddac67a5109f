//! Locking and unlocking the screen: the lock screen's keys, Ctrl-L, and the idle timer. The
//! passphrase check, throttle and audit rows are the store's (`store::auth`); this decides
//! what the screen does with the answer.

use super::action::Action;
use super::app::{App, LockScreen, Viewer};
use super::update;
use crate::domain::ClinicianId;
use crate::domain::auth::should_lock;
use crate::error::Result;
use crate::store::auth::{self, LockReason, Purpose};
use crate::store::auth::{Denial, Session};
use crate::store::{Store, clinicians, keyfile, settings};
use chrono::{DateTime, Utc};
use std::path::Path;

/// Puts up the lock screen (at start, or when the screen locks).
pub fn show(
    app: &mut App,
    store: &mut Store,
    previous: Option<crate::domain::ClinicianId>,
) -> Result<()> {
    let names: Vec<_> = match &app.encrypted {
        // Nothing of the database is readable yet: the names come from the key slots.
        Some(path) => {
            let mut names: Vec<_> = keyfile::read(path)?
                .unwrap_or_default()
                .entries
                .into_iter()
                .map(|e| (ClinicianId(e.clinician_id), e.name))
                .collect();
            names.sort_by(|a, b| a.1.cmp(&b.1));
            names
        }
        None => {
            // Who has a passphrase and their names, from one snapshot.
            store.read(|c| {
                let with = auth::with_passphrase(c)?;
                Ok(clinicians::list(c)?
                    .into_iter()
                    .filter(|k| with.contains(&k.id))
                    .map(|k| (k.id, k.name))
                    .collect())
            })?
        }
    };
    let selected = previous
        .and_then(|p| names.iter().position(|(id, _)| *id == p))
        .unwrap_or(0);
    // Figures still being computed for the screen now locked are dropped when they arrive.
    super::loader::forget(app);
    app.lock = Some(LockScreen {
        names,
        selected,
        passphrase: Default::default(),
        message: None,
        previous,
    });
    app.idle_minutes = store.read(|c| settings::lock_minutes(c))?;
    Ok(())
}

/// Locks now (Ctrl-L or idle), auditing it.
pub fn lock_now(app: &mut App, store: &mut Store, reason: LockReason) -> Result<()> {
    if !app.guarded {
        app.info("No passphrases are set, so there is nothing to lock with; an admin can set one with `caseload clinician passphrase NAME`");
        return Ok(());
    }
    let previous = app.session.as_ref().map(|s| s.clinician.id);
    if let Some(session) = &app.session {
        auth::lock(store, session, app.clock.utc, reason)?;
    }
    show(app, store, previous)
}

/// On every tick: lock when the idle time has passed.
pub fn check_idle(app: &mut App, store: &mut Store) -> Result<()> {
    if app.guarded
        && app.lock.is_none()
        && should_lock(app.last_activity, app.clock.instant, app.idle_minutes)
    {
        lock_now(app, store, LockReason::Idle)?;
    }
    Ok(())
}

/// Keys on the lock screen.
pub fn on_key(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let Some(lock) = &mut app.lock else {
        return Ok(());
    };
    match action {
        Action::Quit => app.quit = true,
        Action::Up => {
            lock.selected = lock.selected.saturating_sub(1);
            lock.passphrase.clear();
        }
        Action::Down => {
            lock.selected = (lock.selected + 1).min(lock.names.len().saturating_sub(1));
            lock.passphrase.clear();
        }
        Action::Type(c) => {
            if lock.passphrase.len() < 256 {
                lock.passphrase.insert(c);
            }
            lock.message = None;
        }
        Action::Edit(edit) => {
            lock.passphrase.edit(edit);
        }
        Action::Submit => return unlock(app, store),
        _ => {}
    }
    Ok(())
}

fn unlock(app: &mut App, store: &mut Store) -> Result<()> {
    let Some(lock) = &mut app.lock else {
        return Ok(());
    };
    let Some((id, _)) = lock.names.get(lock.selected).cloned() else {
        lock.message = Some("No clinician has a passphrase.".into());
        return Ok(());
    };
    let passphrase = lock.passphrase.take();
    let same = lock.previous == Some(id);
    let purpose = if same {
        Purpose::Unlock
    } else {
        Purpose::Login
    };
    let outcome = match app.encrypted.clone() {
        Some(path) => unlock_slot(store, &path, id, &passphrase, app.clock.utc, purpose)?,
        None => {
            let clinician = store.read(|c| clinicians::get(c, id))?;
            auth::authenticate(store, &clinician, &passphrase, app.clock.utc, purpose)?
        }
    };
    match outcome {
        Err(denial) => {
            if let Some(lock) = &mut app.lock {
                lock.message = Some(denial.to_string());
            }
        }
        Ok(session) => {
            app.lock = None;
            app.viewer = Viewer {
                clinician_id: Some(session.clinician.id),
                name: session.clinician.name.clone(),
                role: session.clinician.role,
            };
            app.session = Some(session);
            app.last_activity = app.clock.instant;
            if !same {
                app.reset_for_new_user();
            }
            update::reload(app, store)?;
        }
    }
    Ok(())
}

/// An encrypted practice: the passphrase opens the clinician's key slot (with the key file's
/// throttle); the first success opens the database itself with the key, replacing the
/// placeholder store. A refusal once the database is open is audited there too.
fn unlock_slot(
    store: &mut Store,
    path: &Path,
    id: ClinicianId,
    passphrase: &str,
    now: DateTime<Utc>,
    purpose: Purpose,
) -> Result<std::result::Result<Session, Denial>> {
    match keyfile::unlock(path, id.0, passphrase, now)? {
        Err(denial) => {
            if store.encrypted() {
                let clinician = store.read(|c| clinicians::get(c, id))?;
                auth::audit_failed_unlock(store, &clinician, now, &denial)?;
            }
            Ok(Err(denial))
        }
        Ok(unlocked) => {
            if !store.encrypted() {
                *store = Store::open_keyed(path, Some(unlocked.key), &mut |_, _| {})?;
            }
            let clinician = store.read(|c| clinicians::get(c, id))?;
            auth::login_by_key_slot(store, &clinician, unlocked.failures_before, now, purpose)
                .map(Ok)
        }
    }
}
