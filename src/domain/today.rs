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
        Money(self.capitation_today.cents() - self.cost.cents())
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

/// Everything the check-in is made of.
#[derive(Debug, Clone, Copy)]
pub struct DayInput<'a> {
    pub today: NaiveDate,
    pub intervals: &'a Intervals,
    /// Active clients in priority order (`store::panel`).
    pub panel: &'a [PanelClient<'a>],
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
    let mut clients_with_warnings = 0;
    let mut due = Vec::new();
    let mut measurements = MeasurementsDue::default();
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
        } else if p.flags.iter().any(|f| f.severity == Severity::Warning) {
            clients_with_warnings += 1;
        }
        for f in p.flags {
            match f.kind {
                FlagKind::MeasureOverdue => measurements.overdue += 1,
                FlagKind::NoBaseline => measurements.no_baseline += 1,
                _ => {}
            }
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
            if item.kind == DueKind::Measurement {
                match item.days_until {
                    0 => measurements.due_today += 1,
                    1 => measurements.due_tomorrow += 1,
                    _ => measurements.due_in_2_to_7_days += 1,
                }
            }
            due.push(item);
        }
    }
    due.sort_by(|a, b| {
        (a.due, a.kind, a.name.to_lowercase(), a.client_id).cmp(&(
            b.due,
            b.kind,
            b.name.to_lowercase(),
            b.client_id,
        ))
    });
    let take = |due: &mut Vec<DueItem>, days: std::ops::RangeInclusive<i64>| {
        let (taken, rest): (Vec<DueItem>, Vec<DueItem>) =
            due.drain(..).partition(|d| days.contains(&d.days_until));
        *due = rest;
        taken
    };
    due_unbooked.sort_by(|a: &DueItem, b: &DueItem| {
        (a.due, a.name.to_lowercase(), a.client_id).cmp(&(
            b.due,
            b.name.to_lowercase(),
            b.client_id,
        ))
    });
    let due_today = take(&mut due, 0..=0);
    let due_tomorrow = take(&mut due, 1..=1);
    let due_in_2_to_7_days = take(&mut due, 2..=LOOK_AHEAD_DAYS);

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
        clients_with_warnings,
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

/// What one active client falls due for from today to a week ahead (nothing already overdue:
/// those are flags).
pub fn due_items(p: &PanelClient, intervals: &Intervals, today: NaiveDate) -> Vec<DueItem> {
    let facts = p.facts;
    let mut items = Vec::new();
    let mut push = |kind: DueKind, due: NaiveDate, reason: String| {
        let days_until = (due - today).num_days();
        if (0..=LOOK_AHEAD_DAYS).contains(&days_until) {
            items.push(DueItem {
                client_id: p.client.id,
                name: p.client.name.clone(),
                tier: p.client.tier,
                kind,
                due,
                days_until,
                reason,
                booked: false,
            });
        }
    };
    match facts.last_contact {
        Some(last) => {
            let every = intervals.contact(facts.tier);
            push(
                DueKind::Contact,
                last + Duration::days(every),
                format!(
                    "last contact {last}; {} tier: every {every} days",
                    facts.tier
                ),
            );
        }
        None if facts.first_contact.is_none() => push(
            DueKind::FirstContact,
            facts.since + Duration::days(FIRST_CONTACT_DAYS),
            format!(
                "on the panel since {}, not seen yet; first contact within {FIRST_CONTACT_DAYS} days",
                facts.since
            ),
        ),
        None => {}
    }
    if let Some(last) = facts.last_measured {
        let every = intervals.measure;
        push(
            DueKind::Measurement,
            last + Duration::days(every),
            format!("last measured {last}; every {every} days"),
        );
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::evaluate;
    use crate::domain::{ClientStatus, parse_date};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn client(id: i64, name: &str, tier: Tier, since: &str) -> Client {
        Client {
            id: ClientId(id),
            external_id: None,
            name: name.into(),
            dob: None,
            tier,
            status: ClientStatus::Active,
            since: d(since),
            discharged_on: None,
            diagnosis: None,
            clinician_id: None,
            clinician: None,
        }
    }

    fn facts(c: &Client) -> ClientFacts {
        ClientFacts {
            tier: c.tier,
            since: c.since,
            ..ClientFacts::default()
        }
    }

    #[test]
    fn a_client_wants_booking_when_something_is_due_and_nothing_is_booked() {
        let today = d("2026-11-23");
        let intervals = Intervals::default();
        let ann = client(1, "Ann", Tier::Low, "2026-01-01");
        let mut f = facts(&ann);
        f.first_contact = Some(d("2026-11-20"));
        f.last_contact = f.first_contact;
        f.last_measured = f.first_contact;
        let flag = Flag {
            kind: FlagKind::Safety,
            severity: Severity::Critical,
            due: None,
            days_overdue: 0,
            reason: String::new(),
        };
        let wants = |f: &ClientFacts, flags: &[Flag], next: Option<NaiveDate>, client: &Client| {
            wants_booking(
                &PanelClient {
                    client,
                    facts: f,
                    flags,
                    next_appointment: next,
                },
                &intervals,
                today,
            )
        };
        let flagged = std::slice::from_ref(&flag);
        assert!(
            !wants(&f, &[], None, &ann),
            "seen 3 days ago: nothing due this week"
        );
        assert!(wants(&f, flagged, None, &ann), "a flag wants a booking");
        assert!(!wants(&f, flagged, Some(today), &ann), "booked today");
        let mut gone = ann.clone();
        gone.status = ClientStatus::Discharged;
        assert!(!wants(&f, flagged, None, &gone), "only active clients");
        let remission = Flag {
            kind: FlagKind::Remission,
            severity: Severity::Info,
            ..flag.clone()
        };
        let noted = std::slice::from_ref(&remission);
        assert!(
            !wants(&f, noted, None, &ann),
            "remission asks for a decision, not a visit"
        );
        // Low tier every 30 days: seen on 27 Oct, due on 26 Nov, in three days.
        f.last_contact = Some(d("2026-10-27"));
        assert!(
            wants(&f, &[], None, &ann),
            "a contact due this week wants a booking"
        );
    }

    #[test]
    fn due_dates_from_today_to_a_week_ahead() {
        let today = d("2026-11-23");
        let intervals = Intervals::default();
        let ann = client(1, "Ann", Tier::High, "2026-01-01");
        let mut f = facts(&ann);
        // High tier every 7: last contact 16 Nov is due today (not yet a flag), 17 Nov due
        // tomorrow, 9 Nov overdue (a flag, not a due item).
        let due = |f: &ClientFacts| {
            due_items(
                &PanelClient {
                    client: &ann,
                    facts: f,
                    flags: &[],
                    next_appointment: None,
                },
                &intervals,
                today,
            )
        };
        f.last_contact = Some(d("2026-11-16"));
        f.first_contact = f.last_contact;
        let items = due(&f);
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].kind, items[0].due, items[0].days_until),
            (DueKind::Contact, today, 0)
        );
        assert!(
            !evaluate(&f, &intervals, today)
                .iter()
                .any(|f| f.kind == FlagKind::ContactOverdue),
            "due today is not overdue yet"
        );
        f.last_contact = Some(d("2026-11-17"));
        assert_eq!(due(&f)[0].days_until, 1);
        f.last_contact = Some(d("2026-11-09"));
        assert!(due(&f).is_empty(), "overdue is a flag, not a due item");
        f.last_contact = Some(d("2026-11-23"));
        assert_eq!(due(&f)[0].days_until, 7, "seen today: due a week ahead");
        // Measurement every 30: measured 24 Oct → due 23 Nov (today).
        f.last_measured = Some(d("2026-10-24"));
        let items = due(&f);
        assert_eq!(items[1].kind, DueKind::Measurement);
        assert_eq!((items[1].due, items[1].days_until), (today, 0));
        assert_eq!(items[1].reason, "last measured 2026-10-24; every 30 days");
    }

    #[test]
    fn a_new_client_is_due_a_first_contact_14_days_after_joining() {
        let today = d("2026-11-23");
        let intervals = Intervals::default();
        for (since, days_until) in [
            ("2026-11-10", Some(1)),
            ("2026-11-09", Some(0)),
            ("2026-11-08", None),
        ] {
            let bo = client(2, "Bo", Tier::Moderate, since);
            let f = facts(&bo);
            let items = due_items(
                &PanelClient {
                    client: &bo,
                    facts: &f,
                    flags: &[],
                    next_appointment: None,
                },
                &intervals,
                today,
            );
            assert_eq!(
                items.first().map(|i| i.days_until),
                days_until,
                "since {since}"
            );
            if let Some(i) = items.first() {
                assert_eq!(i.kind, DueKind::FirstContact);
            }
        }
    }

    #[test]
    fn the_day_in_one_summary() {
        let today = d("2026-11-23");
        let intervals = Intervals::default();
        let ann = client(1, "Ann", Tier::High, "2026-01-01");
        let bo = client(2, "Bo", Tier::Moderate, "2026-11-10");
        let cy = client(3, "Cy", Tier::Low, "2026-01-01");
        let mut fa = facts(&ann);
        fa.first_contact = Some(d("2026-01-05"));
        fa.last_contact = Some(d("2026-11-17"));
        let fb = facts(&bo);
        let mut fc = facts(&cy);
        fc.first_contact = Some(d("2026-01-05"));
        fc.last_contact = Some(d("2026-11-23"));
        let flags_a = vec![
            Flag {
                kind: FlagKind::Safety,
                severity: Severity::Critical,
                due: Some(d("2026-11-20")),
                days_overdue: 3,
                reason: "PHQ-9 item 9".into(),
            },
            Flag {
                kind: FlagKind::MeasureOverdue,
                severity: Severity::Warning,
                due: Some(d("2026-11-01")),
                days_overdue: 22,
                reason: "last measured".into(),
            },
        ];
        let flags_c = vec![Flag {
            kind: FlagKind::NoBaseline,
            severity: Severity::Warning,
            due: Some(d("2026-01-05")),
            days_overdue: 322,
            reason: "first contact".into(),
        }];
        let panel = [
            PanelClient {
                client: &ann,
                facts: &fa,
                flags: &flags_a,
                next_appointment: None,
            },
            PanelClient {
                client: &bo,
                facts: &fb,
                flags: &[],
                next_appointment: None,
            },
            PanelClient {
                client: &cy,
                facts: &fc,
                flags: &flags_c,
                next_appointment: None,
            },
        ];
        let enc = |id: i64, name: &str, kind, status, minutes, cost| TodayEncounter {
            client_id: ClientId(id),
            client_name: name.into(),
            kind,
            status,
            minutes,
            hourly_cost: Money(cost),
        };
        use EncounterKind::*;
        use EncounterStatus::*;
        let encounters = [
            enc(3, "Cy", Session, Completed, 50, 9_500),
            enc(1, "Ann", Phone, NoShow, 0, 9_500),
            enc(3, "Cy", Documentation, Completed, 10, 9_500),
            enc(3, "Cy", Session, Completed, 25, 6_800),
        ];
        // 90 member months at $45.00 in a 30-day month: $4,050 / 30 = $135.00 a day.
        let gross = Exact::money(Money(405_000));
        let s = summarise(&DayInput {
            unlogged: &[],
            today,
            intervals: &intervals,
            panel: &panel,
            encounters: &encounters,
            capitation_month: gross,
            days_in_month: 30,
        });
        assert_eq!(s.logged.len(), 2);
        assert_eq!(s.logged[0].name, "Cy", "in the order first logged");
        assert_eq!(s.logged[0].kinds, vec![Session, Documentation]);
        assert_eq!(s.logged[0].minutes, 85);
        assert_eq!(s.logged[1].encounters[0].status, NoShow);
        assert_eq!((s.encounters, s.minutes), (4, 85));
        // 60 min at $95/h = $95.00; 25 min at $68/h = $28.333…: $123.33, rounded once.
        assert_eq!(s.cost, Money(12_333));
        assert_eq!(s.capitation_today, Money(13_500));
        assert_eq!(s.capitation_month, Money(405_000));
        assert_eq!(s.balance(), Money(1_167));
        assert_eq!(s.critical.len(), 1);
        assert_eq!(s.critical[0].flags.len(), 1, "only the critical flags");
        assert_eq!(s.clients_with_warnings, 1, "Cy; Ann is counted as critical");
        // Ann (high, last 17 Nov) due tomorrow; Bo (since 10 Nov) first contact tomorrow; Cy
        // (low, seen today) due in 30 days: not in the week.
        assert!(s.due_today.is_empty());
        let tomorrow: Vec<(&str, DueKind)> = s
            .due_tomorrow
            .iter()
            .map(|i| (i.name.as_str(), i.kind))
            .collect();
        assert_eq!(
            tomorrow,
            vec![("Bo", DueKind::FirstContact), ("Ann", DueKind::Contact)]
        );
        assert!(s.due_in_2_to_7_days.is_empty());
        assert_eq!(
            s.measurements,
            MeasurementsDue {
                overdue: 1,
                no_baseline: 1,
                ..MeasurementsDue::default()
            }
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["cost_cents"], 12_333);
        assert_eq!(json["due_tomorrow"][0]["kind"], "first_contact");
    }
}
