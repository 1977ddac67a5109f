//! One pass over the practice for any number of value periods and, optionally, the fairness
//! self-audit of one period: one statement reads every client in scope with their kept history
//! (`histories`, one row per client), and each client's records are sorted into the periods
//! here. A client a write left marked, or without a kept row, is read from the record tables
//! (`histories::from_records`). Rules stay in `domain::value` and `domain::fairness`.

mod sql;

use super::histories::{Encounter, History};
use crate::domain::coding::{BASELINE_WINDOW_DAYS, Episode};
use crate::domain::economics::MemberMonths;
use crate::domain::economics::cover::{self, Days};
use crate::domain::fairness::{self, Band, ClientCare, Fairness, NotCapitated};
use crate::domain::flags::{ClientFacts, ContactAttempt, is_disengaged};
use crate::domain::value::{self, Period, Rate, ValueMeasures};
use crate::domain::{ClientStatus, ContractId, Instrument, Tier};
use crate::error::Result;
use crate::store::db::{Connection, params};
use crate::store::fairness::paid_days;
use crate::store::row::{day_key, iso, key, key_date};
use chrono::{Duration, NaiveDate};
#[cfg(test)]
pub use sql::statements;
use sql::{CLIENTS_SQL, MEMBERS_SQL};
use std::collections::{HashMap, HashSet};

/// Value periods per pass (the periods a client was contacted or measured in are bits of a
/// `u64`).
pub const PERIODS_PER_PASS: usize = 32;

/// A value period as day keys, with everything counted for it.
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
    fn new(period: Period) -> Bucket {
        Bucket {
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
        }
    }

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

/// The audit's period and its running count of time outside capitation cover.
struct Audit {
    period: Period,
    from: u32,
    to: u32,
    not_capitated: NotCapitated,
    covered: Vec<ClientCare>,
}

/// A PHQ-9 as the outcome measures need it: its place in the client's (date, id) order stands
/// for its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Phq9 {
    day: u32,
    at: usize,
    total: i64,
}

/// A client in scope, as the clients statement reads them.
struct ClientRow {
    id: i64,
    active: bool,
    since: u32,
    tier: Tier,
    status: ClientStatus,
    discharged_on: Option<NaiveDate>,
}

impl ClientRow {
    /// Status `active` and on the panel by the period's end (the measures' active clients).
    fn counts_in(&self, bucket: &Bucket) -> bool {
        self.active && self.since <= bucket.to
    }
}

pub struct Pass {
    buckets: Vec<Bucket>,
    audit: Option<Audit>,
    who: Option<i64>,
    /// Only these clients (a contract's members), when set.
    members: Option<HashSet<i64>>,
    /// The span every period (and the audit) lies in, as day keys.
    from: u32,
    to: u32,
    /// A client's PHQ-9s, reused from client to client.
    phq9s: Vec<Phq9>,
    /// Case-rate episodes whose baseline PHQ-9 the pass finds, and each client's of them.
    episodes: Vec<Episode>,
    episodes_of: HashMap<i64, Vec<usize>>,
}

/// What a pass found.
pub struct Found {
    pub measures: Vec<ValueMeasures>,
    pub fairness: Option<Fairness>,
    /// The episodes given to [`Pass::with_episodes`], each with its baseline PHQ-9.
    pub episodes: Vec<Episode>,
}

impl Pass {
    /// A pass for the value `periods` (at most [`PERIODS_PER_PASS`]) and, if given, the
    /// fairness audit of `audit`, over one clinician's panel or the whole practice.
    pub fn new(periods: &[Period], audit: Option<Period>, who: Option<i64>) -> Pass {
        let all = || periods.iter().chain(audit.as_ref());
        let from = all().map(|p| p.from).min().unwrap_or_default();
        let to = all().map(|p| p.to).max().unwrap_or_default();
        Pass {
            buckets: periods.iter().copied().map(Bucket::new).collect(),
            audit: audit.map(|period| Audit {
                period,
                from: day_key(period.from),
                to: day_key(period.to),
                not_capitated: NotCapitated::default(),
                covered: Vec::new(),
            }),
            who,
            members: None,
            from: day_key(from),
            to: day_key(to),
            phq9s: Vec::new(),
            episodes: Vec::new(),
            episodes_of: HashMap::new(),
        }
    }

    /// Restricts the pass to the clients attributed to `contract` on any day of its span.
    pub fn only_members_of(mut self, conn: &Connection, contract: ContractId) -> Result<Pass> {
        let mut stmt = conn.prepare_cached(MEMBERS_SQL)?;
        let (from, to) = (self.span_day(self.from), self.span_day(self.to));
        let ids = stmt.query_map(params![contract, from, to], |r| r.get(0))?;
        self.members = Some(ids.collect::<rusqlite::Result<_>>()?);
        Ok(self)
    }

    fn span_day(&self, key: u32) -> String {
        key_date(key).map(iso).unwrap_or_default()
    }

    /// Also finds each case-rate episode's baseline PHQ-9: the client's first PHQ-9 (by date,
    /// then id) within [`BASELINE_WINDOW_DAYS`] either side of the episode's start.
    pub fn with_episodes(mut self, episodes: Vec<Episode>) -> Pass {
        for (i, e) in episodes.iter().enumerate() {
            self.episodes_of.entry(e.client_id).or_default().push(i);
        }
        self.episodes = episodes;
        self
    }

    /// True for a client this pass counts.
    fn in_scope(&self, client: i64) -> bool {
        self.members.as_ref().is_none_or(|m| m.contains(&client))
    }

    pub fn run(mut self, conn: &Connection) -> Result<Found> {
        if self.buckets.is_empty() && self.audit.is_none() {
            return Ok(Found {
                measures: Vec::new(),
                fairness: None,
                episodes: self.episodes,
            });
        }
        let paid = match &self.audit {
            Some(audit) => paid_cover(paid_days(conn, audit.period, self.who)?),
            None => Vec::new(),
        };
        // Client order, as the clients statement reads them.
        let cover_of = |id: i64| {
            let i = paid.partition_point(|(c, _)| *c < id);
            paid.get(i)
                .filter(|(c, _)| *c == id)
                .map(|(_, cover)| cover)
        };
        let marked: HashSet<i64> = {
            let mut stmt = conn.prepare_cached("SELECT client_id FROM flag_dirty")?;
            let ids = stmt.query_map([], |r| r.get(0))?;
            ids.collect::<rusqlite::Result<_>>()?
        };
        let mut history = History::default();
        let mut unkept: Vec<ClientRow> = Vec::new();
        let mut stmt = conn.prepare_cached(CLIENTS_SQL)?;
        let mut rows = stmt.query(params![self.who])?;
        while let Some(r) = rows.next()? {
            let client = ClientRow {
                id: r.get(0)?,
                active: r.get(1)?,
                since: key(&r, 2)?,
                tier: r.get(3)?,
                status: r.get(4)?,
                discharged_on: r.get(5)?,
            };
            if !self.in_scope(client.id) {
                continue;
            }
            let kept = match r.get_ref(6)? {
                rusqlite::types::ValueRef::Blob(bytes) => Some(bytes),
                _ => None,
            };
            match kept {
                Some(bytes) if !marked.contains(&client.id) => {
                    history.decode_into(bytes)?;
                    self.client(&client, &history, cover_of(client.id));
                }
                _ => unkept.push(client),
            }
        }
        if !unkept.is_empty() {
            let ids = serde_json::to_string(&unkept.iter().map(|c| c.id).collect::<Vec<_>>())
                .map_err(|e| crate::error::Error::Database(e.to_string()))?;
            let mut found = super::histories::from_records(conn, &ids)?;
            for client in &unkept {
                let history = found.remove(&client.id).unwrap_or_default();
                self.client(client, &history, cover_of(client.id));
            }
        }
        let fairness = self
            .audit
            .take()
            .map(|a| fairness::audit(a.period, &a.covered, a.not_capitated));
        Ok(Found {
            measures: self.buckets.into_iter().map(Bucket::measures).collect(),
            fairness,
            episodes: self.episodes,
        })
    }

    /// Sorts one client's records into the periods and the audit.
    fn client(&mut self, c: &ClientRow, h: &History, cover: Option<&Cover>) {
        let (from, to) = (self.from, self.to);
        let in_span = |day: u32| from <= day && day <= to;
        let paid = cover.map_or(&[][..], |p| p.runs.as_slice());
        let paid_on = |day: u32| {
            let i = paid.partition_point(|(_, hi)| *hi < day);
            paid.get(i).is_some_and(|(lo, _)| *lo <= day)
        };
        let mut phq9s = std::mem::take(&mut self.phq9s);
        phq9s.clear();
        phq9s.extend(
            h.measurements
                .iter()
                .enumerate()
                .filter(|(_, m)| m.instrument == Instrument::Phq9)
                .map(|(at, m)| Phq9 {
                    day: m.day,
                    at,
                    total: m.total,
                }),
        );
        if let Some(of) = self.episodes_of.get(&c.id) {
            for &i in of {
                let start = self.episodes[i].start;
                let window = Duration::days(BASELINE_WINDOW_DAYS);
                let lo = start.checked_sub_signed(window).map_or(0, day_key);
                let hi = start.checked_add_signed(window).map_or(u32::MAX, day_key);
                self.episodes[i].baseline_phq9 = phq9s
                    .iter()
                    .find(|m| lo <= m.day && m.day <= hi)
                    .map(|m| m.total);
            }
        }
        let baseline = phq9s.first().copied();
        let caseness = Instrument::Phq9.def().caseness;
        // Only a baseline at caseness before the span can need the latest PHQ-9 before it.
        let before = baseline
            .filter(|b| c.active && caseness.is_some_and(|k| b.total >= k) && b.day < from)
            .and_then(|_| phq9s.iter().rev().find(|m| m.day < from).copied());

        // Access: the first contact ever, when it falls in a period.
        let first = h.encounters.iter().find(|e| e.is_contact()).map(|e| e.day);
        for b in &mut self.buckets {
            if c.counts_in(b) {
                b.active += 1;
            }
            if let Some(first) = first.filter(|f| b.holds(*f))
                && let (Some(since), Some(first)) = (key_date(c.since), key_date(first))
            {
                b.firsts.push((since, first));
            }
        }

        let mut care = self.audit.as_ref().map(|a| care(c, h, baseline, a));
        let mut outside = false;
        let mut seen = 0u64;
        for e in h.encounters.iter().filter(|e| in_span(e.day)) {
            if let Some(audit) = self
                .audit
                .as_mut()
                .filter(|a| a.from <= e.day && e.day <= a.to)
            {
                let on_paid_day = paid_on(e.day);
                // The audit's minutes: every encounter, of any kind and status.
                if on_paid_day {
                    if let Some(care) = care.as_mut() {
                        care.minutes += e.minutes;
                    }
                } else {
                    audit.not_capitated.minutes += e.minutes;
                    if e.minutes > 0 {
                        count_outside(&mut audit.not_capitated, &mut outside);
                    }
                }
                if e.is_contact() {
                    if on_paid_day {
                        if let Some(care) = care.as_mut() {
                            care.contacts += 1;
                        }
                    } else {
                        audit.not_capitated.contacts += 1;
                        count_outside(&mut audit.not_capitated, &mut outside);
                    }
                }
            }
            if !e.contact_kind {
                continue;
            }
            // Attempts (every client in scope) and "contacted" (active clients).
            let completed = e.status == crate::domain::EncounterStatus::Completed;
            for (i, b) in self.buckets.iter_mut().enumerate() {
                if !b.holds(e.day) {
                    continue;
                }
                b.attempts += 1;
                if !completed {
                    continue;
                }
                b.completed += 1;
                if c.counts_in(b) && seen & (1 << i) == 0 {
                    seen |= 1 << i;
                    b.contacted += 1;
                }
            }
        }

        for m in h.measurements.iter().filter(|m| in_span(m.day)) {
            for (i, b) in self.buckets.iter_mut().enumerate() {
                if !b.holds(m.day) {
                    continue;
                }
                if m.instrument == Instrument::Srs {
                    b.srs.push(m.total);
                }
                let bit = 1u64 << (PERIODS_PER_PASS + i);
                if c.counts_in(b) && seen & bit == 0 {
                    seen |= bit;
                    b.measured += 1;
                }
            }
        }

        // Outcomes: at each period's end, the latest PHQ-9 by then against the baseline.
        if let Some(baseline) = baseline.filter(|_| c.active) {
            for b in &mut self.buckets {
                if !c.counts_in(b) || baseline.day > b.to {
                    continue;
                }
                let latest = phq9s
                    .iter()
                    .rev()
                    .find(|m| in_span(m.day) && m.day <= b.to)
                    .or(before.as_ref());
                if let Some(latest) = latest.filter(|l| l.at != baseline.at) {
                    b.pairs.push((baseline.total, latest.total));
                }
            }
        }

        // Acute events, with the first contact dated after each.
        for &day in h.events.iter().filter(|d| in_span(**d)) {
            let next = h
                .encounters
                .iter()
                .find(|e| e.day > day && e.is_contact())
                .and_then(|e| key_date(e.day));
            let Some(on) = key_date(day) else { continue };
            for b in self.buckets.iter_mut().filter(|b| b.holds(day)) {
                b.events.push((on, next));
            }
        }

        if let (Some(audit), Some(mut care)) = (self.audit.as_mut(), care) {
            care.member_months = cover.map(|p| p.member_months).unwrap_or_default();
            if !care.member_months.is_zero() {
                audit.covered.push(care);
            }
        }
        self.phq9s = phq9s;
    }
}

/// A client's capitation cover in the audit's period: the paid runs as day keys, and their
/// member months.
struct Cover {
    runs: Vec<(u32, u32)>,
    member_months: MemberMonths,
}

/// Each client's cover, from their paid runs (in client order, as [`paid_days`] gives them).
/// Most clients are paid for the same days, so a single run's member months are counted once
/// per distinct run.
fn paid_cover(paid: Vec<(i64, Vec<Days>)>) -> Vec<(i64, Cover)> {
    let mut counted: HashMap<Days, MemberMonths> = HashMap::new();
    paid.into_iter()
        .map(|(id, runs)| {
            let member_months = match runs.as_slice() {
                [one] => *counted
                    .entry(*one)
                    .or_insert_with(|| cover::member_months_of(&runs)),
                _ => cover::member_months_of(&runs),
            };
            let runs = runs
                .iter()
                .map(|&(a, b)| (day_key(a), day_key(b)))
                .collect();
            (
                id,
                Cover {
                    runs,
                    member_months,
                },
            )
        })
        .collect()
}

/// Counts a client once among those with time or a contact on days without capitation cover.
fn count_outside(out: &mut NotCapitated, counted: &mut bool) {
    if !*counted {
        *counted = true;
        out.clients += 1;
    }
}

/// The audit's facts about one client: band (the baseline, when dated by the audit's end),
/// tier, discharged in the period, and disengaged at its end by the flag's own rule (from the
/// two latest contact-kind encounters by then). Time and member months come later.
fn care(c: &ClientRow, h: &History, baseline: Option<Phq9>, audit: &Audit) -> ClientCare {
    let mut recent_attempts = Vec::with_capacity(2);
    if c.active {
        let by_end = h
            .encounters
            .iter()
            .rev()
            .filter(|e| e.contact_kind && e.day <= audit.to);
        for e in by_end {
            if let Some(date) = key_date(e.day) {
                recent_attempts.push(attempt(date, e));
            }
            if recent_attempts.len() == 2 || e.is_contact() {
                break;
            }
        }
    }
    let baseline = baseline.filter(|b| b.day <= audit.to);
    ClientCare {
        band: Band::of_baseline(baseline.map(|b| b.total)),
        tier: c.tier,
        member_months: Default::default(),
        minutes: 0,
        contacts: 0,
        discharged: c.discharged_on.is_some_and(|d| audit.period.contains(d)),
        disengaged: is_disengaged(&ClientFacts {
            status: c.status,
            tier: c.tier,
            recent_attempts,
            ..ClientFacts::default()
        }),
    }
}

fn attempt(date: NaiveDate, e: &Encounter) -> ContactAttempt {
    ContactAttempt {
        date,
        status: e.status,
    }
}
