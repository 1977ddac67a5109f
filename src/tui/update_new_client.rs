//! Adding a client from the Panel (`n`): opens the new-client form with the practice's
//! clinicians and contracts, and stores a valid one through `store::clients::add` — the
//! function `caseload client add` uses — after the same access check.

use super::app::{App, Modal};
use super::form::{Form, NewClientEntry};
use super::update::reload_selecting;
use crate::domain::access::Action as Access;
use crate::error::Result;
use crate::store::{Store, clients, clinicians, contracts};

/// Opens the form (`n` on the Panel).
pub(super) fn open_form(app: &mut App, store: &Store) -> Result<()> {
    let names: Vec<String> = store
        .read(|c| contracts::list(c))?
        .into_iter()
        .map(|c| c.name)
        .collect();
    app.view.modal = Some(Modal::Form(Form::new_client(
        &app.clinicians,
        app.viewer.clinician_id,
        &names,
        app.today,
    )));
    Ok(())
}

/// Stores the new client (joining the panel today) and selects them on the Panel.
pub(super) fn save(app: &mut App, store: &mut Store, entry: NewClientEntry) -> Result<()> {
    let (clinician, contract) = store.read(|conn| {
        let clinician = entry
            .clinician
            .as_deref()
            .map(|name| clinicians::by_name(conn, name))
            .transpose()?;
        let contract = entry
            .contract
            .as_deref()
            .map(|name| contracts::by_name(conn, name))
            .transpose()?;
        Ok((clinician, contract))
    })?;
    if let Some(session) = &app.session {
        let actor = session.clinician.clone();
        crate::store::access::check_panel(
            store,
            &actor,
            Access::AddClient,
            clinician.as_ref().map(|c| c.id),
        )?;
    }
    let new = clients::NewClient {
        external_id: None,
        name: entry.name,
        dob: None,
        tier: entry.tier,
        since: app.today,
        diagnosis: None,
        clinician_id: clinician.as_ref().map(|c| c.id),
    };
    let id = store.write(|tx| clients::add(tx, &new, contract.as_ref().map(|c| c.id)))?;
    let mut said = format!("Added {} ({} tier", app.display_name(&new.name), new.tier);
    if let Some(c) = &clinician {
        said.push_str(&format!(", with {}", app.display_name(&c.name)));
    }
    if let Some(c) = &contract {
        said.push_str(&format!(", on {}", crate::domain::text::sanitize(&c.name)));
    }
    app.info(format!("{said})"));
    reload_selecting(app, store, id)?;
    Ok(())
}
