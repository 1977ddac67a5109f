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

const FOR_CLIENT: &str =
    "SELECT e.id, e.client_id, e.clinician_id, k.name, e.date, e.kind, e.status, e.minutes, e.note
     FROM encounters e JOIN clinicians k ON k.id = e.clinician_id
     WHERE e.client_id = ?1 ORDER BY e.date DESC, e.id DESC";

/// A client's encounters, newest first.
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Encounter>> {
    let mut stmt = conn.prepare_cached(FOR_CLIENT)?;
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

#[cfg(test)]
mod tests {
    use super::FOR_CLIENT;
    use crate::store::Store;

    /// A client's history is a seek on `encounters_by_client`, read in date order; only the
    /// encounters of one day are sorted by id (the index carries clinician and minutes after
    /// the date, which is cheaper than naming `id` in 1.9 million index entries).
    #[test]
    fn a_clients_history_seeks_the_client_index_in_date_order() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {FOR_CLIENT}"))
            .unwrap()
            .query_map([1], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SEARCH e USING INDEX encounters_by_client (client_id=?)")),
            "{plan:#?}"
        );
        for line in plan.iter().filter(|l| l.contains("TEMP B-TREE")) {
            assert_eq!(
                line, "USE TEMP B-TREE FOR LAST TERM OF ORDER BY",
                "{plan:#?}"
            );
        }
    }
}
