//! The facts behind `caseload reconcile`, each one query over indexes whatever the panel's size:
//! a contract's attributions by client, the attributed members never engaged, and the work done
//! on days no contract covered. The comparison rules are `domain::reconcile`'s.

use crate::domain::reconcile::Attributed;
use crate::domain::{ClientId, ClientStatus, ContractId, Month};
use crate::error::Result;
use crate::store::db::{Connection, params};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every client attributed to the contract at any time, with those attributions.
pub fn attributed(conn: &Connection, contract: ContractId) -> Result<Vec<Attributed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.client_id, c.external_id, a.start_date, a.end_date
         FROM live_attributions a JOIN clients c ON c.id = a.client_id
         WHERE a.contract_id = ?1 ORDER BY a.client_id, a.start_date",
    )?;
    let rows = stmt.query_map([contract.0], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get(2)?,
            r.get(3)?,
        ))
    })?;
    let mut by_client: BTreeMap<i64, Attributed> = BTreeMap::new();
    for row in rows {
        let (client, member_id, start, end) = row?;
        by_client
            .entry(client)
            .or_insert_with(|| Attributed {
                client_id: ClientId(client),
                member_id,
                spans: Vec::new(),
            })
            .spans
            .push((start, end));
    }
    Ok(by_client.into_values().collect())
}

/// A member attributed in the month with no contact on or before its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeverEngaged {
    pub client_id: ClientId,
    pub external_id: Option<String>,
    pub name: String,
    pub status: ClientStatus,
    /// The start of the attribution that covers the month.
    pub attributed_from: NaiveDate,
    /// Outreach attempts (encounters of kind `outreach`) so far.
    pub outreach_attempts: i64,
    pub last_outreach: Option<NaiveDate>,
}

/// Members attributed to `contract` on any day of `month` who have had no contact (a completed
/// encounter of a contact kind) dated on or before the month's last day, oldest attribution
/// first.
pub fn never_engaged(
    conn: &Connection,
    contract: ContractId,
    month: Month,
) -> Result<Vec<NeverEngaged>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.external_id, c.name, c.status, MIN(a.start_date),
                (SELECT count(*) FROM live_encounters o WHERE o.client_id = c.id
                    AND o.kind = 'outreach' AND o.date <= ?3),
                (SELECT max(o.date) FROM live_encounters o WHERE o.client_id = c.id
                    AND o.kind = 'outreach' AND o.date <= ?3)
         FROM live_attributions a JOIN clients c ON c.id = a.client_id
         WHERE a.contract_id = ?1 AND a.start_date <= ?3
           AND (a.end_date IS NULL OR a.end_date >= ?2)
           AND NOT EXISTS (SELECT 1 FROM live_encounters e WHERE e.client_id = c.id
                   AND {} AND e.date <= ?3)
         GROUP BY c.id
         ORDER BY MIN(a.start_date), c.id",
        super::row::is_contact("e")
    ))?;
    let rows = stmt.query_map(
        params![contract, month.first_day(), month.last_day()],
        |r| {
            Ok(NeverEngaged {
                client_id: r.get(0)?,
                external_id: r.get(1)?,
                name: r.get(2)?,
                status: r.get(3)?,
                attributed_from: r.get(4)?,
                outreach_attempts: r.get(5)?,
                last_outreach: r.get(6)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Work in the month on days no contract covered the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unpaid {
    pub client_id: ClientId,
    pub external_id: Option<String>,
    pub name: String,
    /// Encounters of any kind and status.
    pub encounters: i64,
    /// Of those, contacts (completed encounters of contact kinds).
    pub contacts: i64,
    pub minutes: i64,
    /// Σ minutes × the clinician's hourly cost in cents (÷ 60 gives the cost).
    #[serde(skip)]
    pub minutes_times_hourly_cents: i64,
}

/// Clients with encounters dated in `month` on days when no attribution to any contract covered
/// them: the work nobody pays for. Most minutes first.
pub fn unpaid_work(conn: &Connection, month: Month) -> Result<Vec<Unpaid>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.external_id, c.name, count(*),
                COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(e.minutes), 0), COALESCE(SUM(e.minutes * k.hourly_cost_cents), 0)
         FROM live_encounters e
         JOIN clients c ON c.id = e.client_id
         JOIN clinicians k ON k.id = e.clinician_id
         WHERE e.date BETWEEN ?1 AND ?2
           AND NOT EXISTS (SELECT 1 FROM live_attributions a WHERE a.client_id = e.client_id
                   AND a.start_date <= e.date AND (a.end_date IS NULL OR a.end_date >= e.date))
         GROUP BY c.id
         ORDER BY SUM(e.minutes) DESC, c.id",
        super::row::is_contact("e")
    ))?;
    let rows = stmt.query_map(params![month.first_day(), month.last_day()], |r| {
        Ok(Unpaid {
            client_id: r.get(0)?,
            external_id: r.get(1)?,
            name: r.get(2)?,
            encounters: r.get(3)?,
            contacts: r.get(4)?,
            minutes: r.get(5)?,
            minutes_times_hourly_cents: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
