//! The end-of-day check-in's loader: the panel with its flags (`store::panel`), today's
//! encounters (one range of `encounters_by_date`), and this month's capitation gross
//! (`store::revenue::capitation_gross`), handed to the one domain function
//! `domain::today::summarise`. `caseload today` and the TUI's Today tab both call [`load`].

use super::appointments;
use super::panel::{self, PanelQuery};
use super::revenue;
use super::settings;
use crate::domain::appointments::AppointmentState;
use crate::domain::today::{self, DayInput, DaySummary, PanelClient, TodayEncounter};
use crate::domain::{ClinicianId, Money, Month};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// The check-in for `today`. With a clinician: their panel (the clients whose primary
/// clinician they are: flags, due dates, capitation revenue) and the time they logged
/// themselves today (on any client), as in the revenue report's clinician scope. Without:
/// the whole practice.
pub fn load(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<DaySummary> {
    let intervals = settings::intervals(conn)?;
    let query = PanelQuery {
        clinician,
        include_inactive: false,
    };
    let entries = panel::load_with(conn, &query, &intervals, today)?;
    let panel: Vec<PanelClient> = entries
        .iter()
        .map(|e| PanelClient {
            client: &e.client,
            facts: &e.facts,
            flags: &e.flags,
            next_appointment: e.next_appointment,
        })
        .collect();
    let encounters = logged_on(conn, today, clinician)?;
    let month = Month::of(today);
    let gross = revenue::capitation_gross(conn, month, clinician)?;
    let unlogged: Vec<_> = appointments::between(
        conn,
        today - chrono::Duration::days(7),
        today - chrono::Duration::days(1),
        clinician,
        today,
    )?
    .into_iter()
    .filter(|a| a.state == AppointmentState::Unlogged)
    .collect();
    Ok(today::summarise(&DayInput {
        unlogged: &unlogged,
        today,
        intervals: &intervals,
        panel: &panel,
        encounters: &encounters,
        capitation_month: gross,
        days_in_month: month.days(),
    }))
}

/// Encounters dated `day` (by one clinician, or anyone), in the order they were logged.
fn logged_on(
    conn: &Connection,
    day: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<Vec<TodayEncounter>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.client_id, c.name, e.kind, e.status, e.minutes, k.hourly_cost_cents
         FROM live_encounters e
         JOIN clients c ON c.id = e.client_id
         JOIN clinicians k ON k.id = e.clinician_id
         WHERE e.date = ?1 AND (?2 IS NULL OR e.clinician_id = ?2)
         ORDER BY e.id",
    )?;
    let rows = stmt.query_map(params![day, clinician], |r| {
        Ok(TodayEncounter {
            client_id: r.get(0)?,
            client_name: r.get(1)?,
            kind: r.get(2)?,
            status: r.get(3)?,
            minutes: r.get(4)?,
            hourly_cost: Money(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
