//! Helpers for the PostgreSQL tests: the server from `CASELOAD_TEST_POSTGRES`, a fresh database
//! of its own per test (dropped at the end, so tests run in parallel), the PostgreSQL migration
//! files applied in order, and a SQLite practice made by the real binary to compare with.
//! Nothing here knows the schema; `schema` and `rows` read it from each engine's catalog.
#![allow(dead_code)]

pub mod rows;
pub mod schema;

use postgres::{Client, NoTls};
use std::path::{Path, PathBuf};

/// The server's URL, or `None` (with the reason on stderr) when no server is configured.
/// Under `CI=true` a missing server is a failure: CI starts one (`.ci/postgres.sh`), so its
/// absence means that setup broke, and a skipped test would hide it.
pub fn server() -> Option<String> {
    match std::env::var("CASELOAD_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => panic!(
            "CASELOAD_TEST_POSTGRES is not set under CI=true: .ci/postgres.sh did not start the \
             PostgreSQL cluster (its `note:` line says why)"
        ),
        _ => {
            eprintln!(
                "skipped: CASELOAD_TEST_POSTGRES is not set; point it at a PostgreSQL 15+ server \
                 a test may create databases on (postgresql://USER@HOST:PORT/DB), or run \
                 .ci/run, which starts a throwaway one"
            );
            None
        }
    }
}

/// A database made for one test on the server, dropped (with any connection left) when the
/// value goes, even when the test panics.
pub struct FreshDb {
    admin_url: String,
    pub name: String,
    client: Option<Client>,
}

impl FreshDb {
    pub fn new(admin_url: &str) -> FreshDb {
        let name = unique_name();
        let mut admin = Client::connect(admin_url, NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to CASELOAD_TEST_POSTGRES: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut config: postgres::Config = admin_url.parse().unwrap();
        config.dbname(&name);
        let client = config.connect(NoTls).unwrap();
        FreshDb {
            admin_url: admin_url.to_string(),
            name,
            client: Some(client),
        }
    }

    /// A fresh database with every PostgreSQL migration applied.
    pub fn migrated(admin_url: &str) -> FreshDb {
        let mut db = FreshDb::new(admin_url);
        apply_all(db.client());
        db
    }

    /// This database's URL on the server.
    pub fn url(&self) -> String {
        let (server, _) = self.admin_url.rsplit_once('/').unwrap();
        format!("{server}/{}", self.name)
    }

    pub fn client(&mut self) -> &mut Client {
        self.client.as_mut().unwrap()
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        drop(self.client.take());
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `caseload_test_<pid>_<random>`: unique across the parallel tests and processes.
fn unique_name() -> String {
    use std::hash::{BuildHasher, RandomState};
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    format!("caseload_test_{}_{random:016x}", std::process::id())
}

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// The `NNNN_name.sql` files of a folder, in order.
pub fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    files
}

pub fn sqlite_migrations() -> Vec<PathBuf> {
    migration_files(&migrations_dir())
}

pub fn postgres_migrations() -> Vec<PathBuf> {
    migration_files(&migrations_dir().join("postgres"))
}

/// A Rust-step marker line (`-- caseload: … --`): where the store hands over to Rust.
pub fn is_marker(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("-- caseload:") && line.ends_with("--") && line.len() > "-- caseload:--".len()
}

/// The marker lines of a migration, in order.
pub fn markers(sql: &str) -> Vec<String> {
    sql.lines()
        .filter(|l| is_marker(l))
        .map(|l| l.trim().to_string())
        .collect()
}

/// A migration's SQL split at its marker lines (the Rust steps are not run here).
pub fn parts(sql: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for line in sql.lines() {
        if is_marker(line) {
            parts.push(String::new());
        } else {
            let part = parts.last_mut().unwrap();
            part.push_str(line);
            part.push('\n');
        }
    }
    parts
}

/// Applies every PostgreSQL migration in order, each in one transaction.
pub fn apply_all(client: &mut Client) {
    for file in postgres_migrations() {
        let sql = std::fs::read_to_string(&file).unwrap();
        let mut tx = client.transaction().unwrap();
        for part in parts(&sql) {
            tx.batch_execute(&part)
                .unwrap_or_else(|e| panic!("{}: {}", file.display(), describe(&e)));
        }
        tx.commit().unwrap();
    }
}

/// A PostgreSQL error with the server's message, detail and position, not just "db error".
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {}{}{}",
            db.severity(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default(),
            db.where_().map(|w| format!(" [{w}]")).unwrap_or_default()
        ),
        None => e.to_string(),
    }
}

/// A SQLite practice made by the real binary (its own migrations and Rust steps), in a
/// temporary folder that lives as long as the value.
pub struct SqlitePractice {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl SqlitePractice {
    pub fn new() -> SqlitePractice {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("practice.db");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args(["client", "list"])
            .env("CASELOAD_DB", &db)
            .env("CASELOAD_TODAY", "2026-11-23")
            .env_remove("CASELOAD_PASSPHRASE")
            .env_remove("CASELOAD_NEW_PASSPHRASE")
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "caseload client list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SqlitePractice { dir, db }
    }

    /// A connection with foreign keys enforced, as the store opens it (PostgreSQL always does).
    pub fn connect(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        conn
    }
}
