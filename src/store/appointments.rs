//! Appointments (SPEC section 10): booking (one or a series, refused on a clash of one
//! clinician's date and time), cancelling, moving, and reading them with the state each is in
//! on a given today — computed from the encounters logged that day, never stored.

use super::Tx;
use crate::domain::appointments::{self, AppointmentState, LoggedThatDay};
use crate::domain::text::sanitize;
use crate::domain::{ClientId, ClinicianId, EncounterKind};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;
use std::collections::HashMap;

pub use crate::domain::appointments::Appointment;

/// What `book` asks for.
#[derive(Debug, Clone)]
pub struct Booking {
    pub client_id: ClientId,
    pub clinician_id: ClinicianId,
    pub days: Vec<NaiveDate>,
    pub time: Option<String>,
    pub kind: EncounterKind,
    pub minutes: i64,
}

/// The completed-contact and missed-contact tests for an appointment's client and day, as
/// correlated seeks on `encounters_contact_kinds`.
fn logged_columns() -> String {
    let kinds = EncounterKind::CONTACT_KINDS_SQL;
    let contact = super::row::is_contact("e");
    format!(
        "EXISTS (SELECT 1 FROM live_encounters e WHERE e.client_id = a.client_id
                 AND e.date = a.date AND {contact}),
         EXISTS (SELECT 1 FROM live_encounters e WHERE e.client_id = a.client_id
                 AND e.date = a.date AND e.kind IN {kinds} AND e.status <> 'completed')"
    )
}

fn select() -> String {
    format!(
        "SELECT a.id, a.client_id, c.name, k.name, a.clinician_id, a.date, a.time, a.kind,
                a.minutes, a.cancelled_at IS NOT NULL, {}
         FROM appointments a JOIN clients c ON c.id = a.client_id
         JOIN clinicians k ON k.id = a.clinician_id",
        logged_columns()
    )
}

fn from_row(r: &crate::store::db::Row, today: NaiveDate) -> rusqlite::Result<Appointment> {
    let day = r.get(5)?;
    let logged = LoggedThatDay {
        contact: r.get(10)?,
        missed: r.get(11)?,
    };
    Ok(Appointment {
        id: r.get(0)?,
        client_id: r.get(1)?,
        name: r.get(2)?,
        clinician: r.get(3)?,
        clinician_id: r.get(4)?,
        date: day,
        time: r.get(6)?,
        kind: r.get(7)?,
        minutes: r.get(8)?,
        state: appointments::state(day, r.get(9)?, logged, today),
    })
}

/// The appointments dated `from` … `to` (of one clinician, or everyone's), by date, time and
/// name; the untimed ones of a day come first.
pub fn between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    clinician: Option<ClinicianId>,
    today: NaiveDate,
) -> Result<Vec<Appointment>> {
    let sql = format!(
        "{} WHERE a.date >= ?1 AND a.date <= ?2 AND (?3 IS NULL OR a.clinician_id = ?3)
         ORDER BY a.date, a.time, c.name, a.id",
        select()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![from, to, clinician], |r| from_row(r, today))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One appointment by id.
pub fn get(conn: &Connection, id: i64, today: NaiveDate) -> Result<Appointment> {
    let mut stmt = conn.prepare_cached(&format!("{} WHERE a.id = ?1", select()))?;
    stmt.query_row([id], |r| from_row(r, today))
        .optional()?
        .ok_or_else(|| Error::no_id("appointment", id))
}

/// Each client's earliest appointment in state `booked` (today or later, not cancelled, and,
/// for today's, nothing logged yet).
pub fn next_booked(
    conn: &Connection,
    today: NaiveDate,
    client: Option<ClientId>,
) -> Result<HashMap<ClientId, NaiveDate>> {
    match client {
        Some(c) => next_booked_for(conn, today, Some(&[c])),
        None => next_booked_for(conn, today, None),
    }
}

/// The condition "appointment `a` is still booked on or after `:today`": not cancelled, and
/// not today's with a contact already logged for it (SPEC section 10).
pub(super) fn still_booked(a: &str) -> String {
    format!(
        "{a}.cancelled_at IS NULL AND {a}.date >= :today
         AND ({a}.date > :today OR NOT EXISTS (SELECT 1 FROM live_encounters e
              WHERE e.client_id = {a}.client_id AND e.date = {a}.date AND e.kind IN {kinds}))",
        kinds = EncounterKind::CONTACT_KINDS_SQL
    )
}

/// [`next_booked`] for the clients `ids` (every client with `None`): the rows a page shows.
pub fn next_booked_for(
    conn: &Connection,
    today: NaiveDate,
    ids: Option<&[ClientId]>,
) -> Result<HashMap<ClientId, NaiveDate>> {
    let listed = ids.map(super::row::id_list).transpose()?;
    let only = if listed.is_some() {
        "AND a.client_id IN (SELECT value FROM json_each(:ids))"
    } else {
        ""
    };
    // Every client's: the appointments from today on (the future is short, the past grows),
    // not a walk of every client's appointments ever.
    let from = if listed.is_some() {
        "appointments a"
    } else {
        "appointments a INDEXED BY appointments_by_date"
    };
    let sql = format!(
        "SELECT a.client_id, min(a.date) FROM {from}
         WHERE {booked} {only}
         GROUP BY a.client_id",
        booked = still_booked("a")
    );
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":today", &today)];
    if let Some(list) = &listed {
        params.push((":ids", list));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A clash: another live appointment (not `except`) of the clinician at the same date and
/// time, with its client's name.
pub fn clash(
    conn: &Connection,
    clinician: ClinicianId,
    day: NaiveDate,
    time: &str,
    except: i64,
) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.id, c.name FROM appointments a JOIN clients c ON c.id = a.client_id
             WHERE a.clinician_id = ?1 AND a.date = ?2 AND a.time = ?3
               AND a.cancelled_at IS NULL AND a.id <> ?4",
        )?
        .query_row(params![clinician, day, time, except], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

fn refuse_clash(day: NaiveDate, time: &str, (id, name): (i64, String)) -> Error {
    Error::invalid(format!(
        "the clinician already has appointment {id} ({}) on {day} at {time}; choose another time",
        sanitize(&name)
    ))
}

/// Books every day of the booking; returns the ids in date order. All or nothing.
pub fn book(tx: &Tx, b: &Booking) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::with_capacity(b.days.len());
    for day in &b.days {
        if let Some(time) = &b.time
            && let Some(found) = clash(tx, b.clinician_id, *day, time, 0)?
        {
            return Err(refuse_clash(*day, time, found));
        }
        tx.prepare_cached(
            "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes, series_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            b.client_id,
            b.clinician_id,
            *day,
            b.time,
            b.kind.as_str(),
            b.minutes,
            ids.first().copied()
        ])?;
        let id = tx.last_insert_rowid()?;
        if ids.is_empty() && b.days.len() > 1 {
            tx.execute("UPDATE appointments SET series_id = ?1 WHERE id = ?1", [id])?;
        }
        ids.push(id);
    }
    let when = b
        .time
        .as_deref()
        .map_or(String::new(), |t| format!(" at {t}"));
    let first = b.days.first().map_or(String::new(), |d| d.to_string());
    tx.audit(
        "appointment.book",
        Some(b.client_id),
        &format!(
            "{} × {} {} min from {first}{when} with clinician {}",
            ids.len(),
            b.kind,
            b.minutes,
            b.clinician_id
        ),
    )?;
    Ok(ids)
}

/// Cancels a booked appointment (one that has not happened or been logged).
pub fn cancel(
    tx: &Tx,
    id: i64,
    reason: Option<&str>,
    at: &str,
    today: NaiveDate,
) -> Result<Appointment> {
    let a = get(tx, id, today)?;
    if a.state != AppointmentState::Booked && a.state != AppointmentState::Unlogged {
        return Err(Error::invalid(format!(
            "appointment {id} is {}; only a booked or unlogged one can be cancelled",
            a.state
        )));
    }
    tx.execute(
        "UPDATE appointments SET cancelled_at = ?1, cancel_reason = ?2 WHERE id = ?3",
        params![at, reason, id],
    )?;
    let why = reason.map_or(String::new(), |r| format!("; reason: {r}"));
    tx.audit(
        "appointment.cancel",
        Some(a.client_id),
        &format!("appointment {id} on {}{why}", a.date),
    )?;
    Ok(a)
}

/// Moves a booked appointment to another day (and time); refused on a clash.
pub fn move_to(
    tx: &Tx,
    id: i64,
    day: NaiveDate,
    time: Option<&str>,
    today: NaiveDate,
) -> Result<Appointment> {
    let a = get(tx, id, today)?;
    if a.state != AppointmentState::Booked && a.state != AppointmentState::Unlogged {
        return Err(Error::invalid(format!(
            "appointment {id} is {}; only a booked or unlogged one can be moved",
            a.state
        )));
    }
    let time = time.map(str::to_string).or(a.time.clone());
    if let Some(t) = &time
        && let Some(found) = clash(tx, a.clinician_id, day, t, id)?
    {
        return Err(refuse_clash(day, t, found));
    }
    tx.execute(
        "UPDATE appointments SET date = ?1, time = ?2 WHERE id = ?3",
        params![day, time, id],
    )?;
    let when = time
        .as_deref()
        .map_or(String::new(), |t| format!(" at {t}"));
    tx.audit(
        "appointment.move",
        Some(a.client_id),
        &format!("appointment {id}: {} → {day}{when}", a.date),
    )?;
    Ok(a)
}
