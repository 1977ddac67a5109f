//! The modal layers' share of `update`: help, confirmation, the quick picker, record details
//! and the forms — including storing what a valid form submits (an entry or a correction) and
//! noting it in the session's undo history.

use super::action::Action;
use super::app::{App, Confirm, Modal, Pending};
use super::form::{Form, FormResult, Submission};
use super::undo::{Change, Done, encounter_label, measurement_label};
use super::update::reload;
use super::update_client::select_record;
use super::update_plans::{save_booking, save_review};
use crate::domain::corrections::{FieldChange, RecordKind};
use crate::domain::text::sanitize;
use crate::domain::{ClientId, ClientStatus, entry};
use crate::error::Result;
use crate::store::corrections::{self, EncounterAmendment};
use crate::store::{Store, clients, encounters, events, measurements, panel_window};

/// The key for the modal on top. The modal stays in the model while it is open: each branch
/// changes it in place, and only closing (or replacing) it removes it.
pub(super) fn on_modal(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    // Help scrolls no further than its last line, so k goes back up at once.
    let help_last = match app.view.modal {
        Some(Modal::Help { .. }) => super::screens::help::max_scroll(app),
        _ => 0,
    };
    match &mut app.view.modal {
        Some(Modal::Help { scroll }) => match action {
            Action::Back | Action::Cancel | Action::ShowHelp | Action::Quit => {
                app.view.modal = None
            }
            Action::Down => *scroll = (*scroll + 1).min(help_last),
            Action::Up => *scroll = scroll.saturating_sub(1),
            _ => {}
        },
        Some(Modal::Details { .. }) => {
            if matches!(
                action,
                Action::Back | Action::Cancel | Action::Quit | Action::Open
            ) {
                app.view.modal = None;
            }
        }
        Some(Modal::Confirm(_)) => on_confirm(app, store, action)?,
        Some(Modal::Form(_)) => on_form(app, store, action)?,
        Some(Modal::Picker(_)) => on_picker(app, store, action)?,
        None => {}
    }
    Ok(())
}

fn on_confirm(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    match action {
        Action::Confirm => {
            let Some(Modal::Confirm(confirm)) = app.view.modal.take() else {
                return Ok(());
            };
            match confirm.on_yes {
                Pending::Discharge {
                    client,
                    on,
                    critical: Some(named),
                } => {
                    app.view.modal = Some(Modal::Confirm(Confirm {
                        question: format!(
                            "Are you sure? Discharging silences {named}. y discharges; n keeps \
                             the client active."
                        ),
                        on_yes: Pending::Discharge {
                            client,
                            on,
                            critical: None,
                        },
                    }));
                }
                Pending::Discharge {
                    client,
                    on,
                    critical: None,
                } => {
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
            }
        }
        Action::Cancel => {
            app.view.modal = None;
            app.info("Nothing changed");
        }
        _ => {}
    }
    Ok(())
}

fn on_form(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let Some(Modal::Form(form)) = &mut app.view.modal else {
        return Ok(());
    };
    let client = form.client;
    match form.handle(action) {
        FormResult::Editing => {}
        FormResult::Cancelled => {
            let correcting = form.target.is_some();
            app.view.modal = None;
            app.info(if correcting {
                "Cancelled; nothing was changed"
            } else {
                "Cancelled; nothing was saved"
            });
        }
        FormResult::Submitted(submission) => {
            // A new client has no record yet: it is stored apart (and selected on the Panel
            // by its own save). Either way a refusal keeps the form open with the reason.
            let new_client = matches!(submission, Submission::NewClient(_));
            let saved = match submission {
                Submission::NewClient(entry) => {
                    super::update_new_client::save(app, store, entry).map(|()| None)
                }
                other => save(app, store, client, other),
            };
            match saved {
                Err(e) => {
                    if let Some(Modal::Form(form)) = &mut app.view.modal {
                        form.error = Some(e.to_string());
                    }
                }
                Ok(_) if new_client => app.view.modal = None,
                Ok(added) => {
                    app.view.modal = None;
                    reload(app, store)?;
                    if let Some((kind, id)) = added {
                        select_record(app, client, kind, id);
                    }
                }
            }
        }
    }
    Ok(())
}

fn on_picker(app: &mut App, store: &Store, action: Action) -> Result<()> {
    let Some(Modal::Picker(picker)) = &mut app.view.modal else {
        return Ok(());
    };
    match action {
        Action::Type(c) => {
            picker.query.insert(c);
            rematch(app, store)?;
        }
        // Moving the cursor keeps the match chosen; only a change of the letters rematches.
        Action::Edit(edit) if picker.query.edit(edit) => rematch(app, store)?,
        Action::Down => picker.step(1),
        Action::Up => picker.step(-1),
        Action::Submit => {
            let chosen = picker.matches.get(picker.selected());
            if let Some((id, name)) = chosen.map(|e| (e.client.id, e.client.name.clone())) {
                let form = Form::contact(id, app.display_name(&name), app.today);
                app.view.modal = Some(Modal::Form(form));
            }
        }
        Action::Cancel => app.view.modal = None,
        _ => {}
    }
    Ok(())
}

/// At most this many of the picker's matches are read (the list scrolls through them).
const PICKER_MATCHES: usize = 50;

/// Matches the picker's letters against the names of the panel's clients (every word typed
/// must appear; the store's `panel_window::matching`), selecting the first match.
fn rematch(app: &mut App, store: &Store) -> Result<()> {
    let Some(Modal::Picker(picker)) = &app.view.modal else {
        return Ok(());
    };
    let words: Vec<String> = picker
        .query
        .value()
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    let query = super::panel_window::query(app);
    let matches = store
        .read(|snap| panel_window::matching(snap, &query, app.today, &words, PICKER_MATCHES))?;
    if let Some(Modal::Picker(picker)) = &mut app.view.modal {
        picker.matches = matches;
        picker.list = ratatui::widgets::ListState::default().with_selected(Some(0));
    }
    Ok(())
}

/// "minutes 50 → 45, date 2026-11-12 → 2026-11-11"; in privacy mode a note's text is not
/// repeated on screen.
fn summary(changes: &[FieldChange], privacy: bool) -> String {
    changes
        .iter()
        .map(|c| {
            if privacy && c.field == "note" {
                "note changed".to_string()
            } else {
                format!("{} {} → {}", c.field, sanitize(&c.old), sanitize(&c.new))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores a valid form, as the viewer, and notes what it did in the session's history.
/// Returns the record a new entry added (to select it).
fn save(
    app: &mut App,
    store: &mut Store,
    client_id: ClientId,
    submission: Submission,
) -> Result<Option<(RecordKind, i64)>> {
    let client = store.read(|c| clients::get(c, client_id))?;
    let who = app.display_name(&client.name);
    let note = |app: &mut App, change: Change, what: String| {
        app.view.history.push(Done {
            client: client_id,
            change,
            what,
        });
    };
    let logged = |kind: RecordKind, id: i64| Change::Logged { kind, id };
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
            let id = store.write(|tx| encounters::insert(tx, &new))?;
            app.info(format!(
                "Logged {} ({}, {} min) on {} for {who} · u undoes it",
                new.kind, new.status, new.minutes, new.date
            ));
            let what = format!(
                "encounter of {} · {} · {} min",
                new.date, new.kind, new.minutes
            );
            note(app, logged(RecordKind::Encounter, id.0), what);
            return Ok(Some((RecordKind::Encounter, id.0)));
        }
        Submission::Measure(m) => {
            let new = measurements::NewMeasurement {
                client_id,
                date: m.date,
                instrument: m.instrument,
                total: m.total,
                items: m.items,
            };
            let id = store.write(|tx| measurements::insert(tx, &new))?;
            let def = new.instrument.def();
            app.info(format!(
                "Recorded {} {} ({}) for {who} · u undoes it",
                def.name,
                new.total,
                def.band_label(new.total)
            ));
            let what = format!("{} of {} · {}", def.name, new.date, new.total);
            note(app, logged(RecordKind::Measurement, id.0), what);
            return Ok(Some((RecordKind::Measurement, id.0)));
        }
        Submission::Event(e) => {
            let id = store.write(|tx| events::insert(tx, client_id, e.kind, e.date))?;
            app.info(format!(
                "Recorded {} on {} for {who} · u undoes it",
                e.kind, e.date
            ));
            let what = format!("{} of {}", e.kind, e.date);
            note(app, logged(RecordKind::Event, id.0), what);
            return Ok(Some((RecordKind::Event, id.0)));
        }
        Submission::Tier(tier) => {
            store.write(|tx| clients::set_tier(tx, client_id, tier))?;
            app.info(format!("{who} is now {tier} tier"));
        }
        Submission::AmendContact { id, entry, reason } => {
            let before = store.read(|c| encounters::get(c, id))?;
            let amendment = EncounterAmendment {
                entry,
                clinician_id: before.clinician_id,
                clinician: before.clinician.clone(),
            };
            let changes =
                store.write(|tx| corrections::amend_encounter(tx, id, &amendment, &reason))?;
            let what = encounter_label(&before);
            app.info(format!(
                "Corrected {} (u undoes) · {what}",
                summary(&changes, app.view.privacy)
            ));
            note(app, Change::AmendedEncounter { before }, what);
        }
        Submission::AmendMeasure { id, entry, reason } => {
            let before = store.read(|c| measurements::get(c, id))?;
            let changes =
                store.write(|tx| corrections::amend_measurement(tx, id, &entry, &reason))?;
            let what = measurement_label(&before);
            app.info(format!(
                "Corrected {} (u undoes) · {what}",
                summary(&changes, app.view.privacy)
            ));
            note(app, Change::AmendedMeasurement { before }, what);
        }
        Submission::Void { kind, id, reason } => {
            let at = app.clock.utc;
            store.write(|tx| corrections::void(tx, kind, id, &reason, at))?;
            let what = record_label(store, kind, id)?;
            app.info(format!("Voided {what} (u undoes): it counts for nothing"));
            note(app, Change::Voided { kind, id }, what);
        }
        Submission::Book(booking) => save_booking(app, store, client_id, booking)?,
        // Stored by `update_new_client` before a client exists; never reaches here.
        Submission::NewClient(_) => {}
        Submission::Review { kind, until, note } => {
            save_review(app, store, client_id, kind, until, note)?
        }
        Submission::Unvoid { kind, id, reason } => {
            let at = app.clock.utc;
            store.write(|tx| corrections::unvoid(tx, kind, id, &reason, at))?;
            let what = record_label(store, kind, id)?;
            app.info(format!("Unvoided {what} (u undoes): it counts again"));
            note(app, Change::Unvoided { kind, id }, what);
        }
    }
    Ok(None)
}

/// The short description of a stored record, as the client screen's lists name it.
fn record_label(store: &Store, kind: RecordKind, id: i64) -> Result<String> {
    use crate::domain::{EncounterId, EventId, MeasurementId};
    store.read(|conn| {
        Ok(match kind {
            RecordKind::Encounter => encounter_label(&encounters::get(conn, EncounterId(id))?),
            RecordKind::Measurement => {
                measurement_label(&measurements::get(conn, MeasurementId(id))?)
            }
            RecordKind::Event => {
                let e = events::get(conn, EventId(id))?;
                format!("{} of {}", e.kind, e.date)
            }
            RecordKind::Attribution => format!("attribution {id}"),
        })
    })
}
