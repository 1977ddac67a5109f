//! The one pass against the slow way: every client's record, one at a time.

use super::*;
use crate::domain::Instrument;
use crate::domain::value::{self, Rate};
use crate::domain::{ClientStatus, parse_date};
use crate::store::record::{self, ClientRecord};
use crate::store::{Store, clients as client_store, clinicians};

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

/// The measures computed the slow way, straight from SPEC section 7: every client's whole
/// record, one client at a time.
fn slow(records: &[ClientRecord], period: Period, who: Option<ClinicianId>) -> ValueMeasures {
    let mine: Vec<&ClientRecord> = records
        .iter()
        .filter(|r| who.is_none() || r.client.clinician_id == who)
        .collect();
    let is_contact = |e: &crate::domain::Encounter| {
        e.kind.is_contact_kind() && e.status == crate::domain::EncounterStatus::Completed
    };
    let active =
        |r: &ClientRecord| r.client.status == ClientStatus::Active && r.client.since <= period.to;
    let mut firsts = Vec::new();
    let (mut completed, mut attempts) = (0, 0);
    let (mut actives, mut contacted, mut measured) = (0, 0, 0);
    let mut pairs = Vec::new();
    let mut srs = Vec::new();
    let mut events = Vec::new();
    for r in &mine {
        let first = r
            .encounters
            .iter()
            .filter(|e| is_contact(e))
            .map(|e| e.date)
            .min();
        if let Some(first) = first.filter(|f| period.contains(*f)) {
            firsts.push((r.client.since, first));
        }
        for e in r.encounters.iter().filter(|e| e.kind.is_contact_kind()) {
            if period.contains(e.date) {
                attempts += 1;
                completed += i64::from(e.status == crate::domain::EncounterStatus::Completed);
            }
        }
        if active(r) {
            actives += 1;
            contacted += i64::from(
                r.encounters
                    .iter()
                    .any(|e| is_contact(e) && period.contains(e.date)),
            );
            measured += i64::from(r.measurements.iter().any(|m| period.contains(m.date)));
            let mut phq9: Vec<_> = r
                .measurements
                .iter()
                .filter(|m| m.instrument == Instrument::Phq9 && m.date <= period.to)
                .collect();
            phq9.sort_by_key(|m| (m.date, m.id.0));
            if let [baseline, .., latest] = phq9.as_slice() {
                pairs.push((baseline.total, latest.total));
            }
        }
        srs.extend(
            r.measurements
                .iter()
                .filter(|m| m.instrument == Instrument::Srs && period.contains(m.date))
                .map(|m| m.total),
        );
        for v in r.events.iter().filter(|v| period.contains(v.date)) {
            let next = r
                .encounters
                .iter()
                .filter(|e| is_contact(e) && e.date > v.date)
                .map(|e| e.date)
                .min();
            events.push((v.date, next));
        }
    }
    ValueMeasures {
        from: period.from,
        to: period.to,
        access: value::access(&firsts),
        engagement: value::Engagement {
            show_rate: Rate::new(completed, attempts),
            contacted: Rate::new(contacted, actives),
        },
        outcomes: value::outcomes(Rate::new(measured, actives), &pairs),
        experience: value::experience(&srs),
        post_discharge: value::post_discharge(&events),
    }
}

#[test]
fn the_one_pass_agrees_with_each_clients_record_on_a_demo_practice() {
    let mut store = Store::open_in_memory().unwrap();
    let today = d("2026-11-23");
    crate::demo::generate(&mut store, 160, 17, today, &mut |_, _| {}).unwrap();
    let conn = store.conn();
    let records: Vec<ClientRecord> = client_store::list(conn, &Default::default())
        .unwrap()
        .into_iter()
        .map(|c| record::load(conn, c.id).unwrap())
        .collect();
    let dana = clinicians::by_name(conn, "Dana Reyes").unwrap().id;
    let current = Period::default_ending(today);
    let periods = [
        current,
        current.previous(),
        Period {
            from: d("2026-11-23"),
            to: d("2026-11-23"),
        },
        Period {
            from: d("2026-01-01"),
            to: d("2026-12-31"),
        },
        Period {
            from: d("2026-06-15"),
            to: d("2026-09-10"),
        }, // overlaps the others
    ];
    for who in [None, Some(dana)] {
        let query = ValueQuery { clinician: who };
        let fast = measures_for(conn, &periods, query).unwrap();
        for (period, fast) in periods.iter().zip(&fast) {
            assert_eq!(fast, &slow(&records, *period, who), "{period:?} {who:?}");
            assert_eq!(fast, &measures(conn, *period, query).unwrap());
        }
        let months = monthly(conn, today, query).unwrap();
        let all = overview(conn, current, today, query).unwrap();
        assert_eq!((&all.current, &all.previous), (&fast[0], &fast[1]));
        assert_eq!(all.monthly, months);
        assert_eq!(all.coding, report(conn, current, query).unwrap().coding);
        assert_eq!(months.len(), 12);
        assert_eq!((months[0].from, months[11].to), (d("2025-12-01"), today));
        for m in &months {
            let period = Period {
                from: m.from,
                to: m.to,
            };
            assert_eq!(m, &slow(&records, period, who), "{period:?} {who:?}");
        }
    }
    // The sample is not trivial: every measure has something to count.
    let v = measures(conn, current, ValueQuery::default()).unwrap();
    assert!(v.access.first_seen > 0 && v.outcomes.response.of > 0);
    assert!(v.post_discharge.events > 0 && v.experience.srs_count > 0);
}

#[test]
fn no_periods_no_measures() {
    let store = Store::open_in_memory().unwrap();
    assert!(
        measures_for(store.conn(), &[], ValueQuery::default())
            .unwrap()
            .is_empty()
    );
    let one = measures(
        store.conn(),
        Period::default_ending(d("2026-11-23")),
        ValueQuery::default(),
    )
    .unwrap();
    assert_eq!(one.engagement.contacted.to_string(), "n/a");
}

/// The pass reads one row per client: the clients in scope and, by its primary key, each
/// one's kept history; never a walk of encounters or measurements, never a sort. The guard
/// that keeps the report fast at 100,000 clients.
#[test]
fn the_pass_reads_one_kept_row_per_client() {
    let store = Store::open_in_memory().unwrap();
    let conn = store.conn();
    for clinician in [None, Some(1i64)] {
        for (name, sql) in pass::statements() {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            assert_eq!(stmt.parameter_count(), 1, "{name}");
            let plan: Vec<String> = stmt
                .query_map([clinician], |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let text = plan.join("\n");
            assert!(!text.contains("TEMP B-TREE"), "{name} sorts:\n{text}");
            assert!(
                text.contains("SEARCH h USING INTEGER PRIMARY KEY"),
                "{name}:\n{text}"
            );
            for table in ["encounters", "measurements", "events"] {
                assert!(!text.contains(table), "{name} reads {table}:\n{text}");
            }
        }
    }
}

/// The kept histories are what the pass reads, and a client left marked by a write (or without
/// a kept row) is read from the record tables instead, with the same result.
#[test]
fn a_client_left_marked_or_unkept_is_read_from_the_records() {
    let mut store = Store::open_in_memory().unwrap();
    let today = d("2026-11-23");
    crate::demo::generate(&mut store, 120, 5, today, &mut |_, _| {}).unwrap();
    let conn = store.conn();
    let period = Period::default_ending(today);
    let dana = clinicians::by_name(conn, "Dana Reyes").unwrap().id;
    let scopes = [None, Some(dana)];
    let expected: Vec<ValueReport> = scopes
        .iter()
        .map(|&clinician| report(conn, period, ValueQuery { clinician }).unwrap())
        .collect();
    let busiest: i64 = conn
        .query_row(
            "SELECT client_id FROM live_encounters WHERE date >= ?1
             GROUP BY client_id ORDER BY count(*) DESC LIMIT 1",
            [period.from],
            |r| r.get(0),
        )
        .unwrap();
    let empty = histories::History::default().encode().unwrap();
    let tx = conn.begin(false).unwrap();
    tx.execute(
        "UPDATE client_histories SET history = ?1 WHERE client_id = ?2",
        crate::store::db::params![empty, busiest],
    )
    .unwrap();
    let all = ValueQuery::default();
    assert_ne!(
        report(&tx, period, all).unwrap(),
        expected[0],
        "kept rows are read"
    );
    tx.execute("INSERT INTO flag_dirty (client_id) VALUES (?1)", [busiest])
        .unwrap();
    tx.execute(
        "DELETE FROM client_histories WHERE client_id IN
             (SELECT id FROM clients ORDER BY id DESC LIMIT 10)",
        [],
    )
    .unwrap();
    for (&clinician, expected) in scopes.iter().zip(&expected) {
        let query = ValueQuery { clinician };
        assert_eq!(
            &report(&tx, period, query).unwrap(),
            expected,
            "{clinician:?}"
        );
    }
    tx.rollback().unwrap();
}
