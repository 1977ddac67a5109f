//! Shared helpers for the integration tests: run the real binary on a temporary database with a
//! fixed today, build a practice with the commands every test needs, and dump every table to
//! prove a refused command wrote nothing.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;

pub const TODAY: &str = "2026-11-23";

pub struct Practice {
    pub dir: tempfile::TempDir,
    /// The practice file, or on PostgreSQL the URL of the practice's own database.
    pub db: PathBuf,
    /// What the binary takes as today.
    pub today: &'static str,
    /// The database made for this practice on PostgreSQL (`CASELOAD_TEST_DB=postgres`).
    pub server: Option<ServerDb>,
}

/// True when the suite runs on PostgreSQL: `CASELOAD_TEST_DB=postgres`, each practice a fresh
/// database on the server `CASELOAD_TEST_POSTGRES` names (`.ci/run` starts one for the
/// suite's second run).
pub fn on_postgres() -> bool {
    std::env::var("CASELOAD_TEST_DB").is_ok_and(|v| v == "postgres")
}

/// True (saying why on stderr) when the suite runs on PostgreSQL and the test is about what
/// only a SQLite file has — its bytes, its encryption and backups, the terminal UI, rows
/// written into it by another program — so it returns early there.
pub fn sqlite_only(why: &str) -> bool {
    let on = on_postgres();
    if on {
        eprintln!("not run on PostgreSQL: {why}");
    }
    on
}

/// A database made for one practice on the test server, dropped with it.
pub struct ServerDb {
    admin: String,
    name: String,
}

impl ServerDb {
    fn new() -> ServerDb {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("CASELOAD_TEST_POSTGRES")
            .expect("CASELOAD_TEST_DB=postgres needs CASELOAD_TEST_POSTGRES (a server URL)");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "caseload_it_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        ServerDb { admin, name }
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        let (server, _) = self.admin.rsplit_once('/').unwrap();
        format!("{server}/{}", self.name)
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

impl Practice {
    /// An empty practice on [`TODAY`].
    pub fn new() -> Practice {
        Practice::on(TODAY)
    }

    /// An empty practice whose today is `today`.
    pub fn on(today: &'static str) -> Practice {
        let dir = tempfile::tempdir().unwrap();
        let (db, server) = if on_postgres() {
            let server = ServerDb::new();
            (PathBuf::from(server.url()), Some(server))
        } else {
            (dir.path().join("practice.db"), None)
        };
        Practice {
            dir,
            db,
            today,
            server,
        }
    }

    /// A practice in a SQLite file whatever the engine the suite runs on: for tests whose
    /// subject is the file (copies between engines, encryption, backups).
    pub fn file_on(today: &'static str) -> Practice {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("practice.db");
        Practice {
            dir,
            db,
            today,
            server: None,
        }
    }

    /// The binary with this database and today, no passphrase, and a home of its own.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("caseload").unwrap();
        cmd.env("CASELOAD_DB", &self.db)
            .env("CASELOAD_TODAY", self.today)
            .env_remove("CASELOAD_PASSPHRASE")
            .env_remove("CASELOAD_NEW_PASSPHRASE")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        cmd
    }

    /// The binary as [`cmd`](Practice::cmd) makes it, with passphrase `pass` if given.
    pub fn cmd_as(&self, pass: Option<&str>) -> Command {
        let mut cmd = self.cmd();
        if let Some(pass) = pass {
            cmd.env("CASELOAD_PASSPHRASE", pass);
        }
        cmd
    }

    /// Runs a command with passphrase `pass` (and `new` as the passphrase being set, if any);
    /// returns its output whether it succeeded or not.
    pub fn run_as(&self, pass: &str, new: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = self.cmd_as(Some(pass));
        if let Some(new) = new {
            cmd.env("CASELOAD_NEW_PASSPHRASE", new);
        }
        cmd.args(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_as(None, args)
    }

    /// Runs a command with passphrase `pass` (if given) that must succeed; returns stdout.
    pub fn ok_as(&self, pass: Option<&str>, args: &[&str]) -> String {
        let out = self.cmd_as(pass).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must be refused with exit 1 and one line on stderr; returns it.
    pub fn refused(&self, args: &[&str]) -> String {
        self.refused_as(None, args)
    }

    /// Runs a command with passphrase `pass` (if given) that must be refused with exit 1 and
    /// one line on stderr; returns it.
    pub fn refused_as(&self, pass: Option<&str>, args: &[&str]) -> String {
        let out = self.cmd_as(pass).args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should exit 1; stderr: {stderr}"
        );
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: one line, got {stderr:?}"
        );
        stderr
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// [`json`](Practice::json) with passphrase `pass`.
    pub fn json_as(&self, pass: Option<&str>, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok_as(pass, args)).unwrap()
    }

    /// Runs `sql` straight on the database, as another program would (parameters `?1`, `?2`,
    /// … as text), on either engine; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        match &self.server {
            Some(server) => {
                let mut text = sql.to_string();
                for n in (1..=params.len()).rev() {
                    text = text.replace(&format!("?{n}"), &format!("${n}"));
                }
                let values: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                server.client().execute(&text, &values).unwrap()
            }
            None => rusqlite::Connection::open(&self.db)
                .unwrap()
                .execute(sql, rusqlite::params_from_iter(params))
                .unwrap() as u64,
        }
    }

    /// The one integer `sql` selects, read straight from the database, on either engine.
    pub fn count(&self, sql: &str) -> i64 {
        match &self.server {
            Some(server) => server.client().query_one(sql, &[]).unwrap().get(0),
            None => rusqlite::Connection::open(&self.db)
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
        }
    }

    /// Every row of every table, as text: equal dumps mean nothing was written.
    pub fn dump(&self) -> String {
        match &self.server {
            Some(server) => dump_server(&mut server.client()),
            None => dump(&self.db),
        }
    }

    /// A hash of the database file's bytes (and its write-ahead log, if one is left): an equal
    /// hash after a refused command means the file itself was not touched.
    pub fn file_hash(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut h = DefaultHasher::new();
        if self.server.is_some() {
            // A server's database has no file: its rows stand for it.
            self.dump().hash(&mut h);
            return h.finish();
        }
        std::fs::read(&self.db).unwrap().hash(&mut h);
        let wal = self.db.with_extension("db-wal");
        std::fs::read(&wal).unwrap_or_default().hash(&mut h);
        h.finish()
    }

    /// Writes `text` to a file `name` beside the database; returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `clinician add NAME --role admin --hourly-cost COST`.
    pub fn admin(&self, name: &str, hourly_cost: &str) {
        self.ok(&[
            "clinician",
            "add",
            name,
            "--role",
            "admin",
            "--hourly-cost",
            hourly_cost,
        ]);
    }

    /// `contract add NAME --model capitation --rate RATE`, then `more` (`--withhold 10`, …).
    pub fn capitation(&self, name: &str, rate: &str, more: &[&str]) {
        let mut args = vec![
            "contract",
            "add",
            name,
            "--model",
            "capitation",
            "--rate",
            rate,
        ];
        args.extend(more);
        self.ok(&args);
    }

    /// `log WHO --kind KIND --date DATE --minutes MINUTES --status STATUS`.
    pub fn log(&self, who: &str, kind: &str, date: &str, minutes: &str, status: &str) {
        self.ok(&[
            "log",
            who,
            "--kind",
            kind,
            "--date",
            date,
            "--minutes",
            minutes,
            "--status",
            status,
        ]);
    }

    /// `measure WHO --instrument INSTRUMENT --score SCORE --date DATE`.
    pub fn measure(&self, who: &str, instrument: &str, score: &str, date: &str) {
        self.ok(&[
            "measure",
            who,
            "--instrument",
            instrument,
            "--score",
            score,
            "--date",
            date,
        ]);
    }
}

pub fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables.sort();
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("## {table}\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .unwrap();
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..columns)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            out.push_str(&row.unwrap().join("|"));
            out.push('\n');
        }
    }
    out
}

/// [`dump`] of a practice on PostgreSQL: every row of every table as the server writes it.
pub fn dump_server(client: &mut postgres::Client) -> String {
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             ORDER BY table_name::text COLLATE \"C\"",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!("## {table}\n"));
        let rows = client
            .query(
                &format!("SELECT x::text FROM {table} x ORDER BY x::text COLLATE \"C\""),
                &[],
            )
            .unwrap();
        for row in rows {
            out.push_str(&row.get::<_, String>(0));
            out.push('\n');
        }
    }
    out
}
