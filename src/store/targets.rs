//! A contract's quality targets (SPEC section 12): one per measure, with the share to reach and
//! its weight in the withhold's earn-back. Setting a target on a measure that has one replaces
//! it; both are audited.

use super::Tx;
use crate::domain::quality::{Measure, Target};
use crate::domain::{ContractId, Percent};
use crate::error::{Error, Result};
use crate::store::db::{Connection, params};

/// The contract's targets, in the order of SPEC section 12's list of measures.
pub fn for_contract(conn: &Connection, contract: ContractId) -> Result<Vec<Target>> {
    let mut stmt = conn.prepare_cached(
        "SELECT measure, at_least_bp, weight FROM contract_targets WHERE contract_id = ?1",
    )?;
    let rows = stmt.query_map([contract.0], |r| {
        Ok(Target {
            measure: r.get(0)?,
            at_least: Percent(r.get(1)?),
            weight: r.get(2)?,
        })
    })?;
    let mut targets: Vec<Target> = rows.collect::<rusqlite::Result<_>>()?;
    targets.sort_by_key(|t| t.measure);
    Ok(targets)
}

/// Sets (or replaces) the target on one measure.
pub fn set(tx: &Tx, contract: ContractId, target: &Target) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO contract_targets (contract_id, measure, at_least_bp, weight)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (contract_id, measure)
         DO UPDATE SET at_least_bp = excluded.at_least_bp, weight = excluded.weight",
    )?
    .execute(params![
        contract,
        target.measure.as_str(),
        target.at_least.basis_points(),
        target.weight
    ])?;
    tx.audit(
        "contract.target",
        None,
        &format!(
            "contract {contract}: {} at least {} (weight {})",
            target.measure, target.at_least, target.weight
        ),
    )
}

/// Removes the target on one measure; refused when there is none.
pub fn remove(tx: &Tx, contract: ContractId, measure: Measure) -> Result<()> {
    let removed = tx
        .prepare_cached("DELETE FROM contract_targets WHERE contract_id = ?1 AND measure = ?2")?
        .execute(params![contract, measure.as_str()])?;
    if removed == 0 {
        return Err(Error::NotFound {
            what: "target",
            reference: format!("on {measure}"),
            hint: " for this contract".into(),
        });
    }
    tx.audit(
        "contract.target.remove",
        None,
        &format!("contract {contract}: {measure}"),
    )
}
