//! Property tests over random histories: days overdue are never negative, every flag's due date
//! agrees with the inputs its reason names, and the priority order is total and stable.

use super::history::facts_from_history;
use super::*;
use crate::domain::{
    Client, ClientId, ClinicianId, Encounter, EncounterId, EncounterKind, Event, EventId,
    Instrument, Intervals, Measurement, MeasurementId,
};
use chrono::Duration;
use proptest::prelude::*;
use std::cmp::Ordering;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// One client's random history, as the records the store would hold.
#[derive(Debug, Clone)]
pub(super) struct History {
    pub(super) client: Client,
    pub(super) encounters: Vec<Encounter>,
    pub(super) measurements: Vec<Measurement>,
    pub(super) events: Vec<Event>,
    pub(super) today: NaiveDate,
    pub(super) intervals: Intervals,
}

pub(super) fn history() -> impl Strategy<Value = History> {
    let encounter = (-5i64..160, 0usize..11, 0usize..3);
    let measurement = (
        -5i64..160,
        prop_oneof![
            Just(Instrument::Phq9),
            Just(Instrument::Gad7),
            Just(Instrument::Srs)
        ],
        0i64..=27,
        proptest::option::of(proptest::collection::vec(0i64..=3, 9)),
    );
    let event = (-5i64..60, any::<bool>());
    (
        0i64..365,
        0i64..200,
        0usize..3,
        prop_oneof![8 => Just(ClientStatus::Active), 1 => Just(ClientStatus::Discharged), 1 => Just(ClientStatus::OnHold)],
        proptest::collection::vec(encounter, 0..12),
        proptest::collection::vec(measurement, 0..8),
        proptest::collection::vec(event, 0..3),
        (1i64..40, 1i64..40, 1i64..40, 1i64..60),
    )
        .prop_map(
            |(day, on_panel, tier, status, encs, meas, evs, (high, moderate, low, measure))| {
                let today = base() + Duration::days(day);
                let ago = |n: i64| today - Duration::days(n);
                let client = Client {
                    id: ClientId(1),
                    external_id: None,
                    name: "Ann".into(),
                    dob: None,
                    tier: Tier::ALL[tier],
                    status,
                    since: ago(on_panel),
                    discharged_on: None,
                    diagnosis: None,
                    clinician_id: None,
                    clinician: None,
                };
                let encounters = encs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (back, kind, status))| Encounter {
                        id: EncounterId(i as i64 + 1),
                        client_id: client.id,
                        clinician_id: ClinicianId(1),
                        clinician: "Dana".into(),
                        date: ago(back),
                        kind: EncounterKind::ALL[kind],
                        status: EncounterStatus::ALL[status],
                        minutes: 0,
                        note: None,
                        voided: None,
                    })
                    .collect();
                let measurements = meas
                    .into_iter()
                    .enumerate()
                    .map(|(i, (back, instrument, total, items))| {
                        let def = instrument.def();
                        let items = items.filter(|_| instrument == Instrument::Phq9);
                        Measurement {
                            id: MeasurementId(i as i64 + 1),
                            client_id: client.id,
                            date: ago(back),
                            instrument,
                            total: items
                                .as_ref()
                                .map_or(total.min(def.total_max), |i| i.iter().sum()),
                            items,
                            voided: None,
                        }
                    })
                    .collect();
                let events = evs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (back, inpatient))| Event {
                        id: EventId(i as i64 + 1),
                        client_id: client.id,
                        date: ago(back),
                        kind: if inpatient {
                            EventKind::InpatientDischarge
                        } else {
                            EventKind::EdVisit
                        },
                        voided: None,
                    })
                    .collect();
                History {
                    client,
                    encounters,
                    measurements,
                    events,
                    today,
                    intervals: Intervals {
                        contact_high: high,
                        contact_moderate: moderate,
                        contact_low: low,
                        measure,
                    },
                }
            },
        )
}

/// Every `YYYY-MM-DD` in a text, in order.
fn dates_in(text: &str) -> Vec<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(9))
        .filter_map(|i| {
            let s: String = chars[i..i + 10].iter().collect();
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .ok()
                .filter(|_| s.as_bytes()[4] == b'-')
        })
        .collect()
}

/// The whole number right after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<i64> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// Checks that a flag's due date follows from the dates and intervals its reason names.
fn check_reason(flag: &Flag, facts: &ClientFacts, today: NaiveDate) -> Result<(), String> {
    let days = Duration::days;
    let dates = dates_in(&flag.reason);
    let due = flag.due;
    let first = dates.first().copied();
    let ok = match flag.kind {
        FlagKind::Safety => first == due,
        FlagKind::PostDischarge => {
            dates.len() == 2 && dates[1] == dates[0] + days(7) && Some(dates[1]) == due
        }
        FlagKind::NeverSeen => first.map(|s| s + days(14)) == due,
        FlagKind::ContactOverdue | FlagKind::MeasureOverdue => {
            let every = number_after(&flag.reason, "every ");
            let ago = number_after(&flag.reason, " (");
            match (first, every, ago) {
                (Some(last), Some(every), Some(ago)) => {
                    Some(last + days(every)) == due && (today - last).num_days() == ago
                }
                _ => false,
            }
        }
        FlagKind::NoBaseline => first == due,
        FlagKind::NotImproving => {
            let trend = if flag.reason.starts_with("PHQ-9") {
                facts.phq9
            } else {
                facts.gad7
            };
            let week = number_after(&flag.reason, "by week ");
            match (trend, week) {
                (Some(t), Some(w)) => {
                    Some(t.baseline_date + days(7 * w)) == due
                        && flag.reason.contains(&t.baseline.to_string())
                }
                _ => false,
            }
        }
        FlagKind::Disengaged => dates.len() == 2 && dates[0] <= dates[1] && Some(dates[1]) == due,
        FlagKind::Remission => due.is_none() && flag.days_overdue == 0,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{:?}: due {due:?} does not follow from '{}'",
            flag.kind, flag.reason
        ))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn flags_are_well_formed_for_any_history(h in history()) {
        let facts = facts_from_history(&h.client, &h.encounters, &h.measurements, &h.events, h.today);
        let flags = evaluate(&facts, &h.intervals, h.today);
        if h.client.status != ClientStatus::Active {
            prop_assert!(flags.is_empty());
        }
        for flag in &flags {
            prop_assert!(flag.days_overdue >= 0, "{flag:?}");
            prop_assert_eq!(flag.severity, flag.kind.severity());
            if let Some(due) = flag.due {
                prop_assert_eq!(flag.days_overdue, (h.today - due).num_days().max(0));
            }
            prop_assert!(!flag.reason.is_empty());
            if let Err(e) = check_reason(flag, &facts, h.today) {
                prop_assert!(false, "{}", e);
            }
        }
        prop_assert!(flags.windows(2).all(|w| w[0].kind <= w[1].kind), "table order");
        let not_improving = flags.iter().filter(|f| f.kind == FlagKind::NotImproving).count();
        prop_assert!(not_improving <= 2);
        prop_assert!(flags.iter().filter(|f| f.kind != FlagKind::NotImproving)
            .map(|f| f.kind).collect::<std::collections::HashSet<_>>().len()
            == flags.len() - not_improving, "one flag per kind");
    }

    #[test]
    fn the_priority_order_is_total_and_stable(
        panel in proptest::collection::vec(
            (
                prop_oneof![Just("Ann"), Just("ann"), Just("Bo"), Just("Cy Lee"), Just("Éva")],
                proptest::collection::vec((0usize..9, 0i64..40), 0..4),
            ),
            1..30,
        ),
        seed in any::<u64>(),
    ) {
        let rows: Vec<(ClientId, &str, Vec<Flag>)> = panel
            .iter()
            .enumerate()
            .map(|(i, (name, flags))| {
                let flags = flags
                    .iter()
                    .map(|(k, overdue)| {
                        let kind = FlagKind::ALL[*k];
                        Flag {
                            kind,
                            severity: kind.severity(),
                            due: None,
                            days_overdue: if kind == FlagKind::Remission { 0 } else { *overdue },
                            reason: String::new(),
                        }
                    })
                    .collect();
                (ClientId(i as i64 + 1), *name, flags)
            })
            .collect();
        let key = |(id, name, flags): &(ClientId, &str, Vec<Flag>)| Priority::of(flags, name, *id);
        let mut sorted = rows.clone();
        sort_by_priority(&mut sorted, key);
        // The same set in another order sorts the same way.
        let mut shuffled = rows.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        sort_by_priority(&mut shuffled, key);
        let ids = |v: &[(ClientId, &str, Vec<Flag>)]| v.iter().map(|r| r.0).collect::<Vec<_>>();
        prop_assert_eq!(ids(&sorted), ids(&shuffled));
        // Total: two different clients never compare equal, and comparison is antisymmetric.
        for a in &rows {
            for b in &rows {
                let (ka, kb) = (key(a), key(b));
                prop_assert_eq!(ka.cmp(&kb), kb.cmp(&ka).reverse());
                prop_assert_eq!(ka.cmp(&kb) == Ordering::Equal, a.0 == b.0);
            }
        }
        // And it is the SPEC's order: severity, then most overdue, then name.
        for w in sorted.windows(2) {
            let (a, b) = (key(&w[0]), key(&w[1]));
            let rank = |p: &Priority| p.worst.map_or(3, |s| s as u8);
            prop_assert!(rank(&a) <= rank(&b));
            if rank(&a) == rank(&b) {
                prop_assert!(a.most_overdue >= b.most_overdue);
                if a.most_overdue == b.most_overdue {
                    prop_assert!(a.name_folded <= b.name_folded);
                }
            }
        }
    }
}

/// The random histories above are only worth something if they reach every rule.
#[test]
fn random_histories_reach_every_kind_of_flag() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = history();
    let mut seen = [0usize; 9];
    for _ in 0..2000 {
        let h = strategy.new_tree(&mut runner).unwrap().current();
        let facts = facts_from_history(
            &h.client,
            &h.encounters,
            &h.measurements,
            &h.events,
            h.today,
        );
        for flag in evaluate(&facts, &h.intervals, h.today) {
            seen[flag.kind as usize] += 1;
        }
    }
    for (kind, n) in FlagKind::ALL.iter().zip(seen) {
        assert!(
            n >= 5,
            "{kind} fired only {n} times in 2000 histories: {seen:?}"
        );
    }
}
