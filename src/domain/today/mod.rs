//! The end-of-day check-in (issue 6) as ONE pure function, [`summarise`], that `caseload today`
//! and the TUI's Today tab both call: what was logged today, its minutes and cost against
//! today's share of capitation revenue, the critical flags, and what falls due from today to a
//! week ahead. Facts, flags and money come in already computed by their own rules (the flag
//! rules, the economics rules); this only arranges them. No clock, no SQL.
//!
//! Due dates (SPEC section 4's intervals): next contact = last contact + the tier's interval;
//! first contact = since + 14 for a client never seen; next measurement = latest measurement +
//! the measurement interval. "Overdue" is strictly after the due date, so a client due TODAY
//! is not flagged yet and will be tomorrow: at the end of the day that is the last chance, so
//! due-today items are listed first, then tomorrow, then 2 to 7 days ahead.

use super::appointments::Appointment;
use super::economics::{Exact, Tally};
use super::flags::FIRST_CONTACT_DAYS;
use super::flags::{ClientFacts, Flag, FlagKind, Severity};
use super::{Client, ClientId, EncounterKind, EncounterStatus, Intervals, Money, Tier};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// How far ahead the check-in looks.
pub const LOOK_AHEAD_DAYS: i64 = 7;

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// A client never seen: first contact within 14 days of joining the panel.
    FirstContact,
    /// The next contact by the tier's interval.
    Contact,
    /// The next outcome measurement by the measurement interval.
    Measurement,
}

impl DueKind {
    pub fn label(self) -> &'static str {
        match self {
            DueKind::FirstContact => "first contact",
            DueKind::Contact => "contact",
            DueKind::Measurement => "measurement",
        }
    }
}

/// One thing a client is due for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub client_id: ClientId,
    pub name: String,
    pub tier: Tier,
    pub kind: DueKind,
    pub due: NaiveDate,
    /// due − today: 0 (today) to 7.
    pub days_until: i64,
    /// The rule and its inputs (`last contact 2026-11-16; high tier: every 7`).
    pub reason: String,
    /// An appointment is booked on or before the due day (SPEC section 10).
    pub booked: bool,
}

/// One encounter logged today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedEncounter {
    pub kind: EncounterKind,
    pub status: EncounterStatus,
    pub minutes: i64,
}

/// What was logged today for one client, in the order it was logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedToday {
    pub client_id: ClientId,
    pub name: String,
    /// Each kind once, in the order first logged.
    pub kinds: Vec<EncounterKind>,
    pub minutes: i64,
    pub encounters: Vec<LoggedEncounter>,
}

/// A client with at least one critical flag, and those flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriticalClient {
    pub client_id: ClientId,
    pub name: String,
    pub tier: Tier,
    pub flags: Vec<Flag>,
}

/// How many clients need an outcome measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MeasurementsDue {
    /// Past the measurement interval (the `measure_overdue` flag).
    pub overdue: i64,
    /// Seen but never measured (the `no_baseline` flag).
    pub no_baseline: i64,
    pub due_today: i64,
    pub due_tomorrow: i64,
    pub due_in_2_to_7_days: i64,
}

impl MeasurementsDue {
    /// Due today or in the next 7 days (the check-in's "due this week").
    pub fn due_this_week(&self) -> i64 {
        self.due_today + self.due_tomorrow + self.due_in_2_to_7_days
    }
}

/// The end-of-day check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaySummary {
    pub date: NaiveDate,
    /// Per client, in the order first logged today.
    pub logged: Vec<LoggedToday>,
    pub encounters: i64,
    pub minutes: i64,
    /// Σ minutes × each encounter's clinician's hourly cost / 60, rounded once.
    #[serde(rename = "cost_cents")]
    pub cost: Money,
    /// This month's capitation gross ÷ the days in the month, rounded once.
    #[serde(rename = "capitation_today_cents")]
    pub capitation_today: Money,
    /// This month's capitation gross, rounded once.
    #[serde(rename = "capitation_month_cents")]
    pub capitation_month: Money,
    pub days_in_month: i64,
    /// Clients with a critical flag, in priority order.
    pub critical: Vec<CriticalClient>,
    /// Active clients carrying a warning flag (and no critical one): the rest of `flags`.
    pub clients_with_warnings: i64,
    pub due_today: Vec<DueItem>,
    pub due_tomorrow: Vec<DueItem>,
    pub due_in_2_to_7_days: Vec<DueItem>,
    pub measurements: MeasurementsDue,
    /// Appointments of the last 7 days whose day passed with nothing logged.
    pub unlogged: Vec<Appointment>,
    /// Clients with something due in the next 7 days and no appointment booked on or before
    /// that day (each client once, at their earliest such item), soonest first.
    pub due_unbooked: Vec<DueItem>,
}

impl DaySummary {
    /// Today's capitation share minus today's cost (negative: today's time cost more).
    pub fn balance(&self) -> Money {
        self.capitation_today - self.cost
    }
}

/// An active client on the panel, with their facts and flags (in priority order).
#[derive(Debug, Clone, Copy)]
pub struct PanelClient<'a> {
    pub client: &'a Client,
    pub facts: &'a ClientFacts,
    pub flags: &'a [Flag],
    /// The client's earliest appointment in state booked.
    pub next_appointment: Option<NaiveDate>,
}

/// An encounter dated today, with its client's name and its clinician's hourly cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodayEncounter {
    pub client_id: ClientId,
    pub client_name: String,
    pub kind: EncounterKind,
    pub status: EncounterStatus,
    pub minutes: i64,
    pub hourly_cost: Money,
}

/// What the check-in counts over the whole panel, not only the clients it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagCensus {
    /// Active clients carrying a warning flag and no critical one.
    pub clients_with_warnings: i64,
    /// `measure_overdue` flags (one per client at most).
    pub measure_overdue: i64,
    /// `no_baseline` flags (one per client at most).
    pub no_baseline: i64,
}

/// The census of a whole panel, from its flags (a store with maintained flag windows counts
/// the same from them instead: `store::today`).
pub fn census(panel: &[PanelClient]) -> FlagCensus {
    let mut census = FlagCensus::default();
    for p in panel {
        let has = |s: Severity| p.flags.iter().any(|f| f.severity == s);
        if !has(Severity::Critical) && has(Severity::Warning) {
            census.clients_with_warnings += 1;
        }
        for f in p.flags {
            match f.kind {
                FlagKind::MeasureOverdue => census.measure_overdue += 1,
                FlagKind::NoBaseline => census.no_baseline += 1,
                _ => {}
            }
        }
    }
    census
}

/// Everything the check-in is made of.
#[derive(Debug, Clone, Copy)]
pub struct DayInput<'a> {
    pub today: NaiveDate,
    pub intervals: &'a Intervals,
    /// Active clients in priority order (`store::panel`): every client with a critical flag
    /// or something due from today to a week ahead, and any others (which add nothing).
    pub panel: &'a [PanelClient<'a>],
    /// Counted over the whole active panel ([`census`]).
    pub census: FlagCensus,
    /// Today's encounters in the order logged.
    pub encounters: &'a [TodayEncounter],
    /// This month's capitation gross, exactly (`store::revenue::capitation_gross`).
    pub capitation_month: Exact,
    pub days_in_month: i64,
    /// Appointments of the last 7 days in state unlogged ("did this happen?").
    pub unlogged: &'a [Appointment],
}

/// The end-of-day check-in.
pub fn summarise(input: &DayInput) -> DaySummary {
    let today = input.today;
    let mut logged: Vec<LoggedToday> = Vec::new();
    let mut at: HashMap<ClientId, usize> = HashMap::new();
    let mut tally = Tally::default();
    for e in input.encounters {
        tally.spend(e.minutes, e.hourly_cost);
        let i = match at.get(&e.client_id) {
            Some(&i) => i,
            None => {
                at.insert(e.client_id, logged.len());
                logged.push(LoggedToday {
                    client_id: e.client_id,
                    name: e.client_name.clone(),
                    kinds: Vec::new(),
                    minutes: 0,
                    encounters: Vec::new(),
                });
                logged.len() - 1
            }
        };
        let entry = &mut logged[i];
        if !entry.kinds.contains(&e.kind) {
            entry.kinds.push(e.kind);
        }
        entry.minutes += e.minutes;
        entry.encounters.push(LoggedEncounter {
            kind: e.kind,
            status: e.status,
            minutes: e.minutes,
        });
    }

    let mut critical = Vec::new();
    // Each item straight into its day's list: today, tomorrow, 2 to 7 days ahead.
    let mut due: [Vec<DueItem>; 3] = Default::default();
    let mut measurements = MeasurementsDue {
        overdue: input.census.measure_overdue,
        no_baseline: input.census.no_baseline,
        ..MeasurementsDue::default()
    };
    let mut due_unbooked = Vec::new();
    for p in input.panel {
        let critical_flags: Vec<Flag> = p
            .flags
            .iter()
            .filter(|f| f.severity == Severity::Critical)
            .cloned()
            .collect();
        if !critical_flags.is_empty() {
            critical.push(CriticalClient {
                client_id: p.client.id,
                name: p.client.name.clone(),
                tier: p.client.tier,
                flags: critical_flags,
            });
        }
        let mut items = due_items(p, input.intervals, today);
        for i in &mut items {
            i.booked = p.next_appointment.is_some_and(|next| next <= i.due);
        }
        if let Some(first) = items
            .iter()
            .filter(|i| !i.booked)
            .min_by_key(|i| (i.due, i.kind))
        {
            due_unbooked.push(first.clone());
        }
        for item in items {
            let day = match item.days_until {
                0 => 0,
                1 => 1,
                _ => 2,
            };
            if item.kind == DueKind::Measurement {
                match day {
                    0 => measurements.due_today += 1,
                    1 => measurements.due_tomorrow += 1,
                    _ => measurements.due_in_2_to_7_days += 1,
                }
            }
            due[day].push(item);
        }
    }
    // One lower-casing per item, not two per comparison (tens of thousands at a large centre).
    for list in &mut due {
        list.sort_by_cached_key(|a| (a.due, a.kind, a.name.to_lowercase(), a.client_id));
    }
    due_unbooked.sort_by_cached_key(|a: &DueItem| (a.due, a.name.to_lowercase(), a.client_id));
    let [due_today, due_tomorrow, due_in_2_to_7_days] = due;

    let figures = tally.figures();
    DaySummary {
        date: today,
        encounters: input.encounters.len() as i64,
        minutes: figures.minutes,
        cost: figures.cost,
        capitation_today: input
            .capitation_month
            .share(input.days_in_month)
            .unwrap_or_default(),
        capitation_month: input.capitation_month.round(),
        days_in_month: input.days_in_month,
        logged,
        critical,
        clients_with_warnings: input.census.clients_with_warnings,
        due_today,
        due_tomorrow,
        due_in_2_to_7_days,
        measurements,
        unlogged: input.unlogged.to_vec(),
        due_unbooked,
    }
}

/// Whether an active client needs a booking: they carry a critical or warning flag (a remission
/// note asks for a step-down decision, not a visit) or fall due for something in the next week,
/// and no appointment is booked for them. The panel's "next" column warns then.
pub fn wants_booking(p: &PanelClient, intervals: &Intervals, today: NaiveDate) -> bool {
    let flagged = p.flags.iter().any(|f| f.severity != Severity::Info);
    p.client.status == super::ClientStatus::Active
        && p.next_appointment.is_none()
        && (flagged || !due_items(p, intervals, today).is_empty())
}

/// When a client next falls due, whatever today is: the contact by the tier's interval (or
/// the first contact, for a client never seen) and the outcome measurement. The check-in lists
/// those from today to a week ahead ([`due_items`]); a store keeps these dates indexed.
pub fn next_due(facts: &ClientFacts, intervals: &Intervals) -> [Option<(DueKind, NaiveDate)>; 2] {
    let contact = match facts.last_contact {
        Some(last) => Some((
            DueKind::Contact,
            last + Duration::days(intervals.contact(facts.tier)),
        )),
        None if facts.first_contact.is_none() => Some((
            DueKind::FirstContact,
            facts.since + Duration::days(FIRST_CONTACT_DAYS),
        )),
        None => None,
    };
    let measure = facts.last_measured.map(|last| {
        (
            DueKind::Measurement,
            last + Duration::days(intervals.measure),
        )
    });
    [contact, measure]
}

/// What one active client falls due for from today to a week ahead (nothing already overdue:
/// those are flags).
pub fn due_items(p: &PanelClient, intervals: &Intervals, today: NaiveDate) -> Vec<DueItem> {
    let facts = p.facts;
    next_due(facts, intervals)
        .into_iter()
        .flatten()
        .filter_map(|(kind, due)| {
            let days_until = (due - today).num_days();
            (0..=LOOK_AHEAD_DAYS)
                .contains(&days_until)
                .then(|| DueItem {
                    client_id: p.client.id,
                    name: p.client.name.clone(),
                    tier: p.client.tier,
                    kind,
                    due,
                    days_until,
                    reason: due_reason(facts, intervals, kind),
                    booked: false,
                })
        })
        .collect()
}

/// The rule and its inputs behind a due date (`last contact 2026-11-16; high tier: every 7`).
fn due_reason(facts: &ClientFacts, intervals: &Intervals, kind: DueKind) -> String {
    // Written in one go (a large centre's check-in has tens of thousands of these).
    let days = |n: i64| if n == 1 { "day" } else { "days" };
    match (kind, facts.last_contact, facts.last_measured) {
        (DueKind::Contact, Some(last), _) => {
            let every = intervals.contact(facts.tier);
            format!(
                "last contact {last}; {} tier: every {every} {}",
                facts.tier,
                days(every)
            )
        }
        (DueKind::Measurement, _, Some(last)) => {
            let every = intervals.measure;
            format!("last measured {last}; every {every} {}", days(every))
        }
        _ => format!(
            "on the panel since {}, not seen yet; first contact within {FIRST_CONTACT_DAYS} days",
            facts.since
        ),
    }
}

#[cfg(test)]
mod tests;
