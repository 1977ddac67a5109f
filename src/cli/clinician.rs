//! `caseload clinician add|list|passphrase`.

use super::args::ClinicianCommand;
use super::table::Table;
use super::{Context, print_json, secret};
use crate::domain::access::{Action, Ownership};
use crate::domain::keyslot;
use crate::domain::text::sanitize;
use crate::domain::{Money, Role, validate};
use crate::error::{Error, Result};
use crate::store::{auth, clinicians, keyfile};

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
        ClinicianCommand::Passphrase {
            name,
            remove: false,
        } => passphrase(ctx, &name),
        ClinicianCommand::Passphrase { name, remove: true } => remove_passphrase(ctx, &name),
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
            return Err(Error::invalid(format!(
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
    // In an encrypted practice the new passphrase also gets the key slot (the data itself is
    // not re-encrypted); made before the transaction, since Argon2id is slow on purpose.
    let slot = match ctx.store.key() {
        Some(key) => {
            let (salt, nonce) = keyfile::fresh_randomness()?;
            Some(keyslot::wrap(key, target.id.0, &new, salt, nonce)?)
        }
        None => None,
    };
    let had = ctx
        .store
        .read(|c| auth::stored_hash(c, target.id))?
        .is_some();
    let now = ctx.now;
    let db = ctx.store.path().map(std::path::Path::to_path_buf);
    ctx.store.write(|tx| {
        auth::set_passphrase(tx, target.id, &phc, now)?;
        // Last, inside the transaction: a failed slot write rolls the hash back with it.
        if let (Some(slot), Some(db)) = (slot.clone(), &db) {
            keyfile::put_slot(db, target.id.0, &target.name, slot)?;
        }
        Ok(())
    })?;
    let what = if had { "Changed" } else { "Set" };
    outln!("{what} the passphrase of {}.", sanitize(&target.name));
    if first_in_practice {
        outln!(
            "The practice now uses passphrases: the terminal UI opens on a lock screen, and commands that read or change client data need --as NAME."
        );
    }
    Ok(())
}

/// Removes a clinician's passphrase, and in an encrypted practice their key slot. An admin's
/// task; refused when it would leave the practice without an admin who can log in, or an
/// encrypted practice without any slot.
fn remove_passphrase(ctx: &mut Context, name: &str) -> Result<()> {
    let target = ctx.store.read(|c| clinicians::by_name(c, name))?;
    if !ctx.guarded() {
        return Err(Error::invalid("the practice has no passphrases to remove"));
    }
    ctx.require_owned(Action::SetPassphrase, Ownership::Others)?;
    let with = ctx.store.read(|c| auth::with_passphrase(c))?;
    if !with.contains(&target.id) {
        return Err(Error::invalid(format!(
            "{} has no passphrase",
            sanitize(&target.name)
        )));
    }
    let admins_left = ctx
        .store
        .read(|c| clinicians::list(c))?
        .iter()
        .filter(|c| c.id != target.id && c.role == Role::Admin && with.contains(&c.id))
        .count();
    if admins_left == 0 {
        return Err(Error::invalid(
            "that is the last admin with a passphrase: set another admin's first, so someone can always manage the practice",
        ));
    }
    let now = ctx.now;
    let db = ctx.store.path().map(std::path::Path::to_path_buf);
    let encrypted = ctx.store.encrypted();
    ctx.store.write(|tx| {
        auth::remove_passphrase(tx, target.id, now)?;
        if let (true, Some(db)) = (encrypted, &db) {
            keyfile::remove_slot(db, target.id.0)?;
        }
        Ok(())
    })?;
    outln!("Removed the passphrase of {}.", sanitize(&target.name));
    Ok(())
}
