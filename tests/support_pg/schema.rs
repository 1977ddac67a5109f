//! A schema as a set of plain facts, one line each ("column clients #2 name text not null …"),
//! read from SQLite's catalog (`sqlite_schema` and the table pragmas) and from PostgreSQL's
//! (`information_schema`, `pg_index`, `pg_constraint`, `pg_trigger`), so two engines' schemas
//! compare as two sets and a difference reads as the lines only one of them has.
//!
//! What is normalised, so equal means "the same schema in each engine's terms":
//! - Types: SQLite's declared INTEGER, TEXT, REAL, BLOB are written as PostgreSQL's bigint,
//!   text, double precision, bytea (the storage-type rule of `migrations/postgres/0001`).
//! - NOT NULL: a primary key column counts as NOT NULL in SQLite too (STRICT tables and rowid
//!   aliases never hold NULL there; PostgreSQL declares it). View columns are compared by name
//!   and type only (neither engine says anything else about them).
//! - Defaults: PostgreSQL's casts (`'x'::text`) are dropped; an identity column has no default,
//!   as SQLite's `INTEGER PRIMARY KEY` has none (each numbers its rows itself).
//! - Collations: SQLite's BINARY is PostgreSQL's "C", SQLite's NOCASE the `nocase` collation;
//!   a text column or index column in the database's default collation reads as DEFAULT and
//!   so differs. Collations are compared for text columns and for index key columns.
//! - Unique constraints and primary keys are compared by table and columns (SQLite names
//!   their indexes `sqlite_autoindex_*`); other indexes by name, table, columns in order (key
//!   and INCLUDE columns alike), unique, partial or not (not the predicate's text).
//! - CHECK constraints by how many each table has (their expression texts are each engine's).
//! - Foreign keys by columns, referenced table and columns, and ON UPDATE/ON DELETE actions.
//! - Triggers by name, table, BEFORE/AFTER, event and the columns of UPDATE OF (sorted);
//!   all are row triggers. PostgreSQL's statement-level TRUNCATE triggers have no SQLite
//!   counterpart (SQLite has no TRUNCATE) and are left out; a test checks them on their own.
//! - SQLite's internal tables (`sqlite_*`) are left out.

use postgres::Client;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};

pub type Facts = BTreeSet<String>;

fn pg_type(sqlite: &str) -> String {
    match sqlite.to_ascii_uppercase().as_str() {
        "INTEGER" => "bigint".into(),
        "TEXT" => "text".into(),
        "REAL" => "double precision".into(),
        "BLOB" => "bytea".into(),
        other => format!("unmapped SQLite type {other:?}"),
    }
}

fn column_fact(
    table: &str,
    position: i64,
    name: &str,
    ty: &str,
    not_null: bool,
    default: Option<&str>,
    collation: Option<&str>,
) -> String {
    format!(
        "column {table} #{position} {name} {ty}{}{}{}",
        if not_null { " not null" } else { "" },
        default.map(|d| format!(" default {d}")).unwrap_or_default(),
        collation
            .map(|c| format!(" collate {c}"))
            .unwrap_or_default()
    )
}

fn index_column(name: &str, collation: &str) -> String {
    if collation == "BINARY" {
        name.to_string()
    } else {
        format!("{name} collate {collation}")
    }
}

fn index_fact(name: &str, table: &str, unique: bool, partial: bool, columns: &[String]) -> String {
    format!(
        "index {name} on {table} ({}){}{}",
        columns.join(", "),
        if unique { " unique" } else { "" },
        if partial { " partial" } else { "" }
    )
}

fn trigger_fact(name: &str, table: &str, timing: &str, event: &str, columns: &[String]) -> String {
    let mut columns = columns.to_vec();
    columns.sort();
    let of = if columns.is_empty() {
        String::new()
    } else {
        format!(" of ({})", columns.join(", "))
    };
    format!("trigger {name} on {table} {timing} {event}{of} for each row")
}

// ---------------------------------------------------------------------------------------------
// SQLite

/// The schema of a SQLite database as facts.
pub fn sqlite(conn: &Connection) -> Facts {
    let mut facts = Facts::new();
    let objects: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema
             WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, table, sql) in &objects {
        facts.insert(format!("{kind} {table}"));
        let definition = TableSql::parse(sql);
        let columns: Vec<(i64, String, String, bool, Option<String>, i64)> = conn
            .prepare(
                "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)",
            )
            .unwrap()
            .query_map([table], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (cid, name, ty, not_null, default, pk) in &columns {
            let ty = pg_type(ty);
            let fact = if kind == "view" {
                column_fact(table, cid + 1, name, &ty, false, None, None)
            } else {
                let collation = (ty == "text").then(|| definition.collation(name));
                column_fact(
                    table,
                    cid + 1,
                    name,
                    &ty,
                    *not_null || *pk > 0,
                    default.as_deref(),
                    collation.as_deref(),
                )
            };
            facts.insert(fact);
        }
        if kind == "view" {
            continue;
        }
        facts.insert(format!("checks {table} {}", definition.checks));
        let mut pk: Vec<(i64, String)> = columns
            .iter()
            .filter(|c| c.5 > 0)
            .map(|c| (c.5, c.1.clone()))
            .collect();
        pk.sort();
        if !pk.is_empty() {
            let names: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
            facts.insert(format!("primary key {table} ({})", names.join(", ")));
        }
        sqlite_indexes(conn, table, &mut facts);
        sqlite_foreign_keys(conn, table, &mut facts);
    }
    let triggers: Vec<(String, String, String)> = conn
        .prepare("SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (name, table, sql) in triggers {
        let (timing, event, columns) = parse_trigger(&sql);
        facts.insert(trigger_fact(&name, &table, &timing, &event, &columns));
    }
    facts
}

fn sqlite_indexes(conn: &Connection, table: &str, facts: &mut Facts) {
    let indexes: Vec<(String, bool, String, bool)> = conn
        .prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")
        .unwrap()
        .query_map([table], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (name, unique, origin, partial) in indexes {
        let columns: Vec<String> = conn
            .prepare(
                "SELECT coalesce(name, '(expression)'), coll FROM pragma_index_xinfo(?1)
                 WHERE key = 1 ORDER BY seqno",
            )
            .unwrap()
            .query_map([&name], |r| {
                Ok(index_column(
                    &r.get::<_, String>(0)?,
                    &r.get::<_, String>(1)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        match origin.as_str() {
            // The primary key is a fact of its own (from the columns); SQLite indexes it only
            // in WITHOUT ROWID tables.
            "pk" => {}
            "u" => {
                facts.insert(format!("unique {table} ({})", columns.join(", ")));
            }
            _ => {
                facts.insert(index_fact(&name, table, unique, partial, &columns));
            }
        }
    }
}

fn sqlite_foreign_keys(conn: &Connection, table: &str, facts: &mut Facts) {
    type Key = (String, Vec<String>, Vec<String>, String, String);
    let mut keys: BTreeMap<i64, Key> = BTreeMap::new();
    let rows: Vec<(i64, String, String, Option<String>, String, String)> = conn
        .prepare(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .unwrap()
        .query_map([table], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, parent, from, to, on_update, on_delete) in rows {
        let key = keys
            .entry(id)
            .or_insert_with(|| (parent, vec![], vec![], on_update, on_delete));
        key.1.push(from);
        key.2.push(to.unwrap_or_else(|| "(primary key)".into()));
    }
    for (parent, from, to, on_update, on_delete) in keys.into_values() {
        facts.insert(foreign_key_fact(
            table, &from, &parent, &to, &on_update, &on_delete,
        ));
    }
}

fn foreign_key_fact(
    table: &str,
    from: &[String],
    parent: &str,
    to: &[String],
    on_update: &str,
    on_delete: &str,
) -> String {
    format!(
        "foreign key {table} ({}) references {parent} ({}) on update {on_update} on delete {on_delete}",
        from.join(", "),
        to.join(", ")
    )
}

/// What the catalog does not say about a SQLite table, read from its CREATE TABLE text (which
/// SQLite keeps, ALTER TABLE ADD COLUMN included): each column's collation, and how many CHECK
/// constraints it has.
struct TableSql {
    collations: BTreeMap<String, String>,
    checks: usize,
}

impl TableSql {
    fn parse(sql: &str) -> TableSql {
        let code = strip_comments_and_strings(sql);
        let mut collations = BTreeMap::new();
        let mut checks = 0;
        for part in top_level_parts(&code) {
            let words: Vec<String> = words(&part);
            checks += words
                .iter()
                .filter(|w| w.eq_ignore_ascii_case("CHECK"))
                .count();
            let Some(first) = words.first() else { continue };
            let constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
                .iter()
                .any(|k| first.eq_ignore_ascii_case(k));
            if constraint {
                continue;
            }
            let collation = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("COLLATE"))
                .and_then(|at| words.get(at + 1))
                .map_or("BINARY".to_string(), |c| c.to_ascii_uppercase());
            collations.insert(first.trim_matches('"').to_string(), collation);
        }
        TableSql { collations, checks }
    }

    fn collation(&self, column: &str) -> String {
        self.collations
            .get(column)
            .cloned()
            .unwrap_or_else(|| format!("(column {column} not found in CREATE TABLE)"))
    }
}

/// The SQL with comments removed and string literals emptied (`'…'` becomes `''`), so words
/// inside them are not read as SQL.
fn strip_comments_and_strings(sql: &str) -> String {
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '\'' => {
                // A quote doubled inside a literal reads as the literal ending and a new one
                // starting: both empty, which is all that is needed here.
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
                out.push_str("''");
            }
            c => out.push(c),
        }
    }
    out
}

/// The comma-separated parts inside the outermost parentheses (column definitions and table
/// constraints).
fn top_level_parts(code: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in code.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > 1 {
                    current.push(c);
                }
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    parts.push(std::mem::take(&mut current));
                    break;
                }
                current.push(c);
            }
            ',' if depth == 1 => parts.push(std::mem::take(&mut current)),
            c if depth >= 1 => current.push(c),
            _ => {}
        }
    }
    parts
}

fn words(code: &str) -> Vec<String> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// BEFORE/AFTER, the event and the UPDATE OF columns of a SQLite CREATE TRIGGER.
fn parse_trigger(sql: &str) -> (String, String, Vec<String>) {
    let code = strip_comments_and_strings(sql);
    let words = words(&code);
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    // CREATE [TEMP] TRIGGER [IF NOT EXISTS] name
    let mut at = upper.iter().position(|w| w == "TRIGGER").unwrap() + 1;
    if upper[at] == "IF" {
        at += 3;
    }
    at += 1;
    let timing = match upper[at].as_str() {
        "BEFORE" | "AFTER" => {
            at += 1;
            upper[at - 1].clone()
        }
        "INSTEAD" => {
            at += 2;
            "INSTEAD OF".into()
        }
        _ => "BEFORE".into(),
    };
    let event = upper[at].clone();
    at += 1;
    let mut columns = Vec::new();
    if upper[at] == "OF" {
        at += 1;
        while upper[at] != "ON" {
            columns.push(words[at].trim_matches('"').to_string());
            at += 1;
        }
    }
    (timing, event, columns)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

fn pg_collation(name: Option<&str>) -> String {
    match name {
        Some("C") => "BINARY".into(),
        Some(other) => other.to_ascii_uppercase(),
        None => "DEFAULT".into(),
    }
}

/// Drops PostgreSQL's casts from a default expression: `'clinician'::text` reads `'clinician'`.
fn pg_default(default: &str) -> String {
    let mut text = default.to_string();
    for cast in [
        "::text",
        "::bigint",
        "::integer",
        "::double precision",
        "::bytea",
    ] {
        text = text.replace(cast, "");
    }
    text
}

/// The schema of the `public` schema of a PostgreSQL database as facts.
pub fn postgres(client: &mut Client) -> Facts {
    let mut facts = Facts::new();
    for row in client
        .query(
            "SELECT table_name::text, table_type::text FROM information_schema.tables
             WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
    {
        let kind = match row.get::<_, &str>(1) {
            "BASE TABLE" => "table",
            "VIEW" => "view",
            other => other,
        };
        facts.insert(format!("{kind} {}", row.get::<_, &str>(0)));
    }
    let views: BTreeSet<String> = facts
        .iter()
        .filter_map(|f| f.strip_prefix("view ").map(str::to_string))
        .collect();
    for row in client
        .query(
            "SELECT c.table_name::text, c.ordinal_position::bigint, c.column_name::text,
                    c.data_type::text, c.is_nullable = 'NO', c.column_default::text,
                    c.collation_name::text
             FROM information_schema.columns c WHERE c.table_schema = 'public'",
            &[],
        )
        .unwrap()
    {
        let table: &str = row.get(0);
        let ty: &str = row.get(3);
        let fact = if views.contains(table) {
            column_fact(table, row.get(1), row.get(2), ty, false, None, None)
        } else {
            let default: Option<&str> = row.get(5);
            let collation = (ty == "text").then(|| pg_collation(row.get(6)));
            column_fact(
                table,
                row.get(1),
                row.get(2),
                ty,
                row.get(4),
                default.map(pg_default).as_deref(),
                collation.as_deref(),
            )
        };
        facts.insert(fact);
    }
    // Every table has a count of its checks, zero included, as on the SQLite side.
    for row in client
        .query(
            "SELECT t.relname::text,
                    (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'c')
             FROM pg_class t WHERE t.relnamespace = 'public'::regnamespace AND t.relkind = 'r'",
            &[],
        )
        .unwrap()
    {
        facts.insert(format!(
            "checks {} {}",
            row.get::<_, &str>(0),
            row.get::<_, i64>(1)
        ));
    }
    postgres_indexes(client, &mut facts);
    postgres_foreign_keys(client, &mut facts);
    postgres_triggers(client, &mut facts);
    facts
}

fn postgres_indexes(client: &mut Client, facts: &mut Facts) {
    for row in client
        .query(
            "SELECT i.relname::text, t.relname::text, ix.indisunique, ix.indpred IS NOT NULL,
                    coalesce((SELECT k.contype::text FROM pg_constraint k
                              WHERE k.conindid = ix.indexrelid AND k.contype IN ('p', 'u')), ''),
                    ARRAY(SELECT coalesce(a.attname::text, '(expression)') || '|' ||
                                 coalesce(coll.collname::text, 'C')
                          FROM unnest(ix.indkey::int2[], ix.indcollation::oid[])
                               WITH ORDINALITY AS k(attnum, collid, ord)
                          LEFT JOIN pg_attribute a
                                 ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                          LEFT JOIN pg_collation coll ON coll.oid = k.collid
                          ORDER BY k.ord)
             FROM pg_index ix
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_class t ON t.oid = ix.indrelid
             WHERE t.relnamespace = 'public'::regnamespace",
            &[],
        )
        .unwrap()
    {
        let (name, table): (&str, &str) = (row.get(0), row.get(1));
        let raw: Vec<String> = row.get(5);
        let columns: Vec<(String, String)> = raw
            .iter()
            .map(|c| {
                let (name, coll) = c.split_once('|').unwrap();
                (name.to_string(), coll.to_string())
            })
            .collect();
        let with_collations: Vec<String> = columns
            .iter()
            .map(|(n, c)| index_column(n, &pg_collation(Some(c))))
            .collect();
        match row.get::<_, &str>(4) {
            "p" => {
                let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
                facts.insert(format!("primary key {table} ({})", names.join(", ")));
            }
            "u" => {
                facts.insert(format!("unique {table} ({})", with_collations.join(", ")));
            }
            _ => {
                facts.insert(index_fact(
                    name,
                    table,
                    row.get(2),
                    row.get(3),
                    &with_collations,
                ));
            }
        }
    }
}

fn pg_action(code: i8) -> &'static str {
    match code as u8 {
        b'a' => "NO ACTION",
        b'r' => "RESTRICT",
        b'c' => "CASCADE",
        b'n' => "SET NULL",
        b'd' => "SET DEFAULT",
        _ => "?",
    }
}

fn postgres_foreign_keys(client: &mut Client, facts: &mut Facts) {
    let columns = |table: &str, nums: &str| {
        format!(
            "ARRAY(SELECT a.attname::text FROM unnest(k.{nums}) WITH ORDINALITY AS u(n, ord)
                   JOIN pg_attribute a ON a.attrelid = k.{table} AND a.attnum = u.n
                   ORDER BY u.ord)"
        )
    };
    let sql = format!(
        "SELECT t.relname::text, {}, p.relname::text, {}, k.confupdtype, k.confdeltype
         FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid
         JOIN pg_class p ON p.oid = k.confrelid
         WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace",
        columns("conrelid", "conkey"),
        columns("confrelid", "confkey")
    );
    for row in client.query(&sql, &[]).unwrap() {
        let from: Vec<String> = row.get(1);
        let to: Vec<String> = row.get(3);
        facts.insert(foreign_key_fact(
            row.get(0),
            &from,
            row.get(2),
            &to,
            pg_action(row.get(4)),
            pg_action(row.get(5)),
        ));
    }
}

fn postgres_triggers(client: &mut Client, facts: &mut Facts) {
    for row in client
        .query(
            "SELECT tg.tgname::text, t.relname::text, tg.tgtype::int,
                    ARRAY(SELECT a.attname::text FROM unnest(tg.tgattr::int2[]) AS u(n)
                          JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = u.n)
             FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
             WHERE NOT tg.tgisinternal AND t.relnamespace = 'public'::regnamespace",
            &[],
        )
        .unwrap()
    {
        // pg_trigger.tgtype bits (PostgreSQL's trigger.h): 1 row, 2 before, 4 insert,
        // 8 delete, 16 update, 32 truncate, 64 instead.
        let tgtype: i32 = row.get(2);
        if tgtype & 32 != 0 {
            continue;
        }
        let timing = if tgtype & 64 != 0 {
            "INSTEAD OF"
        } else if tgtype & 2 != 0 {
            "BEFORE"
        } else {
            "AFTER"
        };
        let events: Vec<&str> = [(4, "INSERT"), (8, "DELETE"), (16, "UPDATE")]
            .iter()
            .filter(|(bit, _)| tgtype & bit != 0)
            .map(|(_, e)| *e)
            .collect();
        let columns: Vec<String> = row.get(3);
        let mut fact = trigger_fact(
            row.get(0),
            row.get(1),
            timing,
            &events.join(" OR "),
            &columns,
        );
        if tgtype & 1 == 0 {
            fact = fact.replace("for each row", "for each statement");
        }
        facts.insert(fact);
    }
}

/// The facts only `a` has and the facts only `b` has, one per line, for a failure message.
pub fn difference(a_name: &str, a: &Facts, b_name: &str, b: &Facts) -> String {
    let only = |x: &Facts, y: &Facts| -> String {
        x.difference(y)
            .map(|f| format!("  {f}\n"))
            .collect::<String>()
    };
    format!(
        "only in {a_name}:\n{}only in {b_name}:\n{}",
        only(a, b),
        only(b, a)
    )
}
