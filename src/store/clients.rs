//! Clients: who is on the panel, their tier, status and primary clinician; and resolving the
//! references people type (id, external id, or a unique name fragment).

use super::Tx;
use super::row::iso;
use crate::domain::{Client, ClientId, ClientStatus, ClinicianId, Tier, text::sanitize};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

pub(super) const SELECT: &str =
    "SELECT c.id, c.external_id, c.name, c.dob, c.tier, c.status, c.since,
        c.discharged_on, c.diagnosis, c.clinician_id, k.name
    FROM clients c LEFT JOIN clinicians k ON k.id = c.clinician_id";

pub(super) fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Client> {
    Ok(Client {
        id: r.get(0)?,
        external_id: r.get(1)?,
        name: r.get(2)?,
        dob: super::row::opt_date(r, 3)?,
        tier: r.get(4)?,
        status: r.get(5)?,
        since: super::row::date(r, 6)?,
        discharged_on: super::row::opt_date(r, 7)?,
        diagnosis: r.get(8)?,
        clinician_id: r.get(9)?,
        clinician: r.get(10)?,
    })
}

/// A client to be added.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub external_id: Option<String>,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub tier: Tier,
    pub since: NaiveDate,
    pub diagnosis: Option<String>,
    pub clinician_id: Option<ClinicianId>,
}

/// Adds a client and, with a contract, attributes them to it from their start date: what
/// `caseload client add` and the TUI's new-client form both write, in the caller's transaction.
pub fn add(
    tx: &Tx,
    new: &NewClient,
    contract: Option<crate::domain::ContractId>,
) -> Result<ClientId> {
    let id = insert(tx, new)?;
    if let Some(contract) = contract {
        super::attributions::insert(tx, id, contract, new.since, None)?;
    }
    Ok(id)
}

pub fn insert(tx: &Tx, new: &NewClient) -> Result<ClientId> {
    if let Some(ext) = &new.external_id
        && find_external(tx, ext)?.is_some()
    {
        return Err(Error::invalid(format!(
            "external id '{}' already belongs to another client",
            sanitize(ext)
        )));
    }
    tx.prepare_cached(
        "INSERT INTO clients (external_id, name, dob, tier, status, since, diagnosis, clinician_id)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?7)",
    )?
    .execute(params![
        new.external_id,
        new.name,
        new.dob.map(iso),
        new.tier.as_str(),
        new.since,
        new.diagnosis,
        new.clinician_id
    ])?;
    let id = ClientId(tx.last_insert_rowid()?);
    tx.audit("client.add", Some(id), &format!("tier {}", new.tier))?;
    Ok(id)
}

pub fn get(conn: &Connection, id: ClientId) -> Result<Client> {
    conn.prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?
        .query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| Error::no_id("client", id))
}

fn find_external(conn: &Connection, external_id: &str) -> Result<Option<Client>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE c.external_id = ?1"))?
        .query_row([external_id], from_row)
        .optional()?)
}

/// Which clients a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    pub status: Option<ClientStatus>,
    pub clinician: Option<ClinicianId>,
}

/// Clients in name order.
pub fn list(conn: &Connection, filter: &ClientFilter) -> Result<Vec<Client>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.clinician_id = ?2)
         ORDER BY c.name COLLATE NOCASE, c.id"
    ))?;
    let rows = stmt.query_map(
        params![filter.status.map(|s| s.as_str()), filter.clinician],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Resolves what a person typed: the internal id, the external (payer) id, or a
/// case-insensitive fragment of the name that matches exactly one client.
pub fn resolve(conn: &Connection, reference: &str) -> Result<Client> {
    resolve_in(conn, reference, None)
}

/// [`resolve`], matching name fragments only on `panel`'s clients when given, so a clinician
/// who may see only their own panel is never shown other clients' names as candidates. Ids
/// resolve anywhere; the access check then decides.
pub fn resolve_in(
    conn: &Connection,
    reference: &str,
    panel: Option<ClinicianId>,
) -> Result<Client> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(Error::invalid("a client reference must not be empty"));
    }
    if let Ok(id) = reference.parse::<i64>()
        && let Some(client) = conn
            .prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?
            .query_row([id], from_row)
            .optional()?
    {
        return Ok(client);
    }
    if let Some(client) = find_external(conn, reference)? {
        return Ok(client);
    }
    let needle = reference.to_lowercase();
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, external_id FROM clients WHERE ?1 IS NULL OR clinician_id = ?1
         ORDER BY name, id",
    )?;
    let matches: Vec<(i64, String, Option<String>)> = stmt
        .query_map([panel.map(|p| p.0)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .filter_map(|r| r.ok())
        .filter(|(_, name, _): &(i64, String, Option<String>)| {
            name.to_lowercase().contains(&needle)
        })
        .collect();
    match matches.as_slice() {
        [] => Err(Error::NotFound {
            what: "client",
            reference: format!("matches '{}'", sanitize(reference)),
            hint: String::new(),
        }),
        [(id, _, _)] => get(conn, ClientId(*id)),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(10)
                .map(|(id, name, ext)| match ext {
                    Some(ext) => format!("#{id} {} ({})", sanitize(name), sanitize(ext)),
                    None => format!("#{id} {}", sanitize(name)),
                })
                .collect();
            let more = if many.len() > 10 {
                format!(" and {} more", many.len() - 10)
            } else {
                String::new()
            };
            Err(Error::Ambiguous(format!(
                "'{}' matches {} clients: {}{more}; use the id or external id",
                sanitize(reference),
                many.len(),
                shown.join(", ")
            )))
        }
    }
}

pub fn set_tier(tx: &Tx, id: ClientId, tier: Tier) -> Result<()> {
    let before = get(tx, id)?.tier;
    tx.prepare_cached("UPDATE clients SET tier = ?1 WHERE id = ?2")?
        .execute(params![tier.as_str(), id])?;
    tx.audit("client.tier", Some(id), &format!("{before} -> {tier}"))?;
    Ok(())
}

/// Sets the status; a discharge records its date, any other status clears it (a readmission,
/// or a discharged client put on hold). The change is dated no earlier than the day the client
/// joined the panel, and a change away from discharged no earlier than the discharge.
pub fn set_status(tx: &Tx, id: ClientId, status: ClientStatus, on: NaiveDate) -> Result<()> {
    let client = get(tx, id)?;
    let what = match status {
        ClientStatus::Discharged => "discharge date",
        ClientStatus::Active | ClientStatus::OnHold => "status date",
    };
    if on < client.since {
        return Err(Error::invalid(format!(
            "{what} {on} is before the client joined the panel ({})",
            client.since
        )));
    }
    if status != ClientStatus::Discharged
        && let Some(out) = client.discharged_on
        && on < out
    {
        return Err(Error::invalid(format!(
            "client {id} was discharged on {out}; a change to {status} cannot be dated before it"
        )));
    }
    let discharged_on = (status == ClientStatus::Discharged).then(|| iso(on));
    tx.prepare_cached("UPDATE clients SET status = ?1, discharged_on = ?2 WHERE id = ?3")?
        .execute(params![status.as_str(), discharged_on, id])?;
    tx.audit(
        "client.status",
        Some(id),
        &format!("{} -> {status} on {on}", client.status),
    )?;
    Ok(())
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;
    use crate::store::Store;

    fn new(name: &str, ext: Option<&str>) -> NewClient {
        NewClient {
            external_id: ext.map(str::to_string),
            name: name.to_string(),
            dob: Some(parse_date("1990-05-01").unwrap()),
            tier: Tier::High,
            since: parse_date("2026-01-05").unwrap(),
            diagnosis: Some("F32.1".into()),
            clinician_id: None,
        }
    }

    #[test]
    fn clients_round_trip() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .write(|tx| insert(tx, &new("Ann Lee", Some("M-1"))))
            .unwrap();
        let c = get(store.conn(), id).unwrap();
        assert_eq!(c.name, "Ann Lee");
        assert_eq!(c.external_id.as_deref(), Some("M-1"));
        assert_eq!(c.tier, Tier::High);
        assert_eq!(c.status, ClientStatus::Active);
        assert_eq!(c.dob, Some(parse_date("1990-05-01").unwrap()));
        assert_eq!(c.diagnosis.as_deref(), Some("F32.1"));
        let on = parse_date("2026-03-01").unwrap();
        store
            .write(|tx| set_status(tx, id, ClientStatus::Discharged, on))
            .unwrap();
        store.write(|tx| set_tier(tx, id, Tier::Low)).unwrap();
        let c = get(store.conn(), id).unwrap();
        assert_eq!(
            (c.status, c.discharged_on, c.tier),
            (ClientStatus::Discharged, Some(on), Tier::Low)
        );
        let early = parse_date("2026-02-27").unwrap();
        assert!(
            store
                .write(|tx| set_status(tx, id, ClientStatus::Active, early))
                .is_err(),
            "a readmission is not dated before the discharge"
        );
        let back = parse_date("2026-04-01").unwrap();
        store
            .write(|tx| set_status(tx, id, ClientStatus::Active, back))
            .unwrap();
        let c = get(store.conn(), id).unwrap();
        assert_eq!((c.status, c.discharged_on), (ClientStatus::Active, None));
    }

    #[test]
    fn references_resolve_by_id_external_id_or_unique_fragment() {
        let mut store = Store::open_in_memory().unwrap();
        let ann = store
            .write(|tx| insert(tx, &new("Ann Lee", Some("M-1"))))
            .unwrap();
        let joann = store
            .write(|tx| insert(tx, &new("Joanne Park", Some("M-2"))))
            .unwrap();
        let c = store.conn();
        assert_eq!(resolve(c, &ann.to_string()).unwrap().id, ann);
        assert_eq!(resolve(c, "M-2").unwrap().id, joann);
        assert_eq!(resolve(c, "PARK").unwrap().id, joann);
        let err = resolve(c, "ann").unwrap_err();
        assert!(matches!(err, Error::Ambiguous(_)));
        let text = err.to_string();
        assert!(
            text.contains("Ann Lee") && text.contains("Joanne Park"),
            "{text}"
        );
        assert!(matches!(
            resolve(c, "zed"),
            Err(Error::NotFound { what: "client", .. })
        ));
        let missing = get(c, ClientId(999)).unwrap_err();
        assert!(
            matches!(&missing, Error::NotFound { what: "client", reference, .. } if reference == "with id 999")
        );
        assert_eq!(missing.to_string(), "no client with id 999");
    }

    #[test]
    fn duplicate_external_ids_and_unknown_clinicians_are_refused() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|tx| insert(tx, &new("Ann Lee", Some("M-1"))))
            .unwrap();
        assert!(
            store
                .write(|tx| insert(tx, &new("Bo Diaz", Some("M-1"))))
                .is_err()
        );
        let mut orphan = new("Cy Young", None);
        orphan.clinician_id = Some(ClinicianId(99));
        assert!(
            store.write(|tx| insert(tx, &orphan)).is_err(),
            "foreign keys are enforced"
        );
    }
}
