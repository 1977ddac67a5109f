//! Moving a practice out and keeping it safe, through the real binary: exports neutralise
//! hostile cells, are private and audited, and never carry passphrase hashes; backups taken while
//! another process writes are consistent; restores check the file first, keep the old database,
//! and replace the practice in one transaction even while another connection has it open.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use common::{Practice, dump};
use std::path::Path;
use std::process::Stdio;

const HOSTILE: [&str; 6] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
];

fn practice() -> Practice {
    let p = Practice::new();
    let p = populate(p);
    // Leading tabs and carriage returns cannot be typed through the CLI (names are trimmed),
    // but a payer file or an older tool can leave them in the database.
    p.execute(
        "UPDATE clients SET name = ?1 WHERE external_id = 'M-4'",
        &[HOSTILE[4]],
    );
    p.execute(
        "UPDATE clients SET name = ?1 WHERE external_id = 'M-5'",
        &[HOSTILE[5]],
    );
    p
}

fn populate(p: Practice) -> Practice {
    p.admin("Dana Reyes", "90");
    p.capitation("Harbor", "45", &[]);
    for (i, name) in HOSTILE.iter().enumerate() {
        let ext = format!("M-{i}");
        p.ok(&[
            "client",
            "add",
            "--external-id",
            &ext,
            "--since",
            "2026-01-01",
            "--contract",
            "Harbor",
            "--",
            name,
        ]);
        p.ok(&[
            "log",
            &ext,
            "--kind",
            "session",
            "--minutes",
            "50",
            "--date",
            "2026-11-02",
            "--note",
            "=cmd|' /C calc'!A0",
        ]);
    }
    p
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_export_neutralises_formulas_and_is_private_and_audited() {
    let p = practice();
    let set = p
        .cmd()
        .env("CASELOAD_NEW_PASSPHRASE", "harbor light 42")
        .args(["clinician", "passphrase", "Dana Reyes"])
        .output()
        .unwrap();
    assert!(set.status.success());
    let dir = p.dir.path().join("out/csv");
    let out = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "harbor light 42")
        .args([
            "--as",
            "Dana Reyes",
            "export",
            "--csv",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clients = read_csv(&dir.join("clients.csv"));
    assert_eq!(clients[0][2], "name");
    let names: Vec<&str> = clients[1..].iter().map(|r| r[2].as_str()).collect();
    let mut expected: Vec<String> = HOSTILE[..4].iter().map(|h| format!("'{h}")).collect();
    // A leading tab or carriage return is written as a visible escape, which nothing runs.
    expected.extend(["\\u{9}Tab".to_string(), "\\u{d}CR".to_string()]);
    assert_eq!(names, expected);
    let encounters = read_csv(&dir.join("encounters.csv"));
    let note = encounters[0].iter().position(|h| h == "note").unwrap();
    assert!(
        encounters[1..]
            .iter()
            .all(|r| r[note] == "'=cmd|' /C calc'!A0")
    );
    // Numbers stay numbers.
    let minutes = encounters[0].iter().position(|h| h == "minutes").unwrap();
    assert_eq!(encounters[1][minutes], "50");
    // Every table, passphrase hashes left out.
    for table in [
        "clinicians",
        "clients",
        "contracts",
        "contract_rates",
        "attributions",
        "encounters",
        "measurements",
        "events",
        "settings",
        "audit",
        "roster_imports",
        "roster_members",
    ] {
        assert!(dir.join(format!("{table}.csv")).exists(), "{table}");
    }
    let clinicians = std::fs::read_to_string(dir.join("clinicians.csv")).unwrap();
    assert!(!clinicians.contains("argon2"), "{clinicians}");
    assert!(
        !clinicians
            .lines()
            .next()
            .unwrap()
            .split(',')
            .any(|c| c == "passphrase")
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("clients.csv")), 0o600);
        assert_eq!(mode(&dir.join("audit.csv")), 0o600);
    }
    let audit = read_csv(&dir.join("audit.csv"));
    assert!(audit.len() > 10);
    let rows = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "harbor light 42")
        .args(["--as", "Dana Reyes", "audit", "report", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "export.csv")
    );
    // Without the admin's passphrase there is no export.
    let before = p.dump();
    let err = p.refused(&["export", "--csv", p.dir.path().join("x").to_str().unwrap()]);
    assert!(err.contains("--as"), "{err}");
    assert!(!p.dir.path().join("x").exists());
    assert_eq!(
        p.dump().matches("export.csv").count(),
        before.matches("export.csv").count()
    );
}

#[test]
fn csv_export_never_writes_raw_control_characters() {
    if common::sqlite_only("it stores a NUL in a name, which PostgreSQL's text cannot hold") {
        return;
    }
    let p = Practice::new();
    p.admin("Dana Reyes", "90");
    p.ok(&["client", "add", "Ann Lee", "--external-id", "M-1"]);
    // A note of several lines with an escape sequence in it, as `log` accepts notes.
    p.ok(&[
        "log",
        "M-1",
        "--kind",
        "session",
        "--date",
        "2026-11-02",
        "--note",
        "line one\nline two \u{1b}[31mred\r\nend",
    ]);
    // A name and an id stored before they were checked.
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute(
            "UPDATE clients SET name = ?1, external_id = ?2",
            [
                "Ann\u{0}\u{7}\tLee\u{7f}\u{85}\u{9b}2J\u{202e}\u{2066}\u{200f}",
                "M-1\u{1b}]0;x\u{7}",
            ],
        )
        .unwrap();
    let dir = p.dir.path().join("csv");
    p.ok(&["export", "--csv", dir.to_str().unwrap()]);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .iter()
                .any(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f),
            "{}: a raw C0 control or DEL",
            path.display()
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}')),
            "{}: a raw C1 control or text-direction character",
            path.display()
        );
    }
    let clients = read_csv(&dir.join("clients.csv"));
    let col = |name: &str| clients[0].iter().position(|h| h == name).unwrap();
    assert_eq!(
        clients[1][col("name")],
        "Ann\\u{0}\\u{7}\\u{9}Lee\\u{7f}\\u{85}\\u{9b}2J\\u{202e}\\u{2066}\\u{200f}"
    );
    assert_eq!(clients[1][col("external_id")], "M-1\\u{1b}]0;x\\u{7}");
    let encounters = read_csv(&dir.join("encounters.csv"));
    let note = encounters[0].iter().position(|h| h == "note").unwrap();
    assert_eq!(
        encounters[1][note], "line one\nline two \\u{1b}[31mred\\u{d}\nend",
        "line breaks kept inside the quoted cell, the rest escaped"
    );
    // JSON keeps every value exactly as stored.
    let file = p.dir.path().join("practice.json");
    p.ok(&["export", "--json", file.to_str().unwrap()]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(v.to_string().contains("Ann\\u0000\\u0007\\tLee"), "{v}");
}

#[test]
fn json_export_holds_every_table_exactly() {
    let p = practice();
    let file = p.dir.path().join("practice.json");
    p.ok(&["export", "--json", file.to_str().unwrap()]);
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["format"], "caseload-export");
    let names: Vec<&str> = v["tables"]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, HOSTILE, "JSON keeps values as stored");
    assert_eq!(v["tables"]["encounters"].as_array().unwrap().len(), 6);
    assert_eq!(v["tables"]["encounters"][0]["minutes"], 50);
    assert!(v["tables"]["clinicians"][0].get("passphrase").is_none());
    // Exporting again is refused without --force, and replaces the file with it.
    let before = std::fs::read(&file).unwrap();
    let err = p.refused(&["export", "--json", file.to_str().unwrap()]);
    assert!(err.contains("pass --force"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    p.ok(&["export", "--json", file.to_str().unwrap(), "--force"]);
    // Exactly one of --csv and --json: a usage error otherwise.
    assert_eq!(
        p.cmd().args(["export"]).output().unwrap().status.code(),
        Some(2)
    );
}

fn data_counts(db: &Path) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT count(*) FROM clients"),
        q("SELECT count(*) FROM encounters"),
        q("SELECT count(*) FROM audit WHERE action = 'encounter.add'"),
    )
}

#[test]
fn a_backup_taken_while_another_process_writes_is_consistent_and_restores() {
    if common::sqlite_only("backup and restore of a practice file") {
        return;
    }
    let p = practice();
    // Another process logs 60 encounters, one command (one transaction) at a time.
    let script = "i=0; while [ $i -lt 60 ]; do \"$BIN\" log M-1 --kind phone --minutes 5 \
                  --date 2026-11-0$((i % 9 + 1)) >/dev/null || exit 1; i=$((i+1)); done";
    let mut writer = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("BIN", env!("CARGO_BIN_EXE_caseload"))
        .env("CASELOAD_DB", &p.db)
        .env("CASELOAD_TODAY", common::TODAY)
        .env_remove("CASELOAD_PASSPHRASE")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut backups = Vec::new();
    loop {
        let done = writer.try_wait().unwrap();
        let file = p.dir.path().join(format!("b{}.db", backups.len()));
        p.ok(&["backup", file.to_str().unwrap()]);
        backups.push(file);
        if done.is_some() {
            break;
        }
    }
    assert!(writer.wait().unwrap().success());
    assert!(backups.len() >= 2, "backups ran while the writer wrote");
    let mut seen = Vec::new();
    for b in &backups {
        // Each copy is a snapshot: sound, its chain intact, every encounter with its audit row.
        let check = p.ok(&["restore", "--check", b.to_str().unwrap()]);
        assert!(check.contains("chain intact"), "{check}");
        let (clients, encounters, audited) = data_counts(b);
        assert_eq!(clients, 6);
        assert_eq!(encounters, audited, "a consistent snapshot");
        seen.push(encounters);
        #[cfg(unix)]
        assert_eq!(mode(b), 0o600);
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    let last = backups.last().unwrap();
    assert_eq!(
        data_counts(last),
        data_counts(&p.db),
        "the final backup has everything"
    );
    assert_eq!(data_counts(last).1, 66);
    // Restored into another practice, the counts are equal.
    let other = Practice::new();
    other.ok(&["restore", last.to_str().unwrap()]);
    assert_eq!(data_counts(&other.db), data_counts(&p.db));
    let strip_audit = |d: String| {
        d.split("## audit").next().unwrap().to_string() + d.split("## clients").nth(1).unwrap_or("")
    };
    assert_eq!(strip_audit(other.dump()), strip_audit(p.dump()));
    other.ok(&["audit", "verify"]);
}

#[test]
fn restore_checks_first_keeps_the_old_database_and_replaces_in_one_transaction() {
    if common::sqlite_only("restore into a practice file") {
        return;
    }
    let p = practice();
    let good = p.dir.path().join("good.db");
    p.ok(&["backup", good.to_str().unwrap()]);
    let err = p.refused(&["backup", good.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    p.ok(&["backup", good.to_str().unwrap(), "--force"]);
    // After the backup: more work, which the restore will roll back.
    p.ok(&["client", "add", "Later Client", "--since", "2026-11-01"]);
    let after_backup = data_counts(&p.db);
    assert_eq!(after_backup.0, 7);

    // Files that must not be restored, each refused with the database untouched.
    let before = p.dump();
    let junk = p.dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, just text padding it out to a page",
    )
    .unwrap();
    let plain = p.dir.path().join("plain.db");
    rusqlite::Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    let newer = p.dir.path().join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let tampered = p.dir.path().join("tampered.db");
    std::fs::copy(&good, &tampered).unwrap();
    rusqlite::Connection::open(&tampered)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'edited' WHERE seq = 2;",
        )
        .unwrap();
    for (file, why) in [
        (junk.as_path(), "not a SQLite database"),
        (plain.as_path(), "not a caseload database"),
        (newer.as_path(), "newer caseload"),
        (tampered.as_path(), "audit trail is broken"),
        (p.dir.path().join("missing.db").as_path(), "no such file"),
        (p.db.as_path(), "practice database itself"),
    ] {
        let err = p.refused(&["restore", file.to_str().unwrap()]);
        assert!(err.contains(why), "{}: {err}", file.display());
    }
    assert_eq!(p.dump(), before, "refused restores change nothing");

    // Another connection holds the practice open (as a running terminal UI would).
    let held = rusqlite::Connection::open(&p.db).unwrap();
    let seen = |c: &rusqlite::Connection| {
        c.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert_eq!(seen(&held), 7);
    let out = p.ok(&["restore", good.to_str().unwrap()]);
    assert!(out.contains("kept at"), "{out}");
    assert_eq!(
        seen(&held),
        6,
        "the open connection sees the restored practice"
    );
    drop(held);
    assert_eq!(data_counts(&p.db).0, 6);
    p.ok(&["audit", "verify"]);
    // The database as it was is kept beside it, whole.
    let kept: Vec<_> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.to_string_lossy().contains(".before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(data_counts(&kept[0]).0, 7);
    #[cfg(unix)]
    assert_eq!(mode(&kept[0]), 0o600);
    assert!(dump(&kept[0]).contains("backup.restore"));
}

#[test]
fn a_database_that_cannot_be_opened_is_moved_aside_and_replaced() {
    if common::sqlite_only("a damaged practice file is moved aside") {
        return;
    }
    let p = practice();
    let good = p.dir.path().join("good.db");
    p.ok(&["backup", good.to_str().unwrap()]);
    let counts = data_counts(&p.db);
    // Ruin the practice database (and leave a stale WAL beside it).
    std::fs::write(&p.db, vec![0x5a; 8192]).unwrap();
    assert_eq!(
        p.cmd()
            .args(["client", "list"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
    std::fs::write(p.db.with_extension("db-wal"), b"stale").unwrap();
    let out = p.ok(&["restore", good.to_str().unwrap()]);
    assert!(out.contains(".damaged-"), "{out}");
    assert_eq!(data_counts(&p.db), counts);
    p.ok(&["audit", "verify"]);
    let aside: Vec<String> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.contains(".damaged-"))
        .collect();
    assert!(
        aside.iter().any(|f| f.starts_with("practice.db.damaged-"))
            && aside
                .iter()
                .any(|f| f.starts_with("practice.db-wal.damaged-")),
        "the damaged file and its stale WAL are kept aside, not replayed: {aside:?}"
    );
    assert!(
        !p.db.with_extension("db-wal").exists()
            || std::fs::read(p.db.with_extension("db-wal")).unwrap() != b"stale"
    );
}

#[test]
fn a_clinician_refused_an_export_or_backup_is_told_what_was_refused() {
    let p = Practice::new();
    p.ok(&["clinician", "add", "Ada Admin", "--role", "admin"]);
    p.ok(&["clinician", "add", "Cleo Park", "--role", "clinician"]);
    assert!(
        p.run_as(
            "ada runs the place",
            Some("ada runs the place"),
            &["clinician", "passphrase", "Ada Admin"]
        )
        .status
        .success()
    );
    assert!(
        p.run_as(
            "ada runs the place",
            Some("cleo sees clients"),
            &["--as", "Ada", "clinician", "passphrase", "Cleo Park"]
        )
        .status
        .success()
    );
    let out = p.dir.path().join("copy");
    for args in [
        vec!["--as", "Cleo", "export", "--csv", out.to_str().unwrap()],
        vec!["--as", "Cleo", "backup", out.to_str().unwrap()],
    ] {
        let before = p.dump();
        let refused = p.run_as("cleo sees clients", None, &args);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("may not export, back up or restore the practice")
                && !stderr.contains("settings"),
            "{args:?}: {stderr}"
        );
        assert!(!out.exists());
        // Only the denial itself is audited.
        let after = p.dump();
        assert_eq!(
            after.matches("access.denied").count(),
            before.matches("access.denied").count() + 1
        );
    }
}
