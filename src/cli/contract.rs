//! `caseload contract add|list|rate` and `caseload attribute`.

use super::args::{AttributeArgs, ContractCommand};
use super::table::Table;
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::dates::record_date;
use crate::domain::{ContractModel, Money, Percent, parse_date, text::sanitize, validate};
use crate::error::{Error, Result};
use crate::store::{attributions, contracts};
use serde::Serialize;

#[derive(Serialize)]
struct ContractJson<'a> {
    id: i64,
    name: &'a str,
    model: &'a str,
    rate_cents: i64,
    withhold_percent: f64,
    proration: &'a str,
    payer: Option<&'a str>,
    rates: &'a [crate::domain::RatePeriod],
}

pub fn run(ctx: &mut Context, command: ContractCommand) -> Result<()> {
    match command {
        ContractCommand::Add {
            name,
            model,
            rate,
            withhold,
            proration,
            payer,
        } => {
            let new = contracts::NewContract {
                name: validate::name("contract name", &name)?,
                model: model.parse()?,
                rate: Money::parse(&rate)?,
                withhold: Percent::parse(&withhold)?,
                proration: proration.parse()?,
                payer: payer.map(|p| validate::name("payer", &p)).transpose()?,
            };
            if new.rate.cents() < 0 {
                return Err(Error::invalid("the contract rate must not be negative"));
            }
            ctx.require(Action::ManageContracts, None)?;
            let id = ctx.store.write(|tx| contracts::insert(tx, &new))?;
            outln!(
                "Added contract {id}: {} ({}, {}, withhold {}, {})",
                sanitize(&new.name),
                new.model,
                new.rate,
                new.withhold,
                new.proration
            );
            Ok(())
        }
        ContractCommand::Rate { name, rate, from } => {
            let rate = Money::parse(&rate)?;
            if rate.cents() < 0 {
                return Err(Error::invalid("the contract rate must not be negative"));
            }
            let from = record_date(parse_date(&from)?, "rate start", ctx.today)?;
            let contract = contracts::by_name(ctx.store.conn(), &name)?;
            ctx.require(Action::ManageContracts, None)?;
            let before = contract.rate_on(from);
            ctx.store
                .write(|tx| contracts::set_rate(tx, contract.id, rate, from))?;
            let name = sanitize(&contract.name);
            // A rate already set from a later day still takes over on that day.
            let later = contract.rates.iter().find(|p| p.from > from);
            match later {
                None => {
                    let applies = match contract.model {
                        ContractModel::Capitation => "months whose 1st is on or after that day",
                        ContractModel::CaseRate => "episodes starting on or after that day",
                    };
                    outln!(
                        "{name} now pays {rate} from {from} (was {before}); it applies to {applies}"
                    );
                }
                Some(next) => {
                    let until = next.from.pred_opt().unwrap_or(next.from);
                    let applies = match contract.model {
                        ContractModel::Capitation => "a month pays the rate in effect on its 1st",
                        ContractModel::CaseRate => {
                            "an episode pays the rate in effect on its start day"
                        }
                    };
                    outln!(
                        "{name} now pays {rate} from {from} until {until}; {} applies from {} (the rate on {from} was {before}); {applies}",
                        next.rate_cents,
                        next.from
                    );
                }
            }
            Ok(())
        }
        ContractCommand::List { json } => {
            let all = contracts::list(ctx.store.conn())?;
            if json {
                let rows: Vec<ContractJson> = all
                    .iter()
                    .map(|c| ContractJson {
                        id: c.id.0,
                        name: &c.name,
                        model: c.model.as_str(),
                        rate_cents: c.current_rate(ctx.today).cents(),
                        withhold_percent: c.withhold_bp.basis_points() as f64 / 100.0,
                        proration: c.proration.as_str(),
                        payer: c.payer.as_deref(),
                        rates: &c.rates,
                    })
                    .collect();
                return print_json(&rows);
            }
            let mut table = Table::new(&[
                ">id",
                "name",
                "model",
                ">rate",
                ">withhold",
                "proration",
                "payer",
            ]);
            for c in &all {
                table.row(vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.model.to_string(),
                    c.current_rate(ctx.today).to_string(),
                    c.withhold_bp.to_string(),
                    c.proration.to_string(),
                    c.payer.clone().unwrap_or_default(),
                ]);
            }
            if table.is_empty() {
                outln!(
                    "No contracts yet. Add one with `caseload contract add NAME --model capitation --rate 40`."
                );
            } else {
                table.print()?;
            }
            Ok(())
        }
    }
}

pub fn attribute(ctx: &mut Context, args: AttributeArgs) -> Result<()> {
    let dated = |text: &Option<String>, what: &str| {
        text.as_deref()
            .map(|t| record_date(parse_date(t)?, what, ctx.today))
            .transpose()
    };
    let end = dated(&args.end, "end date")?;
    let from = dated(&args.from, "start date")?;
    let to = dated(&args.to, "end date")?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let contract = contracts::by_name(ctx.store.conn(), &args.contract)?;
    if let Some(end) = end {
        let was = ctx
            .store
            .write(|tx| attributions::end(tx, client.id, contract.id, end))?;
        outln!(
            "Ended client {}'s attribution to {} (from {}) on {end}",
            client.id,
            sanitize(&contract.name),
            was.start
        );
        return Ok(());
    }
    let from = match from {
        Some(from) => from,
        None => parse_date("")?,
    };
    ctx.store
        .write(|tx| attributions::insert(tx, client.id, contract.id, from, to))?;
    let until = to.map_or("open-ended".to_string(), |t| format!("to {t}"));
    outln!(
        "Attributed client {} to {} from {from} {until}",
        client.id,
        sanitize(&contract.name)
    );
    Ok(())
}
