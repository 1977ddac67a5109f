//! `caseload copy`: the whole practice from one database into an empty one, either engine to
//! either engine (SPEC section 15) — every table, row for row, in one transaction on the
//! target, with the target's triggers lifted while the rows go in (the rows are the source's
//! own, summaries and chain included) and its audit chain verified before the commit. The
//! tables and their order come from the schema this program creates, so a new table is copied
//! without a line here. It decides nothing about the rows and changes nothing in the source.

mod pg_end;
mod sqlite_end;

use super::Store;
use super::audit::Verified;
use super::pg::Server;
use crate::error::{Error, Result};
use rusqlite::types::Value;
use std::path::PathBuf;

/// Where a practice is copied to or from.
#[derive(Debug, Clone)]
pub enum Place {
    File(PathBuf),
    Server(Box<Server>),
}

impl Place {
    /// A file path or a PostgreSQL URL, as the user gave it.
    pub fn parse(text: &str) -> Result<Place> {
        if super::pg::is_url(text) {
            Ok(Place::Server(Box::new(Server::parse(text)?)))
        } else {
            Ok(Place::File(PathBuf::from(text)))
        }
    }

    /// How the place may be named in a message (a URL without its password).
    pub fn shown(&self) -> String {
        match self {
            Place::File(path) => crate::domain::text::sanitize(&path.display().to_string()),
            Place::Server(server) => server.shown().to_string(),
        }
    }
}

/// One table of the practice: its columns (stored ones, in schema order) and the key its rows
/// are read in, so rows that refer to earlier rows of the same table come after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns.join(", ")
    }
    fn select(&self) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.column_list(),
            self.name,
            self.key.join(", ")
        )
    }
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub tables: usize,
    pub rows: u64,
    /// The target's audit chain, verified after the rows went in.
    pub chain: Verified,
}

/// The practice's tables, each after the tables it refers to, read off the schema this
/// program creates (a fresh in-memory practice): the same on both engines, which the schema
/// test holds them to.
pub fn tables() -> Result<Vec<Table>> {
    let store = Store::open_in_memory()?;
    let conn = store.conn();
    let names = super::export::table_names(conn)?;
    let mut pending: Vec<(Table, Vec<String>)> = Vec::new();
    for name in &names {
        let mut columns = Vec::new();
        let mut key: Vec<(i64, String)> = Vec::new();
        let mut stmt = conn.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let mut rows = stmt.query([name])?;
        while let Some(r) = rows.next()? {
            let (column, pk): (String, i64) = (r.get(0)?, r.get(1)?);
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            columns.push(column);
        }
        key.sort();
        let key: Vec<String> = if key.is_empty() {
            columns.clone()
        } else {
            key.into_iter().map(|(_, c)| c).collect()
        };
        let parents: Vec<String> = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
            .query_map([name], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?
            .into_iter()
            .filter(|p| p != name)
            .collect();
        pending.push((
            Table {
                name: name.clone(),
                columns,
                key,
            },
            parents,
        ));
    }
    // Each round takes every table whose parents are all placed (names in order, so the
    // order is the same every time).
    let mut ordered: Vec<Table> = Vec::new();
    while !pending.is_empty() {
        let (ready, waiting): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(_, parents)| {
            parents
                .iter()
                .all(|p| ordered.iter().any(|t: &Table| &t.name == p))
        });
        if ready.is_empty() {
            return Err(Error::Database(
                "the practice's tables refer to each other in a circle; they cannot be copied \
                 in order"
                    .into(),
            ));
        }
        ordered.extend(ready.into_iter().map(|(t, _)| t));
        pending = waiting;
    }
    Ok(ordered)
}

/// Counts the rows that make a practice: a target holding any is not empty.
pub(super) const PRACTICE_ROWS: &str = "SELECT (SELECT count(*) FROM clinicians)
    + (SELECT count(*) FROM contracts) + (SELECT count(*) FROM clients)
    + (SELECT count(*) FROM audit)";

/// The refusal for a target that already holds a practice.
fn not_empty(target: &Place) -> Error {
    Error::invalid(format!(
        "{} already holds a practice; copy needs an empty database (nothing was written)",
        target.shown()
    ))
}

/// Takes one row's values, in the table's column order.
pub(super) type Sink<'a> = dyn FnMut(&[Value]) -> Result<()> + 'a;
/// Hands every row of a table to the sink it is given; returns how many.
pub(super) type Feed<'a> = dyn FnMut(&mut Sink) -> Result<u64> + 'a;

/// Reads the source's tables.
pub(super) trait Reader {
    fn count(&mut self, table: &Table) -> Result<u64>;
    /// Calls `put` with every row of `table`, in key order; returns how many.
    fn each(&mut self, table: &Table, put: &mut Sink) -> Result<u64>;
}

/// Writes the target, all in one transaction.
pub(super) trait Writer {
    /// Opens the transaction, lifts the triggers and empties the tables.
    fn begin(&mut self, tables: &[Table]) -> Result<()>;
    /// Writes one table's rows as `feed` hands them to the sink it is given.
    fn table(&mut self, table: &Table, feed: &mut Feed) -> Result<u64>;
    /// Restores the triggers, verifies the audit chain and commits.
    fn finish(&mut self, tables: &[Table]) -> Result<Verified>;
    /// Rolls everything back (and removes a file this copy created).
    fn abandon(&mut self);
}

/// Progress as rows done of rows in all, for the command's bar.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Copies the practice of `store` (a SQLite file) to `target`.
pub fn from_file(store: &Store, target: &Place, progress: Progress) -> Result<Copied> {
    if store.encrypted() {
        return Err(Error::invalid(
            "copy works on a plaintext practice: run `caseload decrypt` first (a server keeps \
             its data safe with its own TLS and disk encryption)",
        ));
    }
    if store.path().is_none() {
        return Err(Error::invalid("copy needs a database file or server"));
    }
    let mut writer = writer_for(target, store.path())?;
    store.read(|snap| {
        let mut reader = sqlite_end::Reader::new(snap);
        run(&mut reader, writer.as_mut(), progress)
    })
}

/// Copies the practice on `server` to `target`.
pub fn from_server(server: &Server, target: &Place, progress: Progress) -> Result<Copied> {
    let mut reader = pg_end::Reader::open(server)?;
    let mut writer = writer_for(target, None)?;
    run(&mut reader, writer.as_mut(), progress)
}

/// Copies the backup file `backup` (plaintext, already checked) into the empty database on
/// `server`. It is read from a private copy beside it, brought up to this caseload's schema
/// there, so the backup itself is never written to.
pub fn from_backup(
    backup: &std::path::Path,
    server: &Server,
    progress: Progress,
) -> Result<Copied> {
    let (temp, handle) = super::backup::private_temp_beside(backup)?;
    drop(handle);
    let outcome = (|| {
        std::fs::copy(backup, &temp)?;
        let store = Store::open(&temp)?;
        from_file(&store, &Place::Server(Box::new(server.clone())), progress)
    })();
    super::outfile::remove_database(&temp);
    outcome
}

/// `backup FILE` on a server: the practice copied into a private temporary beside `target`,
/// then made a backup file and put in place whole as `backup::backup` does (over an
/// existing file only when `replace`; `outfile::claim_file` first).
pub fn backup_from_server(
    server: &Server,
    target: &std::path::Path,
    replace: bool,
    progress: Progress,
) -> Result<Copied> {
    let (temp, handle) = super::backup::private_temp_beside(target)?;
    drop(handle);
    let outcome = from_server(server, &Place::File(temp.clone()), progress).and_then(|copied| {
        super::backup::finish_file(&temp, target, replace)?;
        Ok(copied)
    });
    if outcome.is_err() {
        super::outfile::remove_database(&temp);
    }
    outcome
}

fn writer_for(target: &Place, source: Option<&std::path::Path>) -> Result<Box<dyn Writer>> {
    Ok(match target {
        Place::File(path) => {
            if let Some(source) = source
                && super::backup::same_file(source, path)
            {
                return Err(Error::invalid(
                    "that is the practice database itself; copy to another file or a server",
                ));
            }
            Box::new(sqlite_end::Writer::open(path, target)?)
        }
        Place::Server(server) => Box::new(pg_end::Writer::open(server, target)?),
    })
}

fn run(reader: &mut dyn Reader, writer: &mut dyn Writer, progress: Progress) -> Result<Copied> {
    let tables = tables()?;
    let outcome = (|| -> Result<Copied> {
        let mut total = 0;
        for t in &tables {
            total += reader.count(t)?;
        }
        writer.begin(&tables)?;
        let mut done = 0;
        progress(0, total);
        for table in &tables {
            writer.table(table, &mut |sink| {
                reader.each(table, &mut |row| {
                    sink(row)?;
                    done += 1;
                    if done % 4096 == 0 {
                        progress(done, total);
                    }
                    Ok(())
                })
            })?;
        }
        progress(done, total);
        let chain = writer.finish(&tables)?;
        Ok(Copied {
            tables: tables.len(),
            rows: done,
            chain,
        })
    })();
    if outcome.is_err() {
        writer.abandon();
    }
    outcome
}

/// A broken chain on the target, as the refusal that rolls the copy back.
fn chain_broke(target: &Place, at: &crate::domain::audit_chain::Break) -> Error {
    Error::Database(format!(
        "the audit chain copied to {} does not verify ({at}); nothing was kept",
        target.shown()
    ))
}

#[cfg(test)]
mod tests;
