//! Acute-care events (inpatient discharges, ED visits) that call for prompt follow-up.

use super::Tx;
use super::row::{date, iso, word};
use crate::domain::{ClientId, Event, EventId, EventKind};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

pub fn insert(tx: &Tx, client: ClientId, kind: EventKind, on: NaiveDate) -> Result<EventId> {
    tx.prepare_cached("INSERT INTO events (client_id, date, kind) VALUES (?1, ?2, ?3)")?
        .execute(params![client.0, iso(on), kind.as_str()])?;
    let id = EventId(tx.last_insert_rowid());
    tx.audit("event.add", Some(client), &format!("{kind} on {on}"))?;
    Ok(id)
}

/// A client's events, oldest first.
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, client_id, date, kind FROM events WHERE client_id = ?1 ORDER BY date, id",
    )?;
    let rows = stmt.query_map([client.0], |r| {
        Ok(Event {
            id: EventId(r.get(0)?),
            client_id: ClientId(r.get(1)?),
            date: date(r, 2)?,
            kind: word(r, 3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
