//! `caseload clinician add|list`.

use super::args::ClinicianCommand;
use super::table::Table;
use super::{Context, print_json};
use crate::domain::{Money, Role, validate};
use crate::error::{Error, Result};
use crate::store::clinicians;

pub fn run(ctx: &mut Context, command: ClinicianCommand) -> Result<()> {
    match command {
        ClinicianCommand::Add {
            name,
            role,
            hourly_cost,
        } => {
            let name = validate::name("clinician name", &name)?;
            let role: Role = role.parse()?;
            let cost = Money::parse(&hourly_cost)?;
            if cost.cents() < 0 {
                return Err(Error::invalid("hourly cost must not be negative"));
            }
            let id = ctx
                .store
                .write(|tx| clinicians::insert(tx, &name, role, cost))?;
            println!(
                "Added clinician {id}: {} ({role}, {cost}/hour)",
                crate::domain::text::sanitize(&name)
            );
            Ok(())
        }
        ClinicianCommand::List { json } => {
            let all = clinicians::list(ctx.store.conn())?;
            if json {
                return print_json(&all);
            }
            let mut table = Table::new(&[">id", "name", "role", ">hourly cost"]);
            for c in &all {
                table.row(vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.role.to_string(),
                    c.hourly_cost_cents.to_string(),
                ]);
            }
            if table.is_empty() {
                println!("No clinicians yet. Add one with `caseload clinician add NAME`.");
            } else {
                table.print();
            }
            Ok(())
        }
    }
}
