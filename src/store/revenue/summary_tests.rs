//! The sums kept on write (migration 12) against a recompute from scratch, and the report read
//! off them against the report from every attribution: on random histories (attributions that
//! overlap, end, are voided, removed and moved; encounters logged, amended and voided; clients
//! moved between clinicians), on the demo practice, and on a database upgraded from version 11.
//! The check-in's capitation gross is held to the sum over every attribution.

use super::*;
use crate::domain::{EncounterKind, EncounterStatus, Percent, Proration, Role, Tier};
use crate::store::{Store, attributions, clients, encounters};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

/// Every maintained row (counts and sums not 0), and the same computed from the live rows.
fn sums(conn: &Connection) -> (Vec<String>, Vec<String>) {
    let rows = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    };
    let mut kept = rows(
        "SELECT 'g', contract_id, clinician_id, start_date, end_date, diagnosis, members
         FROM attribution_groups WHERE members <> 0 ORDER BY 2, 3, 4, 5, 6",
    );
    kept.extend(rows(
        "SELECT 'm', month, clinician_id, encounters, minutes FROM clinician_month_minutes
         WHERE encounters <> 0 OR minutes <> 0 ORDER BY 2, 3",
    ));
    kept.extend(rows(
        "SELECT 'c', contract_id, month, clinician_id, encounters, minutes
         FROM contract_month_minutes WHERE encounters <> 0 OR minutes <> 0 ORDER BY 2, 3, 4",
    ));
    let mut scratch = rows(
        "SELECT 'g', a.contract_id, coalesce(c.clinician_id, 0), a.start_date,
                coalesce(a.end_date, '9999-12-31'), coalesce(a.diagnosis, ''), count(*)
         FROM live_attributions a JOIN clients c ON c.id = a.client_id
         GROUP BY 2, 3, 4, 5, 6 ORDER BY 2, 3, 4, 5, 6",
    );
    scratch.extend(rows(
        "SELECT 'm', substr(date, 1, 7), clinician_id, count(*), sum(minutes)
         FROM live_encounters GROUP BY 2, 3 ORDER BY 2, 3",
    ));
    scratch.extend(rows(
        "SELECT 'c', a.contract_id, substr(e.date, 1, 7), e.clinician_id, count(*), sum(e.minutes)
         FROM live_attributions a JOIN live_encounters e ON e.client_id = a.client_id
              AND e.date >= a.start_date AND (a.end_date IS NULL OR e.date <= a.end_date)
         GROUP BY 2, 3, 4 ORDER BY 2, 3, 4",
    ));
    (kept, scratch)
}

/// Every report the sums can answer equals the one from every attribution; and the month's
/// capitation gross equals the sum over every attribution. Returns how many reports had money.
fn reports_agree(conn: &Connection, months: &[(Month, Month)], today: NaiveDate) -> usize {
    let mut with_money = 0;
    let clinicians: Vec<Option<ClinicianId>> = std::iter::once(None)
        .chain(clinicians::list(conn).unwrap().iter().map(|c| Some(c.id)))
        .collect();
    for &(from, to) in months {
        for by in [GroupBy::Month, GroupBy::Contract, GroupBy::Clinician] {
            for &clinician in &clinicians {
                for to_date in [None, Some(ToDate::on(today))] {
                    let q = RevenueQuery {
                        clinician,
                        to_date,
                        ..RevenueQuery::new(from, to, by)
                    };
                    let kept = build(conn, &q, true).unwrap();
                    let every = build(conn, &q, false).unwrap();
                    assert_eq!(kept, every, "{q:?}");
                    with_money += usize::from(kept.total.gross.cents() != 0);
                }
            }
        }
        for &clinician in &clinicians {
            let q = RevenueQuery::new(to, to, GroupBy::Month);
            let contracts = contracts::list(conn).unwrap();
            let mut every = Exact::ZERO;
            for span in gather::attributions(conn, &q).unwrap() {
                let Some(c) = contracts.iter().find(|c| c.id == span.contract) else {
                    continue;
                };
                if c.model != ContractModel::Capitation
                    || (clinician.is_some() && span.primary != clinician)
                {
                    continue;
                }
                let d = span.diagnosis.as_deref();
                every += earned_in_month(c, span.start, span.end, d, to).gross;
            }
            assert_eq!(capitation_gross(conn, to, clinician).unwrap(), every);
        }
    }
    with_money
}

#[derive(Debug, Clone)]
enum Op {
    Attribute(usize, usize, i64, Option<i64>, bool),
    Log(usize, bool, i64, i64),
    VoidAttribution(usize, bool),
    RemoveAttribution(usize),
    MoveAttribution(usize, i64),
    VoidEncounter(usize, bool),
    AmendEncounter(usize, i64, i64),
    Reassign(usize, Option<bool>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..4, 0usize..3, -60i64..200, proptest::option::of(0i64..120), any::<bool>())
            .prop_map(|(c, k, s, l, d)| Op::Attribute(c, k, s, l, d)),
        6 => (0usize..4, any::<bool>(), -60i64..240, 0i64..120)
            .prop_map(|(c, k, d, m)| Op::Log(c, k, d, m)),
        1 => (0usize..12, any::<bool>()).prop_map(|(n, v)| Op::VoidAttribution(n, v)),
        1 => (0usize..12).prop_map(Op::RemoveAttribution),
        1 => (0usize..12, -40i64..40).prop_map(|(n, d)| Op::MoveAttribution(n, d)),
        1 => (0usize..30, any::<bool>()).prop_map(|(n, v)| Op::VoidEncounter(n, v)),
        1 => (0usize..30, -40i64..40, 0i64..90).prop_map(|(n, d, m)| Op::AmendEncounter(n, d, m)),
        1 => (0usize..4, proptest::option::of(any::<bool>())).prop_map(|(c, k)| Op::Reassign(c, k)),
    ]
}

/// Two clinicians, four clients (one without a clinician), and three contracts: capitation
/// first-of-month with a rate change and a withhold, capitation daily, a case rate by diagnosis.
fn practice() -> (Store, Vec<ClientId>, Vec<ContractId>, Vec<ClinicianId>) {
    let mut store = Store::open_in_memory().unwrap();
    let ids = store
        .write(|tx| {
            let kim = clinicians::insert(tx, "Kim", Role::Clinician, Money(6_000))?;
            let lee = clinicians::insert(tx, "Lee", Role::Clinician, Money(9_500))?;
            let mut contract_ids = Vec::new();
            for (name, model, proration) in [
                ("Cap", ContractModel::Capitation, Proration::FirstOfMonth),
                ("Daily", ContractModel::Capitation, Proration::Daily),
                ("Episode", ContractModel::CaseRate, Proration::FirstOfMonth),
            ] {
                contract_ids.push(contracts::insert(
                    tx,
                    &contracts::NewContract {
                        name: name.into(),
                        model,
                        rate: Money(4_111),
                        withhold: Percent(733),
                        proration,
                        payer: None,
                    },
                )?);
            }
            contracts::set_rate(
                tx,
                contract_ids[0],
                Money(5_003),
                base() + Duration::days(45),
            )?;
            let mut client_ids = Vec::new();
            for (i, clinician) in [Some(kim), Some(lee), Some(kim), None]
                .into_iter()
                .enumerate()
            {
                client_ids.push(clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: format!("Client {i}"),
                        dob: None,
                        tier: Tier::Moderate,
                        since: base() - Duration::days(90),
                        diagnosis: Some(["F32.1", "F33.2", "F41.1", "F32.1"][i].into()),
                        clinician_id: clinician,
                    },
                )?);
            }
            Ok((client_ids, contract_ids, vec![kim, lee]))
        })
        .unwrap();
    (store, ids.0, ids.1, ids.2)
}

fn apply(store: &mut Store, p: &(Vec<ClientId>, Vec<ContractId>, Vec<ClinicianId>), op: &Op) {
    let (clients, contracts, clinicians) = p;
    let day = |d: i64| base() + Duration::days(d);
    let nth = |tx: &Connection, table: &str, n: usize| -> rusqlite::Result<i64> {
        tx.query_row(
            &format!("SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET ?1"),
            [n as i64],
            |r| r.get(0),
        )
    };
    // A write that finds nothing to change (no n-th row yet) is simply not made.
    let _ = store.write(|tx| match op {
        Op::Attribute(c, k, start, length, diagnosis) => {
            let end = length.map(|l| day(*start + l));
            let dx = diagnosis.then_some("F33.1");
            attributions::insert_with_diagnosis(
                tx,
                clients[*c],
                contracts[*k],
                day(*start),
                end,
                dx,
            )
            .map(|_| ())
        }
        Op::Log(c, kim, d, minutes) => encounters::insert(
            tx,
            &encounters::NewEncounter {
                client_id: clients[*c],
                clinician_id: clinicians[usize::from(!*kim)],
                date: day(*d),
                kind: EncounterKind::Session,
                status: EncounterStatus::Completed,
                minutes: *minutes,
                note: None,
            },
        )
        .map(|_| ()),
        Op::VoidAttribution(n, void) => {
            let id = nth(tx, "attributions", *n)?;
            let at = void.then_some("2026-03-01T00:00:00.000Z");
            tx.execute(
                "UPDATE attributions SET voided_at = ?1 WHERE id = ?2",
                crate::store::db::params![at, id],
            )?;
            Ok(())
        }
        Op::RemoveAttribution(n) => {
            let id = nth(tx, "attributions", *n)?;
            tx.execute("DELETE FROM attributions WHERE id = ?1", [id])?;
            Ok(())
        }
        Op::MoveAttribution(n, by) => {
            let id = nth(tx, "attributions", *n)?;
            tx.execute(
                "UPDATE attributions SET start_date = date(start_date, ?1 || ' days'),
                     end_date = CASE WHEN end_date IS NULL THEN NULL
                                     ELSE max(date(start_date, ?1 || ' days'), end_date) END
                 WHERE id = ?2",
                crate::store::db::params![by, id],
            )?;
            Ok(())
        }
        Op::VoidEncounter(n, void) => {
            let id = nth(tx, "encounters", *n)?;
            let at = void.then_some("2026-03-01T00:00:00.000Z");
            tx.execute(
                "UPDATE encounters SET voided_at = ?1 WHERE id = ?2",
                crate::store::db::params![at, id],
            )?;
            Ok(())
        }
        Op::AmendEncounter(n, by, minutes) => {
            let id = nth(tx, "encounters", *n)?;
            tx.execute(
                "UPDATE encounters SET date = date(date, ?1 || ' days'), minutes = ?2 WHERE id = ?3",
                crate::store::db::params![by, minutes, id],
            )?;
            Ok(())
        }
        Op::Reassign(c, to) => {
            let to = to.map(|kim| clinicians[usize::from(!kim)]);
            tx.execute(
                "UPDATE clients SET clinician_id = ?1 WHERE id = ?2",
                crate::store::db::params![to, clients[*c]],
            )?;
            Ok(())
        }
    });
}

fn periods() -> Vec<(Month, Month)> {
    let m = |s| crate::domain::parse_month(s).unwrap();
    vec![
        (m("2025-12"), m("2026-11")),
        (m("2026-03"), m("2026-03")),
        (m("2026-04"), m("2026-06")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn the_kept_sums_and_the_report_off_them_agree_with_every_attribution(
        ops in proptest::collection::vec(op(), 0..40),
    ) {
        let (mut store, clients, contracts, clinicians) = practice();
        let p = (clients, contracts, clinicians);
        for op in &ops {
            apply(&mut store, &p, op);
        }
        let (kept, scratch) = sums(store.conn());
        prop_assert_eq!(kept, scratch);
        reports_agree(store.conn(), &periods(), base() + Duration::days(40));
    }
}

/// The demo practice: its sums, and reports with money in them (and overlapping attributions).
#[test]
fn the_demo_practice_reports_the_same_off_the_kept_sums() {
    let mut store = Store::open_in_memory().unwrap();
    let day = crate::domain::parse_date("2026-11-23").unwrap();
    crate::demo::generate(&mut store, 150, 11, day, &mut |_, _| {}).unwrap();
    // Episodes on top of some memberships, so some days are shared out.
    store
        .write(|tx| {
            let contract = contracts::list(tx)?[0].id;
            for client in 1..=12 {
                let start = crate::domain::parse_date("2026-06-10")?;
                let end = crate::domain::parse_date("2026-08-20")?;
                attributions::insert(tx, ClientId(client), contract, start, Some(end))?;
            }
            Ok(())
        })
        .unwrap();
    let conn = store.conn();
    let (kept, scratch) = sums(conn);
    assert_eq!(kept, scratch);
    assert!(kept.len() > 100, "{}", kept.len());
    let overlapping: i64 = conn
        .query_row(
            "SELECT count(*) FROM live_attributions a JOIN live_attributions b
                 ON b.client_id = a.client_id AND b.id > a.id AND b.start_date <= coalesce(a.end_date, '9999')
                AND a.start_date <= coalesce(b.end_date, '9999')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(overlapping > 0, "the demo has overlapping attributions");
    let with_money = reports_agree(conn, &periods(), day);
    assert!(with_money > 20, "{with_money}");
}

/// A database written by version 11 gets the sums of its rows on upgrade.
#[test]
fn an_upgrade_from_version_11_keeps_the_sums_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v11.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        crate::store::migrate::migrate_to(&mut conn, 11).unwrap();
        conn.execute_batch(
            "INSERT INTO clinicians (id, name, role, hourly_cost_cents, created_at)
                 VALUES (1, 'Kim', 'clinician', 6000, '2026-01-01 00:00:00');
             INSERT INTO contracts (id, name, model, withhold_bp, proration)
                 VALUES (1, 'Cap', 'capitation', 500, 'daily');
             INSERT INTO contract_rates VALUES (1, '0001-01-01', 15000, '');
             INSERT INTO clients (id, name, tier, status, since, clinician_id)
                 VALUES (1, 'Ann', 'high', 'active', '2026-01-01', 1),
                        (2, 'Bo', 'low', 'active', '2026-01-01', NULL);
             INSERT INTO attributions (client_id, contract_id, start_date, end_date, diagnosis)
                 VALUES (1, 1, '2026-01-10', NULL, 'F32.1'), (1, 1, '2026-02-01', '2026-02-20', NULL),
                        (2, 1, '2026-01-01', '2026-03-31', NULL);
             INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                 VALUES (1, 1, '2026-01-05', 'session', 'completed', 50),
                        (1, 1, '2026-02-10', 'session', 'completed', 45),
                        (2, 1, '2026-03-10', 'phone', 'no-show', 0);
             UPDATE encounters SET voided_at = '2026-03-11' WHERE id = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let (kept, scratch) = sums(store.conn());
    assert_eq!(kept, scratch);
    assert_eq!(kept.len(), 3 + 2 + 2, "{kept:#?}");
    let m = |s| crate::domain::parse_month(s).unwrap();
    let day = crate::domain::parse_date("2026-02-15").unwrap();
    assert!(reports_agree(store.conn(), &[(m("2026-01"), m("2026-03"))], day) > 0);
}
