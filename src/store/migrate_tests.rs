//! The migrations against databases made by every earlier version, and the upgrade steps.

use super::*;
use crate::store::Store;

#[test]
fn a_fresh_database_gets_every_migration_and_reopening_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(store.conn()).unwrap(), SCHEMA_VERSION);
    let tables: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(store.conn()).unwrap(), SCHEMA_VERSION);
    let again: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, again);
}

/// A practice written by schema version 1 (only 0001 applied), with data and audit rows,
/// opens under the current schema with every record kept and its old audit rows sealed
/// into the hash chain.
#[test]
fn a_version_1_database_upgrades_and_keeps_its_data() {
    use crate::store::{audit, auth, clients, settings};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 1).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 1);
        conn.execute_batch(
            "INSERT INTO clinicians (id, name, role, hourly_cost_cents, created_at)
                 VALUES (1, 'Dana Reyes', 'admin', 9500, '2025-01-01 00:00:00'),
                        (2, 'Sam Okafor', 'clinician', 6800, '2025-01-01 00:00:00');
             INSERT INTO clients (id, external_id, name, tier, status, since, clinician_id)
                 VALUES (1, 'M-1', 'Ann Lee', 'high', 'active', '2025-02-01', 2);
             INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                 VALUES (1, 2, '2025-02-03', 'intake', 'completed', 60);
             INSERT INTO settings (key, value) VALUES ('measure-days', '45')
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value;
             INSERT INTO audit (at, clinician_id, actor, action, client_id, detail) VALUES
                 ('2025-02-01T10:00:00.000Z', 1, 'Dana Reyes', 'client.add', 1, 'tier high'),
                 ('2025-02-03T10:00:00.000Z', 2, 'Sam Okafor', 'encounter.add', 1, 'intake'),
                 ('2025-02-04T10:00:00.000Z', NULL, '(unnamed)', 'client.view', 1, '');",
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(user_version(store.conn()).unwrap(), SCHEMA_VERSION);
    let ann = clients::get(store.conn(), crate::domain::ClientId(1)).unwrap();
    assert_eq!(ann.name, "Ann Lee");
    assert_eq!(ann.clinician.as_deref(), Some("Sam Okafor"));
    let encounters: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM encounters", [], |r| r.get(0))
        .unwrap();
    assert_eq!(encounters, 1);
    assert_eq!(settings::get(store.conn(), "measure-days").unwrap(), "45");
    assert_eq!(settings::lock_minutes(store.conn()).unwrap(), 5);
    assert!(!auth::practice_uses_passphrases(store.conn()).unwrap());
    // The old rows keep their content and are now chained; the chain goes on from them, with
    // version 9's baseline row for each of the two clinicians.
    let old = audit::recent(store.conn(), 10).unwrap();
    assert_eq!(old.len(), 5);
    assert_eq!(old[1].detail, "intake");
    assert!(
        old[3]
            .detail
            .starts_with("clinician 1: recorded at the upgrade [clinician 1 state ")
    );
    assert!(old.iter().all(|r| r.hash.is_some()));
    assert_eq!(audit::verify(store.conn()).unwrap().unwrap().rows, 5);
    store
        .write(|tx| tx.audit("test", None, "after upgrade"))
        .unwrap();
    assert_eq!(audit::verify(store.conn()).unwrap().unwrap().rows, 6);
    assert!(
        store
            .conn()
            .execute("UPDATE audit SET detail = '' WHERE seq = 1", [])
            .is_err(),
        "the append-only triggers are back"
    );
}

/// Every table's rows as text, by rowid (or key), for the columns a version had.
fn dump(conn: &Connection) -> Vec<(String, Vec<String>)> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
            let columns = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let values: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect();
                    Ok(values.join("|"))
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            (table, rows)
        })
        .collect()
}

/// What each version's program could have written, in that version's schema: a practice
/// whose encounters exercise every index (contact and other kinds, every status, a
/// same-day tie, minutes this month, an acute event with follow-up).
fn write_as_version(conn: &Connection, version: i64) {
    match version {
        1 => conn
            .execute_batch(
                "INSERT INTO clinicians (id, name, role, hourly_cost_cents, created_at)
                     VALUES (1, 'Dana Reyes', 'admin', 9500, '2025-01-01 00:00:00'),
                            (2, 'Sam Okafor', 'clinician', 6800, '2025-01-01 00:00:00');
                 INSERT INTO contracts (id, name, model, withhold_bp, proration, payer)
                     VALUES (1, 'Harbor', 'capitation', 500, 'first-of-month', 'Harbor Plan');
                 INSERT INTO contract_rates VALUES (1, '0001-01-01', 15000);
                 INSERT INTO clients (id, external_id, name, tier, status, since, clinician_id)
                     VALUES (1, 'M-1', 'Ann Lee', 'high', 'active', '2025-02-01', 2);
                 INSERT INTO attributions (client_id, contract_id, start_date)
                     VALUES (1, 1, '2025-02-01');
                 INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                     VALUES (1, 2, '2025-02-03', 'intake', 'completed', 60),
                            (1, 2, '2025-02-03', 'documentation', 'completed', 20),
                            (1, 2, '2025-02-10', 'session', 'completed', 50),
                            (1, 2, '2025-02-10', 'session', 'no-show', 5),
                            (1, 1, '2025-02-12', 'coordination', 'completed', 15),
                            (1, 2, '2025-02-14', 'telehealth', 'cancelled', 0);
                 INSERT INTO measurements (client_id, date, instrument, total, items)
                     VALUES (1, '2025-02-03', 'phq9', 18, NULL),
                            (1, '2025-02-10', 'phq9', 12, '1,1,2,2,1,1,2,2,0');
                 INSERT INTO events (client_id, date, kind) VALUES (1, '2025-02-05', 'ed-visit');
                 INSERT INTO settings (key, value) VALUES ('measure-days', '45')
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                 INSERT INTO audit (at, clinician_id, actor, action, client_id, detail) VALUES
                     ('2025-02-01T10:00:00.000Z', 1, 'Dana Reyes', 'client.add', 1, 'tier high'),
                     ('2025-02-03T10:00:00.000Z', 2, 'Sam Okafor', 'encounter.add', 1, 'intake');",
            )
            .unwrap(),
        2 => conn
            .execute_batch(
                "UPDATE clinicians SET passphrase = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
                     passphrase_set_at = '2025-03-01T09:00:00.000Z' WHERE id = 2;
                 INSERT INTO login_throttle VALUES (2, 1, '2025-03-01T09:00:00.000Z');
                 INSERT INTO clients (id, external_id, name, tier, status, since, clinician_id)
                     VALUES (2, 'M-2', 'Bo Chen', 'moderate', 'active', '2025-03-01', 1);
                 INSERT INTO attributions (client_id, contract_id, start_date)
                     VALUES (2, 1, '2025-03-01');
                 INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                     VALUES (2, 1, '2025-03-04', 'outreach', 'completed', 10),
                            (2, 1, '2025-03-06', 'intake', 'completed', 55),
                            (2, 1, '2025-03-20', 'phone', 'no-show', 5),
                            (1, 2, '2025-03-02', 'session', 'completed', 45);",
            )
            .unwrap(),
        3 => conn
            .execute_batch(
                "INSERT INTO roster_imports (id, contract_id, as_of, imported_at, file_hash, members)
                     VALUES (1, 1, '2025-03-01', '2025-03-02T08:00:00.000Z', 'abc123', 2);
                 INSERT INTO roster_members VALUES (1, 'M-1', '2025-02-01', NULL),
                                                   (1, 'M-2', '2025-03-01', NULL);
                 INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                     VALUES (2, 1, '2025-03-22', 'session', 'cancelled', 0),
                            (1, 2, '2025-03-09', 'crisis', 'completed', 90);",
            )
            .unwrap(),
        // Version 4 changed only indexes; what it wrote looks like version 3's.
        4 => conn
            .execute_batch(
                "INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes)
                     VALUES (2, 1, '2025-03-23', 'session', 'completed', 50);
                 INSERT INTO measurements (client_id, date, instrument, total, items)
                     VALUES (2, '2025-03-23', 'gad7', 11, NULL);
                 INSERT INTO events (client_id, date, kind)
                     VALUES (2, '2025-03-21', 'inpatient-discharge');",
            )
            .unwrap(),
        // Version 5 voided records: kept, with who, when and why.
        5 => conn
            .execute_batch(
                "INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes,
                                         voided_at, voided_by, void_reason)
                     VALUES (1, 2, '2025-03-24', 'session', 'completed', 500,
                             '2025-03-25T09:00:00.000Z', 'Sam Okafor', 'wrong client');
                 UPDATE measurements SET voided_at = '2025-03-25T09:00:00.000Z',
                     voided_by = 'Sam Okafor', void_reason = 'typo'
                     WHERE client_id = 2 AND instrument = 'gad7';",
            )
            .unwrap(),
        // Version 6: contracts as payers write them.
        6 => conn
            .execute_batch(
                "INSERT INTO contracts (id, name, model, withhold_bp, proration)
                     VALUES (2, 'EAP', 'case-rate', 200, 'mid-month');
                 INSERT INTO contract_rates (contract_id, effective_from, rate_cents,
                                             diagnosis_prefix)
                     VALUES (2, '0001-01-01', 50000, ''), (2, '2025-01-01', 80000, 'F322');
                 INSERT INTO contract_targets VALUES (1, 'contacted', 7500, 2);
                 INSERT INTO attributions (client_id, contract_id, start_date, diagnosis)
                     VALUES (2, 2, '2025-03-05', 'F32.2');",
            )
            .unwrap(),
        // Version 7: an appointment series, a review, and a second roster import.
        7 => conn
            .execute_batch(
                "INSERT INTO appointments (id, client_id, clinician_id, date, time, kind, minutes,
                                           series_id)
                     VALUES (1, 1, 2, '2025-03-26', '10:00', 'session', 50, 1),
                            (2, 1, 2, '2025-04-02', '10:00', 'session', 50, 1);
                 INSERT INTO reviews (client_id, flag, date, until, measurement_id, clinician, note)
                     VALUES (2, 'measure_overdue', '2025-03-25', '2025-04-30', NULL, 'Dana Reyes',
                             'away for a month');
                 INSERT INTO roster_imports (id, contract_id, as_of, imported_at, file_hash, members)
                     VALUES (2, 1, '2025-04-01', '2025-04-02T08:00:00.000Z', 'def456', 1);
                 INSERT INTO roster_members VALUES (2, 'M-1', '2025-02-01', NULL);",
            )
            .unwrap(),
        // Version 8: an X12 import's record.
        8 => conn
            .execute_batch(
                "INSERT INTO roster_imports (id, contract_id, as_of, imported_at, file_hash, members,
                                             x12_reference, x12_date, x12_kind)
                     VALUES (3, 1, '2025-05-01', '2025-05-02T08:00:00.000Z', 'x12aaa', 1,
                             'REF1', '2025-04-30', 'full');
                 INSERT INTO roster_members VALUES (3, 'M-1', '2025-02-01', NULL);",
            )
            .unwrap(),
        // Version 9 changed no table: a snooze, whose client the windows must honour.
        9 => conn
            .execute_batch(
                "INSERT INTO reviews (client_id, flag, date, until, clinician, note)
                     VALUES (2, 'never_seen', '2025-03-20', '2025-04-10', 'Dana Reyes', 'called');",
            )
            .unwrap(),
        // Version 10 kept the flag windows: a client added then, whose due dates the
        // upgrade computes.
        10 => conn
            .execute_batch(
                "INSERT INTO clients (id, external_id, name, tier, status, since, clinician_id)
                     VALUES (3, 'M-3', 'Cy Diaz', 'low', 'active', '2025-05-01', 1);",
            )
            .unwrap(),
        // Version 11: a second client's episode with a diagnosis, and an attribution on top
        // of the first client's membership (their days overlap), for the revenue sums.
        11 => conn
            .execute_batch(
                "INSERT INTO attributions (client_id, contract_id, start_date, end_date, diagnosis)
                     VALUES (3, 1, '2025-05-01', NULL, 'F32.1'),
                            (1, 1, '2025-02-10', '2025-02-12', NULL);",
            )
            .unwrap(),
        // Version 12: a measurement and an event for the third client, whose kept history
        // the upgrade computes.
        12 => conn
            .execute_batch(
                "INSERT INTO measurements (client_id, date, instrument, total)
                     VALUES (3, '2025-05-02', 'srs', 37);
                 INSERT INTO events (client_id, date, kind)
                     VALUES (3, '2025-05-03', 'ed-visit');",
            )
            .unwrap(),
        _ => unreachable!("add the data version {version} could write"),
    }
}

/// A database made by every earlier version, with that version's data, opens under the
/// current schema with every row kept, and the current indexes answer for the old rows
/// (the panel facts read from them agree with the client's records).
#[test]
fn a_database_made_by_every_earlier_version_keeps_its_data() {
    use crate::domain::flags::history::facts_from_history;
    use crate::domain::{ClientId, parse_date};
    use crate::store::{audit, facts, record};
    for made_by in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{made_by}.db"));
        let before = {
            let mut conn = Connection::open(&path).unwrap();
            for version in 1..=made_by {
                migrate_to(&mut conn, version).unwrap();
                write_as_version(&conn, version);
            }
            dump(&conn)
        };
        let store = Store::open(&path).unwrap();
        let conn = store.conn();
        assert_eq!(user_version(conn).unwrap(), SCHEMA_VERSION);
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "made by version {made_by}");
        // The upgrade computed every client's flag windows.
        assert_eq!(super::super::windows::dirty_count(conn).unwrap(), 0);
        let maintained: i64 = conn
            .query_row("SELECT count(*) FROM flag_facts", [], |r| r.get(0))
            .unwrap();
        // Version 1 wrote one client, versions 2 to 9 a second, version 10 a third.
        let clients = match made_by {
            1 => 1,
            2..=9 => 2,
            _ => 3,
        };
        assert_eq!(maintained, clients, "made by version {made_by}");
        // And every one's due dates (each has a contact or a first contact due).
        let due: i64 = conn
            .query_row("SELECT count(*) FROM flag_due", [], |r| r.get(0))
            .unwrap();
        assert_eq!(due, clients, "made by version {made_by}");
        let after = dump(conn);
        // Every row is still there: columns added later come after the old ones (version 2
        // gave version 1's audit rows their hashes); a migration may add rows (settings).
        for (table, rows) in &before {
            if table == "audit_head" || table == "flag_dirty" {
                // The head moves on with the rows a migration appends (version 9's); the
                // marks of clients to recompute are cleared once they are.
                continue;
            }
            let (_, now) = after.iter().find(|(t, _)| t == table).unwrap();
            for old in rows {
                assert!(
                    now.iter().any(|new| new.starts_with(old.as_str())),
                    "{table}: {old} is gone (made by version {made_by})\n{now:#?}"
                );
            }
        }
        assert!(audit::verify(conn).unwrap().is_ok(), "made by {made_by}");
        let today = parse_date("2025-03-25").unwrap();
        for id in 1..=made_by.min(2) {
            let row = facts::for_client(conn, ClientId(id), today).unwrap();
            let rec = record::load(conn, ClientId(id)).unwrap();
            let expected = facts_from_history(
                &rec.client,
                &rec.encounters,
                &rec.measurements,
                &rec.events,
                today,
            );
            assert_eq!(row.facts, expected, "client {id}, made by {made_by}");
        }
        let ann = facts::for_client(conn, ClientId(1), today).unwrap();
        let attempts = |attempts: &[crate::domain::flags::ContactAttempt]| {
            attempts
                .iter()
                .map(|a| format!("{} {}", a.date, a.status))
                .collect::<Vec<_>>()
        };
        if made_by == 1 {
            assert_eq!(ann.facts.first_contact, parse_date("2025-02-03").ok());
            // The same-day no-show was recorded after the session: it is the later attempt.
            assert_eq!(
                attempts(&ann.facts.recent_attempts),
                ["2025-02-14 cancelled", "2025-02-10 no-show"]
            );
            assert_eq!(
                ann.facts.acute_event.unwrap().first_contact_after,
                parse_date("2025-02-10").ok()
            );
        } else {
            // Version 3 logged a crisis contact after version 2's session.
            let (last, minutes) = if made_by == 2 {
                ("2025-03-02", 45)
            } else {
                ("2025-03-09", 135)
            };
            assert_eq!(ann.facts.last_contact, parse_date(last).ok());
            assert_eq!(ann.minutes_this_month, minutes);
        }
    }
}

#[test]
fn a_database_from_a_newer_caseload_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
            SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path)
        .err()
        .expect("must be refused")
        .to_string();
    assert!(err.contains("newer caseload"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a refused file is not touched"
    );
}

#[test]
fn every_strict_table_is_strict() {
    let store = Store::open_in_memory().unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap();
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(!rows.is_empty());
    for (name, strict) in rows {
        assert_eq!(strict, 1, "{name} must be STRICT");
    }
}
