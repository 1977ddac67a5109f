//! `caseload contract add|list|rate|show|target` and `caseload attribute`.

use super::args::{AttributeArgs, ContractCommand};
use super::table::Table;
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::dates::record_date;
use crate::domain::quality::{self, Measure, Target};
use crate::domain::{
    Contract, ContractModel, Money, Percent, icd10_key, parse_date, text::sanitize, validate,
};
use crate::error::{Error, Result};
use crate::store::{attributions, contracts, targets};
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
        ContractCommand::Rate {
            name,
            rate,
            from,
            diagnosis: Some(prefix),
        } => diagnosis_rate(ctx, &name, &rate, &from, &prefix),
        ContractCommand::Show { name, json } => show(ctx, &name, json),
        ContractCommand::Target {
            name,
            measure,
            at_least,
            weight,
            remove,
        } => target(ctx, &name, &measure, at_least.as_deref(), &weight, remove),
        ContractCommand::Rate {
            name,
            rate,
            from,
            diagnosis: None,
        } => {
            let rate = Money::parse(&rate)?;
            if rate.cents() < 0 {
                return Err(Error::invalid("the contract rate must not be negative"));
            }
            let from = record_date(parse_date(&from)?, "rate start", ctx.today)?;
            let contract = ctx.store.read(|c| contracts::by_name(c, &name))?;
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
            let all = ctx.store.read(|c| contracts::list(c))?;
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
    let contract = ctx.store.read(|c| contracts::by_name(c, &args.contract))?;
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
    let diagnosis = args
        .diagnosis
        .as_deref()
        .map(validate::diagnosis)
        .transpose()?;
    ctx.store.write(|tx| {
        attributions::insert_with_diagnosis(
            tx,
            client.id,
            contract.id,
            from,
            to,
            diagnosis.as_deref(),
        )
    })?;
    let until = to.map_or("open-ended".to_string(), |t| format!("to {t}"));
    let coded = diagnosis
        .or(client.diagnosis.clone())
        .map_or(String::new(), |d| format!(" (diagnosis {})", sanitize(&d)));
    outln!(
        "Attributed client {} to {} from {from} {until}{coded}",
        client.id,
        sanitize(&contract.name)
    );
    Ok(())
}

/// `contract rate NAME --rate R --from D --diagnosis PREFIX`: a case rate for a diagnosis.
fn diagnosis_rate(
    ctx: &mut Context,
    name: &str,
    rate: &str,
    from: &str,
    prefix: &str,
) -> Result<()> {
    let rate = Money::parse(rate)?;
    let from = record_date(parse_date(from)?, "rate start", ctx.today)?;
    let code = validate::diagnosis(prefix)?;
    let key = icd10_key(&code);
    let contract = ctx.store.read(|c| contracts::by_name(c, name))?;
    if contract.model != ContractModel::CaseRate {
        return Err(Error::invalid(format!(
            "{} pays per member per month; rates by diagnosis are for case-rate contracts",
            sanitize(&contract.name)
        )));
    }
    ctx.require(Action::ManageContracts, None)?;
    ctx.store
        .write(|tx| contracts::set_rate_for(tx, contract.id, rate, from, Some(&key)))?;
    outln!(
        "{} now pays {rate} for episodes from {from} whose diagnosis starts with {code} (the \
         longest matching prefix wins; others pay the contract's own rate)",
        sanitize(&contract.name)
    );
    Ok(())
}

/// `contract target NAME --measure M --at-least PCT [--weight W] | --remove`.
fn target(
    ctx: &mut Context,
    name: &str,
    measure: &str,
    at_least: Option<&str>,
    weight: &str,
    remove: bool,
) -> Result<()> {
    let measure: Measure = measure.parse()?;
    let contract = ctx.store.read(|c| contracts::by_name(c, name))?;
    let shown = sanitize(&contract.name);
    if remove {
        ctx.require(Action::ManageContracts, None)?;
        ctx.store
            .write(|tx| targets::remove(tx, contract.id, measure))?;
        outln!("{shown} no longer has a target on {measure}");
        return Ok(());
    }
    let target = Target {
        measure,
        at_least: Percent::parse(at_least.unwrap_or_default())?,
        weight: quality::weight(weight)?,
    };
    ctx.require(Action::ManageContracts, None)?;
    ctx.store
        .write(|tx| targets::set(tx, contract.id, &target))?;
    outln!(
        "{shown}: {measure} at least {} (weight {})",
        target.at_least,
        target.weight
    );
    Ok(())
}

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    contract: &'a Contract,
    targets: &'a [Target],
}

/// `contract show NAME`: everything the contract says.
fn show(ctx: &mut Context, name: &str, json: bool) -> Result<()> {
    let contract = ctx.store.read(|c| contracts::by_name(c, name))?;
    let targets = ctx.store.read(|c| targets::for_contract(c, contract.id))?;
    if json {
        return print_json(&ShowJson {
            contract: &contract,
            targets: &targets,
        });
    }
    outln!("{}", sanitize(&contract.name));
    outln!(
        "  {} · withhold {} · proration {}{}",
        contract.model,
        contract.withhold_bp,
        contract.proration,
        contract
            .payer
            .as_deref()
            .map_or(String::new(), |p| format!(" · payer {}", sanitize(p)))
    );
    outln!();
    outln!("Rates");
    let (header, whom) = match contract.model {
        ContractModel::Capitation => (">PMPM", "every member"),
        ContractModel::CaseRate => (">per episode", "every episode"),
    };
    let mut table = Table::new(&["for", "from", header]);
    for r in &contract.rates {
        let from = if iso_of(r.from) == contracts::BEGINNING {
            "the start".to_string()
        } else {
            r.from.to_string()
        };
        table.row(vec![whom.into(), from, r.rate_cents.to_string()]);
    }
    for r in &contract.diagnosis_rates {
        table.row(vec![
            format!("diagnosis {}…", r.prefix),
            r.from.to_string(),
            r.rate_cents.to_string(),
        ]);
    }
    out!("{}", indent(&table.render()));
    outln!();
    outln!("Quality targets");
    if targets.is_empty() {
        outln!("  none (add one with `caseload contract target NAME --measure M --at-least PCT`)");
    }
    for t in &targets {
        outln!(
            "  {:<22} at least {:>6}  weight {}",
            t.measure.as_str(),
            t.at_least.to_string(),
            t.weight
        );
    }
    Ok(())
}

fn iso_of(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
