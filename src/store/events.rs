//! Acute-care events (inpatient discharges, ED visits) that call for prompt follow-up.

use super::Tx;
use crate::domain::{ClientId, Event, EventId, EventKind};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

pub fn insert(tx: &Tx, client: ClientId, kind: EventKind, on: NaiveDate) -> Result<EventId> {
    tx.prepare_cached("INSERT INTO events (client_id, date, kind) VALUES (?1, ?2, ?3)")?
        .execute(params![client, on, kind.as_str()])?;
    let id = EventId(tx.last_insert_rowid()?);
    tx.audit("event.add", Some(client), &format!("{kind} on {on}"))?;
    Ok(id)
}

const COLUMNS: &str = "id, client_id, date, kind, voided_at, voided_by, void_reason";

/// A client's events, live and voided, oldest first (the client's record).
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Event>> {
    let sql = super::row::all_for_client(COLUMNS, "events", "date, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([client.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One event by id, live or voided.
pub fn get(conn: &Connection, id: EventId) -> Result<Event> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))?;
    stmt.query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| crate::error::Error::no_id("event", id))
}

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get(0)?,
        client_id: r.get(1)?,
        date: r.get(2)?,
        kind: r.get(3)?,
        voided: super::row::voided(r, 4)?,
    })
}
