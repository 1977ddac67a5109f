//! The facts behind the value measures (SPEC section 7), gathered for one or several periods in
//! ONE pass: a few client-driven statements that each read only the rows dated inside the
//! periods' span, through indexes that start with the client (`encounters_contact_kinds`,
//! `measurements_by_client_date`, `measurements_by_client_instrument`), plus one seek per
//! client for the first contact ever and the PHQ-9 baseline. Rows are sorted into the periods
//! in Rust, then handed to `domain::value`. The report's two periods and the value tab's twelve
//! months cost about what one period costs. No rule is computed here.
//!
//! Never a date-driven scan of encounters: `encounters_by_date` does not hold kind or status,
//! so such a plan looks up every row of the period in the table (seconds at 100,000 clients).

use super::row::{day_key, iso, key, key_date, opt_key};
use crate::domain::value::{self, Period, Rate, ValueMeasures};
use crate::domain::{ClinicianId, EncounterKind, Instrument, Month};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use std::collections::HashMap;

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
        .ok_or_else(|| Error::Database("the value measures came back empty".into()))
}

/// The five measures for each period, in the order given, gathered in one pass over the span
/// the periods cover (they may be of any length, overlap or leave gaps).
pub fn measures_for(
    conn: &Connection,
    periods: &[Period],
    query: ValueQuery,
) -> Result<Vec<ValueMeasures>> {
    let mut all = Vec::with_capacity(periods.len());
    for chunk in periods.chunks(PASS) {
        all.extend(Pass::new(chunk).run(conn, query)?);
    }
    Ok(all)
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

/// What the value tab shows: a period, the period before it and the 12 months up to today.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueOverview {
    pub current: ValueMeasures,
    pub previous: ValueMeasures,
    /// Oldest first, the current month cut off at today.
    pub monthly: Vec<ValueMeasures>,
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
    let mut all = measures_for(conn, &periods, query)?.into_iter();
    match (all.next(), all.next()) {
        (Some(current), Some(previous)) => Ok(ValueOverview {
            current,
            previous,
            monthly: all.collect(),
        }),
        _ => Err(Error::Database("the value measures came back empty".into())),
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

/// Periods gathered together: each client keeps one "contacted" and one "measured" bit per
/// period in a `u64`.
const PASS: usize = 32;

/// A period as day keys, with everything counted for it.
struct Bucket {
    period: Period,
    from: u32,
    to: u32,
    firsts: Vec<(NaiveDate, NaiveDate)>,
    completed: i64,
    attempts: i64,
    active: i64,
    contacted: i64,
    measured: i64,
    pairs: Vec<(i64, i64)>,
    srs: Vec<i64>,
    events: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl Bucket {
    fn holds(&self, day: u32) -> bool {
        self.from <= day && day <= self.to
    }

    fn measures(self) -> ValueMeasures {
        ValueMeasures {
            from: self.period.from,
            to: self.period.to,
            access: value::access(&self.firsts),
            engagement: value::Engagement {
                show_rate: Rate::new(self.completed, self.attempts),
                contacted: Rate::new(self.contacted, self.active),
            },
            outcomes: value::outcomes(Rate::new(self.measured, self.active), &self.pairs),
            experience: value::experience(&self.srs),
            post_discharge: value::post_discharge(&self.events),
        }
    }
}

/// A PHQ-9 as the outcome measures need it: ordered by (date, id), with its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Phq9 {
    day: u32,
    id: i64,
    total: i64,
}

/// What the pass keeps about each client.
struct ClientState {
    /// Status `active` (the measures' "active clients" also need `since` ≤ the period's end).
    active: bool,
    since: u32,
    /// The earliest PHQ-9 (active clients only).
    baseline: Option<Phq9>,
    /// The latest PHQ-9 dated before the span (active clients only).
    before: Option<Phq9>,
    /// Bit i: contacted in period i; bit 32 + i: measured in period i.
    seen: u64,
}

impl ClientState {
    fn counts_in(&self, bucket: &Bucket) -> bool {
        self.active && self.since <= bucket.to
    }
}

/// The clients in scope, by id. Streams are client-driven, so one client's rows come
/// together: `slot` looks each run of rows up once.
struct Clients {
    states: Vec<ClientState>,
    by_id: HashMap<i64, usize>,
    last: Option<(i64, Option<usize>)>,
}

impl Clients {
    fn slot(&mut self, id: i64) -> Option<usize> {
        match self.last {
            Some((at, slot)) if at == id => slot,
            _ => {
                let slot = self.by_id.get(&id).copied();
                self.last = Some((id, slot));
                slot
            }
        }
    }

    fn get_mut(&mut self, id: i64) -> Option<&mut ClientState> {
        let slot = self.slot(id)?;
        self.states.get_mut(slot)
    }
}

struct Pass {
    buckets: Vec<Bucket>,
    from: String,
    to: String,
}

impl Pass {
    fn new(periods: &[Period]) -> Pass {
        let from = periods.iter().map(|p| p.from).min().unwrap_or_default();
        let to = periods.iter().map(|p| p.to).max().unwrap_or_default();
        Pass {
            buckets: periods
                .iter()
                .map(|&period| Bucket {
                    period,
                    from: day_key(period.from),
                    to: day_key(period.to),
                    firsts: Vec::new(),
                    completed: 0,
                    attempts: 0,
                    active: 0,
                    contacted: 0,
                    measured: 0,
                    pairs: Vec::new(),
                    srs: Vec::new(),
                    events: Vec::new(),
                })
                .collect(),
            from: iso(from),
            to: iso(to),
        }
    }

    fn run(mut self, conn: &Connection, query: ValueQuery) -> Result<Vec<ValueMeasures>> {
        if self.buckets.is_empty() {
            return Ok(Vec::new());
        }
        let who = query.clinician.map(|c| c.0);
        let mut clients = self.clients(conn, who)?;
        self.attempts(conn, who, &mut clients)?;
        self.measured(conn, who, &mut clients)?;
        self.outcomes(conn, who, &mut clients)?;
        self.experience(conn, who)?;
        self.post_discharge(conn, who)?;
        Ok(self.buckets.into_iter().map(Bucket::measures).collect())
    }

    /// Every client in scope, with the first contact ever (access), the PHQ-9 baseline and the
    /// latest PHQ-9 before the span (outcomes); counts the active clients of each period.
    fn clients(&mut self, conn: &Connection, who: Option<i64>) -> Result<Clients> {
        let phq9 = |when: &str, order: &str, bound: &str| {
            format!(
                "CASE WHEN {when} THEN
                   (SELECT m.id FROM measurements m
                    WHERE m.client_id = c.id AND m.instrument = 'phq9' {bound}
                    ORDER BY m.date {order}, m.id {order} LIMIT 1) END"
            )
        };
        let sql = format!(
            "SELECT c.id, c.status = 'active', c.since,
                (SELECT min(e.date) FROM encounters e WHERE e.client_id = c.id AND {contact}),
                pb.id, pb.date, pb.total, pp.id, pp.date, pp.total
             FROM clients c
             LEFT JOIN measurements pb ON pb.id = {baseline}
             LEFT JOIN measurements pp ON pp.id = {before}
             WHERE ?2 IS NULL OR c.clinician_id = ?2",
            contact = contact("e"),
            baseline = phq9("c.status = 'active'", "ASC", ""),
            // Only a baseline at caseness before the span can need it (the outcome measures
            // ignore the rest).
            before = phq9("pb.total >= ?3 AND pb.date < ?1", "DESC", "AND m.date < ?1"),
        );
        let caseness = Instrument::Phq9.def().caseness;
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.from, who, caseness])?;
        let mut clients = Clients {
            states: Vec::new(),
            by_id: HashMap::new(),
            last: None,
        };
        let phq9_at = |r: &rusqlite::Row, i: usize| -> rusqlite::Result<Option<Phq9>> {
            Ok(match r.get::<_, Option<i64>>(i)? {
                Some(id) => Some(Phq9 {
                    id,
                    day: key(r, i + 1)?,
                    total: r.get(i + 2)?,
                }),
                None => None,
            })
        };
        while let Some(r) = rows.next()? {
            let state = ClientState {
                active: r.get(1)?,
                since: key(r, 2)?,
                baseline: phq9_at(r, 4)?,
                before: phq9_at(r, 7)?,
                seen: 0,
            };
            let first = opt_key(r, 3)?;
            for b in &mut self.buckets {
                if state.counts_in(b) {
                    b.active += 1;
                }
                if let Some(first) = first.filter(|f| b.holds(*f)) {
                    if let (Some(since), Some(first)) = (key_date(state.since), key_date(first)) {
                        b.firsts.push((since, first));
                    }
                }
            }
            clients.by_id.insert(r.get(0)?, clients.states.len());
            clients.states.push(state);
        }
        Ok(clients)
    }

    /// Contact-kind encounters in the span: show rate (every client in scope) and contacted
    /// (active clients).
    fn attempts(
        &mut self,
        conn: &Connection,
        who: Option<i64>,
        clients: &mut Clients,
    ) -> Result<()> {
        let sql = format!(
            "SELECT c.id, e.date, e.status = 'completed'
             FROM clients c CROSS JOIN encounters e
             WHERE e.client_id = c.id AND e.kind IN {kinds} AND e.date >= ?1 AND e.date <= ?2
               AND (?3 IS NULL OR c.clinician_id = ?3)",
            kinds = EncounterKind::CONTACT_KINDS_SQL
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.from, self.to, who])?;
        while let Some(r) = rows.next()? {
            let day = key(r, 1)?;
            let completed: bool = r.get(2)?;
            let mut client = clients.get_mut(r.get(0)?);
            for (i, b) in self.buckets.iter_mut().enumerate() {
                if !b.holds(day) {
                    continue;
                }
                b.attempts += 1;
                if !completed {
                    continue;
                }
                b.completed += 1;
                if let Some(c) = client.as_deref_mut() {
                    if c.counts_in(b) && c.seen & (1 << i) == 0 {
                        c.seen |= 1 << i;
                        b.contacted += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Active clients with a measurement of any instrument in each period.
    fn measured(
        &mut self,
        conn: &Connection,
        who: Option<i64>,
        clients: &mut Clients,
    ) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, m.date FROM clients c CROSS JOIN measurements m
             WHERE m.client_id = c.id AND m.date >= ?1 AND m.date <= ?2
               AND c.status = 'active' AND (?3 IS NULL OR c.clinician_id = ?3)",
        )?;
        let mut rows = stmt.query(params![self.from, self.to, who])?;
        while let Some(r) = rows.next()? {
            let day = key(r, 1)?;
            let Some(c) = clients.get_mut(r.get(0)?) else {
                continue;
            };
            for (i, b) in self.buckets.iter_mut().enumerate() {
                let bit = 1u64 << (PASS + i);
                if b.holds(day) && c.counts_in(b) && c.seen & bit == 0 {
                    c.seen |= bit;
                    b.measured += 1;
                }
            }
        }
        Ok(())
    }

    /// For each period's end: the latest PHQ-9 by then against the baseline, for active
    /// clients with a baseline at least two PHQ-9s by then (domain::value keeps those at
    /// caseness).
    fn outcomes(
        &mut self,
        conn: &Connection,
        who: Option<i64>,
        clients: &mut Clients,
    ) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, m.id, m.date, m.total FROM clients c CROSS JOIN measurements m
             WHERE m.client_id = c.id AND m.instrument = 'phq9' AND m.date >= ?1 AND m.date <= ?2
               AND c.status = 'active' AND (?3 IS NULL OR c.clinician_id = ?3)",
        )?;
        let mut inside: Vec<(usize, Phq9)> = Vec::new();
        let mut rows = stmt.query(params![self.from, self.to, who])?;
        while let Some(r) = rows.next()? {
            if let Some(slot) = clients.slot(r.get(0)?) {
                let phq9 = Phq9 {
                    id: r.get(1)?,
                    day: key(r, 2)?,
                    total: r.get(3)?,
                };
                inside.push((slot, phq9));
            }
        }
        inside.sort_unstable();
        let mut rest = &inside[..];
        for (slot, c) in clients.states.iter().enumerate() {
            let n = rest.iter().take_while(|(s, _)| *s == slot).count();
            let (during, later) = rest.split_at(n);
            rest = later;
            let Some(baseline) = c.baseline else {
                continue;
            };
            for b in &mut self.buckets {
                if !c.counts_in(b) || baseline.day > b.to {
                    continue;
                }
                let latest = during
                    .iter()
                    .map(|(_, m)| m)
                    .filter(|m| m.day <= b.to)
                    .max()
                    .or(c.before.as_ref());
                if let Some(latest) = latest.filter(|l| l.id != baseline.id) {
                    b.pairs.push((baseline.total, latest.total));
                }
            }
        }
        Ok(())
    }

    /// SRS totals dated in each period.
    fn experience(&mut self, conn: &Connection, who: Option<i64>) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "SELECT m.date, m.total FROM clients c CROSS JOIN measurements m
             WHERE m.client_id = c.id AND m.instrument = 'srs' AND m.date >= ?1 AND m.date <= ?2
               AND (?3 IS NULL OR c.clinician_id = ?3)",
        )?;
        let mut rows = stmt.query(params![self.from, self.to, who])?;
        while let Some(r) = rows.next()? {
            let day = key(r, 0)?;
            let total: i64 = r.get(1)?;
            for b in self.buckets.iter_mut().filter(|b| b.holds(day)) {
                b.srs.push(total);
            }
        }
        Ok(())
    }

    /// Acute events dated in each period, with the first contact dated after each.
    fn post_discharge(&mut self, conn: &Connection, who: Option<i64>) -> Result<()> {
        let sql = format!(
            "SELECT v.date, (SELECT min(e.date) FROM encounters e
                             WHERE e.client_id = v.client_id AND {contact} AND e.date > v.date)
             FROM events v JOIN clients c ON c.id = v.client_id
             WHERE v.date >= ?1 AND v.date <= ?2 AND (?3 IS NULL OR c.clinician_id = ?3)",
            contact = contact("e")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.from, self.to, who])?;
        while let Some(r) = rows.next()? {
            let day = key(r, 0)?;
            let (Some(on), next) = (key_date(day), opt_key(r, 1)?.and_then(key_date)) else {
                continue;
            };
            for b in self.buckets.iter_mut().filter(|b| b.holds(day)) {
                b.events.push((on, next));
            }
        }
        Ok(())
    }
}

/// The contact condition, written exactly as the partial index `encounters_contacts` is
/// declared so SQLite can use it.
fn contact(alias: &str) -> String {
    format!(
        "{alias}.status = 'completed' AND {alias}.kind IN {}",
        EncounterKind::CONTACT_KINDS_SQL
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientStatus, parse_date};
    use crate::store::record::{self, ClientRecord};
    use crate::store::{Store, clients as client_store, clinicians};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    /// The measures computed the slow way, straight from SPEC section 7: every client's whole
    /// record, one client at a time.
    fn slow(records: &[ClientRecord], period: Period, who: Option<ClinicianId>) -> ValueMeasures {
        let mine: Vec<&ClientRecord> = records
            .iter()
            .filter(|r| who.is_none() || r.client.clinician_id == who)
            .collect();
        let is_contact = |e: &crate::domain::Encounter| {
            e.kind.is_contact_kind() && e.status == crate::domain::EncounterStatus::Completed
        };
        let active = |r: &ClientRecord| {
            r.client.status == ClientStatus::Active && r.client.since <= period.to
        };
        let mut firsts = Vec::new();
        let (mut completed, mut attempts) = (0, 0);
        let (mut actives, mut contacted, mut measured) = (0, 0, 0);
        let mut pairs = Vec::new();
        let mut srs = Vec::new();
        let mut events = Vec::new();
        for r in &mine {
            let first = r
                .encounters
                .iter()
                .filter(|e| is_contact(e))
                .map(|e| e.date)
                .min();
            if let Some(first) = first.filter(|f| period.contains(*f)) {
                firsts.push((r.client.since, first));
            }
            for e in r.encounters.iter().filter(|e| e.kind.is_contact_kind()) {
                if period.contains(e.date) {
                    attempts += 1;
                    completed += i64::from(e.status == crate::domain::EncounterStatus::Completed);
                }
            }
            if active(r) {
                actives += 1;
                contacted += i64::from(
                    r.encounters
                        .iter()
                        .any(|e| is_contact(e) && period.contains(e.date)),
                );
                measured += i64::from(r.measurements.iter().any(|m| period.contains(m.date)));
                let mut phq9: Vec<_> = r
                    .measurements
                    .iter()
                    .filter(|m| m.instrument == Instrument::Phq9 && m.date <= period.to)
                    .collect();
                phq9.sort_by_key(|m| (m.date, m.id.0));
                if let [baseline, .., latest] = phq9.as_slice() {
                    pairs.push((baseline.total, latest.total));
                }
            }
            srs.extend(
                r.measurements
                    .iter()
                    .filter(|m| m.instrument == Instrument::Srs && period.contains(m.date))
                    .map(|m| m.total),
            );
            for v in r.events.iter().filter(|v| period.contains(v.date)) {
                let next = r
                    .encounters
                    .iter()
                    .filter(|e| is_contact(e) && e.date > v.date)
                    .map(|e| e.date)
                    .min();
                events.push((v.date, next));
            }
        }
        ValueMeasures {
            from: period.from,
            to: period.to,
            access: value::access(&firsts),
            engagement: value::Engagement {
                show_rate: Rate::new(completed, attempts),
                contacted: Rate::new(contacted, actives),
            },
            outcomes: value::outcomes(Rate::new(measured, actives), &pairs),
            experience: value::experience(&srs),
            post_discharge: value::post_discharge(&events),
        }
    }

    #[test]
    fn the_one_pass_agrees_with_each_clients_record_on_a_demo_practice() {
        let mut store = Store::open_in_memory().unwrap();
        let today = d("2026-11-23");
        crate::demo::generate(&mut store, 160, 17, today, &mut |_, _| {}).unwrap();
        let conn = store.conn();
        let records: Vec<ClientRecord> = client_store::list(conn, &Default::default())
            .unwrap()
            .into_iter()
            .map(|c| record::load(conn, c.id).unwrap())
            .collect();
        let dana = clinicians::by_name(conn, "Dana Reyes").unwrap().id;
        let current = Period::default_ending(today);
        let periods = [
            current,
            current.previous(),
            Period {
                from: d("2026-11-23"),
                to: d("2026-11-23"),
            },
            Period {
                from: d("2026-01-01"),
                to: d("2026-12-31"),
            },
            Period {
                from: d("2026-06-15"),
                to: d("2026-09-10"),
            }, // overlaps the others
        ];
        for who in [None, Some(dana)] {
            let query = ValueQuery { clinician: who };
            let fast = measures_for(conn, &periods, query).unwrap();
            for (period, fast) in periods.iter().zip(&fast) {
                assert_eq!(fast, &slow(&records, *period, who), "{period:?} {who:?}");
                assert_eq!(fast, &measures(conn, *period, query).unwrap());
            }
            let months = monthly(conn, today, query).unwrap();
            let all = overview(conn, current, today, query).unwrap();
            assert_eq!((&all.current, &all.previous), (&fast[0], &fast[1]));
            assert_eq!(all.monthly, months);
            assert_eq!(months.len(), 12);
            assert_eq!((months[0].from, months[11].to), (d("2025-12-01"), today));
            for m in &months {
                let period = Period {
                    from: m.from,
                    to: m.to,
                };
                assert_eq!(m, &slow(&records, period, who), "{period:?} {who:?}");
            }
        }
        // The sample is not trivial: every measure has something to count.
        let v = measures(conn, current, ValueQuery::default()).unwrap();
        assert!(v.access.first_seen > 0 && v.outcomes.response.of > 0);
        assert!(v.post_discharge.events > 0 && v.experience.srs_count > 0);
    }

    #[test]
    fn no_periods_no_measures() {
        let store = Store::open_in_memory().unwrap();
        assert!(
            measures_for(store.conn(), &[], ValueQuery::default())
                .unwrap()
                .is_empty()
        );
        let one = measures(
            store.conn(),
            Period::default_ending(d("2026-11-23")),
            ValueQuery::default(),
        )
        .unwrap();
        assert_eq!(one.engagement.contacted.to_string(), "n/a");
    }
}
