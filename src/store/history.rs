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
use crate::store::db::{Connection, params};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

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
    import_rows(
        tx,
        "encounters",
        rows,
        |row| -> EncounterKey {
            let e = &row.entry;
            (
                row.client.0,
                iso(e.date),
                e.kind.as_str(),
                e.status.as_str(),
                e.minutes,
                row.clinician.0,
                e.note.as_deref(),
            )
        },
        |key| {
            Ok(tx
                .prepare_cached(
                    // Live or voided: a record voided on purpose is not imported again.
                    "SELECT count(*) FROM (
                         SELECT note FROM live_encounters WHERE client_id = ?1 AND date = ?2
                             AND kind = ?3 AND status = ?4 AND minutes = ?5 AND clinician_id = ?6
                         UNION ALL
                         SELECT note FROM encounters WHERE voided_at IS NOT NULL
                             AND client_id = ?1 AND date = ?2 AND kind = ?3 AND status = ?4
                             AND minutes = ?5 AND clinician_id = ?6
                     ) x WHERE x.note IS ?7",
                )?
                .query_row(
                    params![key.0, key.1, key.2, key.3, key.4, key.5, key.6],
                    |r| r.get(0),
                )?)
        },
        |row| {
            let e = &row.entry;
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
            Ok(())
        },
        progress,
    )
}

/// What makes two measurements the same: client, date, instrument, total, items.
type MeasurementKey<'a> = (i64, String, &'a str, i64, Option<String>);

/// Writes checked measurement rows; `progress(done, total)` as it goes.
pub fn import_measurements(
    tx: &Tx,
    rows: &[MeasurementRow],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    import_rows(
        tx,
        "measurements",
        rows,
        |row| -> MeasurementKey {
            let m = &row.entry;
            (
                row.client.0,
                iso(m.date),
                m.instrument.as_str(),
                m.total,
                m.items.as_deref().map(measurements::encode_items),
            )
        },
        |key| {
            Ok(tx
                .prepare_cached(
                    // Live or voided: a record voided on purpose is not imported again.
                    "SELECT count(*) FROM (
                         SELECT items FROM live_measurements WHERE client_id = ?1 AND date = ?2
                             AND instrument = ?3 AND total = ?4
                         UNION ALL
                         SELECT items FROM measurements WHERE voided_at IS NOT NULL
                             AND client_id = ?1 AND date = ?2 AND instrument = ?3 AND total = ?4
                     ) x WHERE x.items IS ?5",
                )?
                .query_row(params![key.0, key.1, key.2, key.3, key.4], |r| r.get(0))?)
        },
        |row| {
            let m = &row.entry;
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
            Ok(())
        },
        progress,
    )
}

/// Writes each row unless an identical record is already stored: a key stored n times skips
/// the first n rows with that key (`stored` counts them, once per key), so a file imported
/// twice adds nothing and a row repeated in the file is written as often as it repeats. Audited
/// once as `history.import`, "`what`: N added, M already present".
fn import_rows<'a, R, K: Eq + Hash>(
    tx: &Tx,
    what: &str,
    rows: &'a [R],
    key_of: impl Fn(&'a R) -> K,
    stored: impl Fn(&K) -> Result<i64>,
    insert: impl Fn(&R) -> Result<()>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    let mut out = Imported::default();
    let mut left: HashMap<K, i64> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let left = match left.entry(key_of(row)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let n = stored(e.key())?;
                e.insert(n)
            }
        };
        if *left > 0 {
            *left -= 1;
            out.already_present += 1;
        } else {
            insert(row)?;
            out.added += 1;
        }
        progress(i + 1, rows.len());
    }
    tx.audit(
        "history.import",
        None,
        &format!(
            "{what}: {} added, {} already present",
            out.added, out.already_present
        ),
    )?;
    Ok(out)
}
