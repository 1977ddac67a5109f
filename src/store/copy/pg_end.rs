//! The PostgreSQL end of a copy: reading a practice inside one REPEATABLE READ transaction,
//! and writing one with `COPY … FROM STDIN` in one transaction, its user triggers disabled
//! for that transaction (`ALTER TABLE … DISABLE TRIGGER USER` is transactional, and locks
//! the tables against other machines until the commit), its identity counters moved past the
//! copied ids, and its audit chain verified before the commit.

use super::{Place, Table, chain_broke, not_empty};
use crate::error::{Error, Result};
use crate::store::audit::{self, AuditRow, Verified};
use crate::store::pg::{self, Server};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use rusqlite::types::Value;
use std::io::Write;

/// How much COPY text is gathered before it is sent.
const COPY_CHUNK: usize = 256 * 1024;

fn no_params() -> [&'static (dyn ToSql + Sync); 0] {
    []
}

pub(super) struct Reader {
    client: Client,
    server: Server,
}

impl Reader {
    /// Connects and takes one snapshot for the whole copy; the practice must be at this
    /// program's schema.
    pub(super) fn open(server: &Server) -> Result<Reader> {
        let mut client = server.connect()?;
        match pg::migrate::holding(&mut client, server)? {
            pg::migrate::Holding::Caseload(v) if v == crate::store::SCHEMA_VERSION => {}
            pg::migrate::Holding::Caseload(v) => {
                return Err(Error::Database(format!(
                    "the practice at {} is at caseload schema {v}, this caseload copies schema {}",
                    server.shown(),
                    crate::store::SCHEMA_VERSION
                )));
            }
            _ => {
                return Err(Error::invalid(format!(
                    "{} holds no caseload practice to copy",
                    server.shown()
                )));
            }
        }
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(|e| server.failed(&e))?;
        Ok(Reader {
            client,
            server: server.clone(),
        })
    }
}

/// A column value as SQLite holds it, from a PostgreSQL row.
fn value(row: &postgres::Row, i: usize) -> std::result::Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_();
    Ok(if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Integer)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Integer(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |v| Value::Integer(v.into()))
    } else if *ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)?
            .map_or(Value::Null, Value::Real)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Blob)
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text)
    })
}

impl super::Reader for Reader {
    fn count(&mut self, table: &Table) -> Result<u64> {
        let n: i64 = self
            .client
            .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])
            .map_err(|e| self.server.failed(&e))?
            .get(0);
        Ok(n as u64)
    }

    fn each(&mut self, table: &Table, put: &mut super::Sink) -> Result<u64> {
        let server = self.server.clone();
        let mut rows = self
            .client
            .query_raw(&table.select(), no_params())
            .map_err(|e| server.failed(&e))?;
        let mut values = Vec::with_capacity(table.columns.len());
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| server.failed(&e))? {
            values.clear();
            for i in 0..table.columns.len() {
                values.push(value(&row, i).map_err(|e| server.failed(&e))?);
            }
            put(&values)?;
            n += 1;
        }
        Ok(n)
    }
}

pub(super) struct Writer {
    client: Client,
    server: Server,
    target: Place,
    /// The indexes no constraint needs, dropped for the load and built again after it.
    indexes: Vec<String>,
    /// The foreign keys, as `ALTER TABLE … ADD CONSTRAINT …` to put each back: checked in one
    /// pass per key after the load instead of one lookup per row.
    references: Vec<String>,
}

impl Writer {
    /// Connects, creates caseload's schema when the database is empty, and refuses one that
    /// holds a practice.
    pub(super) fn open(server: &Server, target: &Place) -> Result<Writer> {
        let mut client = server.connect()?;
        pg::migrate::migrate(&mut client, server)?;
        let held: i64 = client
            .query_one(super::PRACTICE_ROWS, &[])
            .map_err(|e| server.failed(&e))?
            .get(0);
        if held > 0 {
            return Err(not_empty(target));
        }
        Ok(Writer {
            client,
            server: server.clone(),
            target: target.clone(),
            indexes: Vec::new(),
            references: Vec::new(),
        })
    }

    fn run(&mut self, sql: &str) -> Result<()> {
        self.client
            .batch_execute(sql)
            .map_err(|e| self.server.failed(&e))
    }
}

/// One value in COPY's text format: `\N` for NULL, bytes as `\\x…` hex, and the characters
/// COPY reads specially escaped.
fn copy_text(out: &mut String, v: &Value) {
    use std::fmt::Write as _;
    match v {
        Value::Null => out.push_str("\\N"),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Text(t) => {
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Value::Blob(b) => {
            out.push_str("\\\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
    }
}

impl super::Writer for Writer {
    fn begin(&mut self, tables: &[Table]) -> Result<()> {
        self.run("BEGIN ISOLATION LEVEL SERIALIZABLE")?;
        for table in tables {
            self.run(&format!("ALTER TABLE {} DISABLE TRIGGER USER", table.name))?;
        }
        for table in tables.iter().rev() {
            self.run(&format!("DELETE FROM {}", table.name))?;
        }
        let indexes: Vec<(String, String)> = self
            .client
            .query(
                "SELECT i.relname::text, pg_get_indexdef(x.indexrelid)
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_namespace n ON n.oid = i.relnamespace
                 WHERE n.nspname = current_schema()
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                 ORDER BY i.oid",
                &[],
            )
            .map_err(|e| self.server.failed(&e))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (name, _) in &indexes {
            self.run(&format!("DROP INDEX \"{name}\""))?;
        }
        self.indexes = indexes.into_iter().map(|(_, def)| def).collect();
        let references: Vec<(String, String, String)> = self
            .client
            .query(
                "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid)
                 FROM pg_constraint c
                 WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
                 ORDER BY c.oid",
                &[],
            )
            .map_err(|e| self.server.failed(&e))?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        for (table, name, _) in &references {
            self.run(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""))?;
        }
        self.references = references
            .into_iter()
            .map(|(table, name, def)| {
                format!("ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {def}")
            })
            .collect();
        Ok(())
    }

    fn table(&mut self, table: &Table, feed: &mut super::Feed) -> Result<u64> {
        let server = self.server.clone();
        let failed = |e: &postgres::Error| server.failed(e);
        let mut copy = self
            .client
            .copy_in(&format!(
                "COPY {} ({}) FROM STDIN",
                table.name,
                table.column_list()
            ))
            .map_err(|e| failed(&e))?;
        let mut text = String::with_capacity(COPY_CHUNK + 4096);
        let sent = |copy: &mut postgres::CopyInWriter, text: &mut String| -> Result<()> {
            copy.write_all(text.as_bytes())
                .map_err(|e| Error::Database(format!("PostgreSQL at {}: {e}", server.shown())))?;
            text.clear();
            Ok(())
        };
        let n = feed(&mut |row| {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    text.push('\t');
                }
                copy_text(&mut text, v);
            }
            text.push('\n');
            if text.len() >= COPY_CHUNK {
                sent(&mut copy, &mut text)?;
            }
            Ok(())
        })?;
        sent(&mut copy, &mut text)?;
        copy.finish().map_err(|e| failed(&e))?;
        Ok(n)
    }

    fn finish(&mut self, tables: &[Table]) -> Result<Verified> {
        // Identity counters past the copied ids, so the next row the server numbers is new.
        let identities: Vec<(String, String)> = self
            .client
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND is_identity = 'YES'",
                &[],
            )
            .map_err(|e| self.server.failed(&e))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (table, column) in identities {
            self.run(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                               coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            ))?;
        }
        let rebuilt = std::mem::take(&mut self.indexes);
        let references = std::mem::take(&mut self.references);
        for def in rebuilt.iter().chain(&references) {
            self.run(def)?;
        }
        for table in tables {
            self.run(&format!("ALTER TABLE {} ENABLE TRIGGER USER", table.name))?;
        }
        let verified = self.verify()?;
        self.run("COMMIT")?;
        Ok(verified)
    }

    fn abandon(&mut self) {
        let _ = self.client.batch_execute("ROLLBACK");
    }
}

impl Writer {
    /// The chain as the target now holds it, walked by the same check `audit verify` makes.
    fn verify(&mut self) -> Result<Verified> {
        let server = self.server.clone();
        let failed = |e: postgres::Error| server.failed(&e);
        let unkeyed: Vec<String> = self
            .client
            .query(
                "SELECT detail FROM audit WHERE action = $1 ORDER BY seq",
                &[&crate::domain::audit_chain::UNKEYED],
            )
            .map_err(failed)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let head: Option<(i64, String)> = self
            .client
            .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .map_err(failed)?
            .map(|r| (r.get(0), r.get(1)));
        let mut rows = self
            .client
            .query_raw(
                &format!("SELECT {} FROM audit ORDER BY seq", audit::COLUMNS),
                no_params(),
            )
            .map_err(failed)?;
        let mut next = || -> Result<Option<AuditRow>> {
            let Some(r) = rows.next().map_err(|e| server.failed(&e))? else {
                return Ok(None);
            };
            let get = |e: postgres::Error| server.failed(&e);
            Ok(Some(AuditRow {
                seq: r.try_get(0).map_err(get)?,
                at: r.try_get(1).map_err(get)?,
                clinician_id: r.try_get(2).map_err(get)?,
                actor: r.try_get(3).map_err(get)?,
                action: r.try_get(4).map_err(get)?,
                client_id: r.try_get(5).map_err(get)?,
                detail: r.try_get(6).map_err(get)?,
                hash: r.try_get(7).map_err(get)?,
            }))
        };
        match audit::walk_chain(audit::plaintext_verifier(&unkeyed), &mut next, head)? {
            Ok(v) => Ok(v),
            Err(at) => Err(chain_broke(&self.target, &at)),
        }
    }
}
