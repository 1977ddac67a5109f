//! The only place the UI changes its model or touches the store: one action in, the model
//! updated (and data reloaded when it changed). Errors become a notice on the status line.

use super::action::{Action, Tab};
use super::app::ValueTab;
use super::app::{App, ClientView, Modal, Picker};
use super::layout;
use super::lock;
use super::update_client::{keep_lists_in_view, on_client};
use super::update_modal::on_modal;
use super::update_panel::{apply_view, keep_selection_visible, on_filter, on_panel};
use super::update_plans::{self, load_agenda, load_contracts};
use crate::domain::ClientId;
use crate::domain::access::Action as Access;
use crate::domain::economics::last_twelve_months;
use crate::domain::today::{PanelClient, wants_booking};
use crate::domain::value::Period;
use crate::error::Result;
use crate::store::auth::LockReason;
use crate::store::panel::{self, PanelQuery};
use crate::store::revenue::{self, GroupBy, RevenueQuery, RevenueReport};
use crate::store::today;
use crate::store::value::{self, ValueQuery};
use crate::store::{Snapshot, Store, clients, clinicians, record, settings};

/// Applies one action.
pub fn update(app: &mut App, store: &mut Store, action: Action) {
    if let Err(e) = apply(app, store, action) {
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
        app.notice = None;
    }
    if let Some(modal) = app.modal.take() {
        return on_modal(app, store, modal, action);
    }
    if app.client.is_none() && app.tab == Tab::Panel && app.panel.filtering {
        return on_filter(app, action);
    }
    match action {
        Action::Quit => app.quit = true,
        Action::ShowHelp => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::NextTab | Action::PrevTab | Action::GoTab(_) => {
            let i = app.tab.index();
            let n = Tab::ALL.len();
            app.tab = match action {
                Action::NextTab => Tab::ALL[(i + 1) % n],
                Action::PrevTab => Tab::ALL[(i + n - 1) % n],
                Action::GoTab(t) => t,
                _ => app.tab,
            };
            app.client = None;
            load_tab(app, store)?;
        }
        Action::TogglePrivacy => {
            app.privacy = !app.privacy;
            app.info(if app.privacy {
                "Privacy on: names shown as initials"
            } else {
                "Privacy off"
            });
        }
        _ if app.client.is_some() => on_client(app, store, action)?,
        _ => match app.tab {
            Tab::Panel => on_panel(app, store, action)?,
            Tab::Today => on_today(app, store, action)?,
            Tab::Revenue => match action {
                Action::ToggleContracts => {
                    app.show_contracts = !app.show_contracts;
                    app.contracts_scroll = 0;
                    load_tab(app, store)?;
                }
                Action::Down | Action::Up if app.show_contracts => {
                    update_plans::scroll_contracts(app, action)
                }
                Action::Down => app.revenue_scroll += 1,
                Action::Up => app.revenue_scroll = app.revenue_scroll.saturating_sub(1),
                _ => {}
            },
            Tab::Value => match action {
                Action::WriteValueHtml => super::update_report::write_value_html(app, store)?,
                other => update_plans::scroll_value(app, other),
            },
            Tab::Agenda => update_plans::on_agenda(app, store, action)?,
        },
    }
    Ok(())
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
    store.read(|snap| reload_from(app, snap))
}

fn reload_from(app: &mut App, snap: &Snapshot) -> Result<()> {
    app.clinicians = clinicians::list(snap)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let clinician = panel_scope(app);
    let query = PanelQuery {
        clinician,
        include_inactive: app.panel.show_all,
    };
    app.panel.entries = panel::load(snap, &query, app.today)?;
    let intervals = settings::intervals(snap)?;
    app.panel.needs_booking = app
        .panel
        .entries
        .iter()
        .map(|e| {
            let client = PanelClient {
                client: &e.client,
                facts: &e.facts,
                flags: &e.flags,
                next_appointment: e.next_appointment,
            };
            wants_booking(&client, &intervals, app.today)
        })
        .collect();
    apply_view(app);
    if let Some(view) = &app.client {
        let id = view.record.client.id;
        let fresh = view.reloaded(
            record::load(snap, id)?,
            client_revenue(snap, app, id)?,
            entry_of(app, id),
        );
        app.client = Some(fresh);
        keep_lists_in_view(app);
    }
    app.revenue = None;
    app.contracts = None;
    app.value = None;
    app.day = None;
    app.agenda.invalidate();
    load_tab_from(app, snap)?;
    app.data_version = snap.data_version()?;
    Ok(())
}

fn entry_of(app: &App, id: ClientId) -> Option<crate::store::panel::PanelEntry> {
    app.panel
        .entries
        .iter()
        .find(|e| e.client.id == id)
        .cloned()
}

fn on_today(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    let count = app.day_items().len();
    match action {
        Action::QuickLog => app.modal = Some(Modal::Picker(Picker::default())),
        Action::Down => app.day_selected = (app.day_selected + 1).min(count.saturating_sub(1)),
        Action::Up => app.day_selected = app.day_selected.saturating_sub(1),
        Action::Open => {
            if let Some((id, _)) = app.day_items().get(app.day_selected).cloned() {
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
    app.viewer.own_panel().or(app.panel.clinician)
}

/// Loads what the current tab shows, if it is not loaded yet.
pub(super) fn load_tab(app: &mut App, store: &mut Store) -> Result<()> {
    store.read(|snap| load_tab_from(app, snap))
}

fn load_tab_from(app: &mut App, snap: &Snapshot) -> Result<()> {
    if app.tab == Tab::Revenue
        && app.client.is_none()
        && app.show_contracts
        && app.contracts.is_none()
    {
        load_contracts(app, snap)?;
    }
    if app.tab == Tab::Agenda && app.client.is_none() && app.agenda.appointments.is_none() {
        load_agenda(app, snap)?;
    }
    if app.tab == Tab::Revenue && app.client.is_none() && app.revenue.is_none() {
        let (from, to) = last_twelve_months(app.today);
        let mut query = RevenueQuery::new(from, to, GroupBy::Month);
        query.clinician = panel_scope(app);
        app.revenue = Some(revenue::report(snap, &query)?);
    }
    if app.tab == Tab::Value && app.client.is_none() && app.value.is_none() {
        app.value = Some(load_value(snap, app)?);
    }
    if app.tab == Tab::Today && app.client.is_none() && app.day.is_none() {
        app.day = Some(today::load(snap, app.today, panel_scope(app))?);
        app.day_selected = app
            .day_selected
            .min(app.day_items().len().saturating_sub(1));
    }
    Ok(())
}

/// The value tab's figures for the viewer's panel, in one pass over the store.
fn load_value(snap: &Snapshot, app: &App) -> Result<ValueTab> {
    let query = ValueQuery {
        clinician: panel_scope(app),
    };
    let o = value::overview(snap, Period::default_ending(app.today), app.today, query)?;
    Ok(ValueTab {
        rows: crate::report::value::measure_rows(&o.current, &o.previous, &o.monthly),
        current: o.current,
        previous: o.previous,
        monthly: o.monthly,
        fairness: o.fairness,
        coding: o.coding,
    })
}

/// One client's member months, revenue and minutes over the last 12 months.
fn client_revenue(snap: &Snapshot, app: &App, id: ClientId) -> Result<Option<RevenueReport>> {
    let (from, to) = last_twelve_months(app.today);
    let mut query = RevenueQuery::new(from, to, GroupBy::Month);
    query.client = Some(id);
    Ok(Some(revenue::report(snap, &query)?))
}

/// Opens a client's record (a view, so it is audited).
pub fn open_client(app: &mut App, store: &mut Store, id: ClientId) -> Result<()> {
    allowed(app, store, Access::ViewClient, id)?;
    let (rec, revenue) =
        store.read(|snap| Ok((record::load(snap, id)?, client_revenue(snap, app, id)?)))?;
    store.write(|tx| tx.audit("client.view", Some(id), "tui"))?;
    app.client = Some(ClientView::new(rec, revenue, entry_of(app, id)));
    keep_lists_in_view(app);
    Ok(())
}
