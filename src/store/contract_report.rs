//! `report contract` (SPEC section 12): for one contract and a run of months, each quality
//! target against its measure among the contract's members, and what of the withhold comes
//! back. The measures are the value report's (`store::value::for_members`), the withhold the
//! revenue report's by contract; the earn-back rule is `domain::quality`'s. Computes no rule.

use super::{revenue, targets, value};
use crate::domain::quality::{self, EarnBack, TargetResult};
use crate::domain::value::Period;
use crate::domain::{Contract, Money, Month};
use crate::error::{Error, Result};
use crate::store::db::Connection;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub struct ContractReport {
    pub contract: Contract,
    pub from: Month,
    pub to: Month,
    /// The days the measures cover: the 1st of `from` to the earlier of the end of `to` and
    /// today.
    pub period: Period,
    pub targets: Vec<TargetResult>,
    pub money: EarnBack,
}

pub fn report(
    conn: &Connection,
    contract: Contract,
    from: Month,
    to: Month,
    today: NaiveDate,
) -> Result<ContractReport> {
    if from > to {
        return Err(Error::invalid(format!(
            "the report cannot start ({from}) after it ends ({to})"
        )));
    }
    if from.first_day() > today {
        return Err(Error::invalid(format!(
            "{from} has not begun (today is {today}); nothing is measured yet"
        )));
    }
    let period = Period {
        from: from.first_day(),
        to: to.last_day().min(today),
    };
    let measures = value::for_members(conn, period, contract.id)?;
    let results: Vec<TargetResult> = targets::for_contract(conn, contract.id)?
        .into_iter()
        .map(|t| quality::result(t, t.measure.of(&measures)))
        .collect();
    let by_contract = revenue::report(
        conn,
        &revenue::RevenueQuery::new(from, to, revenue::GroupBy::Contract),
    )?;
    let withhold = by_contract
        .rows
        .iter()
        .find(|r| r.key == contract.name)
        .map_or(Money(0), |r| r.withhold);
    let money = quality::earn_back(withhold, &results);
    Ok(ContractReport {
        contract,
        from,
        to,
        period,
        targets: results,
        money,
    })
}
