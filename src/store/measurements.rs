//! Measurements: instrument totals on a date, with the item responses when they were given.

use super::Tx;
use crate::domain::{ClientId, Instrument, Measurement, MeasurementId};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct NewMeasurement {
    pub client_id: ClientId,
    pub date: NaiveDate,
    pub instrument: Instrument,
    pub total: i64,
    pub items: Option<Vec<i64>>,
}

/// Items are stored as `1,2,0,…` so a score-only measurement (NULL) is distinguishable.
pub fn encode_items(items: &[i64]) -> String {
    items
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_items(text: &str) -> Option<Vec<i64>> {
    text.split(',').map(|p| p.parse().ok()).collect()
}

/// Stores a measurement that the caller has already validated against the instrument table.
pub fn insert(tx: &Tx, new: &NewMeasurement) -> Result<MeasurementId> {
    tx.prepare_cached(
        "INSERT INTO measurements (client_id, date, instrument, total, items)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        new.client_id,
        new.date,
        new.instrument.as_str(),
        new.total,
        new.items.as_deref().map(encode_items)
    ])?;
    let id = MeasurementId(tx.last_insert_rowid()?);
    let how = if new.items.is_some() {
        "items"
    } else {
        "total"
    };
    tx.audit(
        "measurement.add",
        Some(new.client_id),
        &format!("{} on {} ({how})", new.instrument, new.date),
    )?;
    Ok(id)
}

const COLUMNS: &str =
    "id, client_id, date, instrument, total, items, voided_at, voided_by, void_reason";

/// A client's measurements, live and voided, in the order they happened (date, then the order
/// recorded): the client's record.
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Measurement>> {
    let sql = super::row::all_for_client(COLUMNS, "measurements", "date, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([client.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One measurement by id, live or voided.
pub fn get(conn: &Connection, id: MeasurementId) -> Result<Measurement> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM measurements WHERE id = ?1"))?;
    stmt.query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| crate::error::Error::no_id("measurement", id))
}

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Measurement> {
    Ok(Measurement {
        id: r.get(0)?,
        client_id: r.get(1)?,
        date: r.get(2)?,
        instrument: r.get(3)?,
        total: r.get(4)?,
        items: r
            .get::<_, Option<String>>(5)?
            .as_deref()
            .and_then(decode_items),
        voided: super::row::voided(r, 6)?,
    })
}
