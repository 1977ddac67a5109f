//! The SQL behind the revenue report: aggregates over indexes, never a query per client.
//! Attributions up to the end of the range; minutes per day and clinician over the covering
//! index `encounters_by_date`; minutes per attribution (a join through `encounters_by_client`,
//! which carries clinician and minutes, so no encounter row is read); minutes per client. Sums of `minutes × hourly cost in cents` stay integers here — dividing
//! by 60 and rounding is the domain's job.

use super::RevenueQuery;
use crate::domain::economics::time_owners;
use crate::domain::{AttributionId, ClientId, ClinicianId, ContractId, ranges_overlap};
use crate::error::Result;
use crate::store::db::{Connection, params};
use chrono::NaiveDate;
use std::collections::HashMap;

/// An attribution as the report needs it, with the client's primary clinician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: AttributionId,
    pub client: ClientId,
    pub contract: ContractId,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub primary: Option<ClinicianId>,
    /// The episode's diagnosis (case rates by diagnosis).
    pub diagnosis: Option<String>,
}

/// Time summed in SQL: minutes, and Σ minutes × the clinician's hourly cost in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spent {
    pub minutes: i64,
    pub minute_cents: i64,
}

impl Spent {
    pub fn add(&mut self, other: Spent) {
        self.minutes += other.minutes;
        self.minute_cents += other.minute_cents;
    }
}

/// `AND column = ?n` when the query restricts it, else a constant that keeps the parameter
/// bound without touching the plan. A leading `+` keeps SQLite from choosing an index for it.
fn only(column: &str, restricted: bool, n: u8) -> String {
    if restricted {
        format!("AND {column} = ?{n}")
    } else {
        format!("AND ?{n} IS NULL")
    }
}

/// Every attribution (in scope of the client filter) that starts by the end of the range:
/// those overlapping the range, and the earlier ones the withhold to date needs.
pub fn attributions(conn: &Connection, q: &RevenueQuery) -> Result<Vec<Span>> {
    let sql = format!(
        "SELECT a.id, a.client_id, a.contract_id, a.start_date, a.end_date, c.clinician_id,
                a.diagnosis
         FROM live_attributions a JOIN clients c ON c.id = a.client_id
         WHERE a.start_date <= ?1 {}
         ORDER BY a.client_id, a.start_date, a.id",
        only("a.client_id", q.client.is_some(), 2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![q.to.last_day(), q.client], |r| {
        Ok(Span {
            id: r.get(0)?,
            client: r.get(1)?,
            contract: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
            primary: r.get(5)?,
            diagnosis: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Minutes per day and clinician in the range. Grouping by `(date, clinician_id)` follows the
/// covering index `encounters_by_date`, so SQLite streams the groups without sorting.
pub fn time_by_day(
    conn: &Connection,
    q: &RevenueQuery,
) -> Result<Vec<(NaiveDate, ClinicianId, i64)>> {
    let mut stmt = conn.prepare_cached(&by_day_sql(q))?;
    let rows = stmt.query_map(bounds(q), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Minutes per client in the range. `+e.date` keeps SQLite off `encounters_by_date` (which
/// would need a sort) and on the covering `encounters_by_client`, in group order.
pub fn time_by_client(conn: &Connection, q: &RevenueQuery) -> Result<Vec<(ClientId, Spent)>> {
    let mut stmt = conn.prepare_cached(&by_client_sql(q))?;
    let rows = stmt.query_map(bounds(q), |r| {
        Ok((
            r.get(0)?,
            Spent {
                minutes: r.get(1)?,
                minute_cents: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Minutes per attribution: the time spent on a client while attributed, within the range.
/// One join does it for every attribution; a client whose attributions overlap (two contracts
/// at once) has their days split first, so no minute counts twice (`time_owners`).
pub fn time_by_attribution(
    conn: &Connection,
    q: &RevenueQuery,
    spans: &[Span],
) -> Result<HashMap<AttributionId, Spent>> {
    let mut stmt = conn.prepare_cached(&by_attribution_sql(q))?;
    let rows = stmt.query_map(bounds(q), |r| {
        Ok((
            r.get(0)?,
            Spent {
                minutes: r.get(1)?,
                minute_cents: r.get(2)?,
            },
        ))
    })?;
    let mut spent: HashMap<AttributionId, Spent> = rows.collect::<rusqlite::Result<_>>()?;

    let (from, to) = (q.from.first_day(), q.to.last_day());
    let mut by_client: HashMap<ClientId, Vec<&Span>> = HashMap::new();
    for s in spans
        .iter()
        .filter(|s| ranges_overlap(s.start, s.end, from, Some(to)))
    {
        by_client.entry(s.client).or_default().push(s);
    }
    for (client, mut list) in by_client {
        let Some(parts) = shared_out(conn, client, &mut list, q)? else {
            continue;
        };
        for s in &list {
            spent.remove(&s.id);
        }
        for (owner, part) in parts {
            spent.entry(owner).or_default().add(part);
        }
    }
    Ok(spent)
}

/// When one client's attributions in the range overlap, their days shared out by the rule
/// (`time_owners`): each stretch's time with the attribution that owns it, one entry per
/// stretch. None when they do not overlap (each attribution then keeps its own days).
pub fn shared_out(
    conn: &Connection,
    client: ClientId,
    list: &mut [&Span],
    q: &RevenueQuery,
) -> Result<Option<Vec<(AttributionId, Spent)>>> {
    let overlapping = list.iter().enumerate().any(|(i, a)| {
        list[i + 1..]
            .iter()
            .any(|b| ranges_overlap(a.start, a.end, b.start, b.end))
    });
    if !overlapping {
        return Ok(None);
    }
    list.sort_by_key(|s| (s.start, s.id));
    let ranges: Vec<(NaiveDate, Option<NaiveDate>)> =
        list.iter().map(|s| (s.start, s.end)).collect();
    let (from, to) = (q.from.first_day(), q.to.last_day());
    let mut parts = Vec::new();
    for stretch in time_owners(&ranges, from, to) {
        let (_, part) = time_between(conn, client, stretch.from, stretch.to, q)?;
        parts.push((list[stretch.owner].id, part));
    }
    Ok(Some(parts))
}

/// One client's time between two dates (inclusive), with how many encounters it is.
pub fn time_between(
    conn: &Connection,
    client: ClientId,
    from: NaiveDate,
    to: NaiveDate,
    q: &RevenueQuery,
) -> Result<(i64, Spent)> {
    let sql = format!(
        "SELECT count(*), coalesce(sum(e.minutes), 0),
                coalesce(sum(e.minutes * k.hourly_cost_cents), 0)
         FROM live_encounters e JOIN clinicians k ON k.id = e.clinician_id
         WHERE e.client_id = ?1 AND e.date >= ?2 AND e.date <= ?3 {}",
        only("+e.clinician_id", q.clinician.is_some(), 4)
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![client, from, to, q.clinician], |r| {
            Ok((
                r.get(0)?,
                Spent {
                    minutes: r.get(1)?,
                    minute_cents: r.get(2)?,
                },
            ))
        })?)
}

/// Client names, for the by-client rows.
pub fn client_names(conn: &Connection, q: &RevenueQuery) -> Result<HashMap<ClientId, String>> {
    let sql = format!(
        "SELECT id, name FROM clients WHERE 1 = 1 {}",
        only("id", q.client.is_some(), 1)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([q.client], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn by_day_sql(q: &RevenueQuery) -> String {
    format!(
        "SELECT e.date, e.clinician_id, sum(e.minutes) FROM live_encounters e
         WHERE e.date >= ?1 AND e.date <= ?2 {} {}
         GROUP BY e.date, e.clinician_id",
        only("e.client_id", q.client.is_some(), 3),
        only("+e.clinician_id", q.clinician.is_some(), 4)
    )
}

fn by_client_sql(q: &RevenueQuery) -> String {
    format!(
        "SELECT e.client_id, sum(e.minutes), sum(e.minutes * k.hourly_cost_cents)
         FROM live_encounters e JOIN clinicians k ON k.id = e.clinician_id
         WHERE +e.date >= ?1 AND +e.date <= ?2 {} {}
         GROUP BY e.client_id",
        only("e.client_id", q.client.is_some(), 3),
        only("+e.clinician_id", q.clinician.is_some(), 4)
    )
}

/// Grouped by attribution id, in the order the attributions are scanned: no sort.
fn by_attribution_sql(q: &RevenueQuery) -> String {
    format!(
        "SELECT a.id, sum(e.minutes), sum(e.minutes * k.hourly_cost_cents)
         FROM live_attributions a
         JOIN live_encounters e ON e.client_id = a.client_id
              AND e.date >= max(a.start_date, ?1)
              AND e.date <= min(coalesce(a.end_date, ?2), ?2)
         JOIN clinicians k ON k.id = e.clinician_id
         WHERE a.start_date <= ?2 AND (a.end_date IS NULL OR a.end_date >= ?1) {} {}
         GROUP BY a.id",
        only("a.client_id", q.client.is_some(), 3),
        only("+e.clinician_id", q.clinician.is_some(), 4)
    )
}

/// The four parameters of the time queries: first day, last day, client, clinician.
fn bounds(q: &RevenueQuery) -> (NaiveDate, NaiveDate, Option<ClientId>, Option<ClinicianId>) {
    (q.from.first_day(), q.to.last_day(), q.client, q.clinician)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_month;
    use crate::store::Store;
    use crate::store::revenue::GroupBy;

    fn plan(conn: &Connection, sql: &str, q: &RevenueQuery) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(bounds(q), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
    }

    /// The time queries stay index-driven and sort-free for every filter: the guard that keeps
    /// the report fast at 100,000 clients and millions of encounters.
    #[test]
    fn the_time_queries_follow_their_indexes_without_sorting() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let month = parse_month("2026-01").unwrap();
        for (client, clinician) in [
            (None, None),
            (None, Some(ClinicianId(1))),
            (Some(ClientId(1)), None),
        ] {
            let q = RevenueQuery {
                client,
                clinician,
                ..RevenueQuery::new(month, month, GroupBy::Month)
            };
            let day = plan(conn, &by_day_sql(&q), &q);
            let attributed = plan(conn, &by_attribution_sql(&q), &q);
            let per_client = plan(conn, &by_client_sql(&q), &q);
            // One client's rows are few: only the whole-practice plans must not sort.
            if client.is_none() {
                assert!(day.contains("COVERING INDEX encounters_by_date"), "{day}");
                for p in [&day, &attributed, &per_client] {
                    assert!(!p.contains("TEMP B-TREE"), "{p}");
                }
            }
            // The per-client index carries clinician and minutes: no encounter row is read.
            let covering = "COVERING INDEX encounters_by_client";
            assert!(attributed.contains(covering), "{attributed}");
            assert!(per_client.contains(covering), "{per_client}");
            if client.is_some() {
                assert!(day.contains(covering), "{day}");
            }
        }
    }
}
