//! The client screen's share of `update`: the two record lists (moving the selection, keeping
//! it in view), the entry forms, and corrections of the selected record — edit, void or
//! unvoid, and undo of this session's changes, each written through the store and audited.

use super::action::Action;
use super::app::{App, Confirm, ListFocus, Modal, Pending, Selected};
use super::form::{Form, Target};
use super::layout;
use super::undo::{self, Change, UNDO_REASON};
use super::update::{allowed, load_tab, reload};
use super::update_plans::{book, review};
use crate::domain::access::Action as Access;
use crate::domain::corrections::RecordKind;
use crate::domain::entry::{EncounterEntry, MeasurementEntry};
use crate::domain::{ClientId, ClientStatus};
use crate::error::Result;
use crate::store::corrections::{self, EncounterAmendment};
use crate::store::{Store, Tx, appointments};
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::widgets::TableState;

pub(super) fn on_client(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let Some(view) = &app.view.client else {
        return Ok(());
    };
    let client = view.record.client.clone();
    let label = app.display_name(&client.name);
    if matches!(
        action,
        Action::LogContact
            | Action::RecordMeasure
            | Action::RecordEvent
            | Action::ChangeTier
            | Action::Discharge
            | Action::EditRecord
            | Action::VoidRecord
            | Action::Undo
            | Action::Book
            | Action::ReviewFlag
    ) {
        allowed(app, store, Access::ChangeClient, client.id)?;
    }
    match action {
        Action::Back | Action::Cancel => {
            app.view.client = None;
            // Data may have changed while the client was open: the tab below loads afresh.
            load_tab(app, store)?;
        }
        Action::Down
        | Action::Up
        | Action::PageDown
        | Action::PageUp
        | Action::Top
        | Action::Bottom => move_selection(app, action),
        Action::SwitchList => {
            if let Some(view) = &mut app.view.client {
                view.focus = match view.focus {
                    ListFocus::Encounters => ListFocus::Measurements,
                    ListFocus::Measurements => ListFocus::Encounters,
                };
            }
        }
        Action::Open => {
            let selected = app.view.client.as_ref().and_then(|v| v.selected());
            if let Some(s) = selected {
                let (kind, id) = (s.kind(), s.id());
                app.view.modal = Some(Modal::Details { kind, id });
            }
        }
        Action::EditRecord => edit(app, client.id, label),
        Action::VoidRecord => void(app, client.id, label),
        Action::Undo => undo_latest(app, store, client.id)?,
        Action::Book => book(app, client.id, label),
        Action::ReviewFlag => review(app, client.id, label),
        Action::LogContact => {
            app.view.modal = Some(Modal::Form(Form::contact(client.id, label, app.today)))
        }
        Action::RecordMeasure => {
            app.view.modal = Some(Modal::Form(Form::measure(client.id, label, app.today)))
        }
        Action::RecordEvent => {
            app.view.modal = Some(Modal::Form(Form::event(client.id, label, app.today)))
        }
        Action::ChangeTier => {
            app.view.modal = Some(Modal::Form(Form::tier(
                client.id,
                label,
                client.tier,
                app.today,
            )))
        }
        Action::Discharge => {
            if client.status == ClientStatus::Discharged {
                app.view.modal = Some(Modal::Confirm(Confirm {
                    question: format!(
                        "{label} was discharged{}. Readmit to the active panel as of {}?",
                        client
                            .discharged_on
                            .map_or(String::new(), |d| format!(" on {d}")),
                        app.today
                    ),
                    on_yes: Pending::Readmit {
                        client: client.id,
                        on: app.today,
                    },
                }));
            } else {
                // Flags as they stand now (the panel row may be filtered away or stale).
                let flags =
                    store.read(|c| crate::store::panel::for_client(c, client.id, app.today))?;
                let critical = crate::domain::flags::critical_named(&flags.flags);
                app.view.modal = Some(Modal::Confirm(discharge_question(
                    &label, client.id, app.today, critical,
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The question before a discharge. With a critical flag it warns and names it, and a yes
/// leads to a second question ([`Pending::Discharge`] with `critical` set) rather than to the
/// discharge: a safety concern must not go silent on two quick keys.
pub(super) fn discharge_question(
    label: &str,
    client: ClientId,
    on: NaiveDate,
    critical: Option<String>,
) -> Confirm {
    let question = match &critical {
        None => format!("Discharge {label} as of {on}? Flags stop for discharged clients."),
        Some(named) => format!(
            "Warning: {label} carries {named}. Discharging silences it. Discharge as of {on}?"
        ),
    };
    Confirm {
        question,
        on_yes: Pending::Discharge {
            client,
            on,
            critical,
        },
    }
}

/// Rows each record list shows at once for the open client (as `layout` draws them).
fn list_rows(app: &App) -> usize {
    let flags = app
        .view
        .client
        .as_ref()
        .and_then(|v| v.entry.as_ref())
        .map_or(0, |e| e.flags.len());
    layout::client_list_rows(app.size, flags)
}

/// Moves the first row shown so the selection is on screen, and no further than needed.
fn keep_in_view(state: &mut TableState, page: usize, rows: usize) {
    let selected = state.selected().unwrap_or(0);
    let mut offset = state.offset();
    if selected < offset {
        offset = selected;
    } else if selected >= offset + page {
        offset = selected + 1 - page;
    }
    *state.offset_mut() = offset.min(rows.saturating_sub(page));
}

/// Keeps both lists' selections on screen (after a resize, a reload, a new selection).
pub(super) fn keep_lists_in_view(app: &mut App) {
    let page = list_rows(app);
    if let Some(view) = &mut app.view.client {
        let (encounters, measurements) =
            (view.record.encounters.len(), view.record.measurements.len());
        keep_in_view(&mut view.encounters, page, encounters);
        keep_in_view(&mut view.measurements, page, measurements);
    }
}

/// Selects a record of the open client (one just logged) and scrolls it into view.
pub(super) fn select_record(app: &mut App, client: ClientId, kind: RecordKind, id: i64) {
    if let Some(view) = &mut app.view.client
        && view.record.client.id == client
    {
        view.select(kind, id);
    }
    keep_lists_in_view(app);
}

fn move_selection(app: &mut App, action: Action) {
    let page = list_rows(app);
    let Some(view) = &mut app.view.client else {
        return;
    };
    let rows = view.focused_len();
    if rows == 0 {
        return;
    }
    let last = rows - 1;
    let state = view.focused_state_mut();
    let s = state.selected().unwrap_or(0);
    state.select(Some(match action {
        Action::Down => (s + 1).min(last),
        Action::Up => s.saturating_sub(1),
        Action::PageDown => (s + page).min(last),
        Action::PageUp => s.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => s,
    }));
    keep_in_view(state, page, rows);
}

/// The list the selection is on, for messages ("no measurement is selected").
fn focused_noun(app: &App) -> &'static str {
    match app.view.client.as_ref().map(|v| v.focus) {
        Some(ListFocus::Measurements) => "measurement",
        _ => "encounter",
    }
}

/// `e`: the selected record in the form it was entered with, holding its stored values.
fn edit(app: &mut App, client: ClientId, label: String) {
    let Some(view) = &app.view.client else {
        return;
    };
    let form = match view.selected() {
        None => Err(format!(
            "There is no {} to edit; [ and ] switch lists",
            focused_noun(app)
        )),
        Some(s) if s.voided().is_some() => Err(format!(
            "This {} is voided, so it cannot be edited: x unvoids it first",
            s.kind()
        )),
        Some(Selected::Encounter(e)) => Ok(Form::amend_contact(client, label, e, app.today)),
        Some(Selected::Measurement(m)) => Ok(Form::amend_measure(client, label, m, app.today)),
    };
    match form {
        Ok(form) => app.view.modal = Some(Modal::Form(form)),
        Err(message) => app.error(message),
    }
}

/// `x`: asks why, then voids the selected record — or, on a voided one, unvoids it.
fn void(app: &mut App, client: ClientId, label: String) {
    let Some(s) = app.view.client.as_ref().and_then(|v| v.selected()) else {
        let message = format!(
            "There is no {} to void; [ and ] switch lists",
            focused_noun(app)
        );
        app.error(message);
        return;
    };
    let target = Target {
        kind: s.kind(),
        id: s.id(),
        label: s.label(),
    };
    let unvoid = s.voided().is_some();
    app.view.modal = Some(Modal::Form(Form::void(
        client, label, target, unvoid, app.today,
    )));
}

/// `u`: takes back the latest change this session made to this client's records, as an audited
/// void, unvoid or amendment. A change that cannot be taken back any more (the record changed
/// since) is dropped from the history with a message, so older ones stay reachable.
fn undo_latest(app: &mut App, store: &mut Store, client: ClientId) -> Result<()> {
    let Some(i) = undo::latest_for(&app.view.history, client) else {
        app.info("Nothing left to undo for this client since caseload opened");
        return Ok(());
    };
    let done = app.view.history.remove(i);
    let (at, today) = (app.clock.utc, app.today);
    let result = store.write(|tx| take_back(tx, &done.change, at, today));
    reload(app, store)?;
    match result {
        Ok(()) => app.info(done.undone()),
        Err(e) => app.error(format!(
            "Could not undo the change to {}; it stays as it is: {e}",
            done.what
        )),
    }
    Ok(())
}

fn take_back(tx: &Tx, change: &Change, at: DateTime<Utc>, today: NaiveDate) -> Result<()> {
    match change {
        Change::Booked { ids } => cancel_booking(tx, ids, at, today)?,
        Change::Logged { kind, id } | Change::Unvoided { kind, id } => {
            corrections::void(tx, *kind, *id, UNDO_REASON, at)?;
        }
        Change::Voided { kind, id } => {
            corrections::unvoid(tx, *kind, *id, UNDO_REASON, at)?;
        }
        Change::AmendedEncounter { before: e } => {
            let back = EncounterAmendment {
                entry: EncounterEntry {
                    kind: e.kind,
                    status: e.status,
                    minutes: e.minutes,
                    date: e.date,
                    note: e.note.clone(),
                },
                clinician_id: e.clinician_id,
                clinician: e.clinician.clone(),
            };
            corrections::amend_encounter(tx, e.id, &back, UNDO_REASON)?;
        }
        Change::AmendedMeasurement { before: m } => {
            let back = MeasurementEntry {
                instrument: m.instrument,
                total: m.total,
                items: m.items.clone(),
                date: m.date,
            };
            corrections::amend_measurement(tx, m.id, &back, UNDO_REASON)?;
        }
    }
    Ok(())
}

/// Cancels the appointments of a booking made here that are still booked (or unlogged); one
/// kept since stays as it is. Refused when none of them can be cancelled any more.
fn cancel_booking(tx: &Tx, ids: &[i64], at: DateTime<Utc>, today: NaiveDate) -> Result<()> {
    use crate::domain::appointments::AppointmentState as S;
    let stamp = crate::store::audit::timestamp(at);
    let mut cancelled = 0;
    for id in ids {
        let a = appointments::get(tx, *id, today)?;
        if matches!(a.state, S::Booked | S::Unlogged) {
            appointments::cancel(tx, *id, Some(UNDO_REASON), &stamp, today)?;
            cancelled += 1;
        }
    }
    if cancelled == 0 {
        return Err(crate::error::Error::invalid(
            "none of those appointments is still booked",
        ));
    }
    Ok(())
}
