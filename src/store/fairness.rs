//! The fairness self-audit's own facts: which days of a period capitation pays for, per
//! client (one scan of the attributions; `domain::economics::cover` decides the days). The rest
//! of the audit's facts (band, tier, discharge, disengagement, minutes and contacts on paid
//! days) come from the value pass (`store::value::pass`), which reads them alongside the value
//! measures; `audit` runs that pass for the audit alone. No rule is computed here.

use super::value::ValueQuery;
use crate::domain::economics::cover::{self, Days};
use crate::domain::fairness::Fairness;
use crate::domain::value::Period;
use crate::domain::{Month, Proration};
use crate::error::Result;
use crate::store::db::{Connection, params};

/// The self-audit for `period`, for the whole practice or one clinician's panel (clients whose
/// primary clinician they are; the time of every clinician on those clients counts). The same
/// figures as `store::value::report`'s.
pub fn audit(conn: &Connection, period: Period, query: ValueQuery) -> Result<Fairness> {
    super::value::fairness(conn, period, query)
}

/// Per client, the days of the period some capitation attribution pays for (merged runs), in
/// client order.
pub(crate) fn paid_days(
    conn: &Connection,
    period: Period,
    who: Option<i64>,
) -> Result<Vec<(i64, Vec<Days>)>> {
    // A first-of-month attribution that ended before the period can still pay for the rest
    // of the month it ended in.
    let reach = Month::of(period.from).first_day();
    // One walk of the attributions in client order (`attributions_spans`; as many as clients,
    // not growing with history); the clinician's clients are read once from their index,
    // never a client row per attribution.
    let mut stmt = conn.prepare_cached(
        "SELECT a.client_id, a.start_date, a.end_date, k.proration
         FROM live_attributions a CROSS JOIN contracts k
         WHERE k.id = a.contract_id AND k.model = 'capitation' AND a.start_date <= ?2
           AND (a.end_date IS NULL OR a.end_date >= ?1)
           AND (?3 IS NULL OR a.client_id IN (SELECT id FROM clients WHERE clinician_id = ?3))
         ORDER BY a.client_id",
    )?;
    let mut rows = stmt.query(params![reach, period.to, who])?;
    let mut paid: Vec<(i64, Vec<Days>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let client: i64 = r.get(0)?;
        let (start, end) = (super::row::date(&r, 1)?, super::row::opt_date(&r, 2)?);
        let proration: Proration = r.get(3)?;
        let Some(days) = cover::paid_days(proration, start, end, period.from, period.to) else {
            continue;
        };
        match paid.last_mut() {
            Some((last, runs)) if *last == client => runs.push(days),
            _ => paid.push((client, vec![days])),
        }
    }
    for (_, runs) in &mut paid {
        if runs.len() > 1 {
            *runs = cover::merge(std::mem::take(runs));
        }
    }
    Ok(paid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Intervals;
    use crate::domain::economics::cover::paid_days as pay;
    use crate::domain::fairness::{self, Band, ClientCare, NotCapitated};
    use crate::domain::flags::history::facts_from_history;
    use crate::domain::flags::{FlagKind, evaluate};
    use crate::domain::{ContractId, ContractModel, Instrument, parse_date};
    use crate::store::record::{self, ClientRecord};
    use crate::store::value;
    use crate::store::{Store, clients as client_store, clinicians, contracts};
    use chrono::NaiveDate;
    use std::collections::HashMap;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    /// The audit computed the slow way: each client's whole record, one at a time.
    fn slow(conn: &Connection, period: Period, query: ValueQuery) -> Fairness {
        let contracts: HashMap<ContractId, crate::domain::Contract> = contracts::list(conn)
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let records: Vec<ClientRecord> = client_store::list(conn, &Default::default())
            .unwrap()
            .into_iter()
            .filter(|c| query.clinician.is_none() || c.clinician_id == query.clinician)
            .map(|c| record::load(conn, c.id).unwrap())
            .collect();
        let mut covered = Vec::new();
        let mut not_capitated = NotCapitated::default();
        for r in &records {
            let runs = cover::merge(
                r.attributions
                    .iter()
                    .filter_map(|a| {
                        let k = &contracts[&a.contract_id];
                        (k.model == ContractModel::Capitation)
                            .then(|| pay(k.proration, a.start, a.end, period.from, period.to))
                            .flatten()
                    })
                    .collect(),
            );
            let mut care = ClientCare {
                band: Band::of_baseline(
                    r.measurements
                        .iter()
                        .filter(|m| m.instrument == Instrument::Phq9 && m.date <= period.to)
                        .min_by_key(|m| (m.date, m.id.0))
                        .map(|m| m.total),
                ),
                tier: r.client.tier,
                member_months: cover::member_months_of(&runs),
                minutes: 0,
                contacts: 0,
                discharged: r.client.discharged_on.is_some_and(|d| period.contains(d)),
                disengaged: evaluate(
                    &facts_from_history(
                        &r.client,
                        &r.encounters,
                        &r.measurements,
                        &r.events,
                        period.to,
                    ),
                    &Intervals::default(),
                    period.to,
                )
                .iter()
                .any(|f| f.kind == FlagKind::Disengaged),
            };
            let mut outside = false;
            for e in r.encounters.iter().filter(|e| period.contains(e.date)) {
                let contact = i64::from(crate::domain::is_contact(e.kind, e.status));
                if cover::covers(&runs, e.date) {
                    care.minutes += e.minutes;
                    care.contacts += contact;
                } else {
                    outside |= e.minutes > 0 || contact > 0;
                    not_capitated.minutes += e.minutes;
                    not_capitated.contacts += contact;
                }
            }
            not_capitated.clients += i64::from(outside);
            if !care.member_months.is_zero() {
                covered.push(care);
            }
        }
        fairness::audit(period, &covered, not_capitated)
    }

    #[test]
    fn the_statements_agree_with_each_clients_record_on_a_demo_practice() {
        let mut store = Store::open_in_memory().unwrap();
        let today = d("2026-11-23");
        crate::demo::generate(&mut store, 160, 23, today, &mut |_, _| {}).unwrap();
        let conn = store.conn();
        let dana = clinicians::by_name(conn, "Dana Reyes").unwrap().id;
        for period in [
            Period::default_ending(today),
            Period::default_ending(today).previous(),
            Period {
                from: d("2026-03-14"),
                to: d("2026-03-14"),
            },
            Period {
                from: d("2025-06-01"),
                to: d("2026-12-31"),
            },
        ] {
            for clinician in [None, Some(dana)] {
                let query = ValueQuery { clinician };
                let fast = audit(conn, period, query).unwrap();
                assert_eq!(fast, slow(conn, period, query), "{period:?} {clinician:?}");
                // The same figures when gathered beside the value measures.
                assert_eq!(value::report(conn, period, query).unwrap().fairness, fast);
            }
        }
        let f = audit(conn, Period::default_ending(today), ValueQuery::default()).unwrap();
        let clients: i64 = f.by_band.iter().map(|b| b.care.clients).sum();
        assert!(clients > 50, "{f:#?}");
        assert!(
            f.by_band.iter().filter(|b| b.care.clients > 0).count() >= 4,
            "{f:#?}"
        );
    }
}
