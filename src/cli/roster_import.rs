//! The path every roster import takes, whatever the file: the contract checked, the plan made
//! against the practice in one snapshot or transaction, every problem listed in one refusal, the
//! plan applied and recorded (with the 834 it came from, if any), and a re-import that changes
//! nothing not recorded again. The file formats are read elsewhere (`domain::roster`,
//! `domain::x12`); the rules are `domain::roster_plan`'s; this file decides nothing about members.

use super::Context;
use super::progress::Progress;
use crate::domain::access::Action;
use crate::domain::csvfile::{self, LineProblem};
use crate::domain::roster_plan::{Current, RosterPlan};
use crate::domain::text::sanitize;
use crate::domain::{Contract, ContractModel};
use crate::error::{Error, Result};
use crate::store::db::Connection;
use crate::store::roster::X12Source;
use crate::store::{contracts, roster as store_roster};
use chrono::NaiveDate;

/// The capitation contract a roster is for, once the acting clinician may manage contracts.
pub(super) fn roster_contract(ctx: &mut Context, name: &str) -> Result<Contract> {
    ctx.require(Action::ManageContracts, None)?;
    let contract = ctx.store.read(|c| contracts::by_name(c, name))?;
    if contract.model != ContractModel::Capitation {
        return Err(Error::invalid(format!(
            "{} is a case-rate contract; rosters are for capitation contracts (a case-rate attribution is an episode)",
            sanitize(&contract.name)
        )));
    }
    Ok(contract)
}

/// How a file's problems are named in its refusal.
pub(super) struct Naming {
    pub what: &'static str,
    pub unit: &'static str,
    pub item: &'static str,
}

impl Naming {
    pub(super) const CSV: Naming = Naming {
        what: "roster",
        unit: "line",
        item: "row",
    };
    pub(super) const X12: Naming = Naming {
        what: "834",
        unit: "segment",
        item: "segment",
    };
}

/// One roster import to plan and, unless a dry run or a bad file, apply.
pub(super) struct RosterJob<'a> {
    pub contract: &'a Contract,
    pub as_of: NaiveDate,
    pub file_hash: &'a str,
    pub dry_run: bool,
    pub naming: Naming,
    /// Problems found reading the file: any of them refuses it (with the plan's, all listed).
    pub problems: Vec<LineProblem>,
    /// Members the file lists (for the progress line).
    pub members: usize,
    /// The 834 it was read from, noted on the import record.
    pub x12: Option<&'a X12Source>,
}

/// Plans a roster against the practice (`planner` turns the practice, read in the same snapshot
/// or transaction, into a plan) and applies it in one transaction: refused whole with every
/// problem listed, recorded for reconciliation, and not recorded again when it changes nothing
/// and was already imported. A dry run, or a file with problems, only plans, on a snapshot
/// taken without the write lock. Returns the plan, the import's id if one was recorded, and
/// what the planner said besides.
pub(super) fn plan_and_apply<T>(
    ctx: &mut Context,
    job: RosterJob,
    mut planner: impl FnMut(&Connection, &Current) -> Result<(RosterPlan, Vec<LineProblem>, T)>,
) -> Result<(RosterPlan, Option<i64>, T)> {
    let contract = job.contract;
    let refuse = |mut problems: Vec<LineProblem>| -> Result<()> {
        if problems.is_empty() {
            return Ok(());
        }
        problems.sort_by_key(|p| p.line);
        let n = &job.naming;
        Err(Error::invalid(csvfile::refusal_by(
            n.what, n.unit, n.item, &problems,
        )))
    };
    let now = ctx.now;
    let mut progress = Progress::new("importing roster", job.members, 5_000);
    let outcome = if job.dry_run || !job.problems.is_empty() {
        // A consistent snapshot without taking the write lock.
        let (plan, problems, extra) = ctx.store.read(|snapshot| {
            let current = store_roster::current(snapshot, contract.id)?;
            planner(snapshot, &current)
        })?;
        let mut all = job.problems.clone();
        all.extend(problems);
        refuse(all)?;
        (plan, None, extra)
    } else {
        ctx.store.write(|tx| {
            let current = store_roster::current(tx, contract.id)?;
            let (plan, problems, extra) = planner(tx, &current)?;
            refuse(problems)?;
            if plan.is_noop()
                && (store_roster::already_recorded(tx, contract.id, job.as_of, &plan.members)?
                    || store_roster::hash_recorded(tx, contract.id, job.as_of, job.file_hash)?)
            {
                return Ok((plan, None, extra));
            }
            let id = store_roster::apply(tx, contract, &plan, job.file_hash, now, &mut |d, t| {
                progress.update(d, t)
            })?;
            if let Some(source) = job.x12 {
                store_roster::note_x12(tx, id, source)?;
            }
            Ok((plan, Some(id), extra))
        })?
    };
    progress.finish();
    Ok(outcome)
}
