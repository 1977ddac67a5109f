//! Contracts and their rate history: a rate change applies from a date without rewriting the
//! months before it.

use super::Tx;
use crate::domain::{
    Contract, ContractId, ContractModel, DiagnosisRate, Money, Percent, Proration, RatePeriod,
    text::sanitize,
};
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The start of the first rate period: before any date a practice will ever report on.
pub const BEGINNING: &str = "0001-01-01";

#[derive(Debug, Clone)]
pub struct NewContract {
    pub name: String,
    pub model: ContractModel,
    pub rate: Money,
    pub withhold: Percent,
    pub proration: Proration,
    pub payer: Option<String>,
}

pub fn insert(tx: &Tx, new: &NewContract) -> Result<ContractId> {
    if find(tx, &new.name)?.is_some() {
        return Err(Error::invalid(format!(
            "a contract named '{}' already exists",
            sanitize(&new.name)
        )));
    }
    if new.rate.cents() < 0 {
        return Err(Error::invalid("the contract rate must not be negative"));
    }
    tx.prepare_cached(
        "INSERT INTO contracts (name, model, withhold_bp, proration, payer)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        new.name,
        new.model.as_str(),
        new.withhold.basis_points(),
        new.proration.as_str(),
        new.payer
    ])?;
    let id = ContractId(tx.last_insert_rowid()?);
    tx.prepare_cached(
        "INSERT INTO contract_rates (contract_id, effective_from, rate_cents) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, BEGINNING, new.rate.cents()])?;
    tx.audit(
        "contract.add",
        None,
        &format!(
            "contract {id}: {} at {} withhold {}",
            new.model, new.rate, new.withhold
        ),
    )?;
    Ok(id)
}

/// Sets a new rate from `from` on; months before keep the rates they had.
pub fn set_rate(tx: &Tx, id: ContractId, rate: Money, from: NaiveDate) -> Result<()> {
    set_rate_for(tx, id, rate, from, None)
}

/// Sets a new rate from `from` on, for episodes whose diagnosis starts with `prefix` (an
/// ICD-10 key, see `domain::icd10_key`), or the contract's own rate when there is none.
pub fn set_rate_for(
    tx: &Tx,
    id: ContractId,
    rate: Money,
    from: NaiveDate,
    prefix: Option<&str>,
) -> Result<()> {
    if rate.cents() < 0 {
        return Err(Error::invalid("the contract rate must not be negative"));
    }
    tx.prepare_cached(
        "INSERT INTO contract_rates (contract_id, effective_from, rate_cents, diagnosis_prefix)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (contract_id, diagnosis_prefix, effective_from)
         DO UPDATE SET rate_cents = excluded.rate_cents",
    )?
    .execute(params![id, from, rate.cents(), prefix.unwrap_or("")])?;
    let for_what = prefix.map_or(String::new(), |p| format!(" for diagnoses {p}…"));
    tx.audit(
        "contract.rate",
        None,
        &format!("contract {id}: {rate} from {from}{for_what}"),
    )?;
    Ok(())
}

type Rates = (Vec<RatePeriod>, Vec<DiagnosisRate>);

fn rates(conn: &Connection) -> Result<HashMap<i64, Rates>> {
    let mut stmt = conn.prepare_cached(
        "SELECT contract_id, effective_from, rate_cents, diagnosis_prefix FROM contract_rates
         ORDER BY contract_id, diagnosis_prefix, effective_from",
    )?;
    let mut by_contract: HashMap<i64, Rates> = HashMap::new();
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get(1)?,
            Money(r.get(2)?),
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, from, rate_cents, prefix) = row?;
        let entry = by_contract.entry(id).or_default();
        if prefix.is_empty() {
            entry.0.push(RatePeriod { from, rate_cents });
        } else {
            entry.1.push(DiagnosisRate {
                prefix,
                from,
                rate_cents,
            });
        }
    }
    Ok(by_contract)
}

/// Every contract with its rate history, by name.
pub fn list(conn: &Connection) -> Result<Vec<Contract>> {
    let mut rates = rates(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, model, withhold_bp, proration, payer FROM contracts ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Contract {
            id: r.get(0)?,
            name: r.get(1)?,
            model: r.get(2)?,
            withhold_bp: Percent(r.get(3)?),
            proration: r.get(4)?,
            payer: r.get(5)?,
            rates: Vec::new(),
            diagnosis_rates: Vec::new(),
        })
    })?;
    let mut contracts: Vec<Contract> = rows.collect::<rusqlite::Result<_>>()?;
    for c in &mut contracts {
        let (own, by_diagnosis) = rates.remove(&c.id.0).unwrap_or_default();
        c.rates = own;
        c.diagnosis_rates = by_diagnosis;
    }
    Ok(contracts)
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<Contract>> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT id FROM contracts WHERE name = ?1")?
        .query_row([name.trim()], |r| r.get(0))
        .optional()?;
    match id {
        None => Ok(None),
        Some(id) => Ok(list(conn)?.into_iter().find(|c| c.id.0 == id)),
    }
}

/// The contract with this name, or an error listing the known ones.
pub fn by_name(conn: &Connection, name: &str) -> Result<Contract> {
    if let Some(c) = find(conn, name)? {
        return Ok(c);
    }
    let known: Vec<String> = list(conn)?.into_iter().map(|c| sanitize(&c.name)).collect();
    let hint = if known.is_empty() {
        "there are no contracts yet; add one with `caseload contract add`".to_string()
    } else {
        format!("known: {}", known.join(", "))
    };
    Err(Error::NotFound {
        what: "contract",
        reference: format!("named '{}'", sanitize(name)),
        hint: format!(" ({hint})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;
    use crate::store::Store;

    #[test]
    fn contracts_round_trip_with_rate_history() {
        let mut store = Store::open_in_memory().unwrap();
        let new = NewContract {
            name: "Blue Plan".into(),
            model: ContractModel::Capitation,
            rate: Money(4250),
            withhold: Percent(500),
            proration: Proration::Daily,
            payer: Some("Blue".into()),
        };
        let id = store.write(|tx| insert(tx, &new)).unwrap();
        let july = parse_date("2026-07-01").unwrap();
        store
            .write(|tx| set_rate(tx, id, Money(4500), july))
            .unwrap();
        let c = by_name(store.conn(), "blue plan").unwrap();
        assert_eq!(c.model, ContractModel::Capitation);
        assert_eq!(c.withhold_bp, Percent(500));
        assert_eq!(c.proration, Proration::Daily);
        assert_eq!(c.payer.as_deref(), Some("Blue"));
        assert_eq!(c.rate_on(parse_date("2026-06-01").unwrap()), Money(4250));
        assert_eq!(c.rate_on(july), Money(4500));
        assert!(
            store.write(|tx| insert(tx, &new)).is_err(),
            "names are unique"
        );
    }
}
