//! Clinicians: the users of the practice, their role and hourly cost.

use super::Tx;
use crate::domain::{Clinician, ClinicianId, Money, Role, text::sanitize};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};

const COLUMNS: &str = "id, name, role, hourly_cost_cents";

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Clinician> {
    Ok(Clinician {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        hourly_cost_cents: Money(r.get(3)?),
    })
}

/// Adds a clinician; names are unique regardless of case.
pub fn insert(tx: &Tx, name: &str, role: Role, hourly_cost: Money) -> Result<ClinicianId> {
    if find(tx, name)?.is_some() {
        return Err(Error::invalid(format!(
            "a clinician named '{}' already exists",
            sanitize(name)
        )));
    }
    if hourly_cost.cents() < 0 {
        return Err(Error::invalid("hourly cost must not be negative"));
    }
    tx.prepare_cached(
        "INSERT INTO clinicians (name, role, hourly_cost_cents, created_at)
         VALUES (?1, ?2, ?3, datetime('now'))",
    )?
    .execute(params![name, role.as_str(), hourly_cost.cents()])?;
    let id = ClinicianId(tx.last_insert_rowid()?);
    let tag = super::clinician_audit::tag(tx, id.0)?;
    tx.audit(
        "clinician.add",
        None,
        &format!("clinician {id} ({role}){tag}"),
    )?;
    Ok(id)
}

pub fn list(conn: &Connection) -> Result<Vec<Clinician>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM clinicians ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: ClinicianId) -> Result<Clinician> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM clinicians WHERE id = ?1"))?
        .query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| Error::no_id("clinician", id))
}

/// The clinician with this name (case-insensitive), if any.
pub fn find(conn: &Connection, name: &str) -> Result<Option<Clinician>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM clinicians WHERE name = ?1"))?
        .query_row([name.trim()], from_row)
        .optional()?)
}

/// The clinician with this name, or failing that the one clinician whose name contains it
/// (case-insensitive, so "dana" finds "Dana Reyes"); otherwise an error listing the names.
pub fn by_name(conn: &Connection, name: &str) -> Result<Clinician> {
    if let Some(c) = find(conn, name)? {
        return Ok(c);
    }
    let all = list(conn)?;
    let needle = name.trim().to_lowercase();
    let matching: Vec<&Clinician> = all
        .iter()
        .filter(|c| !needle.is_empty() && c.name.to_lowercase().contains(&needle))
        .collect();
    if let [only] = matching.as_slice() {
        return Ok((*only).clone());
    }
    let known: Vec<String> = all.iter().map(|c| sanitize(&c.name)).collect();
    let hint = if known.is_empty() {
        "there are no clinicians yet; add one with `caseload clinician add NAME`".to_string()
    } else {
        format!("known: {}", known.join(", "))
    };
    Err(Error::NotFound {
        what: "clinician",
        reference: format!("named '{}'", sanitize(name)),
        hint: format!(" ({hint})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn clinicians_round_trip_and_names_are_unique() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .write(|tx| insert(tx, "Dana Reyes", Role::Admin, Money(9000)))
            .unwrap();
        let c = by_name(store.conn(), "dana reyes").unwrap();
        assert_eq!(c.id, id);
        assert_eq!(c.role, Role::Admin);
        assert_eq!(c.hourly_cost_cents, Money(9000));
        assert!(
            store
                .write(|tx| insert(tx, "DANA REYES", Role::Clinician, Money(0)))
                .is_err()
        );
        assert_eq!(by_name(store.conn(), "dana").unwrap().id, id);
        let err = by_name(store.conn(), "Nobody").unwrap_err().to_string();
        assert!(err.contains("known: Dana Reyes"), "{err}");
    }
}
