//! Tests of the end-of-day check-in: the summary, the due items and their boundaries.

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
        census: census(&panel),
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
