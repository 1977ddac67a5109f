//! Access checks against the store: asks the one pure rule (`domain::access::permits`) and
//! audits every denial as `access.denied`. Callers (CLI `Context`, TUI `update`) go through
//! here; nothing else decides who may see or change what.

use super::Store;
use crate::domain::access::{Action, Ownership, permits};
use crate::domain::{Client, ClientId, Clinician, ClinicianId};
use crate::error::{Error, Result};

/// Allows or refuses `actor` doing `action` on something of `ownership`; a refusal is audited
/// (with the client's id, when there is one) before the error is returned.
pub fn check(
    store: &mut Store,
    actor: &Clinician,
    action: Action,
    ownership: Ownership,
    client: Option<ClientId>,
) -> Result<()> {
    if permits(actor.role, action, ownership) {
        return Ok(());
    }
    let what = match (ownership, client) {
        (Ownership::Others, Some(c)) => {
            format!("{action} {c} (the client is on another clinician's panel)")
        }
        (Ownership::Others, None) => match action {
            Action::AddClient => "add a client to another clinician's panel".to_string(),
            Action::ListClients => "list another clinician's clients".to_string(),
            Action::SetPassphrase => "set another clinician's passphrase".to_string(),
            other => format!("{other} for another clinician"),
        },
        (Ownership::Practice, None) => format!("{action} (an admin's task)"),
        (Ownership::Practice, Some(c)) => format!("{action} {c} (an admin's task)"),
        (_, Some(c)) => format!("{action} {c}"),
        (Ownership::Own, None) => action.to_string(),
    };
    deny(store, actor, action, ownership, client, &what)
}

/// Audits a refusal and returns it as "NAME (role) may not WHAT".
fn deny(
    store: &mut Store,
    actor: &Clinician,
    action: Action,
    ownership: Ownership,
    client: Option<ClientId>,
    what: &str,
) -> Result<()> {
    let detail = format!("{} may not {action} ({})", actor.role, ownership.as_str());
    store.write(|tx| tx.audit("access.denied", client, &detail))?;
    Err(Error::Denied(format!(
        "{} ({}) may not {what}",
        crate::domain::text::sanitize(&actor.name),
        actor.role
    )))
}

/// [`check`] for an action on one client.
pub fn check_client(
    store: &mut Store,
    actor: &Clinician,
    action: Action,
    client: &Client,
) -> Result<()> {
    let ownership = Ownership::of_client(actor.id, client.clinician_id);
    check(store, actor, action, ownership, Some(client.id))
}

/// [`check`] for an action on one clinician's panel (`None`: everyone's, or for a new client,
/// no one's). A refusal names whose panel it was: "Sam Okafor (clinician) may not add a client
/// to Dana Reyes's panel".
pub fn check_panel(
    store: &mut Store,
    actor: &Clinician,
    action: Action,
    panel: Option<ClinicianId>,
) -> Result<()> {
    let ownership = if panel == Some(actor.id) {
        Ownership::Own
    } else {
        Ownership::Others
    };
    if permits(actor.role, action, ownership) {
        return Ok(());
    }
    let owner = panel
        .and_then(|id| super::clinicians::get(store.conn(), id).ok())
        .map(|c| possessive(&c.name));
    let what = match (action, owner) {
        (Action::AddClient, Some(owner)) => format!("add a client to {owner} panel"),
        (Action::AddClient, None) => "add a client without a clinician".to_string(),
        (Action::ListClients, Some(owner)) => format!("list {owner} clients"),
        (Action::ListClients, None) => "list every clinician's clients".to_string(),
        (other, Some(owner)) => format!("{other} on {owner} panel"),
        (other, None) => format!("{other} on every clinician's panel"),
    };
    deny(store, actor, action, ownership, None, &what)
}

/// "Dana Reyes's", "Chris Jones's" (sanitised).
fn possessive(name: &str) -> String {
    format!("{}'s", crate::domain::text::sanitize(name))
}

/// Audits and refuses a request that names no one while the practice uses passphrases.
pub fn refuse_anonymous(store: &mut Store, action: Action) -> Result<()> {
    store.write(|tx| {
        tx.audit(
            "access.denied",
            None,
            &format!("no clinician named; may not {action}"),
        )
    })?;
    Err(Error::Denied(
        "this practice uses passphrases: say who you are with --as NAME (the passphrase comes from CASELOAD_PASSPHRASE or a prompt)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, Role, Tier};
    use crate::store::{Actor, audit, clients, clinicians};

    /// Every role × action × ownership through the store: the decision matches the pure rule,
    /// and each denial leaves exactly one `access.denied` row naming the actor and the client.
    #[test]
    fn role_by_action_matrix_through_the_store_with_every_denial_audited() {
        let mut store = Store::open_in_memory().unwrap();
        let (people, client) = store
            .write(|tx| {
                let c = clinicians::insert(tx, "Cleo", Role::Clinician, Money(0))?;
                let s = clinicians::insert(tx, "Sol", Role::Supervisor, Money(0))?;
                let a = clinicians::insert(tx, "Ada", Role::Admin, Money(0))?;
                let other = clinicians::insert(tx, "Otto", Role::Clinician, Money(0))?;
                let client = clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: "Zed Quill".into(),
                        dob: None,
                        tier: Tier::High,
                        since: crate::domain::parse_date("2026-01-01")?,
                        diagnosis: None,
                        clinician_id: Some(other),
                    },
                )?;
                Ok(([c, s, a], client))
            })
            .unwrap();
        let client = clients::get(store.conn(), client).unwrap();
        let mut denials = 0;
        for id in people {
            let actor = clinicians::get(store.conn(), id).unwrap();
            store.set_actor(Actor {
                clinician_id: Some(actor.id),
                name: actor.name.clone(),
            });
            for action in Action::ALL {
                for ownership in [Ownership::Own, Ownership::Others, Ownership::Practice] {
                    let on_client = (ownership == Ownership::Others).then_some(client.id);
                    let before = audit::recent(store.conn(), 1).unwrap()[0].seq;
                    let result = check(&mut store, &actor, *action, ownership, on_client);
                    let after = audit::recent(store.conn(), 1).unwrap();
                    let want = permits(actor.role, *action, ownership);
                    assert_eq!(
                        result.is_ok(),
                        want,
                        "{} {action} {ownership:?}",
                        actor.role
                    );
                    if want {
                        assert_eq!(after[0].seq, before, "an allowed check writes nothing");
                    } else {
                        denials += 1;
                        let row = &after[0];
                        assert_eq!(row.seq, before + 1);
                        assert_eq!(row.action, "access.denied");
                        assert_eq!(row.clinician_id, Some(actor.id.0));
                        assert_eq!(row.client_id, on_client.map(|c| c.0));
                        assert!(!row.detail.contains("Zed"));
                        let message = result.unwrap_err().to_string();
                        assert!(!message.contains("Zed"), "{message}");
                    }
                }
            }
        }
        let audited = audit::recent(store.conn(), 1000)
            .unwrap()
            .iter()
            .filter(|r| r.action == "access.denied")
            .count();
        assert_eq!(audited, denials);
        assert!(denials > 0);
        // The client helpers decide ownership from the primary clinician.
        let cleo = clinicians::get(store.conn(), people[0]).unwrap();
        let sol = clinicians::get(store.conn(), people[1]).unwrap();
        assert!(check_client(&mut store, &cleo, Action::ViewClient, &client).is_err());
        assert!(check_client(&mut store, &sol, Action::ViewClient, &client).is_ok());
        assert!(check_client(&mut store, &sol, Action::ChangeClient, &client).is_err());
        assert!(check_panel(&mut store, &cleo, Action::ListClients, Some(cleo.id)).is_ok());
        assert!(check_panel(&mut store, &cleo, Action::ListClients, None).is_err());
        assert!(check_panel(&mut store, &sol, Action::ListClients, None).is_ok());
    }

    /// Refusals read as sentences that say whose panel or passphrase it was.
    #[test]
    fn refusals_name_whose_panel_it_was() {
        let mut store = Store::open_in_memory().unwrap();
        let (sam, dana) = store
            .write(|tx| {
                Ok((
                    clinicians::insert(tx, "Sam Okafor", Role::Clinician, Money(0))?,
                    clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(0))?,
                ))
            })
            .unwrap();
        let sam = clinicians::get(store.conn(), sam).unwrap();
        let said = |r: Result<()>| r.unwrap_err().to_string();
        let add = check_panel(&mut store, &sam, Action::AddClient, Some(dana));
        assert_eq!(
            said(add),
            "Sam Okafor (clinician) may not add a client to Dana Reyes's panel"
        );
        let unassigned = check_panel(&mut store, &sam, Action::AddClient, None);
        assert_eq!(
            said(unassigned),
            "Sam Okafor (clinician) may not add a client without a clinician"
        );
        let list = check_panel(&mut store, &sam, Action::ListClients, Some(dana));
        assert_eq!(
            said(list),
            "Sam Okafor (clinician) may not list Dana Reyes's clients"
        );
        let everyone = check_panel(&mut store, &sam, Action::ListClients, None);
        assert_eq!(
            said(everyone),
            "Sam Okafor (clinician) may not list every clinician's clients"
        );
        let pass = check(
            &mut store,
            &sam,
            Action::SetPassphrase,
            Ownership::Others,
            None,
        );
        assert_eq!(
            said(pass),
            "Sam Okafor (clinician) may not set another clinician's passphrase"
        );
        let audited = audit::recent(store.conn(), 10)
            .unwrap()
            .iter()
            .filter(|r| r.action == "access.denied")
            .count();
        assert_eq!(audited, 5, "every refusal is audited");
    }
}
