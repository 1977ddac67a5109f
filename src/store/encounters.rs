//! Encounters: time spent for a client (contacts, no-shows, coordination, documentation, …).

use super::Tx;
use super::row::{date, iso, word};
use crate::domain::{
    ClientId, ClinicianId, Encounter, EncounterId, EncounterKind, EncounterStatus,
};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

#[derive(Debug, Clone)]
pub struct NewEncounter {
    pub client_id: ClientId,
    pub clinician_id: ClinicianId,
    pub date: NaiveDate,
    pub kind: EncounterKind,
    pub status: EncounterStatus,
    pub minutes: i64,
    pub note: Option<String>,
}

pub fn insert(tx: &Tx, new: &NewEncounter) -> Result<EncounterId> {
    tx.prepare_cached(
        "INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.client_id.0,
        new.clinician_id.0,
        iso(new.date),
        new.kind.as_str(),
        new.status.as_str(),
        new.minutes,
        new.note
    ])?;
    let id = EncounterId(tx.last_insert_rowid());
    tx.audit(
        "encounter.add",
        Some(new.client_id),
        &format!(
            "{} {} {} min on {} by clinician {}",
            new.kind, new.status, new.minutes, new.date, new.clinician_id
        ),
    )?;
    Ok(id)
}

/// A client's encounters, newest first.
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Encounter>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.client_id, e.clinician_id, k.name, e.date, e.kind, e.status, e.minutes, e.note
         FROM encounters e JOIN clinicians k ON k.id = e.clinician_id
         WHERE e.client_id = ?1 ORDER BY e.date DESC, e.id DESC",
    )?;
    let rows = stmt.query_map([client.0], |r| {
        Ok(Encounter {
            id: EncounterId(r.get(0)?),
            client_id: ClientId(r.get(1)?),
            clinician_id: ClinicianId(r.get(2)?),
            clinician: r.get(3)?,
            date: date(r, 4)?,
            kind: word(r, 5)?,
            status: word(r, 6)?,
            minutes: r.get(7)?,
            note: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM encounters", [], |r| r.get(0))?)
}
