//! The revenue report on a two-client practice: one client's scope, ordering by minutes,
//! totals that agree across groupings, and periods or groupings that are refused.

use super::*;
use crate::domain::{
    EncounterKind, EncounterStatus, Percent, Proration, Role, Tier, parse_date, parse_month,
};
use crate::store::{Store, attributions, clients, encounters};

/// Two clients of one clinician ($60/h) on one $40 first-of-month contract since January;
/// Ann has 30 minutes in February, Bo 90 minutes in March.
fn practice() -> (Store, ClientId, ClientId) {
    let mut store = Store::open_in_memory().unwrap();
    let d = |s| parse_date(s).unwrap();
    let ids = store
        .write(|tx| {
            let kim = clinicians::insert(tx, "Kim", Role::Clinician, Money(6_000))?;
            let k = contracts::insert(
                tx,
                &contracts::NewContract {
                    name: "Cap".into(),
                    model: ContractModel::Capitation,
                    rate: Money(4_000),
                    withhold: Percent(1_000),
                    proration: Proration::FirstOfMonth,
                    payer: None,
                },
            )?;
            let mut ids = Vec::new();
            for (name, date, minutes) in [("Ann", "2026-02-10", 30), ("Bo", "2026-03-10", 90)] {
                let id = clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: name.into(),
                        dob: None,
                        tier: Tier::Moderate,
                        since: d("2026-01-01"),
                        diagnosis: None,
                        clinician_id: Some(kim),
                    },
                )?;
                attributions::insert(tx, id, k, d("2026-01-01"), None)?;
                encounters::insert(
                    tx,
                    &encounters::NewEncounter {
                        client_id: id,
                        clinician_id: kim,
                        date: d(date),
                        kind: EncounterKind::Session,
                        status: EncounterStatus::Completed,
                        minutes,
                        note: None,
                    },
                )?;
                ids.push(id);
            }
            Ok(ids)
        })
        .unwrap();
    (store, ids[0], ids[1])
}

fn query(by: GroupBy) -> RevenueQuery {
    RevenueQuery::new(
        parse_month("2026-01").unwrap(),
        parse_month("2026-03").unwrap(),
        by,
    )
}

#[test]
fn one_clients_report_holds_only_that_client() {
    let (store, ann, _) = practice();
    let q = RevenueQuery {
        client: Some(ann),
        ..query(GroupBy::Month)
    };
    let r = report(store.conn(), &q).unwrap();
    // Three member months at $40 (10% withheld); 30 minutes at $60/h = $30.
    assert_eq!(r.total.member_months, 3.0);
    assert_eq!(
        (r.total.gross, r.total.withhold),
        (Money(12_000), Money(1_200))
    );
    assert_eq!((r.total.minutes, r.total.cost), (30, Money(3_000)));
    assert_eq!(r.total.margin, Money(7_800));
    assert_eq!(r.withhold_to_date, Money(1_200));
    assert_eq!(r.rows[1].minutes, 30, "February");
    assert_eq!(
        r.rows[1].effective_hourly,
        Some(Money(8_000)),
        "$40 per half hour"
    );
    assert_eq!(r.rows[0].effective_hourly, None, "no minutes in January");
    // Break-even: $40 buys 40 minutes of Kim; Ann took 30 minutes in 3 member months.
    assert_eq!(r.break_even.len(), 1);
    assert_eq!(r.break_even[0].per_clinician[0].2, 40.0);
    assert_eq!(r.break_even[0].actual_minutes_per_member_month, Some(10.0));

    let by_client = report(
        store.conn(),
        &RevenueQuery {
            client: Some(ann),
            ..query(GroupBy::Client)
        },
    )
    .unwrap();
    assert_eq!(by_client.rows.len(), 1);
    assert_eq!(
        (by_client.rows[0].key.as_str(), by_client.rows[0].client_id),
        ("Ann", Some(ann))
    );
}

#[test]
fn clients_are_ordered_by_minutes_and_the_whole_practice_adds_up() {
    let (store, ann, bo) = practice();
    let r = report(store.conn(), &query(GroupBy::Client)).unwrap();
    let order: Vec<Option<ClientId>> = r.rows.iter().map(|row| row.client_id).collect();
    assert_eq!(order, vec![Some(bo), Some(ann)]);
    assert_eq!(r.total.gross, Money(24_000));
    assert_eq!(r.total.minutes, 120);
    let by_clinician = report(store.conn(), &query(GroupBy::Clinician)).unwrap();
    assert_eq!(by_clinician.rows.len(), 1);
    assert_eq!(
        by_clinician.total,
        RevenueRow {
            key: "total".into(),
            client_id: None,
            ..r.total.clone()
        }
    );
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let (store, _, _) = practice();
    let mut q = query(GroupBy::Month);
    std::mem::swap(&mut q.from, &mut q.to);
    let err = report(store.conn(), &q).unwrap_err().to_string();
    assert_eq!(
        err,
        "the report cannot start (2026-03) after it ends (2026-01)"
    );
    assert!("week".parse::<GroupBy>().is_err());
    assert_eq!("Client".parse::<GroupBy>().unwrap(), GroupBy::Client);
}
