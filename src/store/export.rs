//! Every table for export, read from the schema itself so a table added by a later migration is
//! exported without anyone remembering to, minus the columns that must never leave the database
//! (passphrase hashes). Rows are streamed, never held all at once.

use crate::error::Result;
use crate::store::db::Connection;
use rusqlite::types::Value;

/// Columns never exported: (table, column).
const SECRET: &[(&str, &str)] = &[("clinicians", "passphrase")];

/// One table to export: its name, exported columns and row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: u64,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The names of the practice's tables (SQLite's own excluded), in order.
pub(crate) fn table_names(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn.table_names()?)
}

/// Every table of the practice (SQLite's own excluded), by name.
pub fn tables(conn: &Connection) -> Result<Vec<TableSpec>> {
    let names = table_names(conn)?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let columns: Vec<String> = conn
            .column_names(&name)?
            .into_iter()
            .filter(|c| !SECRET.contains(&(name.as_str(), c.as_str())))
            .collect();
        let rows: i64 = conn.query_row(
            &format!("SELECT count(*) FROM {}", quoted(&name)),
            [],
            |r| r.get(0),
        )?;
        out.push(TableSpec {
            name,
            columns,
            rows: rows.max(0) as u64,
        });
    }
    Ok(out)
}

/// Calls `each` with every row of `table` (its exported columns, in order), in rowid or primary
/// key order.
pub fn each_row(
    conn: &Connection,
    table: &TableSpec,
    each: &mut dyn FnMut(&[Value]) -> Result<()>,
) -> Result<()> {
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(c)).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM {} ORDER BY 1",
        columns.join(", "),
        quoted(&table.name)
    ))?;
    let mut rows = stmt.query([])?;
    let mut values = Vec::with_capacity(columns.len());
    while let Some(row) = rows.next()? {
        values.clear();
        for i in 0..columns.len() {
            values.push(row.get::<_, Value>(i)?);
        }
        each(&values)?;
    }
    Ok(())
}
