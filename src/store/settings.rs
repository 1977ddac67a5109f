//! Practice-wide settings stored in the database, so everyone using it shares the same flag
//! intervals. Keys are a closed list; values are validated before they are stored.

use super::Tx;
use crate::domain::{Intervals, text::sanitize, validate};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};

/// Every setting: key, default, what it means.
pub const KEYS: &[(&str, &str, &str)] = &[
    (
        "contact-days.high",
        "7",
        "days between contacts for a high-tier client",
    ),
    (
        "contact-days.moderate",
        "14",
        "days between contacts for a moderate-tier client",
    ),
    (
        "contact-days.low",
        "30",
        "days between contacts for a low-tier client",
    ),
    ("measure-days", "30", "days between outcome measurements"),
    (
        "lock-minutes",
        "5",
        "idle minutes before a shared screen locks (when passphrases are in use)",
    ),
];

fn known(key: &str) -> Result<&'static (&'static str, &'static str, &'static str)> {
    KEYS.iter().find(|(k, _, _)| *k == key).ok_or_else(|| {
        let keys: Vec<&str> = KEYS.iter().map(|(k, _, _)| *k).collect();
        Error::invalid(format!(
            "unknown setting '{}' (known: {})",
            sanitize(key),
            keys.join(", ")
        ))
    })
}

/// The value of a setting (its default when never set).
pub fn get(conn: &Connection, key: &str) -> Result<String> {
    let (_, default, _) = known(key)?;
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(stored.unwrap_or_else(|| default.to_string()))
}

/// Validates and stores a setting; returns the normalised value.
pub fn set(tx: &Tx, key: &str, value: &str) -> Result<String> {
    known(key)?;
    let days = match key {
        "lock-minutes" => validate::lock_minutes(key, value)?,
        _ => validate::positive_days(key, value)?,
    };
    let before = get(tx, key)?;
    tx.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, days.to_string()])?;
    tx.audit("setting.set", None, &format!("{key}: {before} -> {days}"))?;
    Ok(days.to_string())
}

/// Every setting with its current value and meaning.
pub fn list(conn: &Connection) -> Result<Vec<(String, String, &'static str)>> {
    KEYS.iter()
        .map(|(k, _, what)| Ok((k.to_string(), get(conn, k)?, *what)))
        .collect()
}

/// The idle minutes before a shared screen locks (the TUI's `should_lock` takes it).
pub fn lock_minutes(conn: &Connection) -> Result<u32> {
    get(conn, "lock-minutes")?
        .parse()
        .map_err(|_| Error::Database("setting lock-minutes holds a non-number".into()))
}

/// The flag intervals currently in force.
pub fn intervals(conn: &Connection) -> Result<Intervals> {
    let days = |key: &str| -> Result<i64> {
        let v = get(conn, key)?;
        v.parse()
            .map_err(|_| Error::Database(format!("setting {key} holds a non-number")))
    };
    Ok(Intervals {
        contact_high: days("contact-days.high")?,
        contact_moderate: days("contact-days.moderate")?,
        contact_low: days("contact-days.low")?,
        measure: days("measure-days")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Tier;
    use crate::store::Store;

    #[test]
    fn defaults_then_validated_changes() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(intervals(store.conn()).unwrap(), Intervals::default());
        store
            .write(|tx| set(tx, "contact-days.high", "10"))
            .unwrap();
        assert_eq!(intervals(store.conn()).unwrap().contact(Tier::High), 10);
        assert!(store.write(|tx| set(tx, "contact-days.high", "0")).is_err());
        assert!(store.write(|tx| set(tx, "bogus", "3")).is_err());
        assert_eq!(get(store.conn(), "contact-days.high").unwrap(), "10");
        assert_eq!(lock_minutes(store.conn()).unwrap(), 5);
        store.write(|tx| set(tx, "lock-minutes", "15")).unwrap();
        assert_eq!(lock_minutes(store.conn()).unwrap(), 15);
        assert!(store.write(|tx| set(tx, "lock-minutes", "0")).is_err());
        assert!(store.write(|tx| set(tx, "lock-minutes", "5000")).is_err());
    }
}
