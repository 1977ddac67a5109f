//! Attributions: a client on a contract from a start date to an optional end date, never
//! overlapping another attribution of the same client to the same contract.

use super::Tx;
use super::row::iso;
use crate::domain::{Attribution, AttributionId, ClientId, ContractId, ranges_overlap};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;

const COLUMNS: &str = "id, client_id, contract_id,
    (SELECT k.name FROM contracts k WHERE k.id = contract_id) AS contract,
    start_date, end_date, voided_at, voided_by, void_reason, diagnosis";

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<Attribution> {
    Ok(Attribution {
        id: r.get(0)?,
        client_id: r.get(1)?,
        contract_id: r.get(2)?,
        contract: r.get(3)?,
        start: r.get(4)?,
        end: r.get(5)?,
        voided: super::row::voided(r, 6)?,
        diagnosis: r.get(9)?,
    })
}

/// The client's live attributions, oldest first: what counts (overlaps, ends, revenue).
pub fn for_client(conn: &Connection, client: ClientId) -> Result<Vec<Attribution>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM live_attributions WHERE client_id = ?1 ORDER BY start_date, id"
    ))?;
    let rows = stmt.query_map([client.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The client's attributions, live and voided, oldest first (the client's record).
pub fn all_for_client(conn: &Connection, client: ClientId) -> Result<Vec<Attribution>> {
    let sql = super::row::all_for_client(COLUMNS, "attributions", "start_date, id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([client.0], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One attribution by id, live or voided.
pub fn get(conn: &Connection, id: AttributionId) -> Result<Attribution> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM attributions WHERE id = ?1"))?;
    stmt.query_row([id.0], from_row)
        .optional()?
        .ok_or_else(|| Error::no_id("attribution", id))
}

/// Attributes a client to a contract, the episode taking the client's diagnosis of the moment;
/// refused when it would overlap an existing attribution to the same contract (that would count
/// the same member month twice).
pub fn insert(
    tx: &Tx,
    client: ClientId,
    contract: ContractId,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<AttributionId> {
    insert_with_diagnosis(tx, client, contract, start, end, None)
}

/// [`insert`] with the episode's diagnosis given (ICD-10, validated by the caller); `None`
/// takes the client's diagnosis of the moment.
pub fn insert_with_diagnosis(
    tx: &Tx,
    client: ClientId,
    contract: ContractId,
    start: NaiveDate,
    end: Option<NaiveDate>,
    diagnosis: Option<&str>,
) -> Result<AttributionId> {
    if let Some(end) = end
        && end < start
    {
        return Err(Error::invalid(format!(
            "the attribution would end ({end}) before it starts ({start})"
        )));
    }
    if let Some(clash) = for_client(tx, client)?
        .into_iter()
        .find(|a| a.contract_id == contract && ranges_overlap(a.start, a.end, start, end))
    {
        let until = clash
            .end
            .map_or("open-ended".to_string(), |e| format!("to {e}"));
        return Err(Error::invalid(format!(
            "the client is already attributed to this contract from {} {until}; \
             overlapping attributions would count the same months twice",
            clash.start
        )));
    }
    tx.prepare_cached(
        "INSERT INTO attributions (client_id, contract_id, start_date, end_date, diagnosis)
         VALUES (?1, ?2, ?3, ?4, coalesce(?5, (SELECT diagnosis FROM clients WHERE id = ?1)))",
    )?
    .execute(params![client, contract, start, end.map(iso), diagnosis])?;
    let id = AttributionId(tx.last_insert_rowid()?);
    let until = end.map_or("open".to_string(), |e| e.to_string());
    tx.audit(
        "attribution.add",
        Some(client),
        &format!("contract {contract} from {start} to {until}"),
    )?;
    Ok(id)
}

/// Ends the client's attribution to a contract that covers `end` (or starts after it, which
/// is then removed from consideration by refusing). Returns the attribution as it was.
pub fn end(tx: &Tx, client: ClientId, contract: ContractId, end: NaiveDate) -> Result<Attribution> {
    let current = for_client(tx, client)?
        .into_iter()
        .filter(|a| a.contract_id == contract)
        .find(|a| a.covers(end) || (a.end.is_none() && a.start <= end))
        .ok_or_else(|| Error::NotFound {
            what: "attribution to this contract",
            reference: format!("covering {end}"),
            hint: String::new(),
        })?;
    tx.prepare_cached("UPDATE attributions SET end_date = ?1 WHERE id = ?2")?
        .execute(params![end, current.id])?;
    tx.audit(
        "attribution.end",
        Some(client),
        &format!("contract {contract} ends {end}"),
    )?;
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ContractModel, Money, Percent, Proration, Tier, parse_date};
    use crate::store::{Store, clients, contracts};

    fn setup() -> (Store, ClientId, ContractId) {
        let mut store = Store::open_in_memory().unwrap();
        let (client, contract) = store
            .write(|tx| {
                let client = clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: "Ann".into(),
                        dob: None,
                        tier: Tier::Moderate,
                        since: parse_date("2026-01-01").unwrap(),
                        diagnosis: None,
                        clinician_id: None,
                    },
                )?;
                let contract = contracts::insert(
                    tx,
                    &contracts::NewContract {
                        name: "Cap".into(),
                        model: ContractModel::Capitation,
                        rate: Money(4000),
                        withhold: Percent(0),
                        proration: Proration::FirstOfMonth,
                        payer: None,
                    },
                )?;
                Ok((client, contract))
            })
            .unwrap();
        (store, client, contract)
    }

    #[test]
    fn overlapping_attributions_are_refused_and_adjacent_ones_allowed() {
        let (mut store, client, contract) = setup();
        let d = |s| parse_date(s).unwrap();
        store
            .write(|tx| insert(tx, client, contract, d("2026-01-01"), Some(d("2026-03-31"))))
            .unwrap();
        let clash = store.write(|tx| insert(tx, client, contract, d("2026-03-31"), None));
        assert!(
            clash
                .unwrap_err()
                .to_string()
                .contains("already attributed")
        );
        store
            .write(|tx| insert(tx, client, contract, d("2026-04-01"), None))
            .unwrap();
        let back =
            store.write(|tx| insert(tx, client, contract, d("2026-05-01"), Some(d("2026-04-01"))));
        assert!(back.unwrap_err().to_string().contains("before it starts"));
        store
            .write(|tx| end(tx, client, contract, d("2026-06-30")))
            .unwrap();
        let all = for_client(store.conn(), client).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].end, Some(d("2026-06-30")));
    }
}
