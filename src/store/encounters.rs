//! Encounters: time spent for a client (contacts, no-shows, coordination, documentation, …).

use super::Tx;
use crate::domain::{
    ClientId, ClinicianId, Encounter, EncounterId, EncounterKind, EncounterStatus,
};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

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
        new.client_id,
        new.clinician_id,
        new.date,
        new.kind.as_str(),
        new.status.as_str(),
        new.minutes,
        new.note
    ])?;
    let id = EncounterId(tx.last_insert_rowid()?);
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

const COLUMNS: &str = "id, client_id, clinician_id,
    (SELECT k.name FROM clinicians k WHERE k.id = clinician_id) AS clinician,
    date, kind, status, minutes, note, voided_at, voided_by, void_reason";

/// A client's encounters, live and voided, newest first (the client's record).
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Encounter>> {
    let sql = super::row::all_for_client(COLUMNS, "encounters", "date DESC, id DESC");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([client.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One encounter by id, live or voided.
pub fn get(conn: &Connection, id: EncounterId) -> Result<Encounter> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM encounters WHERE id = ?1"))?;
    stmt.query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| crate::error::Error::no_id("encounter", id))
}

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Encounter> {
    Ok(Encounter {
        id: r.get(0)?,
        client_id: r.get(1)?,
        clinician_id: r.get(2)?,
        clinician: r.get(3)?,
        date: r.get(4)?,
        kind: r.get(5)?,
        status: r.get(6)?,
        minutes: r.get(7)?,
        note: r.get(8)?,
        voided: super::row::voided(r, 9)?,
    })
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM encounters", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::COLUMNS;
    use crate::store::Store;

    /// A client's history is a seek on `encounters_by_client` for the live encounters and on
    /// `encounters_voided` for the voided ones; neither scans the table (one client's rows are
    /// few, so sorting them is cheap).
    #[test]
    fn a_clients_history_seeks_the_client_indexes() {
        let store = Store::open_in_memory().unwrap();
        let sql = crate::store::row::all_for_client(COLUMNS, "encounters", "date DESC, id DESC");
        let plan: Vec<String> = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([1], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let seeks = |index: &str| {
            plan.iter()
                .any(|l| l.starts_with("SEARCH encounters USING") && l.contains(index))
        };
        assert!(
            seeks("encounters_by_client (client_id=? AND voided_at=?)"),
            "{plan:#?}"
        );
        assert!(seeks("INDEX encounters_voided (client_id=?)"), "{plan:#?}");
        assert!(
            !plan.iter().any(|l| l.starts_with("SCAN encounters")),
            "{plan:#?}"
        );
    }
}
