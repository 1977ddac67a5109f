//! No command may destroy, half-write or silently change data (issue 11): what a command must
//! refuse, shown through the real binary, with the database compared byte for byte (or table by
//! table) before and after.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;

use common::Practice;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn practice() -> Practice {
    let p = Practice::new();
    p.admin("Dana Reyes", "95");
    p.capitation("Harbor Health", "45", &[]);
    p.ok(&[
        "client",
        "add",
        "Ann Lee",
        "--external-id",
        "M-1",
        "--since",
        "2026-09-01",
        "--contract",
        "Harbor Health",
    ]);
    p.log("ann", "session", "2026-11-02", "50", "completed");
    p
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// The binary through `sh`, so a test can close or redirect its stdout as a shell user would.
fn shell(p: &Practice, line: &str) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(line)
        .env("BIN", env!("CARGO_BIN_EXE_caseload"))
        .env("CASELOAD_DB", &p.db)
        .env("CASELOAD_TODAY", p.today)
        .env_remove("CASELOAD_PASSPHRASE")
        .env("HOME", p.dir.path())
        .env("XDG_DATA_HOME", p.dir.path().join("data"))
        .current_dir(p.dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// 1. Files a command writes.

#[test]
fn export_never_writes_over_the_database_or_an_existing_file() {
    if common::sqlite_only("the practice file itself as an export target") {
        return;
    }
    let p = practice();
    let db = p.db.to_str().unwrap();
    let before = p.dump();
    for target in [db.to_string(), format!("{db}-wal"), format!("{db}-shm")] {
        for force in [false, true] {
            let mut args = vec!["export", "--json", target.as_str()];
            if force {
                args.push("--force");
            }
            let err = p.refused(&args);
            assert!(err.contains("is the practice database"), "{err}");
        }
    }
    // Another name for the same file (a hard link) is still the database.
    let alias = p.dir.path().join("alias.db");
    std::fs::hard_link(&p.db, &alias).unwrap();
    let err = p.refused(&["export", "--json", alias.to_str().unwrap(), "--force"]);
    assert!(err.contains("is the practice database"), "{err}");
    let err = p.refused(&["backup", alias.to_str().unwrap(), "--force"]);
    assert!(err.contains("practice database"), "{err}");
    assert_eq!(p.dump(), before, "the practice is intact");

    let notes = p.write("notes.txt", "my own notes\n");
    let err = p.refused(&["export", "--json", notes.to_str().unwrap()]);
    assert!(
        err.contains("notes.txt exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(bytes(&notes), b"my own notes\n");
    let err = p.refused(&["backup", notes.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(bytes(&notes), b"my own notes\n");
    let err = p.refused(&["export", "--json", "/dev/null", "--force"]);
    assert!(err.contains("not a regular file"), "{err}");

    // --force replaces a file of one's own, whole.
    p.ok(&["export", "--json", notes.to_str().unwrap(), "--force"]);
    let json: serde_json::Value = serde_json::from_slice(&bytes(&notes)).unwrap();
    assert_eq!(json["format"], "caseload-export");
    let leftovers: Vec<_> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn csv_export_refuses_a_folder_that_is_not_empty_without_force() {
    let p = practice();
    let dir = p.dir.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let mine = dir.join("clients.csv");
    std::fs::write(&mine, "mine\n").unwrap();
    let err = p.refused(&["export", "--csv", dir.to_str().unwrap()]);
    assert!(
        err.contains("is not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(bytes(&mine), b"mine\n");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing added");
    // The database's own folder is not empty either.
    let err = p.refused(&["export", "--csv", p.dir.path().to_str().unwrap()]);
    assert!(err.contains("is not empty"), "{err}");
    p.ok(&["export", "--csv", dir.to_str().unwrap(), "--force"]);
    assert!(String::from_utf8(bytes(&mine)).unwrap().starts_with("id,"));
    // A new folder needs no --force.
    p.ok(&[
        "export",
        "--csv",
        p.dir.path().join("new").to_str().unwrap(),
    ]);
}

// 3. Output that cannot be written.

/// Every command that prints, as a therapist or a script runs it.
const PRINTING: &[&str] = &[
    "flags",
    "flags --json",
    "flags --csv",
    "client list",
    "client list --json",
    "client show ann",
    "client show ann --json",
    "clinician list",
    "contract list",
    "config list",
    "config get contact-days.high",
    "today",
    "today --json",
    "report value",
    "report value --json",
    "report revenue",
    "report revenue --json",
    "report revenue --csv",
    "reconcile --contract 'Harbor Health' --month 2026-11",
    "audit verify",
    "audit report",
    "audit report --json",
    "--help",
];

#[test]
fn a_full_disk_is_one_line_and_exit_1_never_a_panic() {
    let p = practice();
    for command in PRINTING.iter().filter(|c| !c.starts_with("--help")) {
        let out = shell(&p, &format!("\"$BIN\" {command} > /dev/full"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert_eq!(err.lines().count(), 1, "{command}: {err}");
        assert!(
            err.starts_with("error: cannot write the output"),
            "{command}: {err}"
        );
        assert!(!err.contains("internal error"), "{command}: {err}");
    }
    // A command that records something says it was kept, so it is not entered twice.
    let before = p.dump();
    let out = shell(
        &p,
        "\"$BIN\" log ann --kind phone --minutes 10 --date 2026-11-20 > /dev/full",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("saved"), "{}", stderr(&out));
    assert_ne!(p.dump(), before);
}

#[test]
fn a_closed_pipe_or_a_closed_stdout_ends_quietly_with_exit_0() {
    let p = practice();
    for command in PRINTING {
        for (how, line) in [
            (
                "pipe",
                format!("\"$BIN\" {command} | true; exit ${{PIPESTATUS[0]}}"),
            ),
            (
                "head",
                format!("\"$BIN\" {command} | head -c1 >/dev/null; exit ${{PIPESTATUS[0]}}"),
            ),
            ("closed", format!("\"$BIN\" {command} >&-")),
        ] {
            let out = shell(&p, &line);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{command} ({how}): {}",
                stderr(&out)
            );
            assert_eq!(stderr(&out), "", "{command} ({how})");
        }
    }
}

#[test]
fn the_screen_without_a_terminal_says_so_and_exits_2() {
    let p = practice();
    for line in [
        "\"$BIN\" < /dev/null > out.txt",
        "\"$BIN\" | cat",
        "\"$BIN\" --demo < /dev/null",
    ] {
        let out = shell(&p, &format!("{line}; exit ${{PIPESTATUS[0]}}"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{line}: {err}");
        assert!(err.contains("needs a terminal"), "{line}: {err}");
        assert!(!err.contains("internal error"), "{err}");
    }
    assert!(!p.dir.path().join("data/caseload/demo.db").exists());
}

// 4. Files that are not caseload's.

#[test]
fn a_foreign_or_newer_database_is_refused_untouched() {
    let p = Practice::new();
    let foreign = p.dir.path().join("recipes.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch(
            "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');",
        )
        .unwrap();
    }
    let before = bytes(&foreign);
    let out = p
        .cmd()
        .env("CASELOAD_DB", &foreign)
        .args(["client", "list"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("recipes.db is not a caseload database"),
        "{err}"
    );
    assert_eq!(bytes(&foreign), before, "not switched to WAL, not migrated");
    assert!(!p.dir.path().join("recipes.db-wal").exists());

    // A caseload database from a newer caseload: refused before WAL or migration.
    let newer = p.dir.path().join("newer.db");
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute_batch("PRAGMA application_id = 1129532484; PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = bytes(&newer);
    let out = p
        .cmd()
        .env("CASELOAD_DB", &newer)
        .args(["flags"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("newer caseload"), "{}", stderr(&out));
    assert_eq!(bytes(&newer), before);

    // Not SQLite at all, or SQLite's header over garbage: named by path.
    let text = p.write("notes.txt", "dear diary\n");
    let out = p
        .cmd()
        .env("CASELOAD_DB", &text)
        .args(["client", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("notes.txt is not a caseload database"));
    assert_eq!(bytes(&text), b"dear diary\n");
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend(std::iter::repeat_n(0xA5u8, 4096));
    let broken = p.dir.path().join("broken.db");
    std::fs::write(&broken, &garbage).unwrap();
    let out = p
        .cmd()
        .env("CASELOAD_DB", &broken)
        .args(["client", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.db"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
    assert_eq!(bytes(&broken), garbage);
}

#[test]
fn a_database_made_before_the_application_id_is_marked_on_open() {
    if common::sqlite_only("SQLite's application id of a practice file") {
        return;
    }
    let p = practice();
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute_batch("PRAGMA application_id = 0").unwrap();
    }
    p.ok(&["client", "list"]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, 0x4353_4C44);
}

// 5. Paths that are not what they seem.

#[test]
fn a_missing_folder_or_an_unknown_url_is_refused_not_created() {
    let p = Practice::new();
    let out = shell(&p, "\"$BIN\" --db no/such/dir/x.db client list");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no folder no/such/dir"),
        "{}",
        stderr(&out)
    );
    assert!(!p.dir.path().join("no").exists());
    for url in [
        "mysql://dana:s3cret@db.example/practice",
        "postgresql://dana:s3cret@localhost/practice",
    ] {
        let out = shell(&p, &format!("\"$BIN\" --db '{url}' client list"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1);
        assert!(
            !err.contains("s3cret"),
            "a password is never printed: {err}"
        );
        assert!(!p.dir.path().join(url.split('/').next().unwrap()).exists());
    }
    // The default data folder is still made for a first run.
    let out = shell(&p, "unset CASELOAD_DB; \"$BIN\" client list");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(p.dir.path().join("data/caseload/caseload.db").exists());
}

// 6. Leftovers and limits.

#[test]
fn limits_on_what_is_typed() {
    let p = practice();
    let before = p.dump();
    let err = p.refused(&["log", "ann", "--kind", "session", "--date", "0000-01-01"]);
    assert!(err.contains("before 1900"), "{err}");
    let err = p.refused(&["client", "add", "Old Timer", "--dob", "1899-12-31"]);
    assert!(err.contains("before 1900"), "{err}");
    let err = p.refused(&["client", "add", "Not Born", "--dob", "2026-11-24"]);
    assert!(err.contains("future"), "{err}");
    let err = p.refused(&[
        "attribute",
        "ann",
        "--contract",
        "Harbor Health",
        "--from",
        "2026-12-01",
        "--to",
        "2031-01-01",
    ]);
    assert!(err.contains("more than 2 years ahead"), "{err}");
    assert_eq!(p.dump(), before);
    let out = p
        .cmd()
        .env("CASELOAD_DB", p.dir.path().join("big.db"))
        .args(["demo", "--clients", "1000001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!p.dir.path().join("big.db").exists());
}

#[test]
fn passphrases_refuse_common_passwords_and_ones_own_name_and_an_empty_one_is_none() {
    if common::sqlite_only("it reads the file with SQLite") {
        return;
    }
    let p = practice();
    let set = |new: &str| {
        p.cmd()
            .env("CASELOAD_NEW_PASSPHRASE", new)
            .args(["clinician", "passphrase", "Dana Reyes"])
            .output()
            .unwrap()
    };
    let before = p.dump();
    for (new, why) in [
        ("password1", "most common"),
        ("Qwertyuiop", "most common"),
        ("Dana Reyes", "own name"),
        ("reyes2026", "own name"),
    ] {
        let out = set(new);
        assert_eq!(out.status.code(), Some(1), "{new}");
        assert!(stderr(&out).contains(why), "{new}: {}", stderr(&out));
    }
    assert_eq!(p.dump(), before);
    assert!(set("harbor light 42").status.success());

    // CASELOAD_PASSPHRASE= is no passphrase: asked for, not counted as a failed login.
    let throttle = || {
        rusqlite::Connection::open(&p.db)
            .unwrap()
            .query_row(
                "SELECT coalesce(sum(failures), 0) FROM login_throttle",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
    };
    let out = p
        .cmd()
        .env("CASELOAD_PASSPHRASE", "")
        .args(["--as", "Dana Reyes", "flags"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("CASELOAD_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    assert_eq!(throttle(), 0);
}

#[test]
fn a_killed_restores_plaintext_leftover_is_removed_at_the_next_open() {
    if common::sqlite_only("a restore's leftover beside a practice file") {
        return;
    }
    let p = practice();
    // What a restore killed midway leaves: a hidden copy named for the database, written by a
    // process that is gone (no Linux process has a pid above 4,194,304).
    let leftover = p
        .dir
        .path()
        .join(".practice.db.before-restore-20261123T100000Z.tmp-4194305-0");
    std::fs::write(&leftover, b"SQLite format 3\0 plaintext").unwrap();
    p.ok(&["client", "list"]);
    if cfg!(target_os = "linux") {
        assert!(!leftover.exists());
    }
}
