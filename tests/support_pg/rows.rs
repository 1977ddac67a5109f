//! Every row of every table of either engine, as text (NULL as `NULL`, integers in decimal,
//! blobs as PostgreSQL's `\x…` hex), each table's rows sorted: equal dumps mean the same rows.
//! PostgreSQL's rows come through the simple query protocol, which sends every value as text,
//! so no type mapping stands between the two.

use postgres::{Client, SimpleQueryMessage};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::BTreeMap;

pub type Row = Vec<String>;
pub type Dump = BTreeMap<String, Vec<Row>>;

fn sqlite_value(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!(
            "\\x{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
    }
}

/// The rows of one query on SQLite, each as text values.
pub fn sqlite_query(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(sql)?;
    let width = stmt.column_count();
    stmt.query_map([], |r| {
        (0..width).map(|i| r.get_ref(i).map(sqlite_value)).collect()
    })?
    .collect()
}

/// The rows of one query on PostgreSQL, each as text values.
pub fn postgres_query(client: &mut Client, sql: &str) -> Result<Vec<Row>, postgres::Error> {
    Ok(client
        .simple_query(sql)?
        .into_iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL").to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

pub fn sqlite(conn: &Connection) -> Dump {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let mut rows = sqlite_query(conn, &format!("SELECT * FROM \"{table}\"")).unwrap();
            rows.sort();
            (table, rows)
        })
        .collect()
}

pub fn postgres(client: &mut Client) -> Dump {
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    tables
        .into_iter()
        .map(|table| {
            let mut rows = postgres_query(client, &format!("SELECT * FROM \"{table}\"")).unwrap();
            rows.sort();
            (table, rows)
        })
        .collect()
}

/// The tables whose rows differ, each with both engines' rows, for a failure message.
pub fn difference(sqlite: &Dump, postgres: &Dump) -> String {
    let mut out = String::new();
    let names: std::collections::BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (a, b) = (sqlite.get(name), postgres.get(name));
        if a != b {
            out.push_str(&format!(
                "table {name}:\n  SQLite:     {a:?}\n  PostgreSQL: {b:?}\n"
            ));
        }
    }
    out
}
