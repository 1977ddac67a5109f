//! One pass over the practice for any number of value periods and, optionally, the fairness
//! self-audit of one period. Client-driven statements, each reading only rows dated inside the
//! span the periods cover, through indexes that start with the client; rows are sorted into
//! the periods here. Rules stay in `domain::value` and `domain::fairness`.
//!
//! The statements:
//! 1. clients: the first contact ever, the PHQ-9 baseline, the latest PHQ-9 before the span
//!    and, for the audit, the two latest contact-kind encounters by its end (index seeks);
//! 2. contact-kind encounters in the span (`encounters_contact_kinds`, which holds kind and
//!    status) and, for the audit, every encounter's minutes in its period
//!    (`encounters_by_client`, which holds the minutes): no table row is read;
//! 3. measurements in the span (covering `measurements_by_client_date`);
//! 4. PHQ-9s and 5. SRS totals in the span (`measurements_by_client_instrument`);
//! 6. acute events in the span with the first contact after each (few);
//! 7. for the audit, the capitation attributions (one scan; as many as clients).

mod sql;

use crate::domain::economics::cover::{self, Days};
use crate::domain::fairness::{self, Band, ClientCare, Fairness, NotCapitated};
use crate::domain::flags::{ClientFacts, ContactAttempt, is_disengaged};
use crate::domain::value::{self, Period, Rate, ValueMeasures};
use crate::domain::{ClientStatus, ContractId, Instrument, Tier};
use crate::error::Result;
use crate::store::fairness::paid_days;
use crate::store::row::{day_key, iso, key, key_date, opt_key};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
#[cfg(test)]
pub use sql::statements;
use sql::{
    MEASURED_SQL, MEMBERS_SQL, MINUTES_SQL, PHQ9_SQL, SRS_SQL, attempts_sql, clients_sql,
    events_sql,
};
use std::collections::{HashMap, HashSet};

/// Value periods per pass: each client keeps one "contacted" and one "measured" bit per period
/// in a `u64`.
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
    /// The earliest PHQ-9 (active clients; every client when auditing).
    baseline: Option<Phq9>,
    /// The latest PHQ-9 dated before the span (active clients with a baseline at caseness).
    before: Option<Phq9>,
    /// Bit i: contacted in period i; bit 32 + i: measured in period i.
    seen: u64,
    /// The audit's part.
    care: Option<ClientCare>,
    /// Days of the audit period paid by capitation, as day keys (merged runs).
    paid: Vec<(u32, u32)>,
    /// Time or a contact on an unpaid day of the audit period.
    outside: bool,
}

impl ClientState {
    fn counts_in(&self, bucket: &Bucket) -> bool {
        self.active && self.since <= bucket.to
    }

    fn paid_on(&self, day: u32) -> bool {
        let i = self.paid.partition_point(|(_, hi)| *hi < day);
        self.paid.get(i).is_some_and(|(lo, _)| *lo <= day)
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

pub struct Pass {
    buckets: Vec<Bucket>,
    audit: Option<Audit>,
    who: Option<i64>,
    /// Only these clients (a contract's members), when set.
    members: Option<HashSet<i64>>,
    /// The span every period (and the audit) lies in, as ISO dates.
    from: String,
    to: String,
}

/// What a pass found.
pub struct Found {
    pub measures: Vec<ValueMeasures>,
    pub fairness: Option<Fairness>,
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
            }),
            who,
            members: None,
            from: iso(from),
            to: iso(to),
        }
    }

    /// Restricts the pass to the clients attributed to `contract` on any day of its span.
    pub fn only_members_of(mut self, conn: &Connection, contract: ContractId) -> Result<Pass> {
        let mut stmt = conn.prepare_cached(MEMBERS_SQL)?;
        let ids = stmt.query_map(params![contract, self.from, self.to], |r| r.get(0))?;
        self.members = Some(ids.collect::<rusqlite::Result<_>>()?);
        Ok(self)
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
            });
        }
        let mut clients = self.clients(conn)?;
        if let Some(audit) = &self.audit {
            for (id, runs) in paid_days(conn, audit.period, self.who)? {
                if let Some(c) = clients.get_mut(id) {
                    c.paid = runs
                        .iter()
                        .map(|&(a, b)| (day_key(a), day_key(b)))
                        .collect();
                }
            }
        }
        self.attempts(conn, &mut clients)?;
        self.minutes(conn, &mut clients)?;
        if !self.buckets.is_empty() {
            self.measured(conn, &mut clients)?;
            self.outcomes(conn, &mut clients)?;
            self.experience(conn)?;
            self.post_discharge(conn)?;
        }
        let fairness = self.audit.take().map(|audit| {
            let covered: Vec<ClientCare> = clients
                .states
                .iter()
                .filter_map(|c| {
                    let mut care = c.care?;
                    let runs: Vec<Days> = c
                        .paid
                        .iter()
                        .filter_map(|&(a, b)| Some((key_date(a)?, key_date(b)?)))
                        .collect();
                    care.member_months = cover::member_months_of(&runs);
                    (!care.member_months.is_zero()).then_some(care)
                })
                .collect();
            fairness::audit(audit.period, &covered, audit.not_capitated)
        });
        Ok(Found {
            measures: self.buckets.into_iter().map(Bucket::measures).collect(),
            fairness,
        })
    }

    /// Every client in scope: the first contact ever (access), the PHQ-9 baseline and the
    /// latest PHQ-9 before the span (outcomes), and for the audit the tier, the discharge date
    /// and the two latest contact-kind encounters by its end. Counts each period's active
    /// clients.
    fn clients(&mut self, conn: &Connection) -> Result<Clients> {
        let sql = clients_sql();
        let caseness = Instrument::Phq9.def().caseness;
        let audit_end = self.audit.as_ref().map(|a| iso(a.period.to));
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.from, self.who, caseness, audit_end])?;
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
            if !self.in_scope(r.get(0)?) {
                continue;
            }
            let mut state = ClientState {
                active: r.get(1)?,
                since: key(r, 2)?,
                baseline: phq9_at(r, 4)?,
                before: phq9_at(r, 7)?,
                seen: 0,
                care: None,
                paid: Vec::new(),
                outside: false,
            };
            if let Some(audit) = &self.audit {
                state.care = Some(care(r, &state, audit)?);
            }
            let first = opt_key(r, 3)?;
            for b in &mut self.buckets {
                if state.counts_in(b) {
                    b.active += 1;
                }
                if let Some(first) = first.filter(|f| b.holds(*f))
                    && let (Some(since), Some(first)) = (key_date(state.since), key_date(first))
                {
                    b.firsts.push((since, first));
                }
            }
            clients.by_id.insert(r.get(0)?, clients.states.len());
            clients.states.push(state);
        }
        Ok(clients)
    }

    /// Contact-kind encounters in the span: the show rate (every client in scope), "contacted"
    /// (active clients) and, in the audit's period, the contacts on paid days (or outside
    /// them). Read from `encounters_contact_kinds` alone.
    fn attempts(&mut self, conn: &Connection, clients: &mut Clients) -> Result<()> {
        let mut stmt = conn.prepare_cached(&attempts_sql())?;
        let mut rows = stmt.query(params![self.from, self.to, self.who])?;
        while let Some(r) = rows.next()? {
            if !self.in_scope(r.get(0)?) {
                continue;
            }
            let day = key(r, 1)?;
            let completed: bool = r.get(2)?;
            let mut client = clients.get_mut(r.get(0)?);
            if completed
                && let Some(audit) = self.audit.as_mut().filter(|a| a.from <= day && day <= a.to)
            {
                match client.as_deref_mut() {
                    Some(c) if c.paid_on(day) => {
                        if let Some(care) = c.care.as_mut() {
                            care.contacts += 1;
                        }
                    }
                    other => {
                        audit.not_capitated.contacts += 1;
                        outside(&mut audit.not_capitated, other);
                    }
                }
            }
            for (i, b) in self.buckets.iter_mut().enumerate() {
                if !b.holds(day) {
                    continue;
                }
                b.attempts += 1;
                if !completed {
                    continue;
                }
                b.completed += 1;
                if let Some(c) = client.as_deref_mut()
                    && c.counts_in(b)
                    && c.seen & (1 << i) == 0
                {
                    c.seen |= 1 << i;
                    b.contacted += 1;
                }
            }
        }
        Ok(())
    }

    /// The audit's minutes: every encounter in its period (all kinds and statuses), on paid
    /// days or outside them. Read from `encounters_by_client` alone.
    fn minutes(&mut self, conn: &Connection, clients: &mut Clients) -> Result<()> {
        let Some(audit) = self.audit.as_mut() else {
            return Ok(());
        };
        let mut stmt = conn.prepare_cached(MINUTES_SQL)?;
        let (from, to) = (iso(audit.period.from), iso(audit.period.to));
        let mut rows = stmt.query(params![from, to, self.who])?;
        while let Some(r) = rows.next()? {
            let client: i64 = r.get(0)?;
            if !self.members.as_ref().is_none_or(|m| m.contains(&client)) {
                continue;
            }
            let day = key(r, 1)?;
            let minutes: i64 = r.get(2)?;
            match clients.get_mut(r.get(0)?) {
                Some(c) if c.paid_on(day) => {
                    if let Some(care) = c.care.as_mut() {
                        care.minutes += minutes;
                    }
                }
                other => {
                    audit.not_capitated.minutes += minutes;
                    if minutes > 0 {
                        outside(&mut audit.not_capitated, other);
                    }
                }
            }
        }
        Ok(())
    }

    /// Active clients with a measurement of any instrument in each period.
    fn measured(&mut self, conn: &Connection, clients: &mut Clients) -> Result<()> {
        let mut stmt = conn.prepare_cached(MEASURED_SQL)?;
        let mut rows = stmt.query(params![self.from, self.to, self.who])?;
        while let Some(r) = rows.next()? {
            let day = key(r, 1)?;
            let Some(c) = clients.get_mut(r.get(0)?) else {
                continue;
            };
            for (i, b) in self.buckets.iter_mut().enumerate() {
                let bit = 1u64 << (PERIODS_PER_PASS + i);
                if b.holds(day) && c.counts_in(b) && c.seen & bit == 0 {
                    c.seen |= bit;
                    b.measured += 1;
                }
            }
        }
        Ok(())
    }

    /// For each period's end: the latest PHQ-9 by then against the baseline, for active
    /// clients with at least two PHQ-9s by then (domain::value keeps those at caseness).
    fn outcomes(&mut self, conn: &Connection, clients: &mut Clients) -> Result<()> {
        let mut stmt = conn.prepare_cached(PHQ9_SQL)?;
        let mut inside: Vec<(usize, Phq9)> = Vec::new();
        let mut rows = stmt.query(params![self.from, self.to, self.who])?;
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
            let Some(baseline) = c.baseline.filter(|_| c.active) else {
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
    fn experience(&mut self, conn: &Connection) -> Result<()> {
        let mut stmt = conn.prepare_cached(SRS_SQL)?;
        let mut rows = stmt.query(params![self.from, self.to, self.who])?;
        while let Some(r) = rows.next()? {
            if !self.in_scope(r.get(2)?) {
                continue;
            }
            let day = key(r, 0)?;
            let total: i64 = r.get(1)?;
            for b in self.buckets.iter_mut().filter(|b| b.holds(day)) {
                b.srs.push(total);
            }
        }
        Ok(())
    }

    /// Acute events dated in each period, with the first contact dated after each.
    fn post_discharge(&mut self, conn: &Connection) -> Result<()> {
        let sql = events_sql();
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.from, self.to, self.who])?;
        while let Some(r) = rows.next()? {
            if !self.in_scope(r.get(2)?) {
                continue;
            }
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

/// Counts a client once among those with time or a contact on days without capitation cover.
fn outside(out: &mut NotCapitated, client: Option<&mut ClientState>) {
    if let Some(c) = client.filter(|c| !c.outside) {
        c.outside = true;
        out.clients += 1;
    }
}

/// The audit's facts about one client from the clients statement (columns 10–16): band (the
/// baseline, when dated by the audit's end), tier, discharged in the period, and disengaged at
/// its end by the flag's own rule. Time and member months come later.
fn care(r: &rusqlite::Row, state: &ClientState, audit: &Audit) -> rusqlite::Result<ClientCare> {
    let tier: Tier = r.get(10)?;
    let status: ClientStatus = r.get(11)?;
    let mut recent_attempts = Vec::with_capacity(2);
    for i in [13, 15] {
        if let Some(on) = r.get(i)? {
            recent_attempts.push(ContactAttempt {
                date: on,
                status: r.get(i + 1)?,
            });
        }
    }
    let baseline = state.baseline.filter(|b| b.day <= audit.to);
    Ok(ClientCare {
        band: Band::of_baseline(baseline.map(|b| b.total)),
        tier,
        member_months: Default::default(),
        minutes: 0,
        contacts: 0,
        discharged: r
            .get::<_, Option<chrono::NaiveDate>>(12)?
            .is_some_and(|d| audit.period.contains(d)),
        disengaged: is_disengaged(&ClientFacts {
            status,
            tier,
            recent_attempts,
            ..ClientFacts::default()
        }),
    })
}
