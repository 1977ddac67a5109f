//! The modal layers' share of `update`: help, confirmation, the quick picker and the entry
//! forms — including storing what a valid form submits.

use super::action::Action;
use super::app::{App, Modal, Pending, Picker};
use super::form::{Form, FormResult, Submission};
use super::update::reload;
use crate::domain::{ClientId, ClientStatus, entry};
use crate::error::Result;
use crate::store::{Store, clients, encounters, events, measurements};

pub(super) fn on_modal(
    app: &mut App,
    store: &mut Store,
    modal: Modal,
    action: Action,
) -> Result<()> {
    match modal {
        Modal::Help { scroll } => match action {
            Action::Back | Action::Cancel | Action::ShowHelp | Action::Quit => {}
            Action::Down => app.modal = Some(Modal::Help { scroll: scroll + 1 }),
            Action::Up => {
                app.modal = Some(Modal::Help {
                    scroll: scroll.saturating_sub(1),
                })
            }
            _ => app.modal = Some(Modal::Help { scroll }),
        },
        Modal::Confirm(confirm) => match action {
            Action::Confirm => match confirm.on_yes {
                Pending::Discharge { client, on } => {
                    store.write(|tx| {
                        clients::set_status(tx, client, ClientStatus::Discharged, on)
                    })?;
                    app.info(format!("Discharged as of {on}"));
                    reload(app, store)?;
                }
                Pending::Readmit { client, on } => {
                    store.write(|tx| clients::set_status(tx, client, ClientStatus::Active, on))?;
                    app.info("Readmitted: back on the active panel");
                    reload(app, store)?;
                }
            },
            Action::Cancel => app.info("Nothing changed"),
            _ => app.modal = Some(Modal::Confirm(confirm)),
        },
        Modal::Form(mut form) => match form.handle(action) {
            FormResult::Editing => app.modal = Some(Modal::Form(form)),
            FormResult::Cancelled => app.info("Cancelled; nothing was saved"),
            FormResult::Submitted(submission) => {
                if let Err(e) = save(app, store, form.client, submission) {
                    form.error = Some(e.to_string());
                    app.modal = Some(Modal::Form(form));
                    return Ok(());
                }
                reload(app, store)?;
            }
        },
        Modal::Picker(mut picker) => match action {
            Action::Type(c) => {
                picker.query.push(c);
                app.modal = Some(Modal::Picker(rematch(app, picker)));
            }
            Action::Erase => {
                picker.query.pop();
                app.modal = Some(Modal::Picker(rematch(app, picker)));
            }
            Action::Down => {
                picker.selected = (picker.selected + 1).min(picker.matches.len().saturating_sub(1));
                app.modal = Some(Modal::Picker(picker));
            }
            Action::Up => {
                picker.selected = picker.selected.saturating_sub(1);
                app.modal = Some(Modal::Picker(picker));
            }
            Action::Submit => {
                if let Some(e) = picker
                    .matches
                    .get(picker.selected)
                    .and_then(|i| app.panel.entries.get(*i))
                {
                    let form =
                        Form::contact(e.client.id, app.display_name(&e.client.name), app.today);
                    app.modal = Some(Modal::Form(form));
                } else {
                    app.modal = Some(Modal::Picker(picker));
                }
            }
            Action::Cancel => {}
            _ => app.modal = Some(Modal::Picker(picker)),
        },
    }
    Ok(())
}

/// Matches the picker's letters against names (every word typed must appear).
fn rematch(app: &App, mut picker: Picker) -> Picker {
    let words: Vec<String> = picker
        .query
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    picker.matches = app
        .panel
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let name = e.client.name.to_lowercase();
            !words.is_empty() && words.iter().all(|w| name.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .take(50)
        .collect();
    picker.selected = 0;
    picker
}

/// Stores a valid form, as the viewer.
fn save(
    app: &mut App,
    store: &mut Store,
    client_id: ClientId,
    submission: Submission,
) -> Result<()> {
    let client = clients::get(store.conn(), client_id)?;
    let who = app.display_name(&client.name);
    match submission {
        Submission::Contact(e) => {
            let all: Vec<_> = app.clinicians.iter().map(|(id, _)| *id).collect();
            let worker = entry::worker(
                app.viewer.clinician_id,
                client.clinician_id,
                &all,
                client.id,
            )?;
            let new = encounters::NewEncounter {
                client_id,
                clinician_id: worker,
                date: e.date,
                kind: e.kind,
                status: e.status,
                minutes: e.minutes,
                note: e.note,
            };
            store.write(|tx| encounters::insert(tx, &new))?;
            app.info(format!(
                "Logged {} ({}, {} min) on {} for {who}",
                new.kind, new.status, new.minutes, new.date
            ));
        }
        Submission::Measure(m) => {
            let new = measurements::NewMeasurement {
                client_id,
                date: m.date,
                instrument: m.instrument,
                total: m.total,
                items: m.items,
            };
            store.write(|tx| measurements::insert(tx, &new))?;
            let def = new.instrument.def();
            app.info(format!(
                "Recorded {} {} ({}) for {who}",
                def.name,
                new.total,
                def.band_label(new.total)
            ));
        }
        Submission::Event(e) => {
            store.write(|tx| events::insert(tx, client_id, e.kind, e.date))?;
            app.info(format!("Recorded {} on {} for {who}", e.kind, e.date));
        }
        Submission::Tier(tier) => {
            store.write(|tx| clients::set_tier(tx, client_id, tier))?;
            app.info(format!("{who} is now {tier} tier"));
        }
    }
    Ok(())
}
