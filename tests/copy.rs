#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.
//! `caseload copy --to TARGET` and `backup` from a server (SPEC section 15), through the real
//! binary: a practice goes to PostgreSQL and back with the same flags, revenue, value,
//! check-in and client list; a copy into a practice, a broken chain, a bad URL or another
//! program's database is refused with one line and leaves nothing behind; no password is ever
//! printed. The tests that need a server read `CASELOAD_TEST_POSTGRES` (see
//! `support_pg::server`); the file-to-file ones run everywhere.

mod common;
mod support_pg;

use common::Practice;
use support_pg::FreshDb;

/// The outputs a moved practice must keep.
const SAME: &[&[&str]] = &[
    &["flags", "--json"],
    &["report", "revenue", "--json"],
    &["report", "value", "--json"],
    &["today", "--json"],
    &["client", "list", "--json"],
];

fn demo() -> Practice {
    let p = Practice::file_on(common::TODAY);
    p.ok(&["demo", "--clients", "60"]);
    p
}

/// The same practice at another database (`db`: a path or a URL).
fn at(p: &Practice, db: &std::path::Path) -> Practice {
    let q = Practice::file_on(p.today);
    Practice {
        db: db.to_path_buf(),
        ..q
    }
}

fn assert_same_outputs(a: &Practice, b: &Practice) {
    for args in SAME {
        assert_eq!(a.ok(args), b.ok(args), "{args:?} differs after the copy");
    }
}

#[test]
fn a_practice_goes_to_the_server_and_back_unchanged() {
    let Some(server) = support_pg::server() else {
        return;
    };
    let db = FreshDb::new(&server);
    let a = demo();
    let out = a.ok(&["copy", "--to", &db.url()]);
    assert!(
        out.starts_with("Copied the practice to postgresql://"),
        "{out}"
    );
    assert!(out.contains("its audit chain verifies"), "{out}");
    let back = a.dir.path().join("back.db");
    let via_server = at(&a, std::path::Path::new(&db.url()));
    via_server.ok(&["copy", "--to", back.to_str().unwrap()]);
    let b = at(&a, &back);
    assert_same_outputs(&a, &b);
    let verified = b.ok(&["audit", "verify"]);
    assert!(verified.contains("The audit trail is intact"), "{verified}");
    // The source records the copy, naming the server without a password.
    let report = a.ok(&["audit", "report", "--json"]);
    assert!(
        report.contains("copied the practice to postgresql://"),
        "{report}"
    );

    // backup from the server writes a caseload file holding the same practice.
    let backup = a.dir.path().join("backup.db");
    via_server.ok(&["backup", backup.to_str().unwrap()]);
    // A backup is one file, as `backup` of a practice file writes it: checking it leaves no
    // journal beside it.
    let check = a.ok(&["restore", "--check", backup.to_str().unwrap()]);
    assert!(check.contains("is a sound caseload backup"), "{check}");
    let wal = a.dir.path().join("backup.db-wal");
    assert!(!wal.exists(), "a backup in WAL mode");
    assert_same_outputs(&a, &at(&a, &backup));
    let again = via_server.refused(&["backup", backup.to_str().unwrap()]);
    assert!(again.contains("--force"), "{again}");
    via_server.ok(&["backup", backup.to_str().unwrap(), "--force"]);
    assert_same_outputs(&a, &at(&a, &backup));

    // restore puts a backup file into an empty server database, and into no other.
    let db2 = FreshDb::new(&server);
    let restored = at(&a, std::path::Path::new(&db2.url()));
    let line = restored.ok(&["restore", backup.to_str().unwrap()]);
    assert!(line.starts_with("Restored "), "{line}");
    let round = a.dir.path().join("round.db");
    restored.ok(&["backup", round.to_str().unwrap()]);
    assert_same_outputs(&a, &at(&a, &round));
    let line = restored.refused(&["restore", backup.to_str().unwrap()]);
    assert!(line.contains("already holds a practice"), "{line}");

    let encrypt = via_server.refused(&["encrypt"]);
    assert!(encrypt.contains("server's own"), "{encrypt}");
}

#[test]
fn a_copy_into_a_server_that_holds_a_practice_writes_nothing() {
    let Some(server) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::new(&server);
    let a = demo();
    a.ok(&["copy", "--to", &db.url()]);
    let count = |db: &mut FreshDb| -> i64 {
        db.client()
            .query_one("SELECT count(*) FROM encounters", &[])
            .unwrap()
            .get(0)
    };
    let before = count(&mut db);
    let b = Practice::new();
    b.ok(&["clinician", "add", "Solo", "--hourly-cost", "90"]);
    let line = b.refused(&["copy", "--to", &db.url()]);
    assert!(line.contains("already holds a practice"), "{line}");
    assert_eq!(count(&mut db), before);
}

#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    let Some(server) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::new(&server);
    db.client()
        .batch_execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
        .unwrap();
    let a = demo();
    let line = a.refused(&["copy", "--to", &db.url()]);
    assert!(line.contains("not a caseload practice"), "{line}");
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing of caseload's schema was created");
}

#[test]
fn a_wrong_password_is_one_line_without_it() {
    let Some(server) = support_pg::server() else {
        return;
    };
    let mut db = FreshDb::new(&server);
    // The test cluster trusts every login; a role whose login is refused stands in for a
    // wrong password.
    db.client()
        .batch_execute("CREATE ROLE caseload_nologin_test NOLOGIN")
        .ok();
    let host_port = server
        .rsplit_once('@')
        .unwrap()
        .1
        .rsplit_once('/')
        .unwrap()
        .0;
    let url = format!(
        "postgresql://caseload_nologin_test:hunter22@{host_port}/{}",
        db.name
    );
    let a = demo();
    let line = a.refused(&["copy", "--to", &url]);
    assert!(!line.contains("hunter22"), "{line}");
    assert!(
        line.contains("postgresql://caseload_nologin_test@"),
        "{line}"
    );
}

#[test]
fn an_unreachable_server_is_one_line_and_no_file_is_made() {
    let a = demo();
    let target = a.dir.path().join("never.db");
    let url = "postgresql://ann:s3cret@127.0.0.1:1/practice";
    let via = at(&a, std::path::Path::new(url));
    let line = via.refused(&["copy", "--to", target.to_str().unwrap()]);
    assert!(
        line.contains(
            "cannot reach the PostgreSQL server at postgresql://ann@127.0.0.1:1/practice"
        ),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
    assert!(!target.exists());
    let line = a.refused(&["copy", "--to", url]);
    assert!(!line.contains("s3cret"), "{line}");
    // Any command on an unreachable server: the same line, no password.
    let line = via.refused(&["flags"]);
    assert!(
        line.contains(
            "cannot reach the PostgreSQL server at postgresql://ann@127.0.0.1:1/practice"
        ),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
}

#[test]
fn a_file_copies_to_a_new_file_and_not_into_a_practice() {
    let a = demo();
    let copy = a.dir.path().join("copy.db");
    a.ok(&["copy", "--to", copy.to_str().unwrap()]);
    let b = at(&a, &copy);
    assert_same_outputs(&a, &b);
    let line = a.refused(&["copy", "--to", copy.to_str().unwrap()]);
    assert!(line.contains("already holds a practice"), "{line}");
    let line = a.refused(&["copy", "--to", a.db.to_str().unwrap()]);
    assert!(line.contains("itself"), "{line}");
}

/// A source whose audit trail was rewritten behind caseload's back: the copy's own check
/// refuses it, and the file it had made is gone.
#[test]
fn a_broken_chain_is_not_copied() {
    let a = demo();
    {
        let conn = rusqlite::Connection::open(&a.db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_no_update;
             UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 2;",
        )
        .unwrap();
    }
    let copy = a.dir.path().join("copy.db");
    let line = a.refused(&["copy", "--to", copy.to_str().unwrap()]);
    assert!(line.contains("does not verify"), "{line}");
    assert!(!copy.exists(), "the half-made copy was removed");
}
