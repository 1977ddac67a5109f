//! Every rule of SPEC section 4 at its boundaries, and the priority order.

use super::*;
use crate::domain::{ClientId, Intervals, parse_date};

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn kinds(flags: &[Flag]) -> Vec<FlagKind> {
    flags.iter().map(|f| f.kind).collect()
}

/// An active client seen and measured today, so no rule fires unless a test changes a fact.
fn quiet(today: &str) -> ClientFacts {
    let t = d(today);
    ClientFacts {
        status: ClientStatus::Active,
        tier: Tier::Moderate,
        since: t - chrono::Duration::days(400),
        first_contact: Some(t - chrono::Duration::days(390)),
        last_contact: Some(t),
        last_measured: Some(t),
        phq9: None,
        gad7: None,
        phq9_latest_items: None,
        recent_attempts: vec![ContactAttempt {
            date: t,
            status: EncounterStatus::Completed,
        }],
        acute_event: None,
    }
}

fn eval(facts: &ClientFacts, today: &str) -> Vec<Flag> {
    evaluate(facts, &Intervals::default(), d(today))
}

fn only(facts: &ClientFacts, today: &str, kind: FlagKind) -> Option<Flag> {
    let flags = eval(facts, today);
    assert!(
        flags.iter().all(|f| f.kind == kind),
        "expected only {kind} flags, got {flags:?}"
    );
    flags.into_iter().next()
}

#[test]
fn a_quiet_client_has_no_flags() {
    assert_eq!(eval(&quiet("2026-03-06"), "2026-03-06"), vec![]);
}

#[test]
fn contact_overdue_fires_the_day_after_the_interval_for_each_tier() {
    for (tier, interval) in [(Tier::High, 7), (Tier::Moderate, 14), (Tier::Low, 30)] {
        let mut f = quiet("2026-03-06");
        f.tier = tier;
        f.last_contact = Some(d("2026-01-01"));
        let on_day = d("2026-01-01") + chrono::Duration::days(interval);
        assert_eq!(
            only(&f, &on_day.to_string(), FlagKind::ContactOverdue),
            None,
            "{tier}: nothing on day {interval}"
        );
        let day_after = (on_day + chrono::Duration::days(1)).to_string();
        let flag = only(&f, &day_after, FlagKind::ContactOverdue).unwrap();
        assert_eq!(flag.due, Some(on_day));
        assert_eq!(flag.days_overdue, 1);
        assert_eq!(flag.severity, Severity::Warning);
    }
}

#[test]
fn contact_overdue_reads_as_the_spec_example() {
    let mut f = quiet("2026-03-06");
    f.tier = Tier::High;
    f.last_contact = Some(d("2026-02-23"));
    let flag = only(&f, "2026-03-06", FlagKind::ContactOverdue).unwrap();
    assert_eq!(flag.due, Some(d("2026-03-02")));
    assert_eq!(flag.days_overdue, 4);
    assert_eq!(
        flag.reason,
        "last contact 2026-02-23 (11 days ago; high tier: every 7)"
    );
}

#[test]
fn intervals_come_from_the_settings_passed_in() {
    let mut f = quiet("2026-03-06");
    f.tier = Tier::High;
    f.last_contact = Some(d("2026-02-23"));
    let wider = Intervals {
        contact_high: 11,
        ..Intervals::default()
    };
    assert_eq!(evaluate(&f, &wider, d("2026-03-06")), vec![]);
    let flags = evaluate(&f, &wider, d("2026-03-07"));
    assert_eq!(
        flags[0].reason,
        "last contact 2026-02-23 (12 days ago; high tier: every 11)"
    );
}

#[test]
fn never_seen_fires_after_fourteen_days_on_the_panel() {
    let mut f = quiet("2026-03-06");
    f.first_contact = None;
    f.last_contact = None;
    f.recent_attempts.clear();
    f.last_measured = None;
    f.since = d("2026-03-01");
    assert_eq!(only(&f, "2026-03-15", FlagKind::NeverSeen), None, "day 14");
    let flag = only(&f, "2026-03-16", FlagKind::NeverSeen).unwrap();
    assert_eq!(flag.due, Some(d("2026-03-15")));
    assert_eq!(flag.days_overdue, 1);
    assert_eq!(
        flag.reason,
        "on the panel since 2026-03-01 (15 days) with no contact; first contact due within 14"
    );
}

#[test]
fn no_baseline_fires_once_seen_and_never_measured() {
    let mut f = quiet("2026-03-06");
    f.first_contact = Some(d("2026-03-02"));
    f.last_contact = Some(d("2026-03-05"));
    f.last_measured = None;
    let flag = only(&f, "2026-03-06", FlagKind::NoBaseline).unwrap();
    assert_eq!(flag.due, Some(d("2026-03-02")));
    assert_eq!(flag.days_overdue, 4);
    assert_eq!(
        flag.reason,
        "first contact 2026-03-02; no outcome measure recorded since"
    );
    f.last_measured = Some(d("2026-03-02"));
    assert_eq!(eval(&f, "2026-03-06"), vec![]);
}

#[test]
fn never_seen_and_no_baseline_need_opposite_facts() {
    let mut f = quiet("2026-03-06");
    f.first_contact = None;
    f.last_contact = None;
    f.last_measured = None;
    f.recent_attempts.clear();
    f.since = d("2026-01-01");
    assert_eq!(kinds(&eval(&f, "2026-03-06")), vec![FlagKind::NeverSeen]);
}

#[test]
fn measure_overdue_fires_the_day_after_the_interval() {
    let mut f = quiet("2026-03-06");
    f.last_measured = Some(d("2026-02-01"));
    assert_eq!(
        only(&f, "2026-03-03", FlagKind::MeasureOverdue),
        None,
        "day 30"
    );
    let flag = only(&f, "2026-03-04", FlagKind::MeasureOverdue).unwrap();
    assert_eq!(flag.due, Some(d("2026-03-03")));
    assert_eq!(flag.days_overdue, 1);
    assert_eq!(
        flag.reason,
        "last measured 2026-02-01 (31 days ago; every 30)"
    );
}

fn trend(baseline: i64, on: &str, latest: i64, latest_on: &str) -> ScoreTrend {
    ScoreTrend {
        latest,
        latest_date: d(latest_on),
        previous: (on != latest_on).then_some(baseline),
        baseline,
        baseline_date: d(on),
    }
}

#[test]
fn not_improving_starts_on_day_seventy() {
    let mut f = quiet("2026-06-01");
    f.phq9 = Some(trend(20, "2026-01-05", 12, "2026-05-18"));
    // 2026-01-05 + 69 days = 2026-03-15.
    assert_eq!(
        only(&f, "2026-03-15", FlagKind::NotImproving),
        None,
        "day 69"
    );
    let flag = only(&f, "2026-03-16", FlagKind::NotImproving).unwrap();
    assert_eq!(flag.due, Some(d("2026-03-16")));
    assert_eq!(flag.days_overdue, 0, "due on day 70 itself");
    let flag = only(&f, "2026-06-01", FlagKind::NotImproving).unwrap();
    assert_eq!(
        flag.reason,
        "PHQ-9 20 → 12 (−40%) at week 19; target −50% by week 10"
    );
    assert_eq!(flag.days_overdue, 77);
}

#[test]
fn exactly_half_is_improvement_and_baseline_below_ten_never_flags() {
    let mut f = quiet("2026-06-01");
    f.phq9 = Some(trend(20, "2026-01-05", 10, "2026-05-18"));
    assert_eq!(eval(&f, "2026-06-01"), vec![], "20 → 10 is a 50% reduction");
    f.phq9 = Some(trend(20, "2026-01-05", 11, "2026-05-18"));
    assert_eq!(kinds(&eval(&f, "2026-06-01")), vec![FlagKind::NotImproving]);
    f.phq9 = Some(trend(9, "2026-01-05", 9, "2026-05-18"));
    assert_eq!(eval(&f, "2026-06-01"), vec![], "baseline 9");
    f.phq9 = Some(trend(11, "2026-01-05", 6, "2026-05-18"));
    assert_eq!(
        kinds(&eval(&f, "2026-06-01")),
        vec![FlagKind::NotImproving],
        "11 → 6"
    );
}

#[test]
fn not_improving_applies_to_gad7_and_to_an_unrepeated_baseline() {
    let mut f = quiet("2026-06-01");
    f.gad7 = Some(trend(15, "2026-01-05", 15, "2026-01-05"));
    let flag = only(&f, "2026-06-01", FlagKind::NotImproving).unwrap();
    assert_eq!(
        flag.reason,
        "GAD-7 baseline 15 on 2026-01-05, not re-measured in 21 weeks; target −50% by week 10"
    );
    f.phq9 = Some(trend(12, "2026-02-01", 9, "2026-05-01"));
    let flags = eval(&f, "2026-06-01");
    assert_eq!(flags.len(), 2, "one per instrument: {flags:?}");
    assert!(flags[0].reason.starts_with("PHQ-9 12 → 9 (−25%)"));
    assert!(flags[1].reason.starts_with("GAD-7"));
}

#[test]
fn remission_is_information_without_a_due_date() {
    let mut f = quiet("2026-06-01");
    f.phq9 = Some(trend(18, "2026-01-05", 4, "2026-05-20"));
    let flag = only(&f, "2026-06-01", FlagKind::Remission).unwrap();
    assert_eq!(flag.severity, Severity::Info);
    assert_eq!(flag.due, None);
    assert_eq!(flag.days_overdue, 0);
    assert_eq!(
        flag.reason,
        "PHQ-9 18 → 4 (below 5) on 2026-05-20; consider step-down"
    );
    f.phq9 = Some(trend(18, "2026-01-05", 5, "2026-05-20"));
    assert_eq!(eval(&f, "2026-06-01"), vec![], "5 is not below 5");
    f.phq9 = Some(trend(9, "2026-01-05", 0, "2026-05-20"));
    assert_eq!(eval(&f, "2026-06-01"), vec![], "baseline below 10");
}

#[test]
fn safety_needs_items_with_item_nine_on_the_latest_phq9() {
    let mut f = quiet("2026-06-01");
    f.phq9 = Some(trend(14, "2026-05-20", 14, "2026-05-20"));
    f.phq9_latest_items = Some(vec![2, 2, 2, 2, 2, 2, 1, 0, 1]);
    let flag = only(&f, "2026-06-01", FlagKind::Safety).unwrap();
    assert_eq!(flag.severity, Severity::Critical);
    assert_eq!(flag.due, Some(d("2026-05-20")));
    assert_eq!(flag.days_overdue, 12);
    assert_eq!(
        flag.reason,
        "PHQ-9 item 9 (self-harm) = 1 on 2026-05-20 (total 14); review safety"
    );
    f.phq9_latest_items = Some(vec![2, 2, 2, 2, 2, 2, 1, 1, 0]);
    assert_eq!(eval(&f, "2026-06-01"), vec![], "item 9 is zero");
    f.phq9_latest_items = None;
    assert_eq!(
        eval(&f, "2026-06-01"),
        vec![],
        "score only: no items, no safety flag"
    );
}

fn discharged_on(f: &mut ClientFacts, on: &str, contact_after: Option<&str>) {
    f.acute_event = Some(AcuteEvent {
        kind: EventKind::InpatientDischarge,
        date: d(on),
        first_contact_after: contact_after.map(d),
    });
}

#[test]
fn post_discharge_ignores_a_contact_on_the_day_itself() {
    let mut f = quiet("2026-06-12");
    f.last_contact = Some(d("2026-06-09"));
    discharged_on(&mut f, "2026-06-09", None);
    let flag = only(&f, "2026-06-12", FlagKind::PostDischarge).unwrap();
    assert_eq!(flag.severity, Severity::Critical);
    assert_eq!(flag.due, Some(d("2026-06-16")));
    assert_eq!(flag.days_overdue, 0);
    assert_eq!(
        flag.reason,
        "discharged 2026-06-09; follow-up due by 2026-06-16 (7-day)"
    );
    discharged_on(&mut f, "2026-06-09", Some("2026-06-10"));
    assert_eq!(eval(&f, "2026-06-12"), vec![], "the next day counts");
    discharged_on(&mut f, "2026-06-09", Some("2026-06-09"));
    assert_eq!(
        kinds(&eval(&f, "2026-06-12")),
        vec![FlagKind::PostDischarge]
    );
}

#[test]
fn post_discharge_runs_for_thirty_days_and_counts_lateness_from_day_seven() {
    let mut f = quiet("2026-07-09");
    f.acute_event = Some(AcuteEvent {
        kind: EventKind::EdVisit,
        date: d("2026-06-09"),
        first_contact_after: None,
    });
    let flag = only(&f, "2026-07-09", FlagKind::PostDischarge).unwrap();
    assert_eq!(flag.days_overdue, 23, "day 30: 2026-07-09 − 2026-06-16");
    assert_eq!(
        flag.reason,
        "ED visit 2026-06-09; follow-up due by 2026-06-16 (7-day)"
    );
    assert_eq!(
        only(&f, "2026-07-10", FlagKind::PostDischarge),
        None,
        "day 31"
    );
    assert_eq!(
        only(&f, "2026-06-09", FlagKind::PostDischarge)
            .unwrap()
            .days_overdue,
        0,
        "the event day itself"
    );
}

#[test]
fn disengaged_needs_both_latest_contact_kind_encounters_missed() {
    let mut f = quiet("2026-06-12");
    f.last_contact = Some(d("2026-06-01"));
    f.recent_attempts = vec![
        ContactAttempt {
            date: d("2026-06-08"),
            status: EncounterStatus::Cancelled,
        },
        ContactAttempt {
            date: d("2026-06-04"),
            status: EncounterStatus::NoShow,
        },
    ];
    let flag = only(&f, "2026-06-12", FlagKind::Disengaged).unwrap();
    assert_eq!(flag.due, Some(d("2026-06-08")));
    assert_eq!(flag.days_overdue, 4);
    assert_eq!(
        flag.reason,
        "last two scheduled contacts missed: no-show 2026-06-04, cancelled 2026-06-08"
    );
    f.recent_attempts[1].status = EncounterStatus::Completed;
    assert_eq!(eval(&f, "2026-06-12"), vec![]);
    f.recent_attempts.truncate(1);
    f.recent_attempts[0].status = EncounterStatus::NoShow;
    assert_eq!(eval(&f, "2026-06-12"), vec![], "one missed is not two");
}

#[test]
fn discharged_and_on_hold_clients_carry_no_flags() {
    let mut f = quiet("2026-06-12");
    f.first_contact = Some(d("2024-12-01"));
    f.last_contact = Some(d("2025-01-01"));
    f.last_measured = None;
    discharged_on(&mut f, "2026-06-09", None);
    assert_eq!(eval(&f, "2026-06-12").len(), 3);
    for status in [ClientStatus::Discharged, ClientStatus::OnHold] {
        f.status = status;
        assert_eq!(eval(&f, "2026-06-12"), vec![], "{status}");
    }
}

#[test]
fn several_flags_on_one_client_come_in_table_order() {
    let mut f = quiet("2026-06-12");
    f.tier = Tier::High;
    f.last_contact = Some(d("2026-05-01"));
    f.last_measured = Some(d("2026-01-05"));
    f.phq9 = Some(trend(20, "2026-01-05", 20, "2026-01-05"));
    f.phq9_latest_items = Some(vec![3, 3, 3, 3, 3, 2, 1, 1, 1]);
    f.recent_attempts = vec![
        ContactAttempt {
            date: d("2026-06-01"),
            status: EncounterStatus::NoShow,
        },
        ContactAttempt {
            date: d("2026-05-20"),
            status: EncounterStatus::NoShow,
        },
    ];
    discharged_on(&mut f, "2026-06-02", None);
    assert_eq!(
        kinds(&eval(&f, "2026-06-12")),
        vec![
            FlagKind::Safety,
            FlagKind::PostDischarge,
            FlagKind::ContactOverdue,
            FlagKind::MeasureOverdue,
            FlagKind::NotImproving,
            FlagKind::Disengaged,
        ]
    );
}

fn flagged(severity: Severity, days_overdue: i64) -> Flag {
    Flag {
        kind: FlagKind::ContactOverdue,
        severity,
        due: None,
        days_overdue,
        reason: String::new(),
    }
}

#[test]
fn priority_is_severity_then_days_overdue_then_name_then_id() {
    let mut rows = vec![
        (ClientId(1), "zed", vec![]),
        (ClientId(2), "Bo", vec![flagged(Severity::Warning, 3)]),
        (ClientId(3), "amy", vec![flagged(Severity::Warning, 3)]),
        (ClientId(4), "Cy", vec![flagged(Severity::Info, 0)]),
        (
            ClientId(5),
            "Di",
            vec![flagged(Severity::Warning, 1), flagged(Severity::Info, 40)],
        ),
        (ClientId(6), "Ed", vec![flagged(Severity::Critical, 0)]),
        (ClientId(7), "Amy", vec![flagged(Severity::Warning, 3)]),
        (ClientId(8), "amy", vec![flagged(Severity::Warning, 3)]),
    ];
    sort_by_priority(&mut rows, |(id, name, flags)| {
        Priority::of(flags, name, *id)
    });
    let order: Vec<i64> = rows.iter().map(|(id, _, _)| id.0).collect();
    // Ed critical; Di (warning, 40 days on its info flag); then the 3-day warnings by name
    // ("Amy" before "amy", then id); Cy info; zed without flags.
    assert_eq!(order, vec![6, 5, 7, 3, 8, 2, 4, 1]);
}

#[test]
fn counts_by_kind_skip_absent_kinds() {
    let flags = [
        flagged(Severity::Warning, 1),
        Flag {
            kind: FlagKind::Safety,
            ..flagged(Severity::Critical, 0)
        },
        flagged(Severity::Warning, 2),
    ];
    assert_eq!(
        count_by_kind(&flags),
        vec![(FlagKind::Safety, 1), (FlagKind::ContactOverdue, 2)]
    );
}

#[test]
fn percent_change_truncates_toward_zero_with_a_true_minus() {
    use super::rules::percent_change;
    assert_eq!(percent_change(20, 12), "−40%");
    assert_eq!(percent_change(27, 14), "−48%");
    assert_eq!(percent_change(10, 12), "+20%");
    assert_eq!(percent_change(10, 10), "0%");
    assert_eq!(percent_change(0, 3), "n/a");
}

#[test]
fn flags_serialise_with_the_spec_field_names() {
    let flag = Flag {
        kind: FlagKind::PostDischarge,
        severity: Severity::Critical,
        due: Some(d("2026-06-16")),
        days_overdue: 2,
        reason: "r".into(),
    };
    assert_eq!(
        serde_json::to_string(&flag).unwrap(),
        r#"{"kind":"post_discharge","severity":"critical","due":"2026-06-16","days_overdue":2,"reason":"r"}"#
    );
    let info = Flag { due: None, ..flag };
    assert!(
        serde_json::to_string(&info)
            .unwrap()
            .contains(r#""due":null"#)
    );
    for kind in FlagKind::ALL {
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::String(kind.as_str().into())
        );
    }
}

#[test]
fn critical_flags_are_named_for_a_discharge_and_nothing_else_is() {
    let flag = |kind: FlagKind| Flag {
        kind,
        severity: kind.severity(),
        due: None,
        days_overdue: 0,
        reason: "PHQ-9 item 9 = 2 on 2026-11-20".into(),
    };
    assert_eq!(critical_named(&[]), None);
    assert_eq!(
        critical_named(&[flag(FlagKind::ContactOverdue), flag(FlagKind::Remission)]),
        None
    );
    assert_eq!(
        critical_named(&[flag(FlagKind::ContactOverdue), flag(FlagKind::Safety)]).as_deref(),
        Some("a safety flag")
    );
    assert_eq!(
        critical_named(&[
            flag(FlagKind::PostDischarge),
            flag(FlagKind::Safety),
            flag(FlagKind::PostDischarge)
        ])
        .as_deref(),
        Some("safety and post-discharge follow-up flags")
    );
    // The reason (a score, a date) is never part of it.
    assert!(
        !critical_named(&[flag(FlagKind::Safety)])
            .unwrap()
            .contains("item")
    );
}
