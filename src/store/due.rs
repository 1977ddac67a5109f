//! What falls due, kept on write (migration 0011, issue 19): each client's next contact and
//! next measurement dates, computed by the one pure rule (`domain::today::next_due`) when
//! `windows::refresh_dirty` recomputes the client, and the check-in's questions answered from
//! them and from the flag windows — which clients to list (critical, or due within the week)
//! and the counts over the whole panel. Callers ask `windows::is_current` first. No rule is
//! decided here.

use crate::domain::flags::windows::{kind_bit, worst_of_kinds};
use crate::domain::flags::{ClientFacts, FlagKind, Severity};
use crate::domain::today::{FlagCensus, LOOK_AHEAD_DAYS, next_due};
use crate::domain::{Client, ClientId, ClientStatus, ClinicianId, Intervals};
use crate::error::Result;
use crate::store::db::{Connection, Statement, params};
use crate::store::row::{date, opt_date};
use chrono::{Duration, NaiveDate};
use rusqlite::types::ToSql;

/// Forgets the dates of every client waiting to be recomputed (before they are put back).
pub(super) fn forget_dirty(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM flag_due WHERE client_id IN (SELECT client_id FROM flag_dirty)",
        [],
    )?;
    Ok(())
}

/// The statement [`put`] runs, prepared once per refresh.
pub(super) fn put_statement(conn: &Connection) -> Result<Statement<'_>> {
    Ok(conn.prepare_cached(
        "INSERT INTO flag_due (client_id, contact_due, measure_due) VALUES (?1, ?2, ?3)",
    )?)
}

/// Keeps one client's next due dates (nothing when nothing falls due, whatever the day).
pub(super) fn put(
    stmt: &mut Statement,
    client: ClientId,
    facts: &ClientFacts,
    intervals: &Intervals,
) -> Result<()> {
    let [contact, measure] = next_due(facts, intervals);
    if contact.is_some() || measure.is_some() {
        stmt.execute(params![client, contact.map(|c| c.1), measure.map(|m| m.1)])?;
    }
    Ok(())
}

/// The conditions on the segment `s` of an active client of the scope, on `:today`.
fn on_panel(clinician: Option<ClinicianId>) -> &'static str {
    if clinician.is_some() {
        "s.valid_from <= :today AND s.valid_until >= :today AND s.active = 1
         AND s.clinician_id = :clinician"
    } else {
        "s.valid_from <= :today AND s.valid_until >= :today AND s.active = 1"
    }
}

/// The clients with a critical flag on `today`, in priority order: the check-in lists each
/// with their flags.
pub fn critical(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<Vec<ClientId>> {
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today)];
    if let Some(c) = &clinician {
        params.push((":clinician", c));
    }
    let mut critical = conn.prepare_cached(&format!(
        "SELECT s.client_id FROM panel_segments s INDEXED BY panel_priority
         WHERE s.rank = 0 AND {}
         ORDER BY s.rank, s.due_key, s.name_folded, s.name, s.client_id",
        on_panel(clinician)
    ))?;
    let ids = critical.query_map(params.as_slice(), |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// A client the check-in lists only for what falls due (no critical flag): what the due lists
/// read of them — id, name, tier and since of an active client of the scope; the rest of the
/// client is left empty.
#[derive(Debug, Clone)]
pub struct DueClient {
    pub client: Client,
    /// The facts the due dates and their reasons come from (contacts, measurement, tier,
    /// since); the rest are left empty.
    pub facts: ClientFacts,
    pub next_appointment: Option<NaiveDate>,
}

/// The active clients of the scope with something due from today to a week ahead (two index
/// ranges of the kept due dates), in no order (the check-in sorts them, and lists a client
/// with a critical flag with their flags instead). With the windows current every client has
/// a segment for `today` whose `active` and clinician are the client's own, so the client row
/// answers those without the segment.
pub fn due_this_week(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<Vec<DueClient>> {
    let end = today + Duration::days(LOOK_AHEAD_DAYS);
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today), (":end", &end)];
    if let Some(c) = &clinician {
        params.push((":clinician", c));
    }
    let mut stmt = conn.prepare_cached(&due_this_week_sql(clinician))?;
    // The few appointments from today on, rather than a seek per listed client.
    let booked = super::appointments::next_booked_for(conn, today, None)?;
    let mut rows = stmt.query(params.as_slice())?;
    let mut due = Vec::new();
    while let Some(r) = rows.next()? {
        let client = Client {
            id: r.get(0)?,
            name: r.get(1)?,
            tier: r.get(2)?,
            status: ClientStatus::Active,
            since: date(&r, 3)?,
            external_id: None,
            dob: None,
            discharged_on: None,
            diagnosis: None,
            clinician_id: clinician,
            clinician: None,
        };
        let facts = ClientFacts {
            status: client.status,
            tier: client.tier,
            since: client.since,
            first_contact: opt_date(&r, 4)?,
            last_contact: opt_date(&r, 5)?,
            last_measured: opt_date(&r, 6)?,
            ..ClientFacts::default()
        };
        due.push(DueClient {
            next_appointment: booked.get(&client.id).copied(),
            client,
            facts,
        });
    }
    Ok(due)
}

/// [`due_this_week`]'s statement: the kept due dates first, then a seek per client (SQLite
/// would rather walk the active clients and look each one up in the dates).
pub(super) fn due_this_week_sql(clinician: Option<ClinicianId>) -> String {
    let scope = if clinician.is_some() {
        "AND c.clinician_id = :clinician"
    } else {
        ""
    };
    format!(
        "SELECT c.id, c.name, c.tier, c.since, ff.first_contact, ff.last_contact, ff.last_measured
         FROM (
             SELECT client_id FROM flag_due WHERE contact_due BETWEEN :today AND :end
             UNION
             SELECT client_id FROM flag_due WHERE measure_due BETWEEN :today AND :end
         ) d
         CROSS JOIN clients c CROSS JOIN flag_facts ff
         WHERE c.id = d.client_id AND ff.client_id = d.client_id AND c.status = 'active' {scope}"
    )
}

/// The check-in's counts over the whole active panel of the scope on `today`, from the flag
/// windows: the same figures `domain::today::census` counts from the flags.
pub fn census(
    conn: &Connection,
    today: NaiveDate,
    clinician: Option<ClinicianId>,
) -> Result<FlagCensus> {
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today)];
    if let Some(c) = &clinician {
        params.push((":clinician", c));
    }
    // By the kinds alone (the narrow counts index holds them): the worst severity follows
    // from the kinds, as the segment's rank does from its flags.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.kinds, count(*) FROM panel_segments s INDEXED BY panel_counts
         WHERE {} GROUP BY s.kinds",
        on_panel(clinician)
    ))?;
    let mut census = FlagCensus::default();
    let rows = stmt.query_map(params.as_slice(), |r| {
        Ok((r.get::<_, u16>(0)?, r.get::<_, i64>(1)?))
    })?;
    let has = |kinds: u16, kind: FlagKind| kinds & kind_bit(kind) != 0;
    for row in rows {
        let (kinds, n) = row?;
        if worst_of_kinds(kinds) == Some(Severity::Warning) {
            census.clients_with_warnings += n;
        }
        if has(kinds, FlagKind::MeasureOverdue) {
            census.measure_overdue += n;
        }
        if has(kinds, FlagKind::NoBaseline) {
            census.no_baseline += n;
        }
    }
    Ok(census)
}
