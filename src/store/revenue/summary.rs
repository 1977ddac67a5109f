//! The revenue report off the sums kept on write (migration 12), for every report but one
//! client's or the by-client rows: attributions counted in groups that earn alike, and minutes
//! per month by clinician and by contract. Counting and summing only: what a group earns is
//! `domain::economics::earned_in_month`, and the days of a client whose attributions overlap
//! are shared out by `time_owners` (`gather::shared_out`), exactly as the per-attribution path
//! does. A test holds every figure to that path's.

use super::RevenueQuery;
use super::gather::{self, Span, Spent};
use crate::domain::{ClientId, ClinicianId, ContractId, Month};
use crate::error::Result;
use crate::store::db::{Connection, params};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Attributions alike in everything that decides what they earn and whose row it is: one
/// contract, one primary clinician, the same days and the same diagnosis. `client` is set only
/// for a single attribution (the per-attribution path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub contract: ContractId,
    pub client: Option<ClientId>,
    pub primary: Option<ClinicianId>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub diagnosis: Option<String>,
    /// How many attributions (at least 1).
    pub members: i64,
}

impl Group {
    /// One attribution, as a group of one.
    pub fn of(span: &Span) -> Group {
        Group {
            contract: span.contract,
            client: Some(span.client),
            primary: span.primary,
            start: span.start,
            end: span.end,
            diagnosis: span.diagnosis.clone(),
            members: 1,
        }
    }
}

/// The stored open end (an attribution without an end date).
const OPEN_END: &str = "9999-12-31";

/// Every group of live attributions that starts by `last` and, with `first`, has not ended
/// before it.
pub fn groups(conn: &Connection, first: Option<NaiveDate>, last: NaiveDate) -> Result<Vec<Group>> {
    let mut stmt = conn.prepare_cached(
        "SELECT contract_id, clinician_id, start_date, end_date, diagnosis, members
         FROM attribution_groups
         WHERE start_date <= ?1 AND (?2 IS NULL OR end_date >= ?2) AND members <> 0",
    )?;
    let rows = stmt.query_map(params![last, first], |r| {
        let clinician: i64 = r.get(1)?;
        let end: String = r.get(3)?;
        let diagnosis: String = r.get(4)?;
        Ok(Group {
            contract: r.get(0)?,
            client: None,
            primary: (clinician != 0).then_some(ClinicianId(clinician)),
            start: r.get(2)?,
            end: if end == OPEN_END {
                None
            } else {
                Some(r.get(3)?)
            },
            // An empty diagnosis is none: no diagnosis rate has an empty prefix, so the
            // rate is the same either way (`Contract::rate_for`).
            diagnosis: (!diagnosis.is_empty()).then_some(diagnosis),
            members: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Minutes per month and clinician in the range (one clinician's, in their scope): the months
/// with at least one live encounter.
pub fn time_by_month(
    conn: &Connection,
    q: &RevenueQuery,
) -> Result<Vec<(Month, ClinicianId, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT month, clinician_id, minutes FROM clinician_month_minutes
         WHERE month >= ?1 AND month <= ?2 AND (?3 IS NULL OR clinician_id = ?3)
           AND encounters <> 0",
    )?;
    let rows = stmt.query_map(
        params![q.from.to_string(), q.to.to_string(), q.clinician],
        |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (month, clinician, minutes) = row?;
        out.push((crate::domain::parse_month(&month)?, clinician, minutes));
    }
    Ok(out)
}

/// The time spent on each contract's members while attributed, in the range — what the
/// per-attribution sums come to per contract. A contract is listed when one of its
/// attributions has an encounter in its days, or owns a stretch of a client whose attributions
/// overlap (as the per-attribution path lists them).
pub fn time_by_contract(conn: &Connection, q: &RevenueQuery) -> Result<Vec<(ContractId, Spent)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.contract_id, sum(m.encounters), sum(m.minutes),
                sum(m.minutes * k.hourly_cost_cents)
         FROM contract_month_minutes m JOIN clinicians k ON k.id = m.clinician_id
         WHERE m.month >= ?1 AND m.month <= ?2 AND (?3 IS NULL OR m.clinician_id = ?3)
         GROUP BY m.contract_id",
    )?;
    let rows = stmt.query_map(
        params![q.from.to_string(), q.to.to_string(), q.clinician],
        |r| {
            Ok((
                r.get::<_, ContractId>(0)?,
                r.get::<_, i64>(1)?,
                Spent {
                    minutes: r.get(2)?,
                    minute_cents: r.get(3)?,
                },
            ))
        },
    )?;
    let mut per: HashMap<ContractId, (i64, Spent, bool)> = HashMap::new();
    for row in rows {
        let (contract, count, spent) = row?;
        per.insert(contract, (count, spent, false));
    }
    // Clients with overlapping attributions were counted once per attribution: take each
    // attribution's own days back out and add the stretches it owns.
    let (from, to) = (q.from.first_day(), q.to.last_day());
    for (client, spans) in several_attributions(conn, q)? {
        let mut list: Vec<&Span> = spans.iter().collect();
        let Some(parts) = gather::shared_out(conn, client, &mut list, q)? else {
            continue;
        };
        for s in &spans {
            let end = s.end.map_or(to, |e| e.min(to));
            let (count, own) = gather::time_between(conn, client, s.start.max(from), end, q)?;
            let entry = per.entry(s.contract).or_default();
            entry.0 -= count;
            entry.1.minutes -= own.minutes;
            entry.1.minute_cents -= own.minute_cents;
        }
        for (owner, part) in parts {
            let Some(s) = spans.iter().find(|s| s.id == owner) else {
                continue;
            };
            let entry = per.entry(s.contract).or_default();
            entry.1.add(part);
            entry.2 = true;
        }
    }
    Ok(per
        .into_iter()
        .filter(|(_, (count, _, owns))| *count > 0 || *owns)
        .map(|(contract, (_, spent, _))| (contract, spent))
        .collect())
}

/// The live attributions in the range of every client who has more than one there.
fn several_attributions(conn: &Connection, q: &RevenueQuery) -> Result<Vec<(ClientId, Vec<Span>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.client_id, a.id, a.contract_id, a.start_date, a.end_date
         FROM live_attributions a
         WHERE a.start_date <= ?2 AND (a.end_date IS NULL OR a.end_date >= ?1)
           AND a.client_id IN (SELECT b.client_id FROM live_attributions b
                               WHERE b.start_date <= ?2 AND (b.end_date IS NULL OR b.end_date >= ?1)
                               GROUP BY b.client_id HAVING count(*) > 1)
         ORDER BY a.client_id",
    )?;
    let rows = stmt.query_map(params![q.from.first_day(), q.to.last_day()], |r| {
        Ok(Span {
            client: r.get(0)?,
            id: r.get(1)?,
            contract: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
            primary: None,
            diagnosis: None,
        })
    })?;
    let mut out: Vec<(ClientId, Vec<Span>)> = Vec::new();
    for row in rows {
        let span = row?;
        match out.last_mut() {
            Some((client, spans)) if *client == span.client => spans.push(span),
            _ => out.push((span.client, vec![span])),
        }
    }
    Ok(out)
}
