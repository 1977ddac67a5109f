//! The roster plan's rules at their boundaries: first rosters, re-imports, absences and
//! retroactive terms with their claw-backs, reinstatements, renames and conflicts.

use super::*;
use crate::domain::economics::MemberMonths;
use crate::domain::{
    AttributionId, ContractId, ContractModel, Money, Percent, Proration, RatePeriod,
};

fn d(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

fn contract(proration: Proration) -> Contract {
    Contract {
        id: ContractId(1),
        name: "Harbor".into(),
        model: ContractModel::Capitation,
        withhold_bp: Percent(1000),
        proration,
        payer: None,
        diagnosis_rates: Vec::new(),
        rates: vec![RatePeriod {
            from: d("0001-01-01"),
            rate_cents: Money(4500),
        }],
    }
}

fn row(line: u64, id: &str, start: Option<&str>, end: Option<&str>) -> RosterRow {
    RosterRow {
        line,
        member_id: id.into(),
        name: format!("Name {id}"),
        dob: None,
        start: start.map(d),
        end: end.map(d),
    }
}

fn known(client: i64, id: &str, spans: &[(&str, Option<&str>)]) -> (String, Known) {
    (
        id.to_string(),
        Known {
            client_id: ClientId(client),
            name: format!("Name {id}"),
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
        },
    )
}

fn current(members: Vec<(String, Known)>) -> Current {
    Current {
        by_member: members.into_iter().collect(),
        unmatched: Vec::new(),
    }
}

fn categories(plan: &RosterPlan) -> Vec<(&str, Category, bool)> {
    plan.changes
        .iter()
        .map(|c| (c.member_id.as_str(), c.category, c.retroactive))
        .collect()
}

#[test]
fn a_first_roster_adds_everyone() {
    let k = contract(Proration::FirstOfMonth);
    let rows = [
        row(2, "A", Some("2026-01-01"), None),
        row(3, "B", None, None),
    ];
    let (plan, problems) = super::plan(&rows, &Current::default(), &k, d("2026-03-01"));
    assert!(problems.is_empty());
    assert_eq!(plan.count(Category::New), 2);
    assert_eq!(
        plan.changes[1].spans,
        vec![SpanChange::Insert {
            start: d("2026-03-01"),
            end: None
        }],
        "no effective date: from the roster's date"
    );
    // A back-dated member adds January and February (settled months): 2 × $45.
    assert_eq!(plan.changes[0].settled.gross.round(), Money(9000));
    assert_eq!(plan.changes[0].settled.net.round(), Money(8100));
    assert_eq!(plan.restored(), Money(9000));
    assert_eq!(plan.before.member_months, MemberMonths::ZERO);
    assert_eq!(
        plan.after.member_months,
        MemberMonths(2 * MemberMonths::ONE.0)
    );
}

#[test]
fn the_same_roster_again_changes_nothing() {
    let k = contract(Proration::FirstOfMonth);
    let cur = current(vec![
        known(1, "A", &[("2026-01-01", None)]),
        known(2, "B", &[("2026-03-01", None)]),
        known(3, "C", &[("2025-06-01", Some("2026-02-28"))]),
    ]);
    let rows = [
        row(2, "A", Some("2026-01-01"), None),
        row(3, "B", None, None),
    ];
    let (plan, problems) = super::plan(&rows, &cur, &k, d("2026-03-01"));
    assert!(problems.is_empty());
    assert!(plan.is_noop(), "{:?}", plan.changes);
    assert_eq!(plan.continuing, 2);
    assert_eq!(plan.before, plan.after);
}

#[test]
fn absent_members_end_the_day_before_and_retroactive_terms_claw_back() {
    let k = contract(Proration::FirstOfMonth);
    let cur = current(vec![
        known(1, "A", &[("2025-10-01", None)]),
        known(2, "B", &[("2025-10-01", None)]),
        known(3, "C", &[("2026-04-01", None)]),
        known(4, "D", &[("2025-10-01", None)]),
    ]);
    // A continues; B is absent; C (not begun) is absent; D's term date is January 15.
    let rows = [
        row(2, "A", None, None),
        row(3, "D", None, Some("2026-01-15")),
    ];
    let (plan, problems) = super::plan(&rows, &cur, &k, d("2026-03-01"));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        categories(&plan),
        vec![
            ("D", Category::Terminated, true),
            ("B", Category::Terminated, false),
            ("C", Category::Terminated, false),
        ]
    );
    assert_eq!(
        plan.changes[1].spans[0],
        SpanChange::Update {
            id: AttributionId(20),
            old_start: d("2025-10-01"),
            old_end: None,
            start: d("2025-10-01"),
            end: Some(d("2026-02-28"))
        }
    );
    assert!(matches!(
        plan.changes[2].spans[0],
        SpanChange::Withdraw { .. }
    ));
    // D loses February (settled): $45 gross, $40.50 net. B loses nothing settled.
    assert_eq!(plan.changes[0].settled.gross.round(), Money(-4500));
    assert_eq!(plan.changes[0].settled.net.round(), Money(-4050));
    assert_eq!(plan.changes[1].settled.gross.round(), Money(0));
    assert_eq!(plan.clawed_back(), Money(4500));
    // March: A, B, D counted before; only A after.
    assert_eq!(
        plan.before.member_months,
        MemberMonths(3 * MemberMonths::ONE.0)
    );
    assert_eq!(plan.after.member_months, MemberMonths::ONE);
    assert_eq!(plan.after.gross.round(), Money(4500));
}

#[test]
fn daily_proration_claws_back_the_days() {
    let k = contract(Proration::Daily);
    let cur = current(vec![known(1, "A", &[("2026-01-01", None)])]);
    let rows = [row(2, "A", None, Some("2026-02-14"))];
    let (plan, _) = super::plan(&rows, &cur, &k, d("2026-03-01"));
    // February 15–28 taken back: 14/28 of $45.
    assert_eq!(plan.changes[0].settled.gross.round(), Money(-2250));
    assert!(plan.changes[0].retroactive);
}

#[test]
fn reinstatements_reopen_or_start_again() {
    let k = contract(Proration::FirstOfMonth);
    let cur = current(vec![
        known(1, "A", &[("2025-10-01", Some("2026-01-31"))]),
        known(2, "B", &[("2025-10-01", Some("2026-02-28"))]),
    ]);
    let rows = [
        row(2, "A", Some("2025-10-01"), None),
        row(3, "B", None, None),
    ];
    let (plan, problems) = super::plan(&rows, &cur, &k, d("2026-03-01"));
    assert!(problems.is_empty());
    assert_eq!(
        categories(&plan),
        vec![
            ("A", Category::Reinstated, false),
            ("B", Category::Reinstated, false)
        ]
    );
    // A's February comes back.
    assert_eq!(plan.changes[0].settled.gross.round(), Money(4500));
    assert!(matches!(
        plan.changes[1].spans[0],
        SpanChange::Update { end: None, .. }
    ));
    // A member off the roster for a while comes back from the roster's date.
    let cur = current(vec![known(1, "A", &[("2025-10-01", Some("2025-12-31"))])]);
    let (plan, _) = super::plan(&[row(2, "A", None, None)], &cur, &k, d("2026-03-01"));
    assert_eq!(
        plan.changes[0].spans,
        vec![SpanChange::Insert {
            start: d("2026-03-01"),
            end: None
        }]
    );
    assert_eq!(plan.changes[0].category, Category::Reinstated);
}

#[test]
fn names_dates_and_conflicts() {
    let k = contract(Proration::FirstOfMonth);
    let cur = current(vec![
        known(1, "A", &[("2025-10-01", None)]),
        known(
            2,
            "B",
            &[("2025-01-01", Some("2025-03-31")), ("2025-06-01", None)],
        ),
    ]);
    let mut renamed = row(2, "A", Some("2025-10-01"), None);
    renamed.name = "Ann Lee-Park".into();
    let rows = [
        renamed,
        row(3, "B", Some("2025-01-01"), None),
        row(4, "N", None, Some("2026-01-31")),
        RosterRow {
            name: String::new(),
            ..row(5, "M", None, None)
        },
    ];
    let (plan, problems) = super::plan(&rows, &cur, &k, d("2026-03-01"));
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5], "{problems:?}");
    assert_eq!(plan.changes[0].category, Category::Changed);
    assert_eq!(plan.changes[0].rename.as_deref(), Some("Ann Lee-Park"));
    assert_eq!(
        plan.continuing, 0,
        "a renamed member is changed, not also continuing"
    );
    assert_eq!(plan.count(Category::Changed), 1);
    // A corrected effective date is a change, not a termination.
    let cur = current(vec![known(1, "A", &[("2025-10-01", None)])]);
    let (plan, _) = super::plan(
        &[row(2, "A", Some("2025-11-01"), None)],
        &cur,
        &k,
        d("2026-03-01"),
    );
    assert_eq!(plan.changes[0].category, Category::Changed);
    assert_eq!(plan.changes[0].settled.gross.round(), Money(-4500));
}

#[test]
fn unmatched_clients_are_listed_and_counted_but_left_alone() {
    let k = contract(Proration::FirstOfMonth);
    let mut cur = current(vec![]);
    cur.unmatched.push((
        ClientId(9),
        vec![Span {
            id: AttributionId(1),
            start: d("2026-01-01"),
            end: None,
        }],
    ));
    let (plan, _) = super::plan(&[row(2, "A", None, None)], &cur, &k, d("2026-03-01"));
    assert_eq!(plan.unmatched, vec![ClientId(9)]);
    assert_eq!(plan.before.member_months, MemberMonths::ONE);
    assert_eq!(
        plan.after.member_months,
        MemberMonths(2 * MemberMonths::ONE.0)
    );
}
