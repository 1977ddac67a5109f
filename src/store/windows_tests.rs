//! The maintained windows against a recompute from scratch, on random histories written the
//! way the program writes them (one `Store::write` per entry, with voids, amendments, reviews,
//! status and tier changes and interval settings among them): every window of the panel, its
//! counts, positions and picker matches agree with the pure rules run on the whole history,
//! for days before the latest record (from scratch), on it and long after it; and the rows
//! maintained write by write equal the rows of one recompute of everyone.

use super::panel_window::{
    self, PanelOrder, PanelWindow, counts, matching, page, page_of, position,
};
use super::{Store, clients, clinicians, corrections, encounters, events, measurements};
use super::{panel::PanelQuery, reviews, settings, windows};
use crate::domain::corrections::RecordKind;
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews::{Review, Reviewed, how};
use crate::domain::{
    ClientId, ClientStatus, ClinicianId, EncounterKind, EncounterStatus, EventKind, Instrument,
    Money, Role, Tier,
};
use crate::store::db::Connection;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Log(usize, i64, usize, usize),
    Measure(usize, i64, bool, i64, Option<Vec<i64>>),
    Event(usize, i64, bool),
    Review(usize, usize, i64, i64),
    VoidEncounter(usize),
    Status(usize, usize),
    Tier(usize, usize),
    Interval(usize, i64),
    Reassign(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..6, -5i64..150, 0usize..11, 0usize..3).prop_map(|(c, b, k, s)| Op::Log(c, b, k, s)),
        4 => (0usize..6, -5i64..150, any::<bool>(), 0i64..=21,
              proptest::option::of(proptest::collection::vec(0i64..=3, 9)))
            .prop_map(|(c, b, p, t, i)| Op::Measure(c, b, p, t, i)),
        1 => (0usize..6, -5i64..60, any::<bool>()).prop_map(|(c, b, i)| Op::Event(c, b, i)),
        2 => (0usize..6, 0usize..9, -5i64..60, 0i64..=90).prop_map(|(c, k, b, d)| Op::Review(c, k, b, d)),
        1 => (0usize..40).prop_map(Op::VoidEncounter),
        1 => (0usize..6, 0usize..3).prop_map(|(c, s)| Op::Status(c, s)),
        1 => (0usize..6, 0usize..3).prop_map(|(c, t)| Op::Tier(c, t)),
        1 => (0usize..4, 1i64..40).prop_map(|(k, v)| Op::Interval(k, v)),
        1 => (0usize..6, any::<bool>()).prop_map(|(c, to_sam)| Op::Reassign(c, to_sam)),
    ]
}

/// Names that fold together ("ann", "Ann") and apart, so name ties and case are exercised.
const NAMES: [&str; 6] = [
    "Ann Lee",
    "ann lee",
    "Bo Chen",
    "Émile Roy",
    "Cy Ng",
    "Ann Lee",
];

fn setup(store: &mut Store, since: &[i64]) -> (Vec<ClientId>, ClinicianId) {
    store
        .write(|tx| {
            let dana = clinicians::insert(tx, "Dana", Role::Admin, Money(9000))?;
            let sam = clinicians::insert(tx, "Sam", Role::Clinician, Money(7000))?;
            let ids = NAMES
                .iter()
                .zip(since)
                .enumerate()
                .map(|(i, (name, back))| {
                    clients::insert(
                        tx,
                        &clients::NewClient {
                            external_id: None,
                            name: (*name).into(),
                            dob: None,
                            tier: Tier::ALL[i % 3],
                            since: base() - Duration::days(*back),
                            diagnosis: None,
                            clinician_id: Some(if i % 2 == 0 { dana } else { sam }),
                        },
                    )
                })
                .collect::<crate::error::Result<Vec<_>>>()?;
            Ok((ids, dana))
        })
        .unwrap()
}

fn apply(store: &mut Store, ids: &[ClientId], dana: ClinicianId, op: &Op) {
    let day = |back: i64| base() - Duration::days(back);
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    // Refusals (a review of a flag kind that cannot be reviewed, …) are fine: nothing written.
    let _ = store.write(|tx| match op {
        Op::Log(c, back, kind, status) => encounters::insert(
            tx,
            &encounters::NewEncounter {
                client_id: ids[*c],
                clinician_id: dana,
                date: day(*back),
                kind: EncounterKind::ALL[*kind],
                status: EncounterStatus::ALL[*status],
                minutes: 30,
                note: None,
            },
        )
        .map(|_| ()),
        Op::Measure(c, back, phq9, total, items) => {
            let instrument = if *phq9 {
                Instrument::Phq9
            } else {
                Instrument::Gad7
            };
            let items = items.clone().filter(|_| *phq9);
            let total = items.as_ref().map_or(*total, |i| i.iter().sum());
            measurements::insert(
                tx,
                &measurements::NewMeasurement {
                    client_id: ids[*c],
                    date: day(*back),
                    instrument,
                    total,
                    items,
                },
            )
            .map(|_| ())
        }
        Op::Event(c, back, inpatient) => {
            let kind = if *inpatient {
                EventKind::InpatientDischarge
            } else {
                EventKind::EdVisit
            };
            events::insert(tx, ids[*c], kind, day(*back)).map(|_| ())
        }
        Op::Review(c, kind, back, days) => {
            let kind = FlagKind::ALL[*kind];
            let date = day(*back);
            let (until, measurement_id) = match how(kind)? {
                Reviewed::Snooze => (Some(date + Duration::days(*days)), None),
                Reviewed::SignOff => (None, reviews::latest_phq9(tx, ids[*c], date)?),
            };
            let review = Review {
                kind,
                date,
                by: "Dana".into(),
                note: String::new(),
                until,
                measurement_id,
            };
            reviews::insert(tx, ids[*c], &review).map(|_| ())
        }
        Op::VoidEncounter(n) => {
            let id: i64 = tx.query_row(
                "SELECT id FROM live_encounters ORDER BY id LIMIT 1 OFFSET ?1",
                [*n as i64],
                |r| r.get(0),
            )?;
            corrections::void(tx, RecordKind::Encounter, id, "entered twice", at).map(|_| ())
        }
        Op::Status(c, s) => {
            let status = [
                ClientStatus::Active,
                ClientStatus::Discharged,
                ClientStatus::OnHold,
            ][*s];
            clients::set_status(tx, ids[*c], status, base())
        }
        Op::Tier(c, t) => clients::set_tier(tx, ids[*c], Tier::ALL[*t]),
        Op::Interval(k, v) => {
            let key = [
                "contact-days.high",
                "contact-days.moderate",
                "contact-days.low",
                "measure-days",
            ][*k];
            settings::set(tx, key, &v.to_string()).map(|_| ())
        }
        Op::Reassign(c, to_sam) => {
            tx.execute(
                "UPDATE clients SET clinician_id = ?1 WHERE id = ?2",
                crate::store::db::params![if *to_sam { 2 } else { 1 }, ids[*c]],
            )?;
            Ok(())
        }
    });
}

/// Runs `f` with the maintained rows out of play (a client marked dirty, rolled back after):
/// every figure is then computed from scratch by the rules.
fn from_scratch<T>(store: &Store, f: impl FnOnce(&Connection) -> T) -> T {
    let tx = store.conn().begin(false).unwrap();
    tx.execute("INSERT INTO flag_dirty (client_id) VALUES (-1)", [])
        .unwrap();
    let out = f(&tx);
    tx.rollback().unwrap();
    out
}

fn windows_to_check() -> Vec<PanelWindow> {
    let mut out = Vec::new();
    for order in [
        PanelOrder::Priority,
        PanelOrder::Name,
        PanelOrder::LastContact,
        PanelOrder::Minutes,
    ] {
        for (flag, name) in [
            (None, ""),
            (Some(FlagKind::ContactOverdue), ""),
            (Some(FlagKind::MeasureOverdue), "ann"),
            (None, "é"),
        ] {
            for include_inactive in [false, true] {
                for clinician in [None, Some(ClinicianId(1))] {
                    out.push(PanelWindow {
                        panel: PanelQuery {
                            clinician,
                            include_inactive,
                        },
                        order,
                        flag,
                        name: name.into(),
                    });
                }
            }
        }
    }
    out
}

fn dump(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in [
        ("flag_facts", "1, 2, 3"),
        ("panel_segments", "1, 2, 3"),
        ("panel_kinds", "1, 2, 3"),
        ("flag_due", "1, 2, 3"),
        ("client_histories", "1"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", cells.join("|")))
            })
            .unwrap();
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn maintained_windows_agree_with_the_rules_from_scratch(
        since in proptest::collection::vec(0i64..200, 6),
        ops in proptest::collection::vec(op(), 0..40),
        days in proptest::collection::vec(-20i64..260, 3),
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let (ids, dana) = setup(&mut store, &since);
        for op in &ops {
            apply(&mut store, &ids, dana, op);
        }
        let conn = store.conn();
        prop_assert_eq!(windows::dirty_count(conn).unwrap(), 0);
        // Write by write equals everyone at once.
        let maintained = dump(conn);
        {
            let tx = conn.begin(false).unwrap();
            tx.execute("INSERT INTO flag_dirty (client_id) SELECT id FROM clients", []).unwrap();
            windows::refresh_dirty(&tx).unwrap();
            prop_assert_eq!(&maintained, &dump(&tx));
            tx.rollback().unwrap();
        }
        // The month summaries equal their sums over the live encounters.
        let rows = |sql: &str| -> Vec<(String, i64, i64, i64)> {
            let mut stmt = conn.prepare(sql).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        prop_assert_eq!(
            rows("SELECT month, client_id, 0, minutes FROM month_minutes WHERE minutes <> 0 ORDER BY 1, 2"),
            rows("SELECT substr(date, 1, 7), client_id, 0, sum(minutes) FROM encounters
                  WHERE voided_at IS NULL GROUP BY 1, 2 HAVING sum(minutes) <> 0 ORDER BY 1, 2")
        );
        prop_assert_eq!(
            rows("SELECT month, clinician_id, active, minutes FROM month_minutes_by_scope
                  WHERE minutes <> 0 ORDER BY 1, 2, 3"),
            rows("SELECT substr(e.date, 1, 7), coalesce(c.clinician_id, 0), c.status = 'active',
                         sum(e.minutes)
                  FROM encounters e JOIN clients c ON c.id = e.client_id
                  WHERE e.voided_at IS NULL GROUP BY 1, 2, 3 HAVING sum(e.minutes) <> 0
                  ORDER BY 1, 2, 3")
        );
        // Days before the latest record, on it, and long after (160 days after base is after
        // every record; 260 after every window).
        let mut todays: Vec<NaiveDate> = days.iter().map(|d| base() + Duration::days(*d)).collect();
        todays.push(base() + Duration::days(5));
        for today in todays {
            for window in windows_to_check() {
                let fast = page(conn, &window, today, 0, 100).unwrap();
                let slow = from_scratch(&store, |c| panel_window::reference(c, &window, today).unwrap());
                prop_assert_eq!(&fast, &slow, "{:?} on {}", window, today);
                let fast_counts = counts(conn, &window, today).unwrap();
                let slow_counts = from_scratch(&store, |c| counts(c, &window, today).unwrap());
                prop_assert_eq!(fast_counts, slow_counts);
                // A page from the middle is the same slice, read from either end.
                let slice = |from: usize, n: usize| slow.iter().skip(from).take(n).cloned().collect::<Vec<_>>();
                prop_assert_eq!(page(conn, &window, today, 2, 2).unwrap(), slice(2, 2));
                let total = Some(slow.len());
                for from in [0, 1, slow.len() / 2, slow.len().saturating_sub(2), slow.len()] {
                    prop_assert_eq!(page_of(conn, &window, today, from, 3, total).unwrap(), slice(from, 3));
                }
                for id in &ids {
                    let at = position(conn, &window, today, *id).unwrap();
                    prop_assert_eq!(at, slow.iter().position(|e| e.client.id == *id), "client {}", id);
                }
            }
            let words = vec!["ann".to_string(), "lee".to_string()];
            let query = PanelQuery::default();
            prop_assert_eq!(
                matching(conn, &query, today, &words, 50).unwrap(),
                from_scratch(&store, |c| matching(c, &query, today, &words, 50).unwrap())
            );
        }
        // Long after every record the maintained rows are what answers.
        prop_assert!(windows::is_current(conn, base() + Duration::days(160)).unwrap());
    }
}
