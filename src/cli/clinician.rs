//! `caseload clinician add|list|passphrase`.

use super::args::ClinicianCommand;
use super::table::Table;
use super::{Context, print_json, secret};
use crate::domain::access::{Action, Ownership};
use crate::domain::text::sanitize;
use crate::domain::{Money, Role, validate};
use crate::error::{Error, Result};
use crate::store::{auth, clinicians};

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
            ctx.require(Action::ManageClinicians, None)?;
            let id = ctx
                .store
                .write(|tx| clinicians::insert(tx, &name, role, cost))?;
            outln!(
                "Added clinician {id}: {} ({role}, {cost}/hour)",
                sanitize(&name)
            );
            Ok(())
        }
        ClinicianCommand::List { json } => {
            let all = ctx.store.read(|c| clinicians::list(c))?;
            if json {
                return print_json(&all);
            }
            let locked = ctx.store.read(|c| auth::with_passphrase(c))?;
            let mut table = Table::new(&[">id", "name", "role", ">hourly cost", "passphrase"]);
            for c in &all {
                table.row(vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.role.to_string(),
                    c.hourly_cost_cents.to_string(),
                    if locked.contains(&c.id) { "set" } else { "—" }.to_string(),
                ]);
            }
            if table.is_empty() {
                outln!("No clinicians yet. Add one with `caseload clinician add NAME`.");
            } else {
                table.print()?;
            }
            Ok(())
        }
        ClinicianCommand::Passphrase { name } => passphrase(ctx, &name),
    }
}

/// Sets or changes a passphrase. Once the practice uses passphrases the acting clinician is
/// authenticated first (which is how changing your own proves the current one) and only an
/// admin may set someone else's. The first passphrase must be an admin's, so the practice can
/// never lock itself out of managing the others.
fn passphrase(ctx: &mut Context, name: &str) -> Result<()> {
    let target = ctx.store.read(|c| clinicians::by_name(c, name))?;
    let first_in_practice = !ctx.guarded();
    if first_in_practice {
        if target.role != Role::Admin {
            return Err(Error::Invalid(format!(
                "the practice has no passphrases yet: set an admin's first, so someone can always manage the others ({} is a {})",
                sanitize(&target.name),
                target.role
            )));
        }
    } else {
        let own = ctx.acting.as_ref().is_some_and(|a| a.id == target.id);
        let ownership = if own {
            Ownership::Own
        } else {
            Ownership::Others
        };
        ctx.require_owned(Action::SetPassphrase, ownership)?;
    }
    let new = secret::new_passphrase(&target.name, first_in_practice)?;
    let phc = auth::hash_new_passphrase(&new, &target.name)?;
    let had = ctx
        .store
        .read(|c| auth::stored_hash(c, target.id))?
        .is_some();
    let now = ctx.now;
    ctx.store
        .write(|tx| auth::set_passphrase(tx, target.id, &phc, now))?;
    let what = if had { "Changed" } else { "Set" };
    outln!("{what} the passphrase of {}.", sanitize(&target.name));
    if first_in_practice {
        outln!(
            "The practice now uses passphrases: the terminal UI opens on a lock screen, and commands that read or change client data need --as NAME."
        );
    }
    Ok(())
}
