//! `caseload report contract NAME [--from YYYY-MM] [--to YYYY-MM] [--json]` (SPEC section 12):
//! each quality target against its measure among the contract's members, and the withhold held,
//! earned back and at risk. Formats `store::contract_report`; computes nothing.

use super::table::Table;
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::quality::TargetResult;
use crate::domain::{Month, parse_month, text::sanitize};
use crate::error::Result;
use crate::store::contract_report::{self, ContractReport};
use crate::store::contracts;
use serde::Serialize;

#[derive(Serialize)]
struct TargetJson {
    measure: &'static str,
    at_least: f64,
    weight: i64,
    n: i64,
    of: i64,
    met: Option<bool>,
    more_needed: Option<i64>,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    contract: &'a str,
    from: String,
    to: String,
    measured_from: String,
    measured_to: String,
    withhold_cents: i64,
    earn_back_cents: i64,
    at_risk_cents: i64,
    targets: Vec<TargetJson>,
}

pub fn run(
    ctx: &mut Context,
    name: &str,
    from: Option<String>,
    to: Option<String>,
    json: bool,
) -> Result<()> {
    ctx.require_panel(Action::ListClients, None)?;
    let (january, this_month) = Month::year_so_far(ctx.today);
    let from = match from {
        Some(text) => parse_month(&text)?,
        None => january,
    };
    let to = match to {
        Some(text) => parse_month(&text)?,
        None => this_month,
    };
    let contract = ctx.store.read(|c| contracts::by_name(c, name))?;
    let report = ctx
        .store
        .read(|c| contract_report::report(c, contract, from, to, ctx.today))?;
    let id = report.contract.id;
    ctx.store.write(|tx| {
        tx.audit(
            "report.contract",
            None,
            &format!("contract {id}: {from} to {to}"),
        )
    })?;
    if json {
        return print_json(&to_json(&report));
    }
    print_text(&report)
}

fn to_json(r: &ContractReport) -> ReportJson<'_> {
    ReportJson {
        contract: &r.contract.name,
        from: r.from.to_string(),
        to: r.to.to_string(),
        measured_from: r.period.from.to_string(),
        measured_to: r.period.to.to_string(),
        withhold_cents: r.money.withhold.cents(),
        earn_back_cents: r.money.earn_back.cents(),
        at_risk_cents: r.money.at_risk.cents(),
        targets: r
            .targets
            .iter()
            .map(|t| TargetJson {
                measure: t.target.measure.as_str(),
                at_least: t.target.at_least.basis_points() as f64 / 100.0,
                weight: t.target.weight,
                n: t.rate.n,
                of: t.rate.of,
                met: t.met,
                more_needed: t.more_needed,
            })
            .collect(),
    }
}

/// "met", "not met: 2 more contacted would meet it", "n/a (no one to count)".
fn verdict(t: &TargetResult) -> String {
    match (t.met, t.more_needed) {
        (None, _) => "n/a (no one to count yet)".to_string(),
        (Some(true), _) => "met".to_string(),
        (Some(false), Some(k)) => format!(
            "not met: {k} more {} would meet it",
            t.target.measure.counted()
        ),
        (Some(false), None) => "not met".to_string(),
    }
}

fn print_text(r: &ContractReport) -> Result<()> {
    let name = sanitize(&r.contract.name);
    outln!(
        "{name}: quality targets, {} to {} (measured {} to {}, among the contract's members)",
        r.from,
        r.to,
        r.period.from,
        r.period.to
    );
    outln!();
    if r.targets.is_empty() {
        outln!(
            "No quality targets. Add them with `caseload contract target {name} --measure M --at-least PCT`."
        );
    } else {
        let mut table = Table::new(&[
            "measure", ">n of N", ">rate", ">target", ">weight", "result",
        ]);
        for t in &r.targets {
            table.row(vec![
                t.target.measure.as_str().to_string(),
                format!("{} of {}", t.rate.n, t.rate.of),
                t.rate
                    .percent()
                    .map_or("n/a".to_string(), |p| format!("{p:.0}%")),
                t.target.at_least.to_string(),
                t.target.weight.to_string(),
                verdict(t),
            ]);
        }
        table.print()?;
    }
    outln!();
    outln!(
        "Withhold held {} · earned back {} · at risk {}",
        r.money.withhold,
        r.money.earn_back,
        r.money.at_risk
    );
    Ok(())
}
