//! The SQLite end of a copy: reading a practice file inside one snapshot, and writing a new
//! (or empty) caseload file in one transaction with its triggers dropped and put back from
//! their own SQL. It knows the file format only through SQL.

use super::{Place, Table, chain_broke, not_empty};
use crate::error::{Error, Result};
use crate::store::audit::{self, Verified};
use crate::store::outfile::remove_database;
use crate::store::{Snapshot, Store};
use rusqlite::Connection;
use rusqlite::types::Value;
use std::path::{Path, PathBuf};

pub(super) struct Reader<'a> {
    conn: &'a Snapshot<'a>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(conn: &'a Snapshot<'a>) -> Reader<'a> {
        Reader { conn }
    }
}

impl super::Reader for Reader<'_> {
    fn count(&mut self, table: &Table) -> Result<u64> {
        let n: i64 =
            self.conn
                .query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| {
                    r.get(0)
                })?;
        Ok(n as u64)
    }

    fn each(&mut self, table: &Table, put: &mut super::Sink) -> Result<u64> {
        let mut stmt = self.conn.prepare(&table.select())?;
        let width = table.columns.len();
        let mut rows = stmt.query([])?;
        let mut values = Vec::with_capacity(width);
        let mut n = 0;
        while let Some(r) = rows.next()? {
            values.clear();
            for i in 0..width {
                values.push(r.get::<_, Value>(i)?);
            }
            put(&values)?;
            n += 1;
        }
        Ok(n)
    }
}

pub(super) struct Writer {
    conn: crate::store::db::Connection,
    path: PathBuf,
    /// True when this copy created the file: abandoning it removes it.
    created: bool,
    /// The triggers and indexes as created, put back before the commit.
    triggers: Vec<String>,
    indexes: Vec<String>,
    target: Place,
}

impl Writer {
    /// The caseload file at `path`: created when missing, else it must hold no practice.
    pub(super) fn open(path: &Path, target: &Place) -> Result<Writer> {
        let store = Store::open(path)?;
        let created = store.created_file();
        let held: i64 = store
            .conn()
            .query_row(super::PRACTICE_ROWS, [], |r| r.get(0))?;
        drop(store);
        let remove = |created: bool| {
            if created {
                remove_database(path);
            }
        };
        if held > 0 {
            remove(created);
            return Err(not_empty(target));
        }
        let conn = match Connection::open(path) {
            Ok(conn) => conn,
            Err(e) => {
                remove(created);
                return Err(e.into());
            }
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // References are checked once, after the last row (`foreign_key_check`), rather than
        // row by row.
        // A large page cache for the one big transaction: the rows and the index builds stay
        // in memory instead of spilling to the WAL page by page (it is freed when the copy
        // ends).
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; PRAGMA synchronous = FULL; PRAGMA cache_size = -131072;",
        )?;
        Ok(Writer {
            conn: conn.into(),
            path: path.to_path_buf(),
            created,
            triggers: Vec::new(),
            indexes: Vec::new(),
            target: target.clone(),
        })
    }
}

impl super::Writer for Writer {
    fn begin(&mut self, tables: &[Table]) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let triggers: Vec<(String, String)> = self
            .conn
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY rowid")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &triggers {
            self.conn
                .execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        }
        self.triggers = triggers.into_iter().map(|(_, sql)| sql).collect();
        // An index built once over the loaded rows costs a fraction of one kept up row by
        // row; those SQLite makes for keys and UNIQUE (no SQL of their own) stay.
        let indexes: Vec<(String, String)> = self
            .conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 ORDER BY rowid",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            self.conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        self.indexes = indexes.into_iter().map(|(_, sql)| sql).collect();
        for table in tables.iter().rev() {
            self.conn
                .execute_batch(&format!("DELETE FROM {}", table.name))?;
        }
        Ok(())
    }

    fn table(&mut self, table: &Table, feed: &mut super::Feed) -> Result<u64> {
        let marks = vec!["?"; table.columns.len()].join(", ");
        let mut insert = self.conn.prepare(&format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            table.name,
            table.column_list()
        ))?;
        feed(&mut |row| {
            insert.execute(crate::store::db::params_from_iter(row.iter()))?;
            Ok(())
        })
    }

    fn finish(&mut self, _tables: &[Table]) -> Result<Verified> {
        for sql in self.indexes.iter().chain(&self.triggers) {
            self.conn.execute_batch(sql)?;
        }
        let broken: Option<String> = self
            .conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .ok();
        if let Some(table) = broken {
            return Err(Error::Database(format!(
                "the rows copied to {} do not hold together (a row of {table} refers to one \
                 that is missing); nothing was kept",
                self.target.shown()
            )));
        }
        let verified = match audit::verify(&self.conn)? {
            Ok(v) => v,
            Err(at) => return Err(chain_broke(&self.target, &at)),
        };
        self.conn.execute_batch("COMMIT")?;
        Ok(verified)
    }

    fn abandon(&mut self) {
        let _ = self.conn.execute_batch("ROLLBACK");
        if self.created {
            remove_database(&self.path);
        }
    }
}
