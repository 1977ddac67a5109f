//! The end-of-day check-in's loader: the panel with its flags (`store::panel`), today's
//! encounters (one range of the covering `encounters_on_day`), and this month's capitation gross
//! (`store::revenue::capitation_gross`), handed to the one domain function
//! `domain::today::summarise`. `caseload today` and the TUI's Today tab both call [`load`].
//! With the flag windows current (`store::windows`), the panel part is only the clients the
//! check-in lists and the counts are read off the windows (`store::due`); a test demands the
//! same summary as from the whole panel.

use super::appointments;
use super::panel::{self, PanelQuery};
use super::revenue;
use super::settings;
use super::{due, windows};
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
    // With the flag windows current, only the clients the check-in lists are read (a few
    // thousand of a large centre's panel), and the counts come off the windows' index.
    let stored = windows::is_current(conn, today)?;
    let (entries, due_only) = if stored {
        let critical = due::critical(conn, today, clinician)?;
        (
            panel::entries_for(conn, &critical, today)?,
            due::due_this_week(conn, today, clinician, &critical)?,
        )
    } else {
        (
            panel::load_with(conn, &query, &intervals, today)?,
            Vec::new(),
        )
    };
    // A client listed only for what falls due carries no critical flag, and the check-in
    // reads no other (the counts come from the census).
    let panel: Vec<PanelClient> = entries
        .iter()
        .map(|e| PanelClient {
            client: &e.client,
            facts: &e.facts,
            flags: &e.flags,
            next_appointment: e.next_appointment,
        })
        .chain(due_only.iter().map(|d| PanelClient {
            client: &d.client,
            facts: &d.facts,
            flags: &[],
            next_appointment: d.next_appointment,
        }))
        .collect();
    let census = if stored {
        due::census(conn, today, clinician)?
    } else {
        today::census(&panel)
    };
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
        census,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;
    use crate::store::Store;

    /// The week's due clients are read from the kept due dates (two index ranges) and then one
    /// seek each, never by walking the panel.
    #[test]
    fn the_due_clients_start_from_the_kept_due_dates() {
        let store = Store::open_in_memory().unwrap();
        for clinician in [None, Some(ClinicianId(2))] {
            let sql = due::due_this_week_sql(clinician);
            let mut stmt = store
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let n = stmt.parameter_count();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(vec!["2026-11-23"; n]), |r| {
                    r.get::<_, String>(3)
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let text = plan.join("\n");
            assert!(text.contains("flag_due_contact"), "{text}");
            assert!(text.contains("flag_due_measure"), "{text}");
            let walks = plan
                .iter()
                .any(|l| l.starts_with("SCAN") && !l.starts_with("SCAN d"));
            assert!(!walks && !text.contains("clients_by_status"), "{text}");
        }
    }

    /// The check-in from the maintained windows (the listed clients and the counts) is the
    /// check-in from the whole panel, on the demo's day, the days around it and months ahead,
    /// for the practice and for one clinician.
    #[test]
    fn the_check_in_from_the_windows_is_the_check_in_from_the_whole_panel() {
        let mut store = Store::open_in_memory().unwrap();
        let demo_day = parse_date("2026-11-23").unwrap();
        crate::demo::generate(&mut store, 150, 11, demo_day, &mut |_, _| {}).unwrap();
        let conn = store.conn();
        let mut listed_somewhere = false;
        for offset in [0, 1, 6, 7, 8, 30, 95] {
            let day = demo_day + chrono::Duration::days(offset);
            assert!(windows::is_current(conn, day).unwrap(), "{day}");
            for clinician in [None, Some(ClinicianId(2))] {
                let stored = load(conn, day, clinician).unwrap();
                // From scratch: a client marked dirty (rolled back) keeps the windows out.
                let scratch = conn.unchecked_transaction().unwrap();
                scratch
                    .execute("INSERT INTO flag_dirty (client_id) VALUES (-1)", [])
                    .unwrap();
                assert!(!windows::is_current(&scratch, day).unwrap());
                let whole = load(&scratch, day, clinician).unwrap();
                scratch.rollback().unwrap();
                assert_eq!(stored, whole, "{day} {clinician:?}");
                listed_somewhere |= !whole.critical.is_empty()
                    && whole.clients_with_warnings > 0
                    && !whole.due_today.is_empty()
                    && whole.measurements.due_this_week() > 0
                    && whole.measurements.overdue > 0;
            }
        }
        assert!(listed_somewhere, "the demo lists something of every kind");
    }
}
