//! The facts behind the value measures (SPEC section 7) and the fairness self-audit, gathered
//! for one or several periods in ONE pass (`pass`) over the clients' kept histories
//! (`histories`: one row per client, kept on write). Records are sorted into the periods in
//! Rust, then handed to `domain::value` and `domain::fairness`. The report's two periods and
//! the value tab's twelve months cost about what one period costs. No rule is computed here.

mod coding;
pub(crate) mod histories;
pub(crate) mod pass;

use crate::domain::coding::Coding;
use crate::domain::fairness::Fairness;
use crate::domain::value::{Period, ValueMeasures};
use crate::domain::{ClinicianId, Month};
use crate::error::{Error, Result};
use crate::store::db::Connection;
use chrono::NaiveDate;
use pass::{PERIODS_PER_PASS, Pass};

/// Restricts the measures to one clinician's panel (clients whose primary clinician they are).
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueQuery {
    pub clinician: Option<ClinicianId>,
}

/// The five measures for one period.
pub fn measures(conn: &Connection, period: Period, query: ValueQuery) -> Result<ValueMeasures> {
    measures_for(conn, &[period], query)?
        .into_iter()
        .next()
        .ok_or_else(empty)
}

/// The five measures for each period, in the order given, gathered in one pass over the span
/// the periods cover (they may be of any length, overlap or leave gaps).
pub fn measures_for(
    conn: &Connection,
    periods: &[Period],
    query: ValueQuery,
) -> Result<Vec<ValueMeasures>> {
    let mut all = Vec::with_capacity(periods.len());
    for chunk in periods.chunks(PERIODS_PER_PASS) {
        all.extend(Pass::new(chunk, None, who(query)).run(conn)?.measures);
    }
    Ok(all)
}

/// The measures for one period among a contract's members (the clients attributed to it on any
/// day of the period): the same measures, counted for fewer clients.
pub fn for_members(
    conn: &Connection,
    period: Period,
    contract: crate::domain::ContractId,
) -> Result<ValueMeasures> {
    Pass::new(&[period], None, None)
        .only_members_of(conn, contract)?
        .run(conn)?
        .measures
        .into_iter()
        .next()
        .ok_or_else(empty)
}

fn who(query: ValueQuery) -> Option<i64> {
    query.clinician.map(|c| c.0)
}

fn empty() -> Error {
    Error::Database("the value measures came back empty".into())
}

/// What `report value` shows: the period, the one before it, and the period's fairness
/// self-audit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueReport {
    pub current: ValueMeasures,
    pub previous: ValueMeasures,
    pub fairness: Fairness,
    /// The coding self-audit of the period's case-rate episodes.
    pub coding: Coding,
}

/// [`ValueReport`] in one pass.
pub fn report(conn: &Connection, period: Period, query: ValueQuery) -> Result<ValueReport> {
    let previous = period.previous();
    let found = Pass::new(&[period, previous], Some(period), who(query))
        .with_episodes(coding::episodes(conn, coding_span(period), who(query))?)
        .run(conn)?;
    let coding = crate::domain::coding::audit(&found.episodes, period, previous);
    let mut measures = found.measures.into_iter();
    match (measures.next(), measures.next(), found.fairness) {
        (Some(current), Some(previous), Some(fairness)) => Ok(ValueReport {
            current,
            previous,
            fairness,
            coding,
        }),
        _ => Err(empty()),
    }
}

/// The coding self-audit's span: the case-rate episodes starting in `period` or the period
/// before it (`domain::coding` has the definitions; the pass finds their baselines).
fn coding_span(period: Period) -> Period {
    Period {
        from: period.previous().from,
        to: period.to,
    }
}

/// The fairness self-audit alone for `period` (`domain::fairness` has the definitions).
pub fn fairness(conn: &Connection, period: Period, query: ValueQuery) -> Result<Fairness> {
    Pass::new(&[], Some(period), who(query))
        .run(conn)?
        .fairness
        .ok_or_else(empty)
}

/// The five measures for each of the last 12 calendar months up to today (the current month
/// up to today), oldest first: the value tab's sparklines. One pass.
pub fn monthly(
    conn: &Connection,
    today: NaiveDate,
    query: ValueQuery,
) -> Result<Vec<ValueMeasures>> {
    let (first, last) = crate::domain::economics::last_twelve_months(today);
    months(conn, &first.through(last), today, query)
}

/// What the value tab shows: a period, the period before it, the 12 months up to today, and
/// the period's fairness and coding self-audits (the same as [`report`]'s).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueOverview {
    pub current: ValueMeasures,
    pub previous: ValueMeasures,
    /// Oldest first, the current month cut off at today.
    pub monthly: Vec<ValueMeasures>,
    pub fairness: Fairness,
    pub coding: Coding,
}

/// [`ValueOverview`] in one pass (about the cost of [`monthly`] alone).
pub fn overview(
    conn: &Connection,
    period: Period,
    today: NaiveDate,
    query: ValueQuery,
) -> Result<ValueOverview> {
    let (first, last) = crate::domain::economics::last_twelve_months(today);
    let mut periods = vec![period, period.previous()];
    periods.extend(month_periods(&first.through(last), today));
    let found = Pass::new(&periods, Some(period), who(query))
        .with_episodes(coding::episodes(conn, coding_span(period), who(query))?)
        .run(conn)?;
    let coding = crate::domain::coding::audit(&found.episodes, period, period.previous());
    let mut all = found.measures.into_iter();
    match (all.next(), all.next(), found.fairness) {
        (Some(current), Some(previous), Some(fairness)) => Ok(ValueOverview {
            current,
            previous,
            monthly: all.collect(),
            fairness,
            coding,
        }),
        _ => Err(empty()),
    }
}

/// Calendar months as periods, each cut off at `today`.
fn month_periods(months: &[Month], today: NaiveDate) -> Vec<Period> {
    months
        .iter()
        .map(|m| Period {
            from: m.first_day(),
            to: m.last_day().min(today).max(m.first_day()),
        })
        .collect()
}

/// The five measures for each calendar month given (a month is cut off at `today`), in the
/// order given. One pass.
pub fn months(
    conn: &Connection,
    months: &[Month],
    today: NaiveDate,
    query: ValueQuery,
) -> Result<Vec<ValueMeasures>> {
    measures_for(conn, &month_periods(months, today), query)
}

#[cfg(test)]
mod tests;
