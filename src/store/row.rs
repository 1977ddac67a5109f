//! Helpers for the store's SQL: the contact condition, the void columns, a client's records
//! live and voided, and dates as sortable integer keys read in place.

use crate::store::db::Row;
use chrono::NaiveDate;
use rusqlite::types::Type;

/// The SQL condition "encounter `alias` is a contact" (SPEC section 4: a completed encounter of
/// a contact kind). The kind list is written exactly as the partial index
/// `encounters_contact_kinds` is declared, so SQLite can use it; the index carries the status.
pub(super) fn is_contact(alias: &str) -> String {
    format!(
        "{alias}.status = 'completed' AND {alias}.kind IN {}",
        crate::domain::EncounterKind::CONTACT_KINDS_SQL
    )
}

/// Three columns `voided_at, voided_by, void_reason` from `idx` on: `None` for a live record.
pub fn voided(row: &Row, idx: usize) -> rusqlite::Result<Option<crate::domain::Voided>> {
    let at: Option<String> = row.get(idx)?;
    Ok(match at {
        None => None,
        Some(at) => Some(crate::domain::Voided {
            at,
            by: row.get::<_, Option<String>>(idx + 1)?.unwrap_or_default(),
            reason: row.get::<_, Option<String>>(idx + 2)?.unwrap_or_default(),
        }),
    })
}

/// A client's records of one table, live and voided: `columns` (ending with the three void
/// columns) from the live view by `client_id = ?1`, then the voided rows through the table's
/// small index of them, in `order` (result column names).
pub fn all_for_client(columns: &str, table: &str, order: &str) -> String {
    format!(
        "SELECT {columns} FROM live_{table} WHERE client_id = ?1
         UNION ALL
         SELECT {columns} FROM {table} WHERE client_id = ?1 AND voided_at IS NOT NULL
         ORDER BY {order}"
    )
}

/// Dates are stored as ISO text so they sort and compare as text.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A date as a number that sorts like it: `YYYYMMDD` (2026-11-23 → 20261123). Comparing keys
/// is comparing dates, without parsing a `NaiveDate` for every row of a large scan.
pub fn day_key(date: NaiveDate) -> u32 {
    use chrono::Datelike;
    date.year().max(0) as u32 * 10_000 + date.month() * 100 + date.day()
}

fn conversion_error(idx: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, message.into())
}

/// The date of a [`day_key`].
pub fn key_date(key: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt((key / 10_000) as i32, key / 100 % 100, key % 100)
}

/// A `YYYY-MM-DD` column as a [`day_key`], read in place (no allocation, no date parsing).
pub fn key(row: &Row, idx: usize) -> rusqlite::Result<u32> {
    let text = row.get_ref(idx)?.as_str()?;
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    let mut key = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        if i == 4 || i == 7 {
            continue;
        }
        if !shaped || !b.is_ascii_digit() {
            return Err(conversion_error(idx, format!("bad date in column {idx}")));
        }
        key = key * 10 + u32::from(b - b'0');
    }
    Ok(key)
}

/// A nullable `YYYY-MM-DD` column as a [`day_key`].
pub fn opt_key(row: &Row, idx: usize) -> rusqlite::Result<Option<u32>> {
    match row.get_ref(idx)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => key(row, idx).map(Some),
    }
}

/// A nullable `YYYY-MM-DD` column as a date, read in place: what rusqlite's own conversion
/// gives, without parsing a format string for every value (a panel reads a dozen per client).
pub fn opt_date(row: &Row, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match opt_key(row, idx)? {
        None => Ok(None),
        Some(k) => key_date(k)
            .map(Some)
            .ok_or_else(|| conversion_error(idx, format!("bad date in column {idx}"))),
    }
}

/// A `YYYY-MM-DD` column as a date (see [`opt_date`]).
pub fn date(row: &Row, idx: usize) -> rusqlite::Result<NaiveDate> {
    opt_date(row, idx)?.ok_or_else(|| conversion_error(idx, format!("no date in column {idx}")))
}

/// Client ids as a JSON array, for `IN (SELECT value FROM json_each(:ids))`: one statement
/// for the clients of a page, however many.
pub fn id_list(ids: &[crate::domain::ClientId]) -> crate::error::Result<String> {
    serde_json::to_string(&ids.iter().map(|c| c.0).collect::<Vec<_>>())
        .map_err(|e| crate::error::Error::Database(e.to_string()))
}
