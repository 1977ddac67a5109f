//! Each maintenance code of a change file planned against a practice, a full file read like a
//! CSV roster, and the roster a change file leaves for reconciliation.

use super::sample::{self, MemberSpec, d, read_ok};
use super::*;
use crate::domain::roster_plan::{Category, Current, Known, RosterMember, Span, SpanChange};
use crate::domain::{
    AttributionId, ClientId, Contract, ContractId, ContractModel, Money, Percent, Proration,
    RatePeriod,
};

fn contract() -> Contract {
    Contract {
        id: ContractId(1),
        name: "Harbor".into(),
        model: ContractModel::Capitation,
        withhold_bp: Percent(0),
        proration: Proration::FirstOfMonth,
        payer: None,
        diagnosis_rates: Vec::new(),
        rates: vec![RatePeriod {
            from: d("0001-01-01"),
            rate_cents: Money(4500),
        }],
    }
}

/// A practice that knows M-1 (attributed from January), M-2 (attributed, ended 31 January),
/// M-3 (attributed from April, not begun on 15 March) and M-4 (no attribution).
fn practice() -> Current {
    let known = |client: i64, name: &str, spans: &[(&str, Option<&str>)]| Known {
        client_id: ClientId(client),
        name: name.into(),
        dob: None,
        spans: spans
            .iter()
            .enumerate()
            .map(|(i, (s, e))| Span {
                id: AttributionId(client * 10 + i as i64),
                start: d(s),
                end: e.map(d),
            })
            .collect(),
    };
    Current {
        by_member: [
            ("M-1", known(1, "Ann Lee", &[("2026-01-01", None)])),
            (
                "M-2",
                known(2, "Bo Diaz", &[("2025-06-01", Some("2026-01-31"))]),
            ),
            ("M-3", known(3, "Cy Young", &[("2026-04-01", None)])),
            ("M-4", known(4, "Di Ng", &[])),
        ]
        .into_iter()
        .map(|(id, k)| (id.to_string(), k))
        .collect(),
        unmatched: Vec::new(),
    }
}

const AS_OF: &str = "2026-03-15";

fn change(members: &[MemberSpec]) -> Planned {
    let e = read_ok(&sample::file("2", members));
    plan(&e, &practice(), &contract(), d(AS_OF), None)
}

fn only(p: &Planned) -> (&str, Category, Vec<SpanChange>) {
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.plan.changes.len(), 1, "{:?}", p.plan.changes);
    let c = &p.plan.changes[0];
    (c.member_id.as_str(), c.category, c.spans.clone())
}

#[test]
fn an_addition_adds_the_member_from_the_benefit_begin_or_as_of() {
    let dated = MemberSpec {
        coverage_dates: &[("348", "20260310")],
        ..MemberSpec::new("021", "M-9", "PARK", "EVE")
    };
    let p = change(&[dated]);
    assert_eq!(
        only(&p),
        (
            "M-9",
            Category::New,
            vec![SpanChange::Insert {
                start: d("2026-03-10"),
                end: None
            }]
        )
    );
    assert_eq!(p.plan.changes[0].name, "EVE PARK");
    assert_eq!(p.summary.additions, 1);
    let undated = change(&[MemberSpec::new("021", "M-4", "NG", "DI")]);
    assert_eq!(
        only(&undated),
        (
            "M-4",
            Category::New,
            vec![SpanChange::Insert {
                start: d(AS_OF),
                end: None
            }]
        )
    );
    assert_eq!(undated.plan.continuing, 0);
    // Listing someone already attributed changes nothing, and no one else is touched.
    let again = change(&[MemberSpec::new("021", "M-1", "LEE", "ANN")]);
    assert!(again.plan.is_noop());
    assert_eq!(again.plan.continuing, 1);
}

#[test]
fn a_change_moves_only_what_it_gives() {
    let renamed = change(&[MemberSpec::new("001", "M-2", "DIAZ-ORTEGA", "BO")]);
    let (id, category, spans) = only(&renamed);
    assert_eq!((id, category), ("M-2", Category::Changed));
    assert!(spans.is_empty(), "a name change moves no date: {spans:?}");
    assert_eq!(
        renamed.plan.changes[0].rename.as_deref(),
        Some("BO DIAZ-ORTEGA")
    );
    // A new end date given: only the end moves.
    let ends = MemberSpec {
        coverage_dates: &[("349", "20260630")],
        ..MemberSpec::new("001", "M-1", "LEE", "ANN")
    };
    let p = change(&[ends]);
    assert_eq!(
        only(&p).2,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-06-30")),
        }]
    );
    assert!(p.plan.changes[0].rename.is_none(), "ANN LEE is Ann Lee");
    let dob = MemberSpec {
        dob: Some("19800412"),
        ..MemberSpec::new("001", "M-1", "LEE", "ANN")
    };
    let p = change(&[dob]);
    assert_eq!(only(&p).1, Category::Changed);
    assert_eq!(p.plan.changes[0].dob, Some(d("1980-04-12")));
}

#[test]
fn a_reinstatement_brings_a_terminated_member_back() {
    let p = change(&[MemberSpec::new("025", "M-2", "DIAZ", "BO")]);
    assert_eq!(
        only(&p),
        (
            "M-2",
            Category::Reinstated,
            vec![SpanChange::Insert {
                start: d(AS_OF),
                end: None
            }]
        )
    );
    let dated = MemberSpec {
        coverage_dates: &[("348", "20260301")],
        ..MemberSpec::new("025", "M-2", "DIAZ", "BO")
    };
    assert_eq!(
        only(&change(&[dated])).2,
        vec![SpanChange::Insert {
            start: d("2026-03-01"),
            end: None
        }]
    );
}

#[test]
fn a_termination_ends_on_its_date_or_the_day_before_as_of() {
    let dated = MemberSpec {
        coverage_dates: &[("349", "20260331")],
        ..MemberSpec::new("024", "M-1", "LEE", "ANN")
    };
    let p = change(&[dated]);
    let (_, category, spans) = only(&p);
    assert_eq!(category, Category::Terminated);
    assert_eq!(
        spans,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-03-31")),
        }]
    );
    assert!(!p.plan.changes[0].retroactive);
    let retro = MemberSpec {
        coverage_dates: &[("349", "20260131")],
        ..MemberSpec::new("024", "M-1", "LEE", "ANN")
    };
    let p = change(&[retro]);
    assert!(
        p.plan.changes[0].retroactive,
        "ends before the day before --as-of"
    );
    assert!(p.plan.clawed_back().cents() > 0);
    let undated = change(&[MemberSpec::new("024", "M-1", "LEE", "ANN")]);
    let (_, category, spans) = only(&undated);
    assert_eq!(category, Category::Terminated);
    assert_eq!(
        spans,
        vec![SpanChange::Update {
            id: AttributionId(10),
            old_start: d("2026-01-01"),
            old_end: None,
            start: d("2026-01-01"),
            end: Some(d("2026-03-14")),
        }]
    );
    assert_eq!(undated.plan.changes[0].line, Some(7), "the INS segment");
    // An attribution that had not begun is withdrawn, with or without a date before it.
    let not_begun = change(&[MemberSpec::new("024", "M-3", "YOUNG", "CY")]);
    assert!(matches!(
        only(&not_begun).2[..],
        [SpanChange::Withdraw { .. }]
    ));
    let before_begin = MemberSpec {
        coverage_dates: &[("349", "20260320")],
        ..MemberSpec::new("024", "M-3", "YOUNG", "CY")
    };
    assert!(matches!(
        only(&change(&[before_begin])).2[..],
        [SpanChange::Withdraw { .. }]
    ));
}

#[test]
fn a_termination_with_nothing_to_end_leaves_the_member_alone() {
    let already = MemberSpec {
        coverage_dates: &[("349", "20260228")],
        ..MemberSpec::new("024", "M-2", "DIAZ", "BO")
    };
    for p in [
        change(&[MemberSpec::new("024", "M-2", "DIAZ", "BO")]),
        change(&[already]),
        change(&[MemberSpec::new("024", "M-4", "NG", "DI")]),
        change(&[MemberSpec::new("024", "M-77", "NEW", "NO")]),
    ] {
        assert!(p.plan.is_noop(), "{:?}", p.plan.changes);
        assert!(p.problems.is_empty());
        assert_eq!(p.summary.left_alone, 1);
        assert_eq!(p.summary.terminations, 1);
    }
}

#[test]
fn an_audit_changes_nothing() {
    let p = change(&[
        MemberSpec::new("030", "M-1", "LEE", "ANNA"),
        MemberSpec::new("030", "M-77", "NEW", "NO"),
    ]);
    assert!(p.plan.is_noop());
    assert_eq!(p.summary.audits, 2);
}

#[test]
fn a_change_file_leaves_unlisted_members_alone_and_a_full_file_ends_them() {
    let listed = [MemberSpec::new("030", "M-1", "LEE", "ANN")];
    assert!(change(&listed).plan.is_noop());
    let e = read_ok(&sample::file("4", &listed));
    let full = plan(&e, &practice(), &contract(), d(AS_OF), None);
    assert!(full.problems.is_empty(), "{:?}", full.problems);
    assert_eq!(full.plan.count(Category::Continuing), 1);
    let ended: Vec<&str> = full
        .plan
        .changes
        .iter()
        .filter(|c| c.category == Category::Terminated)
        .map(|c| c.member_id.as_str())
        .collect();
    assert_eq!(
        ended,
        ["M-3"],
        "M-3's April attribution is withdrawn; M-2 had already ended"
    );
    assert_eq!(
        full.plan.members.len(),
        1,
        "a full file is recorded as given"
    );
}

#[test]
fn a_change_file_is_recorded_as_the_whole_roster_after_it() {
    let previous = [
        RosterMember {
            member_id: "M-1".into(),
            start: None,
            end: None,
        },
        RosterMember {
            member_id: "M-2".into(),
            start: Some(d("2025-06-01")),
            end: None,
        },
        RosterMember {
            member_id: "M-5".into(),
            start: Some(d("2026-01-01")),
            end: None,
        },
    ];
    let e = read_ok(&sample::file(
        "2",
        &[
            MemberSpec::new("024", "M-2", "DIAZ", "BO"),
            MemberSpec {
                coverage_dates: &[("348", "20260310")],
                ..MemberSpec::new("021", "M-9", "PARK", "EVE")
            },
            MemberSpec {
                coverage_dates: &[("349", "20260630")],
                ..MemberSpec::new("001", "M-5", "FOX", "AL")
            },
            MemberSpec::new("030", "M-1", "LEE", "ANN"),
        ],
    ));
    let p = plan(
        &e,
        &practice(),
        &contract(),
        d(AS_OF),
        Some((d("2026-03-01"), &previous)),
    );
    let roster: Vec<(&str, Option<NaiveDate>, Option<NaiveDate>)> = p
        .plan
        .members
        .iter()
        .map(|m| (m.member_id.as_str(), m.start, m.end))
        .collect();
    assert_eq!(
        roster,
        [
            ("M-1", Some(d("2026-03-01")), None),
            ("M-2", Some(d("2025-06-01")), Some(d("2026-03-14"))),
            ("M-5", Some(d("2026-01-01")), Some(d("2026-06-30"))),
            ("M-9", Some(d("2026-03-10")), None),
        ]
    );
}
