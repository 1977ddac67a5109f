//! Shared helpers for the integration tests: run the real binary on a temporary database with a
//! fixed today, and dump every table to prove a refused command wrote nothing.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const TODAY: &str = "2026-11-23";

pub struct Practice {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Practice {
    pub fn new() -> Practice {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("practice.db");
        Practice { dir, db }
    }

    /// The binary with this database and today.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("caseload").unwrap();
        cmd.env("CASELOAD_DB", &self.db)
            .env("CASELOAD_TODAY", TODAY)
            .env_remove("CASELOAD_PASSPHRASE")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        cmd
    }

    /// Runs a command that must succeed; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must be refused with exit 1 and one line on stderr; returns it.
    pub fn refused(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
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

    /// Every row of every table, as text: equal dumps mean nothing was written.
    pub fn dump(&self) -> String {
        dump(&self.db)
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
