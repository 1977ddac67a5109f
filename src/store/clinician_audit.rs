//! Clinicians' rows explained by the audit trail: every audit row that changes a clinician ends
//! with a fingerprint of their name, role and passphrase hash as the change left them, and
//! [`unexplained`] lists the clinicians whose row no longer matches the latest such row (a role
//! or passphrase edited outside caseload). This module writes no clinician; the writers call
//! [`tag`] for the detail of their audit row.

use super::Actor;
use crate::domain::keyslot::{ChainKey, hex};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension};
use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};

/// The schema version from which clinicians' audit rows carry the fingerprint.
pub const SINCE_SCHEMA: i64 = 9;

/// The fingerprint of a clinician's row, or `None` when there is no such clinician.
fn state(conn: &Connection, id: i64) -> Result<Option<String>> {
    let row: Option<(String, String, Option<String>)> = conn
        .prepare_cached("SELECT name, role, passphrase FROM clinicians WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.map(|(name, role, passphrase)| {
        let mut h = Blake2b::<U16>::new();
        for part in [
            "caseload-clinician-v1",
            &id.to_string(),
            &name,
            &role,
            passphrase.as_deref().unwrap_or("(none)"),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex(&h.finalize())
    }))
}

/// The end of an audit row's detail that records clinician `id` as their row is now. Call it
/// after the change, inside the same transaction.
pub fn tag(conn: &Connection, id: i64) -> Result<String> {
    let state = state(conn, id)?.unwrap_or_else(|| "gone".into());
    Ok(format!(" [clinician {id} state {state}]"))
}

/// The fingerprint the latest audit row about clinician `id` recorded.
fn recorded(conn: &Connection, id: i64) -> Result<Option<String>> {
    let marker = format!("[clinician {id} state ");
    let detail: Option<String> = conn
        .prepare_cached(
            "SELECT detail FROM audit WHERE action LIKE 'clinician.%' AND instr(detail, ?1) > 0
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([&marker], |r| r.get(0))
        .optional()?;
    Ok(detail.and_then(|d| {
        let rest = &d[d.rfind(&marker)? + marker.len()..];
        rest.strip_suffix(']').map(str::to_string)
    }))
}

/// Clinicians whose row the audit trail does not explain, by id.
pub fn unexplained(conn: &Connection) -> Result<Vec<i64>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM clinicians ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        if recorded(conn, id)? != state(conn, id)? {
            out.push(id);
        }
    }
    Ok(out)
}

/// Migration 9: one `clinician.baseline` audit row per clinician, recording each row as it is.
pub(super) fn seal_baselines(
    tx: &crate::store::db::Connection,
    chain: Option<&ChainKey>,
) -> Result<()> {
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM clinicians ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let detail = format!("clinician {id}: recorded at the upgrade{}", tag(tx, id)?);
        super::audit::append(
            tx,
            chain,
            &Actor {
                clinician_id: None,
                name: "(caseload upgrade)".into(),
            },
            chrono::Utc::now(),
            "clinician.baseline",
            None,
            &detail,
        )?;
    }
    Ok(())
}
