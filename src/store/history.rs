//! History imports in the store: the directory a file's rows are resolved against, and checked
//! rows written inside the caller's one transaction through the same audited inserts as
//! `caseload log` and `caseload measure`. A row identical to a record already stored is skipped
//! (as many times as it is stored), so importing the same file twice adds nothing.

use super::Tx;
use super::row::iso;
use super::{encounters, measurements};
use crate::domain::history::{Directory, DirectoryClient, EncounterRow, MeasurementRow};
use crate::domain::{ClientId, ClinicianId};
use crate::error::Result;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Every client and clinician, for resolving what a file names.
pub fn directory(conn: &Connection) -> Result<Directory> {
    let mut d = Directory::default();
    let mut stmt =
        conn.prepare_cached("SELECT id, external_id, name, clinician_id FROM clients")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    for row in rows {
        let (id, external, name, clinician) = row?;
        d.clients.insert(
            id,
            DirectoryClient {
                id: ClientId(id),
                clinician: clinician.map(ClinicianId),
            },
        );
        if let Some(external) = external {
            d.by_external.insert(external, id);
        }
        d.by_name
            .entry(name.trim().to_lowercase())
            .or_default()
            .push(id);
    }
    let mut stmt = conn.prepare_cached("SELECT id, name FROM clinicians")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, name) = row?;
        d.clinicians.insert(name.to_lowercase(), ClinicianId(id));
    }
    Ok(d)
}

/// What makes two encounters the same: client, date, kind, status, minutes, clinician, note.
type EncounterKey<'a> = (i64, String, &'a str, &'a str, i64, i64, Option<&'a str>);

/// How many rows were written and how many were already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    pub added: usize,
    pub already_present: usize,
}

/// Writes checked encounter rows; `progress(done, total)` as it goes.
pub fn import_encounters(
    tx: &Tx,
    rows: &[EncounterRow],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    let mut out = Imported::default();
    let mut existing: HashMap<usize, i64> = HashMap::new();
    let mut keys: HashMap<EncounterKey, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let e = &row.entry;
        let key = (
            row.client.0,
            iso(e.date),
            e.kind.as_str(),
            e.status.as_str(),
            e.minutes,
            row.clinician.0,
            e.note.as_deref(),
        );
        let first = *keys.entry(key.clone()).or_insert(i);
        let stored = match existing.get(&first) {
            Some(n) => *n,
            None => {
                let n: i64 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM encounters WHERE client_id = ?1 AND date = ?2
                         AND kind = ?3 AND status = ?4 AND minutes = ?5 AND clinician_id = ?6
                         AND note IS ?7",
                    )?
                    .query_row(
                        params![key.0, key.1, key.2, key.3, key.4, key.5, key.6],
                        |r| r.get(0),
                    )?;
                existing.insert(first, n);
                n
            }
        };
        if stored > 0 {
            existing.insert(first, stored - 1);
            out.already_present += 1;
        } else {
            encounters::insert(
                tx,
                &encounters::NewEncounter {
                    client_id: row.client,
                    clinician_id: row.clinician,
                    date: e.date,
                    kind: e.kind,
                    status: e.status,
                    minutes: e.minutes,
                    note: e.note.clone(),
                },
            )?;
            out.added += 1;
        }
        progress(i + 1, rows.len());
    }
    tx.audit(
        "history.import",
        None,
        &format!(
            "encounters: {} added, {} already present",
            out.added, out.already_present
        ),
    )?;
    Ok(out)
}

/// Writes checked measurement rows; `progress(done, total)` as it goes.
pub fn import_measurements(
    tx: &Tx,
    rows: &[MeasurementRow],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    let mut out = Imported::default();
    let mut existing: HashMap<usize, i64> = HashMap::new();
    let mut keys: HashMap<(i64, String, &str, i64, Option<String>), usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let m = &row.entry;
        let items = m.items.as_deref().map(measurements::encode_items);
        let key = (
            row.client.0,
            iso(m.date),
            m.instrument.as_str(),
            m.total,
            items,
        );
        let first = *keys.entry(key.clone()).or_insert(i);
        let stored = match existing.get(&first) {
            Some(n) => *n,
            None => {
                let n: i64 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM measurements WHERE client_id = ?1 AND date = ?2
                         AND instrument = ?3 AND total = ?4 AND items IS ?5",
                    )?
                    .query_row(params![key.0, key.1, key.2, key.3, key.4], |r| r.get(0))?;
                existing.insert(first, n);
                n
            }
        };
        if stored > 0 {
            existing.insert(first, stored - 1);
            out.already_present += 1;
        } else {
            measurements::insert(
                tx,
                &measurements::NewMeasurement {
                    client_id: row.client,
                    date: m.date,
                    instrument: m.instrument,
                    total: m.total,
                    items: m.items.clone(),
                },
            )?;
            out.added += 1;
        }
        progress(i + 1, rows.len());
    }
    tx.audit(
        "history.import",
        None,
        &format!(
            "measurements: {} added, {} already present",
            out.added, out.already_present
        ),
    )?;
    Ok(out)
}
