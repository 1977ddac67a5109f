//! The planning share of `update` (SPEC sections 10–12): the agenda (its week, the selected
//! appointment, logging one as kept), booking and reviewing from the client screen — opening
//! the forms and storing what they submit — and loading and scrolling the revenue tab's
//! contracts view and the value tab's lower part.

use super::action::Action;
use super::app::{AgendaView, App, ContractsTab, Modal, monday_of};
use super::form::{BookingEntry, Form};
use super::layout;
use super::screens;
use super::undo::{Change, Done};
use super::update::{allowed, open_client, panel_scope};
use crate::domain::access::{self, Action as Access, Ownership};
use crate::domain::appointments::AppointmentState;
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews;
use crate::domain::{ClientId, entry};
use crate::error::Result;
use crate::store::reviews::ReviewRequest;
use crate::store::{Snapshot, Store, appointments, clients};
use chrono::Duration;

/// Loads the agenda's week (of the viewer's panel), keeping the selection on the same
/// appointment; a week just shown starts at today's first appointment, or the week's first.
pub(super) fn load_agenda(app: &mut App, snap: &Snapshot) -> Result<()> {
    let keep = app
        .view
        .agenda
        .keep
        .take()
        .or(app.view.agenda.selected_appointment().map(|a| a.id));
    let (from, to) = (app.view.agenda.monday, app.view.agenda.sunday());
    let week = appointments::between(snap, from, to, panel_scope(app), app.today)?;
    let first_from_today = week.iter().position(|a| a.date >= app.today);
    app.view.agenda.selected = keep
        .and_then(|id| week.iter().position(|a| a.id == id))
        .or(first_from_today.filter(|_| (from..=to).contains(&app.today)))
        .unwrap_or(0);
    app.view.agenda.appointments = Some(week);
    Ok(())
}

pub(super) fn on_agenda(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let count = app.view.agenda.loaded().len();
    match action {
        Action::Down => {
            app.view.agenda.selected = (app.view.agenda.selected + 1).min(count.saturating_sub(1))
        }
        Action::Up => app.view.agenda.selected = app.view.agenda.selected.saturating_sub(1),
        Action::PrevWeek | Action::NextWeek | Action::ThisWeek => {
            let monday = match action {
                Action::PrevWeek => app.view.agenda.monday - Duration::days(7),
                Action::NextWeek => app.view.agenda.monday + Duration::days(7),
                _ => monday_of(app.today),
            };
            app.view.agenda = AgendaView {
                monday,
                ..AgendaView::new(app.today)
            };
            store.read(|snap| load_agenda(app, snap))?;
        }
        Action::Open => {
            if let Some(id) = app.view.agenda.selected_appointment().map(|a| a.client_id) {
                open_client(app, store, id)?;
            }
        }
        Action::LogAppointment => log_selected(app, store)?,
        _ => {}
    }
    Ok(())
}

/// `l`: the contact form filled in from the selected appointment — unless it is still ahead,
/// cancelled, or already kept.
fn log_selected(app: &mut App, store: &mut Store) -> Result<()> {
    let Some(a) = app.view.agenda.selected_appointment().cloned() else {
        app.info("No appointment is selected; [ and ] move by week");
        return Ok(());
    };
    let day = a.date.format("%a %-d %b");
    match a.state {
        AppointmentState::Kept => app.info(format!("{day} is logged already: it was kept")),
        AppointmentState::Cancelled => app.error(format!("{day} was cancelled; nothing to log")),
        AppointmentState::Booked if a.date > app.today => app.error(format!(
            "This appointment is on {day}; log it once it has happened"
        )),
        _ => {
            allowed(app, store, Access::ChangeClient, a.client_id)?;
            let label = app.display_name(&a.name);
            let form = Form::log_appointment(a.client_id, label, &a, app.today);
            app.view.modal = Some(Modal::Form(form));
        }
    }
    Ok(())
}

/// `b` on the client screen: the booking form.
pub(super) fn book(app: &mut App, client: ClientId, label: String) {
    app.view.modal = Some(Modal::Form(Form::book(client, label, app.today)));
}

/// `r` on the client screen: the review form over the client's flags, as the screen lists
/// them (each kind once). Post-discharge follow-up is left out: only a contact clears it.
pub(super) fn review(app: &mut App, client: ClientId, label: String) {
    let flags: Vec<FlagKind> = app
        .view
        .client
        .as_ref()
        .and_then(|v| v.entry.as_ref())
        .map(|e| e.flags.iter().map(|f| f.kind).collect())
        .unwrap_or_default();
    let mut kinds: Vec<FlagKind> = Vec::new();
    for kind in flags.iter().copied().filter(|k| reviews::how(*k).is_ok()) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if !kinds.is_empty() {
        app.view.modal = Some(Modal::Form(Form::review(client, label, &kinds, app.today)));
    } else if let Some(Err(e)) = flags.first().map(|k| reviews::how(*k)) {
        app.error(e.to_string());
    } else {
        app.info(format!("{label} has no flags to review"));
    }
}

/// "6 × session every 7 days from Mon 30 Nov at 10:00", "session on Mon 30 Nov at 10:00".
pub fn booking_label(b: &BookingEntry) -> String {
    let first = b.days.first().copied().unwrap_or_default();
    let when = super::form::day_and_time(first, b.time.as_deref());
    match b.every {
        Some(every) if b.days.len() > 1 => format!(
            "{} × {} every {every} days from {when}",
            b.days.len(),
            b.kind
        ),
        _ => format!("{} on {when}", b.kind),
    }
}

/// Books a valid booking form for the client with the clinician doing the work (the one
/// signed in, else the client's primary), noted in the undo history. A refusal (a clash)
/// comes back as the error for the form to show.
pub(super) fn save_booking(
    app: &mut App,
    store: &mut Store,
    client: ClientId,
    b: BookingEntry,
) -> Result<()> {
    let stored = store.read(|c| clients::get(c, client))?;
    let all: Vec<_> = app.clinicians.iter().map(|(id, _)| *id).collect();
    let worker = entry::worker(app.viewer.clinician_id, stored.clinician_id, &all, client)?;
    let booking = appointments::Booking {
        client_id: client,
        clinician_id: worker,
        days: b.days.clone(),
        time: b.time.clone(),
        kind: b.kind,
        minutes: b.minutes,
    };
    let ids = match store.write(|tx| appointments::book(tx, &booking)) {
        Ok(ids) => ids,
        // The refusal names the other client: in privacy mode, by their initials.
        Err(e) if app.view.privacy => return Err(private_clash(store, &booking)?.unwrap_or(e)),
        Err(e) => return Err(e),
    };
    let what = booking_label(&b);
    let with = app.clinician_name(Some(worker));
    app.info(format!(
        "Booked {what} with {} · u undoes it",
        with.split_whitespace().next().unwrap_or(&with)
    ));
    app.view.history.push(Done {
        client,
        change: Change::Booked { ids },
        what: format!("the booking of {what}"),
    });
    Ok(())
}

/// The clash that refused a booking, told with the other client's initials.
fn private_clash(store: &Store, b: &appointments::Booking) -> Result<Option<crate::error::Error>> {
    let Some(time) = &b.time else {
        return Ok(None);
    };
    for day in &b.days {
        if let Some((id, name)) =
            store.read(|c| appointments::clash(c, b.clinician_id, *day, time, 0))?
        {
            return Ok(Some(crate::error::Error::invalid(format!(
                "the clinician already has appointment {id} ({}) on {day} at {time}; choose \
                 another time",
                crate::domain::text::initials(&name)
            ))));
        }
    }
    Ok(None)
}

/// Records a valid review form today, by the clinician signed in (else the client's primary),
/// with the same checks as `caseload review` (`store::reviews::record`). Not undoable.
pub(super) fn save_review(
    app: &mut App,
    store: &mut Store,
    client: ClientId,
    kind: FlagKind,
    until: Option<chrono::NaiveDate>,
    note: String,
) -> Result<()> {
    let stored = store.read(|c| clients::get(c, client))?;
    let who = app.display_name(&stored.name);
    let name_of = |id| {
        app.clinicians
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, n)| n.clone())
    };
    let by = match app.viewer.clinician_id {
        Some(_) => Some(app.viewer.name.clone()),
        None => stored.clinician_id.and_then(name_of),
    }
    .unwrap_or_else(|| "(unnamed)".into());
    let request = ReviewRequest {
        kind,
        date: app.today,
        until,
        note,
        by,
    };
    store.write(|tx| crate::store::reviews::record(tx, client, &who, &request))?;
    let holds = match until {
        Some(u) => format!(
            "silent through {u}, back on {} if it still holds",
            u + Duration::days(1)
        ),
        None => "signed off for the latest PHQ-9".to_string(),
    };
    // What happened comes first: an 80-column status line may cut the rest.
    let label = kind.label();
    let mut chars = label.chars();
    let label = chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect());
    app.info(format!("{label} reviewed, on record (no undo): {holds}"));
    Ok(())
}

/// The contracts view is every contract's report from January of this year to this month
/// (`loader::compute`). Contracts count members across clinicians, so a clinician who sees
/// only their own panel is told so instead: that answer, when it is the one.
pub(super) fn contracts_refused(app: &App) -> Option<ContractsTab> {
    (app.session.is_some()
        && !access::permits(app.viewer.role, Access::ListClients, Ownership::Others))
    .then(|| {
        ContractsTab::Refused(
            "Contracts count every member, whoever their clinician: a supervisor or an admin \
             sees their targets and withhold here."
                .into(),
        )
    })
}

/// Moves a scrolled text by one line, within `lines` of content in a view of `height` rows.
fn scroll(offset: &mut usize, action: Action, lines: usize, height: usize) {
    let last = lines.saturating_sub(height);
    *offset = match action {
        Action::Down => (*offset + 1).min(last),
        Action::Up => offset.saturating_sub(1),
        _ => *offset,
    }
    .min(last);
}

pub(super) fn scroll_contracts(app: &mut App, action: Action) {
    let body = layout::frame(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1)).body;
    let lines = screens::contracts::lines(app, body.width).len();
    let height = body.height.saturating_sub(1) as usize;
    let mut offset = app.view.contracts_scroll;
    scroll(&mut offset, action, lines, height);
    app.view.contracts_scroll = offset;
}

pub(super) fn scroll_value(app: &mut App, action: Action) {
    let body = layout::frame(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1)).body;
    let Some(tab) = &app.view.value else {
        return;
    };
    let lines = screens::value::body_lines(app, tab, body.width).len();
    let height = screens::value::body_height(body) as usize;
    let mut offset = app.view.value_scroll;
    scroll(&mut offset, action, lines, height);
    app.view.value_scroll = offset;
}
