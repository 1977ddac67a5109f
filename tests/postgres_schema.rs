#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.
//! The PostgreSQL schema (`migrations/postgres/`) against SQLite's (issue 20): every migration
//! has its PostgreSQL form with the same Rust-step markers; the forms apply in order, each in
//! one transaction; the schema they make has SQLite's tables, columns, keys, constraints,
//! indexes, views and triggers; the same writes leave the same rows in every table on both
//! engines (the trigger-maintained ones included); and the server refuses to rewrite the audit
//! trail.
//!
//! The tests that need a server read `CASELOAD_TEST_POSTGRES` (a URL of a server where they may
//! create databases; `.ci/run` starts a throwaway one). Without it they say why and pass, except
//! under `CI=true`, where they fail. Each makes a database of its own, so they run in parallel.

mod support_pg;

use support_pg::{FreshDb, SqlitePractice, describe, rows, schema};

#[test]
fn every_sqlite_migration_has_a_postgres_form_with_the_same_rust_steps() {
    let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let sqlite = support_pg::sqlite_migrations();
    let postgres = support_pg::postgres_migrations();
    assert_eq!(
        sqlite.iter().map(name).collect::<Vec<_>>(),
        postgres.iter().map(name).collect::<Vec<_>>(),
        "migrations/postgres/ must hold one file per SQLite migration, same number and name"
    );
    for (lite, pg) in sqlite.iter().zip(&postgres) {
        let lite_sql = std::fs::read_to_string(lite).unwrap();
        let pg_sql = std::fs::read_to_string(pg).unwrap();
        assert_eq!(
            support_pg::markers(&lite_sql),
            support_pg::markers(&pg_sql),
            "{}: the Rust-step markers must be SQLite's, in the same order",
            name(pg)
        );
        let first = pg_sql.lines().next().unwrap_or_default();
        assert!(
            first.contains(&format!("PostgreSQL form of migrations/{}", name(lite))),
            "{}: the first line says which SQLite migration it is the form of: {first:?}",
            name(pg)
        );
    }
}

#[test]
fn postgres_migrations_apply_in_order_each_in_one_transaction() {
    let Some(url) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::migrated(&url);
    let tables = rows::postgres_query(
        db.client(),
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .unwrap();
    assert_ne!(tables, vec![vec!["0".to_string()]]);

    // A migration that fails leaves nothing behind: its transaction is rolled back whole.
    let mut fresh = FreshDb::new(&url);
    let client = fresh.client();
    let mut tx = client.transaction().unwrap();
    let first = std::fs::read_to_string(&support_pg::postgres_migrations()[0]).unwrap();
    tx.batch_execute(&first).unwrap();
    assert!(
        tx.batch_execute("SELECT no_such_column FROM clients")
            .is_err()
    );
    drop(tx);
    let left = rows::postgres_query(
        client,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .unwrap();
    assert_eq!(left, vec![vec!["0".to_string()]]);
}

#[test]
fn the_postgres_schema_is_sqlites() {
    let Some(url) = support_pg::server() else {
        return;
    };
    let practice = SqlitePractice::new();
    let lite = schema::sqlite(&practice.connect());
    let mut db = FreshDb::migrated(&url);
    let pg = schema::postgres(db.client());
    assert!(
        lite.iter().filter(|f| f.starts_with("table ")).count() > 20,
        "the SQLite schema was read: {lite:#?}"
    );
    assert!(
        lite == pg,
        "the schemas differ\n{}",
        schema::difference("SQLite", &lite, "PostgreSQL", &pg)
    );
}

/// Plain writes, in an order that reaches every trigger: records added before and after the
/// attributions that hold them, two attributions alike (one upsert key met twice), changes of
/// minutes, dates, clients and voids, deletes, a client changing clinician and status, the
/// interval settings (in another case too: SQLite's LIKE ignores it), the audit chain.
/// `DELETE FROM flag_dirty` stands for the store's recompute, which empties it.
const WRITES: &[&str] = &[
    "INSERT INTO clinicians (id, name, role, hourly_cost_cents, created_at)
         VALUES (1, 'Ann Lee', 'admin', 9000, '2026-01-02T09:00:00Z')",
    "INSERT INTO clinicians (id, name, created_at) VALUES (2, 'Bo Chen', '2026-01-02T09:00:00Z')",
    "UPDATE clinicians SET passphrase = '$argon2id$x', passphrase_set_at = '2026-01-03' WHERE id = 1",
    "INSERT INTO contracts (id, name, model, withhold_bp, proration, payer)
         VALUES (1, 'Acme Health', 'capitation', 500, 'mid-month', 'Acme')",
    "INSERT INTO contracts (id, name, model) VALUES (2, 'Case Co', 'case-rate')",
    "INSERT INTO contract_rates (contract_id, effective_from, rate_cents)
         VALUES (1, '0001-01-01', 12000), (2, '0001-01-01', 50000)",
    "INSERT INTO contract_rates (contract_id, effective_from, rate_cents, diagnosis_prefix)
         VALUES (2, '2026-01-01', 60000, 'F32')",
    "INSERT INTO contract_targets (contract_id, measure, at_least_bp) VALUES (1, 'show_rate', 8000)",
    "INSERT INTO clients (id, external_id, name, tier, status, since, clinician_id) VALUES
         (1, 'M-1', 'Cara Diaz', 'high', 'active', '2026-01-05', 1),
         (2, 'M-2', 'dev Patel', 'moderate', 'active', '2026-02-01', 2),
         (3, NULL, 'Eli Fox', 'low', 'on-hold', '2026-03-01', NULL)",
    "DELETE FROM flag_dirty",
    // Encounters before the attributions: an attribution's insert sums them by month.
    "INSERT INTO encounters (id, client_id, clinician_id, date, kind, status, minutes) VALUES
         (1, 1, 1, '2026-01-06', 'intake', 'completed', 60),
         (2, 1, 1, '2026-01-20', 'session', 'completed', 50),
         (3, 1, 2, '2026-01-27', 'phone', 'completed', 15),
         (4, 1, 1, '2026-02-03', 'session', 'no-show', 0),
         (5, 2, 2, '2026-02-04', 'intake', 'completed', 55),
         (6, 3, 2, '2026-03-02', 'session', 'completed', 45)",
    "INSERT INTO encounters
         (id, client_id, clinician_id, date, kind, minutes, voided_at, voided_by, void_reason)
         VALUES (7, 2, 2, '2026-02-10', 'session', 30, '2026-02-11T10:00:00Z', 'Bo Chen', 'wrong')",
    "INSERT INTO attributions (id, client_id, contract_id, start_date, end_date, diagnosis)
         VALUES (1, 1, 1, '2026-01-01', NULL, 'F32.1')",
    "INSERT INTO attributions (id, client_id, contract_id, start_date, end_date, diagnosis)
         VALUES (2, 1, 1, '2026-01-01', NULL, 'F32.1')",
    "INSERT INTO attributions (id, client_id, contract_id, start_date, end_date) VALUES
         (3, 1, 2, '2026-01-15', '2026-01-31'),
         (4, 2, 1, '2026-02-01', NULL),
         (5, 3, 2, '2026-03-01', '2026-06-30')",
    "INSERT INTO attributions
         (id, client_id, contract_id, start_date, voided_at, voided_by, void_reason)
         VALUES (6, 2, 2, '2026-02-01', '2026-02-02T00:00:00Z', 'Bo Chen', 'duplicate')",
    // Encounters after them: each live attribution holding the date counts it once.
    "INSERT INTO encounters (id, client_id, clinician_id, date, kind, status, minutes) VALUES
         (8, 1, 1, '2026-01-22', 'session', 'completed', 45),
         (9, 2, 1, '2026-02-18', 'family', 'completed', 70)",
    "DELETE FROM flag_dirty",
    "UPDATE encounters SET minutes = 40 WHERE id = 2",
    "UPDATE encounters SET date = '2026-02-01' WHERE id = 3",
    "UPDATE encounters SET voided_at = '2026-02-05T08:00:00Z', voided_by = 'Ann Lee',
         void_reason = 'entered twice' WHERE id = 8",
    "DELETE FROM flag_dirty",
    "UPDATE encounters SET client_id = 2 WHERE id = 6",
    "UPDATE encounters SET note = 'a note only' WHERE id = 1",
    "UPDATE encounters SET clinician_id = 2 WHERE id = 9",
    "DELETE FROM encounters WHERE id = 4",
    "DELETE FROM encounters WHERE id = 7",
    "UPDATE encounters SET minutes = minutes + 5 WHERE client_id = 1",
    "DELETE FROM flag_dirty",
    "UPDATE attributions SET end_date = '2026-01-25' WHERE id = 3",
    "UPDATE attributions SET voided_at = '2026-03-01T00:00:00Z', voided_by = 'Ann Lee',
         void_reason = 'ended' WHERE id = 2",
    "UPDATE attributions SET contract_id = 2 WHERE id = 5",
    "UPDATE attributions SET diagnosis = 'F33' WHERE id = 4",
    "DELETE FROM attributions WHERE id = 6",
    "INSERT INTO attributions (id, client_id, contract_id, start_date, end_date, diagnosis)
         VALUES (7, 1, 1, '2026-01-01', NULL, 'F32.1')",
    "INSERT INTO measurements (client_id, date, instrument, total, items) VALUES
         (1, '2026-01-06', 'phq9', 18, '2,2,2,2,2,2,2,2,2'),
         (1, '2026-02-03', 'phq9', 9, NULL),
         (2, '2026-02-04', 'gad7', 12, NULL)",
    "DELETE FROM flag_dirty",
    "UPDATE measurements SET total = 10 WHERE id = 2",
    "UPDATE measurements SET client_id = 3 WHERE id = 3",
    "DELETE FROM flag_dirty",
    "INSERT INTO events (client_id, date, kind) VALUES (2, '2026-02-20', 'ed-visit')",
    "UPDATE events SET voided_at = '2026-02-21', voided_by = 'Bo Chen', void_reason = 'x'",
    "DELETE FROM flag_dirty",
    "DELETE FROM events",
    "INSERT INTO reviews (client_id, flag, date, until, measurement_id, clinician, note)
         VALUES (1, 'safety', '2026-01-07', NULL, 1, 'Ann Lee', 'safety plan made'),
                (2, 'contact_overdue', '2026-02-20', '2026-03-01', NULL, 'Bo Chen', 'away')",
    "DELETE FROM flag_dirty",
    "UPDATE reviews SET client_id = 3 WHERE id = 2",
    "DELETE FROM flag_dirty",
    "DELETE FROM reviews WHERE id = 2",
    "DELETE FROM flag_dirty",
    // A client changing clinician (two attributions alike move together), status, or neither.
    "UPDATE clients SET clinician_id = 2 WHERE id = 1",
    "UPDATE clients SET status = 'discharged', discharged_on = '2026-03-15' WHERE id = 2",
    "UPDATE clients SET name = 'Eli Fox-Hart' WHERE id = 3",
    "DELETE FROM flag_dirty",
    "UPDATE clients SET tier = 'moderate'",
    "UPDATE clients SET clinician_id = NULL WHERE id = 2",
    "UPDATE clients SET clinician_id = 1, status = 'active' WHERE id IN (2, 3)",
    "DELETE FROM flag_dirty",
    // A client removed takes their maintained rows along.
    "INSERT INTO clients (id, name, since) VALUES (4, 'Gus Hill', '2026-04-01')",
    "INSERT INTO flag_facts (client_id, through, last_contact) VALUES
         (4, '2026-04-01', NULL), (1, '2026-02-03', '2026-02-01')",
    "INSERT INTO panel_segments (client_id, valid_from, valid_until, active, clinician_id, rank,
         due_key, kinds, name_folded, name, last_contact) VALUES
         (4, '2026-04-01', '9999-12-31', 1, NULL, 2, '9999-12-31', 2, 'gus hill', 'Gus Hill', ''),
         (1, '2026-02-03', '9999-12-31', 1, 2, 1, '2026-02-17', 16, 'cara diaz', 'Cara Diaz',
          '2026-02-01')",
    "INSERT INTO flag_due (client_id, contact_due, measure_due) VALUES (4, '2026-04-01', NULL)",
    "DELETE FROM clients WHERE id = 4",
    "DELETE FROM flag_dirty",
    // The intervals move everyone's windows; other settings move nothing.
    "UPDATE settings SET value = '10' WHERE key = 'contact-days.high'",
    "DELETE FROM flag_dirty",
    "INSERT INTO settings (key, value) VALUES ('theme', 'dark')",
    "UPDATE settings SET value = 'light' WHERE key = 'theme'",
    "INSERT INTO settings (key, value) VALUES ('CONTACT-DAYS.extra', '3')",
    "DELETE FROM flag_dirty",
    "DELETE FROM settings WHERE key = 'theme'",
    "DELETE FROM settings WHERE key = 'measure-days'",
    "DELETE FROM flag_dirty",
    "INSERT INTO settings (key, value) VALUES ('measure-days', '45')",
    // Rosters, appointments, a login throttle: no triggers, but the same rows.
    "INSERT INTO roster_imports (contract_id, as_of, imported_at, file_hash, members, x12_kind)
         VALUES (1, '2026-02-01', '2026-02-02T08:00:00Z', 'abc', 2, 'full')",
    "INSERT INTO roster_members (import_id, member_id, start_date) VALUES (1, 'M-1', '2026-01-01')",
    "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes, series_id)
         VALUES (1, 1, '2026-04-01', '09:00', 'session', 50, 1)",
    "UPDATE appointments SET cancelled_at = '2026-03-30', cancel_reason = 'ill'",
    "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes)
         VALUES (2, 1, '2026-04-01', '09:00', 'session', 50)",
    "INSERT INTO login_throttle (clinician_id, failures, last_failure_at) VALUES (2, 1, 'x')",
    // The audit chain: each row extends the head by one.
    "INSERT INTO audit (seq, at, clinician_id, actor, action, client_id, detail, hash)
         VALUES (2, '2026-02-01T10:00:00Z', 1, 'Ann Lee', 'client.add', 1, 'added', 'h2')",
    "INSERT INTO audit (seq, at, actor, action, hash)
         VALUES (3, '2026-02-01T10:05:00Z', 'Ann Lee', 'report.value', 'h3')",
];

/// Writes both engines refuse (and so leave no trace in either): constraints of every kind,
/// SQLite's NOCASE uniqueness, the one-at-a-time appointments, and the audit chain's rules.
const REFUSED: &[&str] = &[
    "INSERT INTO clients (name, since, tier) VALUES ('X', '2026-01-01', 'urgent')",
    "INSERT INTO clinicians (name, created_at) VALUES ('ann LEE', '2026-01-01')",
    "UPDATE contracts SET name = 'ACME health' WHERE id = 2",
    "INSERT INTO clients (id, external_id, name, since) VALUES (9, 'M-1', 'Dup', '2026-01-01')",
    "INSERT INTO encounters (client_id, clinician_id, date, kind) VALUES (99, 1, '2026-01-01', 'session')",
    "INSERT INTO encounters (client_id, clinician_id, date, kind, minutes)
         VALUES (1, 1, '2026-01-01', 'session', 2000)",
    "INSERT INTO attributions (client_id, contract_id, start_date, end_date)
         VALUES (1, 1, '2026-02-01', '2026-01-31')",
    "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes)
         VALUES (3, 1, '2026-04-01', '09:00', 'phone', 10)",
    "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes)
         VALUES (3, 1, '2026-04-02', '9:00', 'phone', 10)",
    "INSERT INTO roster_imports (contract_id, as_of, imported_at, file_hash, members, x12_kind)
         VALUES (1, '2026-02-01', 'x', 'y', 1, 'partial')",
    "UPDATE contracts SET proration = 'weekly' WHERE id = 1",
    "INSERT INTO contract_rates (contract_id, effective_from, rate_cents) VALUES (1, '0001-01-01', 1)",
    "INSERT INTO settings (key, value) VALUES ('measure-days', '1')",
    "INSERT INTO audit_head (id, seq, hash) VALUES (2, 9, 'x')",
    "INSERT INTO audit_head (id, seq, hash) VALUES (1, 9, 'x')",
    "UPDATE audit_head SET seq = seq",
    "UPDATE audit_head SET seq = 1",
    "DELETE FROM audit_head",
    "INSERT INTO audit (seq, at, actor, action, hash) VALUES (9, 'x', 'x', 'x', 'h9')",
    "INSERT INTO audit (seq, at, actor, action, hash) VALUES (3, 'x', 'x', 'x', 'h3b')",
    "INSERT INTO audit (seq, at, actor, action) VALUES (4, 'x', 'x', 'x')",
    "UPDATE audit SET detail = 'rewritten' WHERE seq = 2",
    "DELETE FROM audit WHERE seq = 3",
];

/// Reads whose answers depend on the schema's collations and views.
const READS: &[&str] = &[
    "SELECT id FROM clinicians WHERE name = 'ANN LEE'",
    "SELECT id FROM contracts WHERE name = 'acme HEALTH'",
    "SELECT name FROM clients ORDER BY name",
    "SELECT key FROM settings ORDER BY key",
    "SELECT id, diagnosis FROM live_attributions ORDER BY id",
    "SELECT id FROM live_encounters ORDER BY id",
    "SELECT count(*) FROM encounters WHERE date BETWEEN '2026-01-01' AND '2026-01-31'",
];

#[test]
fn the_same_writes_leave_the_same_rows_on_both_engines() {
    let Some(url) = support_pg::server() else {
        return;
    };
    let practice = SqlitePractice::new();
    let lite = practice.connect();
    let mut db = FreshDb::migrated(&url);
    let pg = db.client();

    // The Rust step of version 2 starts the chain with its head (SQLite's has run it); then
    // the audit rows the binary's first command appended, copied as SQL literals.
    pg.batch_execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis')")
        .unwrap();
    let copies = rows::sqlite_query(
        &lite,
        "SELECT 'INSERT INTO audit (seq, at, clinician_id, actor, action, client_id, detail, hash)
                 VALUES (' || quote(seq) || ', ' || quote(at) || ', ' || quote(clinician_id) || ', '
                 || quote(actor) || ', ' || quote(action) || ', ' || quote(client_id) || ', '
                 || quote(detail) || ', ' || quote(hash) || ')'
         FROM audit ORDER BY seq",
    )
    .unwrap();
    assert!(!copies.is_empty(), "the binary's first command is audited");
    for copy in copies {
        pg.batch_execute(&copy[0])
            .unwrap_or_else(|e| panic!("{}: {}", copy[0], describe(&e)));
    }
    let start = (rows::sqlite(&lite), rows::postgres(pg));
    assert!(
        start.0 == start.1,
        "before any write\n{}",
        rows::difference(&start.0, &start.1)
    );

    for sql in WRITES {
        lite.execute_batch(sql)
            .unwrap_or_else(|e| panic!("SQLite refused {sql}: {e}"));
        pg.batch_execute(sql)
            .unwrap_or_else(|e| panic!("PostgreSQL refused {sql}: {}", describe(&e)));
        let (a, b) = (rows::sqlite(&lite), rows::postgres(pg));
        assert!(a == b, "after {sql}\n{}", rows::difference(&a, &b));
    }
    // The sequence reached the maintained tables (an empty table on both would also be equal).
    let after = rows::sqlite(&lite);
    for table in [
        "month_minutes",
        "month_minutes_by_scope",
        "attribution_groups",
        "clinician_month_minutes",
        "contract_month_minutes",
        "flag_dirty",
        "panel_segments",
    ] {
        assert!(
            !after[table].is_empty(),
            "{table} is empty: the writes missed its triggers"
        );
    }

    for sql in REFUSED {
        assert!(lite.execute_batch(sql).is_err(), "SQLite accepted {sql}");
        assert!(pg.batch_execute(sql).is_err(), "PostgreSQL accepted {sql}");
    }
    let (a, b) = (rows::sqlite(&lite), rows::postgres(pg));
    assert!(a == after, "a refused write changed SQLite");
    assert!(
        a == b,
        "after the refused writes\n{}",
        rows::difference(&a, &b)
    );

    for sql in READS {
        let lite_rows = rows::sqlite_query(&lite, sql).unwrap();
        let pg_rows = rows::postgres_query(pg, sql).unwrap();
        assert_eq!(lite_rows, pg_rows, "{sql}");
    }
}

#[test]
fn the_server_keeps_the_audit_trail_append_only() {
    let Some(url) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::migrated(&url);
    let pg = db.client();
    pg.batch_execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');
         INSERT INTO audit (seq, at, actor, action, hash) VALUES (1, 't', 'Ann', 'client.add', 'h1');
         INSERT INTO audit (seq, at, actor, action, hash) VALUES (2, 't', 'Ann', 'client.list', 'h2');",
    )
    .unwrap();
    let refused = |pg: &mut postgres::Client, sql: &str, message: &str| {
        let text = match pg.batch_execute(sql) {
            Ok(()) => panic!("PostgreSQL accepted {sql}"),
            Err(error) => describe(&error),
        };
        assert!(text.contains(message), "{sql}: {text}");
    };
    refused(
        pg,
        "UPDATE audit SET detail = 'x' WHERE seq = 1",
        "the audit trail is append-only",
    );
    refused(
        pg,
        "UPDATE audit SET hash = 'h2b'",
        "the audit trail is append-only",
    );
    refused(
        pg,
        "DELETE FROM audit WHERE seq = 2",
        "the audit trail is append-only",
    );
    refused(pg, "DELETE FROM audit", "the audit trail is append-only");
    refused(pg, "TRUNCATE audit", "the audit trail is append-only");
    refused(
        pg,
        "TRUNCATE audit_head, audit",
        "the audit chain head cannot be removed",
    );
    refused(
        pg,
        "DELETE FROM audit_head",
        "the audit chain head cannot be removed",
    );
    refused(
        pg,
        "UPDATE audit_head SET seq = 1",
        "the audit chain head only moves forward",
    );
    refused(
        pg,
        "INSERT INTO audit_head VALUES (1, 5, 'x')",
        "the audit chain has one head",
    );
    refused(
        pg,
        "INSERT INTO audit (seq, at, actor, action, hash) VALUES (4, 't', 'x', 'x', 'h4')",
        "audit rows must extend the hash chain",
    );
    refused(
        pg,
        "INSERT INTO audit (seq, at, actor, action) VALUES (3, 't', 'x', 'x')",
        "audit rows must extend the hash chain",
    );
    // Inside a transaction too, and the transaction then writes nothing.
    let mut tx = pg.transaction().unwrap();
    tx.batch_execute(
        "INSERT INTO audit (seq, at, actor, action, hash) VALUES (3, 't', 'x', 'x', 'h3')",
    )
    .unwrap();
    assert!(tx.batch_execute("DELETE FROM audit WHERE seq = 1").is_err());
    drop(tx);
    let chain = rows::postgres_query(
        pg,
        "SELECT (SELECT string_agg(seq || ':' || hash, ' ' ORDER BY seq) FROM audit),
                (SELECT seq || ':' || hash FROM audit_head)",
    )
    .unwrap();
    assert_eq!(
        chain,
        vec![vec!["1:h1 2:h2".to_string(), "2:h2".to_string()]]
    );
}
