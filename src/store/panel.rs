//! The panel: every client with their facts, flags, last contact, last measurement, score
//! trends and this month's minutes, in priority order. The facts come from one statement
//! (`store::facts`), the flags from the one rule function (`domain::flags::evaluate`), with
//! the intervals stored in the database. The CLI's `flags` and `client show` and the TUI all
//! read flags through here, so they always agree.

use super::facts::{self, FactsFilter, FactsRow};
use super::{appointments, reviews, settings};
use crate::domain::flags::reviews::{Review, split};
use crate::domain::flags::{ClientFacts, Flag, Priority, Severity, evaluate, sort_by_priority};
use crate::domain::{Client, ClientId, ClinicianId, Intervals};
use crate::error::Result;
use crate::store::db::Connection;
use chrono::NaiveDate;
use std::collections::HashMap;

pub use crate::domain::flags::ScoreTrend;

/// Which clients the panel shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PanelQuery {
    /// Only this clinician's clients (by primary clinician); everyone's when `None`.
    pub clinician: Option<ClinicianId>,
    /// Also discharged and on-hold clients (who never carry flags).
    pub include_inactive: bool,
}

/// One row of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelEntry {
    pub client: Client,
    pub facts: ClientFacts,
    /// In SPEC table order; empty for inactive clients.
    pub flags: Vec<Flag>,
    pub last_contact: Option<NaiveDate>,
    pub last_measured: Option<NaiveDate>,
    pub phq9: Option<ScoreTrend>,
    pub gad7: Option<ScoreTrend>,
    /// Σ minutes of the client's encounters in today's calendar month.
    pub minutes_this_month: i64,
    /// Flags whose condition holds but which a review has silenced, each with the review
    /// (`flags --all` shows them; nothing else counts them).
    pub reviewed: Vec<(Flag, Review)>,
    /// The client's earliest appointment in state booked.
    pub next_appointment: Option<NaiveDate>,
}

/// What the panel reads besides the facts: reviews and booked appointments, by client.
#[derive(Debug, Default)]
pub(super) struct Plans {
    reviews: HashMap<ClientId, Vec<Review>>,
    next: HashMap<ClientId, NaiveDate>,
}

impl Plans {
    /// For every client, or only the clients `ids`.
    pub(super) fn load(
        conn: &Connection,
        today: NaiveDate,
        ids: Option<&[ClientId]>,
    ) -> Result<Plans> {
        Ok(Plans {
            reviews: reviews::for_clients(conn, today, ids)?,
            next: appointments::next_booked_for(conn, today, ids)?,
        })
    }
}

impl PanelEntry {
    pub(super) fn new(
        row: FactsRow,
        intervals: &Intervals,
        plans: &Plans,
        today: NaiveDate,
    ) -> PanelEntry {
        let id = row.client.id;
        let reviews = plans.reviews.get(&id).map_or(&[][..], Vec::as_slice);
        let (flags, reviewed) = split(
            evaluate(&row.facts, intervals, today),
            reviews,
            row.phq9_latest_id,
            today,
        );
        PanelEntry {
            flags,
            reviewed,
            next_appointment: plans.next.get(&id).copied(),
            last_contact: row.facts.last_contact,
            last_measured: row.facts.last_measured,
            phq9: row.facts.phq9,
            gad7: row.facts.gad7,
            minutes_this_month: row.minutes_this_month,
            client: row.client,
            facts: row.facts,
        }
    }

    /// The entry's place in the priority order.
    pub fn priority(&self) -> Priority {
        Priority::of(&self.flags, &self.client.name, self.client.id)
    }

    /// The worst severity of the entry's flags.
    pub fn worst(&self) -> Option<Severity> {
        crate::domain::flags::worst(&self.flags)
    }
}

/// The panel in priority order, with the practice's stored intervals.
pub fn load(conn: &Connection, query: &PanelQuery, today: NaiveDate) -> Result<Vec<PanelEntry>> {
    let intervals = settings::intervals(conn)?;
    load_with(conn, query, &intervals, today)
}

/// The panel in priority order, with the given intervals.
pub fn load_with(
    conn: &Connection,
    query: &PanelQuery,
    intervals: &Intervals,
    today: NaiveDate,
) -> Result<Vec<PanelEntry>> {
    let filter = FactsFilter {
        clinician: query.clinician,
        client: None,
        active_only: !query.include_inactive,
        dirty_only: false,
    };
    let plans = Plans::load(conn, today, None)?;
    let mut entries: Vec<PanelEntry> = facts::load(conn, &filter, today)?
        .into_iter()
        .map(|row| PanelEntry::new(row, intervals, &plans, today))
        .collect();
    sort_by_priority(&mut entries, PanelEntry::priority);
    Ok(entries)
}

/// The entries of the clients `ids`, in that order (the rows a window shows).
pub(super) fn entries_for(
    conn: &Connection,
    ids: &[ClientId],
    today: NaiveDate,
) -> Result<Vec<PanelEntry>> {
    let intervals = settings::intervals(conn)?;
    let plans = Plans::load(conn, today, Some(ids))?;
    let mut by_id: HashMap<ClientId, FactsRow> = facts::load_ids(conn, ids, today)?
        .into_iter()
        .map(|row| (row.client.id, row))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(|row| PanelEntry::new(row, &intervals, &plans, today))
        .collect())
}

/// One client's entry, whatever their status (for `client show` and the client screen).
pub fn for_client(conn: &Connection, id: ClientId, today: NaiveDate) -> Result<PanelEntry> {
    let intervals = settings::intervals(conn)?;
    let plans = Plans::load(conn, today, Some(&[id]))?;
    Ok(PanelEntry::new(
        facts::for_client(conn, id, today)?,
        &intervals,
        &plans,
        today,
    ))
}
