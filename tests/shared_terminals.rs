//! Shared terminals through the real binary: passphrases, roles on the command line, the
//! audit trail (one row per action kind, tamper detection by `audit verify`), and the
//! no-echo passphrase prompt in a pseudo-terminal.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const ADMIN_PASS: &str = "harbor light 42";
const SAM_PASS: &str = "sam's quiet room";

/// The common practice on 2026-03-10, each command run with a passphrase or none.
struct Practice(common::Practice);

impl Practice {
    fn new() -> Practice {
        Practice(common::Practice::on("2026-03-10"))
    }

    fn cmd(&self, pass: Option<&str>, args: &[&str]) -> Command {
        let mut cmd = self.0.cmd_as(pass);
        cmd.args(args);
        cmd
    }

    fn ok(&self, pass: Option<&str>, args: &[&str]) -> String {
        self.0.ok_as(pass, args)
    }

    /// Runs a command that must be refused (exit 1) and returns its one-line stderr.
    fn refused(&self, pass: Option<&str>, args: &[&str]) -> String {
        self.0.refused_as(pass, args)
    }

    /// Dana (admin), Sam (clinician), Priya (supervisor); a client each for Sam and Priya.
    fn staffed() -> Practice {
        let p = Practice::new();
        p.ok(None, &["clinician", "add", "Dana Reyes", "--role", "admin"]);
        p.ok(None, &["clinician", "add", "Sam Okafor"]);
        p.ok(
            None,
            &[
                "clinician",
                "add",
                "Priya Natarajan",
                "--role",
                "supervisor",
            ],
        );
        p.0.capitation("Harbor", "45", &[]);
        p.ok(
            None,
            &[
                "client",
                "add",
                "Quentin Samsa",
                "--clinician",
                "Sam",
                "--since",
                "2026-01-05",
            ],
        );
        p.ok(
            None,
            &[
                "client",
                "add",
                "Ximena Prior",
                "--clinician",
                "Priya",
                "--since",
                "2026-01-05",
            ],
        );
        p
    }

    fn protect(&self) {
        self.ok(Some(ADMIN_PASS), &["clinician", "passphrase", "Dana"]);
        let mut set_sam = self.cmd(
            Some(ADMIN_PASS),
            &["--as", "Dana", "clinician", "passphrase", "Sam"],
        );
        set_sam
            .env("CASELOAD_NEW_PASSPHRASE", SAM_PASS)
            .assert()
            .success();
        let mut set_priya = self.cmd(
            Some(ADMIN_PASS),
            &["--as", "Dana", "clinician", "passphrase", "Priya"],
        );
        set_priya
            .env("CASELOAD_NEW_PASSPHRASE", "priya supervises")
            .assert()
            .success();
    }

    fn audit(&self) -> Vec<Value> {
        let out = self.ok(
            Some(ADMIN_PASS),
            &["--as", "Dana", "audit", "report", "--json"],
        );
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn names(json: &str) -> Vec<String> {
    serde_json::from_str::<Value>(json)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn without_passphrases_everything_works_as_before() {
    let p = Practice::staffed();
    let all = p.ok(None, &["client", "list", "--json"]);
    assert_eq!(names(&all).len(), 2);
    p.ok(
        None,
        &["log", "Quentin", "--kind", "session", "--minutes", "50"],
    );
    p.ok(None, &["config", "set", "lock-minutes", "10"]);
    assert_eq!(p.ok(None, &["config", "get", "lock-minutes"]).trim(), "10");
}

#[test]
fn the_first_passphrase_must_be_an_admins_and_bad_ones_write_nothing() {
    let p = Practice::staffed();
    let err = p.refused(Some("long enough one"), &["clinician", "passphrase", "Sam"]);
    assert!(err.contains("admin"), "{err}");
    let err = p.refused(Some("short"), &["clinician", "passphrase", "Dana"]);
    assert!(err.contains("at least 8"), "{err}");
    let err = p.refused(None, &["clinician", "passphrase", "Dana"]);
    assert!(err.contains("CASELOAD_NEW_PASSPHRASE"), "{err}");
    // Nothing was set: the practice still works without --as.
    p.ok(None, &["client", "list"]);
    let list = p.ok(None, &["clinician", "list"]);
    assert!(!list.contains("set"), "{list}");
}

#[test]
fn with_passphrases_client_data_needs_an_authenticated_clinician_and_roles_hold() {
    let p = Practice::staffed();
    p.protect();

    // No one named, or the wrong passphrase: refused.
    let err = p.refused(None, &["client", "list"]);
    assert!(err.contains("--as"), "{err}");
    p.refused(None, &["log", "Quentin", "--kind", "session"]);
    let err = p.refused(Some("not sam's"), &["--as", "Sam", "client", "list"]);
    assert!(err.contains("wrong passphrase"), "{err}");
    // Lists of names and settings stay readable (the lock screen needs the names).
    p.ok(None, &["clinician", "list"]);
    p.ok(None, &["config", "list"]);

    // A clinician sees and changes only their own panel.
    let sam = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--as", "Sam"];
        all.extend_from_slice(args);
        all.iter().map(|s| s.to_string()).collect()
    };
    let own = p.ok(
        Some(SAM_PASS),
        &sam(&["client", "list", "--json"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(names(&own), ["Quentin Samsa"]);
    p.ok(
        Some(SAM_PASS),
        &[
            "--as",
            "Sam",
            "log",
            "Quentin",
            "--kind",
            "session",
            "--minutes",
            "50",
        ],
    );
    p.ok(
        Some(SAM_PASS),
        &["--as", "Sam", "client", "show", "Quentin"],
    );
    for denied in [
        vec!["client", "show", "2"],
        vec!["log", "2", "--kind", "phone"],
        vec!["client", "tier", "2", "low"],
        vec!["client", "list", "--clinician", "Priya"],
        vec!["client", "add", "New Person", "--clinician", "Priya"],
        vec!["config", "set", "lock-minutes", "9"],
        vec![
            "contract",
            "add",
            "X",
            "--model",
            "capitation",
            "--rate",
            "1",
        ],
        vec!["clinician", "add", "Someone"],
        vec!["clinician", "passphrase", "Priya"],
        vec!["audit", "report"],
    ] {
        let mut args = vec!["--as", "Sam"];
        args.extend(denied.iter());
        let err = p.refused(Some(SAM_PASS), &args);
        assert!(err.contains("may not"), "{denied:?}: {err}");
        assert!(!err.contains("Ximena"), "a denial names no client: {err}");
    }
    // A name fragment never offers another clinician's client as a candidate.
    let err = p.refused(Some(SAM_PASS), &["--as", "Sam", "client", "show", "Prior"]);
    assert!(
        err.contains("no client matches") && !err.contains("Ximena"),
        "{err}"
    );

    // A supervisor sees everyone's, changes only their own.
    let priya = "priya supervises";
    let all = p.ok(Some(priya), &["--as", "Priya", "client", "list", "--json"]);
    assert_eq!(names(&all).len(), 2);
    let sams = p.ok(
        Some(priya),
        &[
            "--as",
            "Priya",
            "client",
            "list",
            "--clinician",
            "Sam",
            "--json",
        ],
    );
    assert_eq!(names(&sams), ["Quentin Samsa"]);
    p.ok(Some(priya), &["--as", "Priya", "client", "show", "Quentin"]);
    p.refused(
        Some(priya),
        &["--as", "Priya", "log", "Quentin", "--kind", "phone"],
    );
    p.ok(
        Some(priya),
        &["--as", "Priya", "log", "Ximena", "--kind", "phone"],
    );

    // The admin does everything.
    p.ok(
        Some(ADMIN_PASS),
        &["--as", "Dana", "log", "Quentin", "--kind", "coordination"],
    );
    p.ok(
        Some(ADMIN_PASS),
        &["--as", "Dana", "config", "set", "lock-minutes", "7"],
    );

    // Changing one's own passphrase needs the current one; the old one then fails.
    let mut change = p.cmd(
        Some("wrong current"),
        &["--as", "Sam", "clinician", "passphrase", "Sam"],
    );
    change
        .env("CASELOAD_NEW_PASSPHRASE", "a brand new one")
        .assert()
        .code(1);
    let mut change = p.cmd(
        Some(SAM_PASS),
        &["--as", "Sam", "clinician", "passphrase", "Sam"],
    );
    change
        .env("CASELOAD_NEW_PASSPHRASE", "a brand new one")
        .assert()
        .success();
    p.refused(Some(SAM_PASS), &["--as", "Sam", "client", "list"]);
    p.ok(Some("a brand new one"), &["--as", "Sam", "client", "list"]);

    // Every denial was audited, with the client's id and never its name.
    let rows = p.audit();
    let denied: Vec<&Value> = rows
        .iter()
        .filter(|r| r["action"] == "access.denied")
        .collect();
    assert!(denied.len() >= 12, "{}", denied.len());
    assert!(denied.iter().any(|r| r["client_id"] == 2));
    for r in &rows {
        let detail = r["detail"].as_str().unwrap();
        assert!(
            !detail.contains("Ximena") && !detail.contains("Quentin"),
            "{detail}"
        );
    }
    p.ok(None, &["audit", "verify"]);
}

#[test]
fn refusals_say_whose_panel_or_passphrase_it_was() {
    let p = Practice::staffed();
    p.protect();
    for (args, said) in [
        (
            &["client", "add", "New Person", "--clinician", "Dana Reyes"][..],
            "Sam Okafor (clinician) may not add a client to Dana Reyes's panel",
        ),
        (
            &["client", "list", "--clinician", "Priya"][..],
            "Sam Okafor (clinician) may not list Priya Natarajan's clients",
        ),
        (
            &["clinician", "passphrase", "Priya"][..],
            "Sam Okafor (clinician) may not set another clinician's passphrase",
        ),
        (
            &["client", "tier", "2", "low"][..],
            "Sam Okafor (clinician) may not change client 2 (the client is on another clinician's panel)",
        ),
    ] {
        let mut with_as = vec!["--as", "Sam"];
        with_as.extend(args);
        let err = p.refused(Some(SAM_PASS), &with_as);
        assert_eq!(err.trim_end(), format!("error: {said}"), "{args:?}");
    }
}

#[test]
fn every_action_kind_leaves_exactly_one_audit_row() {
    let p = Practice::new();
    let count = |rows: &[Value], kind: &str| rows.iter().filter(|r| r["action"] == kind).count();
    // (action kind, passphrase, command, another kind the same command also writes once)
    type Step<'a> = (&'a str, Option<&'a str>, Vec<&'a str>, Option<&'a str>);
    let steps: Vec<Step> = vec![
        (
            "clinician.add",
            None,
            vec!["clinician", "add", "Dana Reyes", "--role", "admin"],
            None,
        ),
        (
            "contract.add",
            None,
            vec![
                "contract",
                "add",
                "Harbor",
                "--model",
                "capitation",
                "--rate",
                "45",
            ],
            None,
        ),
        (
            "client.add",
            None,
            vec!["client", "add", "Quentin Samsa", "--since", "2026-01-05"],
            None,
        ),
        (
            "attribution.add",
            None,
            vec![
                "attribute",
                "Quentin",
                "--contract",
                "Harbor",
                "--from",
                "2026-01-05",
            ],
            None,
        ),
        (
            "encounter.add",
            None,
            vec![
                "log",
                "Quentin",
                "--kind",
                "session",
                "--minutes",
                "50",
                "--note",
                "private words",
            ],
            None,
        ),
        (
            "measurement.add",
            None,
            vec![
                "measure",
                "Quentin",
                "--instrument",
                "phq9",
                "--score",
                "12",
            ],
            None,
        ),
        (
            "event.add",
            None,
            vec!["event", "Quentin", "--kind", "ed-visit"],
            None,
        ),
        (
            "client.tier",
            None,
            vec!["client", "tier", "Quentin", "low"],
            None,
        ),
        ("client.view", None, vec!["client", "show", "Quentin"], None),
        (
            "client.export",
            None,
            vec!["client", "show", "Quentin", "--json"],
            None,
        ),
        ("client.list", None, vec!["client", "list"], None),
        (
            "setting.set",
            None,
            vec!["config", "set", "lock-minutes", "6"],
            None,
        ),
        (
            "clinician.passphrase",
            Some(ADMIN_PASS),
            vec!["clinician", "passphrase", "Dana"],
            None,
        ),
        (
            "login",
            Some(ADMIN_PASS),
            // Quentin's ED visit above left a critical follow-up flag: --force.
            vec!["--as", "Dana", "client", "discharge", "Quentin", "--force"],
            Some("client.status"),
        ),
        (
            "login.failed",
            Some("not the one"),
            vec!["--as", "Dana", "client", "list"],
            None,
        ),
        ("access.denied", None, vec!["client", "list"], None),
        (
            "audit.report",
            Some(ADMIN_PASS),
            vec!["--as", "Dana", "audit", "report"],
            None,
        ),
    ];
    for (seen, (kind, pass, args, also)) in steps.iter().enumerate() {
        let before = if seen == 0 {
            Vec::new()
        } else {
            p.audit_unchecked()
        };
        let _ = p.cmd(*pass, args).output().unwrap();
        let after = p.audit_unchecked();
        for k in std::iter::once(kind).chain(also.iter()) {
            assert_eq!(
                count(&after, k) - count(&before, k),
                1,
                "{args:?} should write one {k} row"
            );
        }
    }
    let rows = p.audit();
    assert!(
        rows.iter()
            .all(|r| !r["detail"].as_str().unwrap().contains("private"))
    );
    assert!(
        rows.iter()
            .all(|r| r["at"].as_str().unwrap().ends_with('Z'))
    );
    p.ok(None, &["audit", "verify"]);
}

impl Practice {
    /// The audit rows read straight from the database (no login row added by reading).
    fn audit_unchecked(&self) -> Vec<Value> {
        if common::on_postgres() {
            let url = self.0.db.to_string_lossy().to_string();
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            return client
                .query("SELECT action, detail, at FROM audit ORDER BY seq", &[])
                .unwrap()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "action": r.get::<_, String>(0),
                        "detail": r.get::<_, String>(1),
                        "at": r.get::<_, String>(2),
                    })
                })
                .collect();
        }
        let conn = rusqlite::Connection::open(&self.0.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT action, detail, at FROM audit ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| {
            Ok(serde_json::json!({
                "action": r.get::<_, String>(0)?,
                "detail": r.get::<_, String>(1)?,
                "at": r.get::<_, String>(2)?,
            }))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    }
}

fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

/// A staffed practice whose audit trail has a few reads in it as well.
fn audited_practice() -> Practice {
    let p = Practice::staffed();
    for _ in 0..4 {
        p.ok(None, &["client", "show", "Quentin"]);
    }
    p
}

#[test]
fn audit_verify_names_the_first_bad_sequence_of_an_edit_a_deletion_and_a_truncation() {
    let p = audited_practice();
    let rows = p.audit_unchecked().len();
    assert!(rows >= 10, "{rows}");
    let good = p.ok(None, &["audit", "verify"]);
    assert!(good.contains(&format!("{rows} rows")), "{good}");

    let cases = [
        (
            "UPDATE audit SET detail = 'nothing happened' WHERE seq = 4",
            4,
            "altered",
        ),
        ("DELETE FROM audit WHERE seq = 6", 6, "missing"),
        (
            &format!("DELETE FROM audit WHERE seq >= {}", rows - 2) as &str,
            rows as i64 - 2,
            "removed",
        ),
    ]
    .map(|(sql, seq, word)| (sql.to_string(), seq, word));
    for (sql, seq, word) in cases {
        // Each case on a practice of its own: a copy of the file, or on a server the same
        // practice made again (its trail is the same length), its append-only triggers
        // switched off as someone with the server's keys could.
        let tampered = if common::on_postgres() {
            let fresh = audited_practice();
            assert_eq!(fresh.audit_unchecked().len(), rows);
            fresh
                .0
                .execute("ALTER TABLE audit DISABLE TRIGGER USER", &[]);
            fresh.0.execute(&sql, &[]);
            (fresh.0.db.clone(), Some(fresh))
        } else {
            let copy = p.0.dir.path().join(format!("tampered-{seq}.db"));
            let src = rusqlite::Connection::open(&p.0.db).unwrap();
            src.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
                .unwrap();
            tamper(&copy, &sql);
            (copy, None)
        };
        let out = Command::cargo_bin("caseload")
            .unwrap()
            .arg("--db")
            .arg(&tampered.0)
            .args(["audit", "verify"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!("sequence {seq}:")) && err.contains(word),
            "{sql}: {err}"
        );
    }
}

#[test]
fn help_documents_the_passphrase_variables() {
    let p = Practice::new();
    let help = p.ok(None, &["clinician", "passphrase", "--help"]);
    assert!(help.contains("CASELOAD_NEW_PASSPHRASE") && help.contains("CASELOAD_PASSPHRASE"));
    let top = p.ok(None, &["--help"]);
    assert!(top.contains("CASELOAD_PASSPHRASE"), "{top}");
    assert!(top.contains("audit"));
}

/// The passphrase typed at the prompt is never echoed, and both entries must agree.
#[test]
fn the_passphrase_prompt_does_not_echo() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};

    let p = Practice::staffed();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("caseload"));
    cmd.args([
        "--db",
        p.0.db.to_str().unwrap(),
        "clinician",
        "passphrase",
        "Dana",
    ]);
    cmd.env_remove("CASELOAD_PASSPHRASE");
    cmd.env_remove("CASELOAD_NEW_PASSPHRASE");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = output.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wait_for = |needle: &str, count: usize| {
        for _ in 0..200 {
            if output.lock().unwrap().matches(needle).count() >= count {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("no '{needle}' in {:?}", output.lock().unwrap());
    };
    wait_for("New passphrase for Dana Reyes:", 1);
    writer.write_all(b"typed secret words\r").unwrap();
    wait_for("Type it again:", 1);
    writer.write_all(b"typed secret words\r").unwrap();
    let status = child.wait().unwrap();
    drop(writer);
    let _ = reading.join();
    let text = output.lock().unwrap().clone();
    assert!(status.success(), "{text}");
    assert!(
        !text.contains("typed secret"),
        "the passphrase was echoed: {text:?}"
    );
    assert!(text.contains("Set the passphrase of Dana Reyes"), "{text}");
    p.ok(
        Some("typed secret words"),
        &["--as", "Dana", "client", "list"],
    );
}
