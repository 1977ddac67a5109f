//! Helpers that turn SQLite column text into domain values inside row-mapping closures.

use chrono::NaiveDate;
use rusqlite::Row;
use rusqlite::types::Type;
use std::str::FromStr;

fn conversion_error(idx: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, message.into())
}

/// A column holding one of the domain's words (tier, kind, …).
pub fn word<T: FromStr>(row: &Row, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e: T::Err| conversion_error(idx, e.to_string()))
}

/// A `YYYY-MM-DD` column.
pub fn date(row: &Row, idx: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(idx)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| conversion_error(idx, format!("bad date in column {idx}")))
}

/// A nullable `YYYY-MM-DD` column.
pub fn opt_date(row: &Row, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match row.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| conversion_error(idx, format!("bad date in column {idx}"))),
    }
}

/// Dates are stored as ISO text so they sort and compare as text.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
