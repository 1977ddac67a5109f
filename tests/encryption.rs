//! Encryption at rest (SPEC section 14, issue 17), end to end through the binary: nothing of a
//! client reaches any file beside an encrypted practice, each clinician opens it with their own
//! passphrase, encrypt/decrypt keep everything and survive a SIGKILL, and the keyed audit chain
//! detects tampering by someone holding the database key but not caseload's chain.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use caseload::domain::audit_chain::{self, ChainFields, GENESIS};
use caseload::domain::keyslot::PracticeKey;
use caseload::store::keyfile;
use common::Practice;
use rusqlite::Connection;
use std::path::Path;

const DANA: &str = "river stone lamp";
const SAM: &str = "blue harbor kite";

/// Dana (admin, id 1) and Sam (clinician, id 2), both with passphrases, and one client of Sam's.
fn guarded(client: &str, note: &str) -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&["clinician", "add", "Sam Okafor"]);
    p.ok(&[
        "client",
        "add",
        client,
        "--external-id",
        "M-1",
        "--clinician",
        "Sam Okafor",
    ]);
    p.ok(&["log", "M-1", "--kind", "session", "--note", note]);
    let out = p.run_as(DANA, None, &["clinician", "passphrase", "Dana Reyes"]);
    assert!(out.status.success(), "{out:?}");
    let out = p.run_as(
        DANA,
        Some(SAM),
        &["--as", "Dana", "clinician", "passphrase", "Sam"],
    );
    assert!(out.status.success(), "{out:?}");
    p
}

fn dana(p: &Practice, args: &[&str]) -> String {
    let mut all = vec!["--as", "Dana"];
    all.extend(args);
    p.ok_as(Some(DANA), &all)
}

fn key_of(db: &Path) -> PracticeKey {
    keyfile::unlock(db, 1, DANA, chrono::Utc::now())
        .unwrap()
        .unwrap()
        .key
}

/// A connection to the encrypted practice with its key, as someone who obtained it would have.
fn keyed(db: &Path) -> Connection {
    let conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "key", key_of(db).pragma_value())
        .unwrap();
    conn.pragma_update(
        None,
        "cipher_page_size",
        caseload::store::cipher::CIPHER_PAGE_SIZE,
    )
    .unwrap();
    conn
}

fn occurrences(dir: &Path, needle: &[u8]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if !entry.file_type().unwrap().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let n = bytes.windows(needle.len()).filter(|w| *w == needle).count();
        found.push((entry.file_name().to_string_lossy().into_owned(), n));
    }
    found
}

#[test]
fn a_canary_is_in_no_file_beside_an_encrypted_practice() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = guarded("Qzxcanary Before", "Qzxcanary note before");
    let before = occurrences(p.dir.path(), b"Qzxcanary");
    assert!(
        before.iter().any(|(_, n)| *n > 0),
        "the plaintext practice holds it: {before:?}"
    );
    dana(&p, &["encrypt"]);
    // Hold the database open so its WAL and shared-memory files stay while others write.
    let holder = keyed(&p.db);
    let _: i64 = holder
        .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
        .unwrap();
    dana(
        &p,
        &["client", "add", "Qzxcanary After", "--external-id", "M-2"],
    );
    dana(
        &p,
        &[
            "log",
            "M-2",
            "--kind",
            "phone",
            "--note",
            "Qzxcanary note after",
        ],
    );
    dana(&p, &["backup", p.dir.path().join("b.db").to_str().unwrap()]);
    let wal = p.dir.path().join("practice.db-wal");
    assert!(wal.exists() && std::fs::metadata(&wal).unwrap().len() > 0);
    assert!(p.dir.path().join("practice.db-shm").exists());
    let after = occurrences(p.dir.path(), b"Qzxcanary");
    assert!(
        after.len() >= 5,
        "database, WAL, SHM, key file, backup: {after:?}"
    );
    assert!(after.iter().all(|(_, n)| *n == 0), "{after:?}");
    assert!(
        occurrences(p.dir.path(), b"SQLite format 3")
            .iter()
            .all(|(_, n)| *n == 0)
    );
    drop(holder);
    // The data is all there for the clinicians, and `export` still writes plain files.
    let list = p.ok_as(Some(SAM), &["--as", "Sam", "client", "list"]);
    assert!(list.contains("Qzxcanary Before"), "{list}");
    let out = p.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let json = out.join("x.json");
    dana(&p, &["export", "--json", json.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(&json)
            .unwrap()
            .contains("Qzxcanary After")
    );
}

#[test]
fn each_clinician_opens_with_their_own_passphrase_and_no_one_without() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = guarded("Ann Lee", "first session");
    dana(&p, &["encrypt"]);
    assert!(dana(&p, &["client", "list"]).contains("Ann Lee"));
    assert!(
        p.ok_as(Some(SAM), &["--as", "Sam", "client", "list"])
            .contains("Ann Lee")
    );
    let line = p.refused(&["client", "list"]);
    assert!(line.contains("this practice is encrypted"), "{line}");
    assert!(
        line.starts_with("error: "),
        "nothing but caseload's line: {line}"
    );
    // Dana's passphrase does not open Sam's slot, and the wait grows as for any login.
    let wrong: Vec<String> = (0..4)
        .map(|_| p.refused_as(Some(DANA), &["--as", "Sam", "client", "list"]))
        .collect();
    assert!(wrong[0].contains("wrong passphrase"), "{wrong:?}");
    assert!(
        wrong[2].contains("next attempt is possible in 1 s"),
        "{wrong:?}"
    );
    assert!(wrong[3].contains("too many wrong passphrases"), "{wrong:?}");
    for line in &wrong {
        assert!(line.starts_with("error: Sam Okafor: "), "{line}");
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.ok_as(Some(SAM), &["--as", "Sam", "client", "list"]);
    // The failures counted in the key file reach the audit trail at the next login.
    let report = dana(&p, &["audit", "report"]);
    assert!(
        report.contains("wrong passphrase(s) before this login"),
        "{report}"
    );
    // A plain SQLite tool sees no database.
    let conn = Connection::open(&p.db).unwrap();
    assert!(
        conn.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
            .is_err()
    );
}

#[test]
fn passphrases_set_changed_and_removed_update_the_slots() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = guarded("Ann Lee", "first session");
    dana(&p, &["encrypt"]);
    dana(
        &p,
        &["clinician", "add", "Lee Park", "--role", "supervisor"],
    );
    let out = p.run_as(
        DANA,
        Some("green field door"),
        &["--as", "Dana", "clinician", "passphrase", "Lee"],
    );
    assert!(out.status.success(), "{out:?}");
    p.ok_as(Some("green field door"), &["--as", "Lee", "client", "list"]);
    let out = p.run_as(
        SAM,
        Some("new sam words"),
        &["--as", "Sam", "clinician", "passphrase", "Sam"],
    );
    assert!(out.status.success(), "{out:?}");
    p.refused_as(Some(SAM), &["--as", "Sam", "client", "list"]);
    p.ok_as(Some("new sam words"), &["--as", "Sam", "client", "list"]);
    dana(&p, &["clinician", "passphrase", "Sam", "--remove"]);
    let line = p.refused_as(Some("new sam words"), &["--as", "Sam", "client", "list"]);
    assert!(line.contains("can open this encrypted practice"), "{line}");
    assert!(dana(&p, &["audit", "verify"]).contains("intact"));
}

/// Every table's rows (the audit trail's too), through a connection of the caller's.
fn dump(conn: &Connection) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for row in rows {
            out.push(format!("{t}: {}", row.unwrap()));
        }
    }
    out
}

fn assert_kept(before: &[String], after: &[String]) {
    for row in before {
        // The throttle is cleared by each login, and the head moves on with every new row.
        if row.starts_with("login_throttle") || row.starts_with("audit_head") {
            continue;
        }
        assert!(after.contains(row), "lost: {row}");
    }
}

#[test]
fn encrypt_decrypt_encrypt_keeps_every_table_and_the_audit_chain() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = guarded("Ann Lee", "first session");
    dana(
        &p,
        &["book", "M-1", "--date", "2026-11-30", "--time", "10:00"],
    );
    dana(
        &p,
        &["measure", "M-1", "--instrument", "phq9", "--score", "14"],
    );
    let plain = dump(&Connection::open(&p.db).unwrap());
    let head = dana(&p, &["audit", "head"]);
    dana(&p, &["encrypt"]);
    let first = dump(&keyed(&p.db));
    assert_kept(&plain, &first);
    dana(&p, &["decrypt"]);
    assert!(!keyfile::path_for(&p.db).exists());
    let again = dump(&Connection::open(&p.db).unwrap());
    assert_kept(&first, &again);
    dana(&p, &["encrypt"]);
    let last = dump(&keyed(&p.db));
    assert_kept(&again, &last);
    // The chain is one chain through all of it: the first head is still in it.
    let verified = dana(&p, &["audit", "verify", "--expect", head.trim()]);
    assert!(verified.contains("intact"), "{verified}");
}

#[test]
fn a_sigkill_during_encrypt_leaves_the_old_practice_or_the_new_one() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    // The demo's first clinician is Dana Reyes, an admin (id 1).
    let p = Practice::new();
    p.ok(&["demo", "--clients", "400", "--seed", "5"]);
    let out = p.run_as(DANA, None, &["clinician", "passphrase", "Dana Reyes"]);
    assert!(out.status.success(), "{out:?}");
    let clients = |encrypted: bool| -> i64 {
        let conn = if encrypted {
            keyed(&p.db)
        } else {
            Connection::open(&p.db).unwrap()
        };
        conn.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
            .unwrap()
    };
    let expected = clients(false);
    let started = std::time::Instant::now();
    dana(&p, &["encrypt"]);
    let took = started.elapsed().as_millis() as u64;
    dana(&p, &["decrypt"]);
    let mut seen = [0, 0];
    for round in 0..10u64 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caseload"))
            .args(["--as", "Dana", "encrypt"])
            .env("CASELOAD_DB", &p.db)
            .env("CASELOAD_TODAY", p.today)
            .env("CASELOAD_PASSPHRASE", DANA)
            .env("HOME", p.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread over the whole run and a little past it, so both outcomes are seen.
        std::thread::sleep(std::time::Duration::from_millis(took * round / 7));
        let _ = child.kill();
        let _ = child.wait();
        let encrypted = caseload::store::cipher::is_encrypted(&p.db);
        seen[usize::from(encrypted)] += 1;
        assert_eq!(clients(encrypted), expected, "round {round}");
        assert!(
            dana(&p, &["audit", "verify"]).contains("intact"),
            "round {round}"
        );
        if encrypted {
            dana(&p, &["decrypt"]);
        }
    }
    eprintln!("sigkill during encrypt: {seen:?} (plaintext, encrypted), {took} ms per encrypt");
}

/// Lifts the append-only triggers, as someone with the key and a SQLite tool would.
fn lift(conn: &Connection) {
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
         DROP TRIGGER audit_head_forward_only;",
    )
    .unwrap();
}

fn broken(p: &Practice) -> String {
    p.refused_as(Some(DANA), &["--as", "Dana", "audit", "verify"])
}

fn encrypted_practice() -> Practice {
    let p = guarded("Ann Lee", "first session");
    dana(&p, &["encrypt"]);
    for _ in 0..3 {
        dana(&p, &["client", "show", "M-1"]);
    }
    p
}

#[test]
fn an_edited_row_is_detected_in_an_encrypted_practice() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = encrypted_practice();
    let conn = keyed(&p.db);
    lift(&conn);
    conn.execute(
        "UPDATE audit SET detail = 'nothing' WHERE seq = (SELECT max(seq) - 2 FROM audit)",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(broken(&p).contains("altered"));
}

#[test]
fn a_deleted_middle_row_is_detected_in_an_encrypted_practice() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = encrypted_practice();
    let conn = keyed(&p.db);
    lift(&conn);
    conn.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    drop(conn);
    assert!(broken(&p).contains("missing"));
}

#[test]
fn a_truncation_with_the_head_moved_back_is_detected_in_an_encrypted_practice() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = encrypted_practice();
    let conn = keyed(&p.db);
    lift(&conn);
    conn.execute_batch(
        "DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit);
         UPDATE audit_head SET seq = (SELECT max(seq) FROM audit),
                               hash = (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1);",
    )
    .unwrap();
    drop(conn);
    assert!(broken(&p).contains("rolled back"));
}

#[test]
fn a_chain_recomputed_without_the_key_is_detected_in_an_encrypted_practice() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = encrypted_practice();
    let conn = keyed(&p.db);
    lift(&conn);
    type Row = (
        i64,
        String,
        Option<i64>,
        String,
        String,
        Option<i64>,
        String,
    );
    let rows: Vec<Row> = conn
        .prepare("SELECT seq, at, clinician_id, actor, action, client_id, detail FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut previous = GENESIS.to_string();
    for (seq, at, clinician_id, actor, action, client_id, detail) in &rows {
        // The forger also drops the row that starts the keyed segment.
        let action = if action == audit_chain::KEYED {
            "practice.note"
        } else {
            action
        };
        let fields = ChainFields {
            seq: *seq,
            at,
            clinician_id: *clinician_id,
            actor,
            action,
            client_id: *client_id,
            detail,
        };
        previous = audit_chain::row_hash(&previous, &fields);
        conn.execute(
            "UPDATE audit SET action = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![action, previous, seq],
        )
        .unwrap();
    }
    conn.execute("UPDATE audit_head SET hash = ?1", [&previous])
        .unwrap();
    drop(conn);
    // The login that runs `audit verify` seals its row with the key after the forged ones, so
    // the break shows there if not already as the missing seal.
    let line = broken(&p);
    assert!(
        line.contains("not sealed with the practice key") || line.contains("altered"),
        "{line}"
    );
}

#[test]
fn an_unencrypted_rollback_is_detected_with_expect() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&["client", "add", "Ann Lee", "--external-id", "M-1"]);
    let head = p.ok(&["audit", "head"]);
    let (seq, _) = head.trim().split_once(':').unwrap();
    p.ok(&["client", "show", "M-1"]);
    p.ok(&["client", "show", "M-1"]);
    let later = p.ok(&["audit", "head"]);
    // Truncate back to the first head and move the head with it: verify alone cannot tell.
    let conn = Connection::open(&p.db).unwrap();
    lift(&conn);
    conn.execute("DELETE FROM audit WHERE seq > ?1", [seq])
        .unwrap();
    let (s, h) = head.trim().split_once(':').unwrap();
    conn.execute(
        "UPDATE audit_head SET seq = ?1, hash = ?2",
        rusqlite::params![s, h],
    )
    .unwrap();
    drop(conn);
    assert!(p.ok(&["audit", "verify"]).contains("intact"));
    assert!(
        p.ok(&["audit", "verify", "--expect", head.trim()])
            .contains("intact")
    );
    let line = p.refused(&["audit", "verify", "--expect", later.trim()]);
    assert!(line.contains("rolled back"), "{line}");
    let out = p
        .cmd()
        .args(["audit", "verify", "--expect", "12"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_clinician_row_changed_outside_caseload_is_reported() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&["clinician", "add", "Sam Okafor"]);
    assert!(p.ok(&["audit", "verify"]).contains("intact"));
    let conn = Connection::open(&p.db).unwrap();
    conn.execute(
        "UPDATE clinicians SET role = 'admin' WHERE name = 'Sam Okafor'",
        [],
    )
    .unwrap();
    drop(conn);
    let line = p.refused(&["audit", "verify"]);
    assert!(line.contains("clinician 2"), "{line}");
}

#[test]
fn an_encrypted_backup_is_checked_and_restored_with_its_own_key_file() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = guarded("Ann Lee", "first session");
    dana(&p, &["encrypt"]);
    let backup = p.dir.path().join("b.db");
    dana(&p, &["backup", backup.to_str().unwrap()]);
    assert!(keyfile::path_for(&backup).exists());
    let checked = dana(&p, &["restore", "--check", backup.to_str().unwrap()]);
    assert!(checked.contains("sound caseload backup"), "{checked}");
    let line = p.refused(&["restore", "--check", backup.to_str().unwrap()]);
    assert!(line.contains("encrypted"), "{line}");
    dana(&p, &["client", "add", "Bo Chen"]);
    dana(&p, &["restore", backup.to_str().unwrap()]);
    assert!(!dana(&p, &["client", "list"]).contains("Bo Chen"));
    assert!(dana(&p, &["audit", "verify"]).contains("intact"));
    // On a new machine: the backup and its key file are enough.
    let fresh = p.dir.path().join("elsewhere.db");
    let out = p
        .cmd_as(Some(DANA))
        .env("CASELOAD_DB", &fresh)
        .args(["--as", "Dana", "restore", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = p
        .cmd_as(Some(SAM))
        .env("CASELOAD_DB", &fresh)
        .args(["--as", "Sam", "client", "list"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Ann Lee"),
        "{out:?}"
    );
}

/// An encrypted practice has 16 KiB pages (SQLCipher's per-page cost paid a quarter as often),
/// and its backup the same, so the backup copies page for page.
#[test]
fn an_encrypted_practice_and_its_backup_have_sixteen_kib_pages() {
    if common::sqlite_only("encryption at rest is for a practice file; a server has its own") {
        return;
    }
    let p = encrypted_practice();
    let page_size = |conn: &Connection| -> i64 {
        let size: rusqlite::types::Value = conn
            .query_row("PRAGMA main.page_size", [], |r| r.get(0))
            .unwrap();
        match size {
            rusqlite::types::Value::Integer(n) => n,
            rusqlite::types::Value::Text(t) => t.parse().unwrap(),
            other => panic!("page_size {other:?}"),
        }
    };
    assert_eq!(page_size(&keyed(&p.db)), 16_384);
    // With the key but SQLCipher's default 4 KiB pages the file does not read.
    let default_pages = Connection::open(&p.db).unwrap();
    default_pages
        .pragma_update(None, "key", key_of(&p.db).pragma_value())
        .unwrap();
    assert!(
        default_pages
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r
                .get::<_, i64>(0))
            .is_err()
    );
    let backup = p.dir.path().join("b.db");
    dana(&p, &["backup", backup.to_str().unwrap()]);
    assert_eq!(std::fs::metadata(&backup).unwrap().len() % 16_384, 0);
    dana(&p, &["restore", backup.to_str().unwrap(), "--check"]);
}
