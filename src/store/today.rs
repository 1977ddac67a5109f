//! The end-of-day check-in's loader: the panel with its flags (`store::panel`), today's
//! encounters (one range of the covering `encounters_on_day`), and this month's capitation gross
//! (`store::revenue::capitation_gross`), handed to the one domain function
//! `domain::today::summarise`. The reading is two independent halves (the listed clients and
//! counts; the week's due clients and the money): `caseload today` and the TUI's Today tab
//! call [`load_from`], which reads them side by side (`store::pair`), and [`load`] reads them
//! one after the other on one connection; a test demands the same summary from both. With the
//! flag windows current (`store::windows`), the panel part is only the clients the check-in
//! lists and the counts are read off the windows (`store::due`); a test demands the same
//! summary as from the whole panel.

use super::Store;
use super::appointments;
use super::panel::PanelEntry;
use super::panel::{self, PanelQuery};
use super::revenue;
use super::settings;
use super::{due, windows};
use crate::domain::appointments::{Appointment, AppointmentState};
use crate::domain::economics::Exact;
use crate::domain::today::{self, DayInput, DaySummary, FlagCensus, PanelClient, TodayEncounter};
use crate::domain::{ClientId, ClinicianId, Intervals, Money, Month};
use crate::error::Result;
use crate::store::db::{Connection, params};
use chrono::NaiveDate;
use std::collections::HashSet;

/// The check-in for `today`. With a clinician: their panel (the clients whose primary
/// clinician they are: flags, due dates, capitation revenue) and the time they logged
/// themselves today (on any client), as in the revenue report's clinician scope. Without:
/// the whole practice. Both halves of the reading on this one connection.
pub fn load(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<DaySummary> {
    let listed = listed(conn, today, clinician)?;
    let due = due_and_money(conn, today, clinician)?;
    Ok(assemble(&listed, &due, today))
}

/// [`load`] from the store, its two halves read side by side (`Store::read_pair`): the same
/// summary from the same state, in about the time of the longer half.
pub fn load_from(
    store: &Store,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<DaySummary> {
    let (listed, due) = store.read_pair(
        |a| listed(a, today, clinician),
        |b| due_and_money(b, today, clinician),
    )?;
    Ok(assemble(&listed, &due, today))
}

/// The first half: the critical clients with their flags (or, with the windows not current,
/// the whole panel), the counts, and today's encounters and unlogged appointments.
struct Listed {
    intervals: Intervals,
    entries: Vec<PanelEntry>,
    census: Option<FlagCensus>,
    encounters: Vec<TodayEncounter>,
    unlogged: Vec<Appointment>,
}

/// The second half: the clients listed only for what falls due this week, and the month's
/// capitation gross.
struct DueAndMoney {
    due: Vec<due::DueClient>,
    gross: Exact,
}

fn listed(conn: &Connection, today: NaiveDate, clinician: Option<ClinicianId>) -> Result<Listed> {
    let intervals = settings::intervals(conn)?;
    // With the flag windows current, only the clients the check-in lists are read (a few
    // thousand of a large centre's panel), and the counts come off the windows' index.
    let stored = windows::is_current(conn, today)?;
    let (entries, census) = if stored {
        let critical = due::critical(conn, today, clinician)?;
        (
            panel::entries_for(conn, &critical, today)?,
            Some(due::census(conn, today, clinician)?),
        )
    } else {
        let query = PanelQuery {
            clinician,
            include_inactive: false,
        };
        (panel::load_with(conn, &query, &intervals, today)?, None)
    };
    let unlogged = appointments::between(
        conn,
        today - chrono::Duration::days(7),
        today - chrono::Duration::days(1),
        clinician,
        today,
    )?
    .into_iter()
    .filter(|a| a.state == AppointmentState::Unlogged)
    .collect();
    Ok(Listed {
        intervals,
        entries,
        census,
        encounters: logged_on(conn, today, clinician)?,
        unlogged,
    })
}

fn due_and_money(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<DueAndMoney> {
    // The same state as the first half's, so the same answer.
    let due = if windows::is_current(conn, today)? {
        due::due_this_week(conn, today, clinician)?
    } else {
        Vec::new()
    };
    let gross = revenue::capitation_gross(conn, Month::of(today), clinician)?;
    Ok(DueAndMoney { due, gross })
}

/// The two halves handed to the one domain function.
fn assemble(listed: &Listed, due: &DueAndMoney, today: NaiveDate) -> DaySummary {
    // A client listed only for what falls due carries no critical flag, and the check-in
    // reads no other (the counts come from the census); a critical client is listed with
    // their flags.
    let critical: HashSet<ClientId> = listed.entries.iter().map(|e| e.client.id).collect();
    let panel: Vec<PanelClient> = listed
        .entries
        .iter()
        .map(|e| PanelClient {
            client: &e.client,
            facts: &e.facts,
            flags: &e.flags,
            next_appointment: e.next_appointment,
        })
        .chain(
            due.due
                .iter()
                .filter(|d| !critical.contains(&d.client.id))
                .map(|d| PanelClient {
                    client: &d.client,
                    facts: &d.facts,
                    flags: &[],
                    next_appointment: d.next_appointment,
                }),
        )
        .collect();
    let census = listed.census.unwrap_or_else(|| today::census(&panel));
    let month = Month::of(today);
    today::summarise(&DayInput {
        unlogged: &listed.unlogged,
        today,
        intervals: &listed.intervals,
        panel: &panel,
        census,
        encounters: &listed.encounters,
        capitation_month: due.gross,
        days_in_month: month.days(),
    })
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
            let text = crate::store::db::explain(store.conn(), &sql, "2026-11-23");
            assert!(text.contains("flag_due_contact"), "{text}");
            assert!(text.contains("flag_due_measure"), "{text}");
            let walks = text
                .lines()
                .any(|l| l.starts_with("SCAN") && !l.starts_with("SCAN d"));
            assert!(!walks && !text.contains("clients_by_status"), "{text}");
        }
    }

    /// On a file the two halves are read side by side, and the check-in is the one read on
    /// one connection, for the practice and for one clinician.
    #[test]
    fn the_check_in_read_side_by_side_is_the_check_in_read_on_one_connection() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let day = parse_date("2026-11-23").unwrap();
        crate::demo::generate(&mut store, 150, 11, day, &mut |_, _| {}).unwrap();
        store.second.from_bytes.set(0);
        for clinician in [None, Some(ClinicianId(2))] {
            let one = store.read(|c| load(c, day, clinician)).unwrap();
            let before = store.second.side_by_side.get();
            let pair = load_from(&store, day, clinician).unwrap();
            assert_eq!(store.second.side_by_side.get(), before + 1, "side by side");
            assert_eq!(pair, one, "{clinician:?}");
            assert!(!pair.due_today.is_empty() && !pair.critical.is_empty());
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
                let scratch = conn.begin(false).unwrap();
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
