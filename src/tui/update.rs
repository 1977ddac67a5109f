//! The only place the UI changes its model or touches the store: one action in, the model
//! updated (and data reloaded when it changed). Errors become a notice on the status line.

use super::action::{Action, Tab};
use super::app::{App, ClientView, Modal, Picker};
use super::keymap::Layer;
use super::layout;
use super::loader::{self, Job, Kind};
use super::lock;
use super::panel_window::{self, entry_of, keep_selection_visible};
use super::update_client::{keep_lists_in_view, on_client};
use super::update_modal::on_modal;
use super::update_panel::{on_filter, on_panel};
use super::update_plans::{self, load_agenda};
use crate::domain::ClientId;
use crate::domain::access::Action as Access;
use crate::domain::economics::last_twelve_months;
use crate::error::Result;
use crate::store::auth::LockReason;
use crate::store::revenue::{self, GroupBy, RevenueQuery, RevenueReport};
use crate::store::{Snapshot, Store, clients, clinicians, record, settings};

/// Applies one action.
pub fn update(app: &mut App, store: &mut Store, action: Action) {
    // Figures the loader finished meanwhile are taken first, so the key acts on them.
    receive(app, store);
    // Whatever moved the panel's rows (a key, the wheel, a click, a resize), the drawn ones
    // are loaded before the next frame: draw reads only the model.
    let done = apply(app, store, action).and_then(|()| panel_window::ensure_loaded(app, store));
    if let Err(e) = done {
        app.error(e.to_string());
    }
}

fn apply(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    // While the terminal is too small, nothing of the model is on screen: a key must not
    // open, change or save anything the user cannot see. The screen says q quits, so it does,
    // whatever is open underneath; locking still works; every other key is ignored.
    if layout::too_small(app.size.0, app.size.1) {
        match action {
            Action::Quit => {
                app.quit = true;
                return Ok(());
            }
            Action::Tick | Action::Resize(..) | Action::Lock => {}
            _ => return Ok(()),
        }
    }
    if action.is_activity() {
        app.last_activity = app.clock.instant;
    }
    if app.lock.is_some() && !matches!(action, Action::Tick | Action::Resize(..)) {
        return lock::on_key(app, store, action);
    }
    match action {
        Action::Tick => {
            lock::check_idle(app, store)?;
            // Past local midnight the flags, the check-in and the agenda are the new day's.
            if app.today_follows_clock && app.clock.local_date != app.today {
                app.today = app.clock.local_date;
                if app.lock.is_none() {
                    return reload(app, store);
                }
            }
            // Nothing is loaded or drawn behind the lock screen.
            return if app.lock.is_none() {
                refresh_if_changed(app, store)
            } else {
                Ok(())
            };
        }
        Action::Lock => return lock::lock_now(app, store, LockReason::Manual),
        Action::Resize(w, h) => {
            app.size = (w, h);
            keep_selection_visible(app);
            keep_lists_in_view(app);
            return Ok(());
        }
        _ => {}
    }
    if action != Action::Tick {
        app.view.notice = None;
    }
    // The layer on top takes the key: the same list (`App::layers`) the keymap reads the key
    // from and the screen is drawn in, so the three cannot disagree.
    let layers = app.layers();
    let top = layers.last().copied().unwrap_or(Layer::Global);
    if let Action::Click(x, y) = action {
        // Behind a modal (the filter line included) a click does nothing.
        if top.is_modal() {
            return Ok(());
        }
        return match super::update_mouse::on_click(app, x, y) {
            Some(action) => apply(app, store, action),
            None => Ok(()),
        };
    }
    if top == Layer::Filter {
        return on_filter(app, store, action);
    }
    if top.is_modal() {
        return on_modal(app, store, action);
    }
    match action {
        Action::Quit => app.quit = true,
        Action::ShowHelp => app.view.modal = Some(Modal::Help { scroll: 0 }),
        Action::NextTab | Action::PrevTab | Action::GoTab(_) => {
            let i = app.view.tab.index();
            let n = Tab::ALL.len();
            app.view.tab = match action {
                Action::NextTab => Tab::ALL[(i + 1) % n],
                Action::PrevTab => Tab::ALL[(i + n - 1) % n],
                Action::GoTab(t) => t,
                _ => app.view.tab,
            };
            app.view.client = None;
            load_tab(app, store)?;
        }
        Action::TogglePrivacy => {
            app.view.privacy = !app.view.privacy;
            app.info(if app.view.privacy {
                "Privacy on: names shown as initials"
            } else {
                "Privacy off"
            });
        }
        _ => on_screen(app, store, top, action)?,
    }
    Ok(())
}

/// The key for the screen under any modal: the layer `App::layers` put below the top.
fn on_screen(app: &mut App, store: &mut Store, screen: Layer, action: Action) -> Result<()> {
    match screen {
        Layer::Client => on_client(app, store, action)?,
        Layer::Panel => on_panel(app, store, action)?,
        Layer::Today => on_today(app, store, action)?,
        Layer::Revenue => match action {
            Action::ToggleContracts => {
                app.view.show_contracts = !app.view.show_contracts;
                app.view.contracts_scroll = 0;
                load_tab(app, store)?;
            }
            Action::Down | Action::Up if app.view.show_contracts => {
                update_plans::scroll_contracts(app, action)
            }
            // Held at the last row the table can show, so k answers at once at the end.
            Action::Down => {
                let rows = app.view.revenue.as_ref().map_or(0, |r| r.rows.len());
                app.view.revenue_scroll = (app.view.revenue_scroll + 1).min(rows.saturating_sub(1))
            }
            Action::Up => app.view.revenue_scroll = app.view.revenue_scroll.saturating_sub(1),
            _ => {}
        },
        Layer::Value => match action {
            Action::WriteValueHtml => super::update_report::write_value_html(app, store)?,
            other => update_plans::scroll_value(app, other),
        },
        Layer::Agenda => update_plans::on_agenda(app, store, action)?,
        _ => {}
    }
    Ok(())
}

/// Takes the background loader's results that have arrived, without waiting; true when the
/// screen changed. If the loader is gone, the tab shown is computed here instead.
pub fn receive(app: &mut App, store: &mut Store) -> bool {
    let polled = loader::poll(app);
    if polled.failed
        && let Err(e) = load_tab(app, store)
    {
        app.error(e.to_string());
    }
    // Counts the loader was counting are counted here instead.
    if polled.failed
        && app.view.panel.counting.is_some()
        && let Err(e) = panel_window::refresh(app, store)
    {
        app.error(e.to_string());
    }
    polled.changed
}

/// Reloads when another process has written to the database.
fn refresh_if_changed(app: &mut App, store: &mut Store) -> Result<()> {
    let version = store.data_version()?;
    if version != app.data_version {
        reload(app, store)?;
    }
    Ok(())
}

/// Loads everything the screens show, keeping the selection on the same client: one snapshot
/// of the database, with the change counter read in it, so a write landing meanwhile is seen
/// by the next poll rather than lost.
pub fn reload(app: &mut App, store: &mut Store) -> Result<()> {
    loader::ensure(app, store);
    store.read(|snap| reload_from(app, snap, &[]))
}

/// A reload that selects `client` on the panel if the window shows them (a client just
/// added), else keeps the selection as `reload` does.
pub(super) fn reload_selecting(app: &mut App, store: &mut Store, client: ClientId) -> Result<()> {
    loader::ensure(app, store);
    store.read(|snap| reload_from(app, snap, &[client]))
}

fn reload_from(app: &mut App, snap: &Snapshot, prefer: &[ClientId]) -> Result<()> {
    app.clinicians = clinicians::list(snap)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    // Read once per reload, for every page of the panel loaded until the next.
    app.view.panel.intervals = Some(settings::intervals(snap)?);
    app.view.panel.counted.clear();
    app.view.panel.groups = None;
    // What the loader was asked before this reload is stale now.
    loader::forget(app);
    panel_window::refresh_from(app, snap, prefer, true)?;
    if let Some(view) = &app.view.client {
        let id = view.record.client.id;
        let fresh = view.reloaded(
            record::load(snap, id)?,
            client_revenue(snap, app, id)?,
            entry_of(app, snap, id)?,
        );
        app.view.client = Some(fresh);
        keep_lists_in_view(app);
    }
    app.view.revenue = None;
    app.view.contracts = None;
    app.view.value = None;
    app.view.day = None;
    app.view.agenda.invalidate();
    load_tab_from(app, snap)?;
    app.data_version = snap.data_version()?;
    Ok(())
}

fn on_today(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let count = app.day_count();
    match action {
        Action::QuickLog => app.view.modal = Some(Modal::Picker(Picker::default())),
        Action::Down => {
            app.view.day_selected = (app.view.day_selected + 1).min(count.saturating_sub(1))
        }
        Action::Up => app.view.day_selected = app.view.day_selected.saturating_sub(1),
        Action::Open => {
            let selected = app
                .day_entries()
                .nth(app.view.day_selected)
                .map(|(id, _)| id);
            if let Some(id) = selected {
                open_client(app, store, id)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Asks the access rule (through the store, which audits a denial) whether the signed-in
/// clinician may do `action` to this client. Without passphrases everyone may.
pub(super) fn allowed(app: &App, store: &mut Store, action: Access, id: ClientId) -> Result<()> {
    let Some(session) = &app.session else {
        return Ok(());
    };
    let client = store.read(|c| clients::get(c, id))?;
    crate::store::access::check_client(store, &session.clinician, action, &client)
}

/// Whose panel (and share of revenue, value and today) the screens show: a clinician's own;
/// for supervisors and admins everyone's, or the clinician they chose with `v`.
pub(super) fn panel_scope(app: &App) -> Option<crate::domain::ClinicianId> {
    app.viewer.own_panel().or(app.view.panel.clinician)
}

/// Loads what the current tab shows, if it is not loaded yet.
pub(super) fn load_tab(app: &mut App, store: &mut Store) -> Result<()> {
    loader::ensure(app, store);
    store.read(|snap| load_tab_from(app, snap))
}

/// The tab's figures that are not loaded yet: asked of the background loader when there is
/// one (the tab says it is computing until they arrive), else computed here.
fn load_tab_from(app: &mut App, snap: &Snapshot) -> Result<()> {
    if app.view.client.is_some() {
        return Ok(());
    }
    let mut kinds: Vec<Kind> = Vec::new();
    match app.view.tab {
        Tab::Agenda if app.view.agenda.appointments.is_none() => load_agenda(app, snap)?,
        Tab::Revenue => {
            if app.view.show_contracts && app.view.contracts.is_none() {
                match update_plans::contracts_refused(app) {
                    Some(refused) => app.view.contracts = Some(refused),
                    None => kinds.push(Kind::Contracts),
                }
            }
            // The months are loaded under the contracts view too, as they always were.
            if app.view.revenue.is_none() {
                kinds.push(Kind::Revenue);
            }
        }
        Tab::Value if app.view.value.is_none() => kinds.push(Kind::Value),
        Tab::Today if app.view.day.is_none() => kinds.push(Kind::Today),
        _ => {}
    }
    for kind in kinds {
        let job = Job::of(app, kind);
        if !loader::ask(app, job.clone()) {
            let figures = loader::compute(snap, &job)?;
            loader::put(app, figures);
        }
    }
    Ok(())
}

/// One client's member months, revenue and minutes over the last 12 months.
fn client_revenue(snap: &Snapshot, app: &App, id: ClientId) -> Result<Option<RevenueReport>> {
    let (from, to) = last_twelve_months(app.today);
    let mut query = RevenueQuery::new(from, to, GroupBy::Month).through(app.today);
    query.client = Some(id);
    Ok(Some(revenue::report(snap, &query)?))
}

/// Opens a client's record (a view, so it is audited).
pub fn open_client(app: &mut App, store: &mut Store, id: ClientId) -> Result<()> {
    allowed(app, store, Access::ViewClient, id)?;
    let (rec, revenue, entry) = store.read(|snap| {
        Ok((
            record::load(snap, id)?,
            client_revenue(snap, app, id)?,
            entry_of(app, snap, id)?,
        ))
    })?;
    store.write(|tx| tx.audit("client.view", Some(id), "tui"))?;
    app.view.client = Some(ClientView::new(rec, revenue, entry));
    keep_lists_in_view(app);
    Ok(())
}
