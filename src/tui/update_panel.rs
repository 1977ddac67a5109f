//! The panel's share of `update`: filtering, sorting and moving the selection, keeping the
//! selected client in view (the rows themselves are loaded by `panel_window`). Part of the
//! one place the UI's model changes.

use super::action::Action;
use super::app::{App, Modal};
use super::form::Form;
use super::layout;
use super::panel_window::{keep_selection_visible, refresh};
use super::update::{allowed, open_client, reload};
use crate::domain::access::Action as Access;
use crate::domain::flags::FlagKind;
use crate::error::Result;
use crate::store::Store;

pub(super) fn move_selection(app: &mut App, action: Action) {
    let page = layout::panel_rows(app.size.1);
    let last = app.view.panel.total.saturating_sub(1);
    let s = app.view.panel.selected;
    app.view.panel.selected = match action {
        Action::Down => (s + 1).min(last),
        Action::Up => s.saturating_sub(1),
        Action::PageDown => (s + page).min(last),
        Action::PageUp => s.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => s,
    };
    keep_selection_visible(app);
}

pub(super) fn on_panel(app: &mut App, store: &mut Store, action: Action) -> Result<()> {
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => move_selection(app, action),
        Action::Open => {
            if let Some(id) = app.view.panel.selected_entry().map(|e| e.client.id) {
                open_client(app, store, id)?;
            }
        }
        Action::StartFilter => app.view.panel.filtering = true,
        Action::CycleFlagFilter => {
            let kinds = FlagKind::ALL;
            app.view.panel.flag_filter = match app.view.panel.flag_filter {
                None => Some(kinds[0]),
                Some(k) => kinds
                    .iter()
                    .position(|x| *x == k)
                    .and_then(|i| kinds.get(i + 1))
                    .copied(),
            };
            refresh(app, store)?;
        }
        Action::CycleSort => {
            app.view.panel.sort = app.view.panel.sort.next();
            app.info(format!("Sorted by {}", app.view.panel.sort.label()));
            refresh(app, store)?;
        }
        Action::ToggleAll => {
            app.view.panel.show_all = !app.view.panel.show_all;
            reload(app, store)?;
        }
        Action::CycleClinician => {
            if !app.viewer.sees_everyone() {
                app.info("You see your own panel");
                return Ok(());
            }
            let ids: Vec<_> = app.clinicians.iter().map(|(id, _)| *id).collect();
            app.view.panel.clinician = match app.view.panel.clinician {
                None => ids.first().copied(),
                Some(c) => ids
                    .iter()
                    .position(|x| *x == c)
                    .and_then(|i| ids.get(i + 1))
                    .copied(),
            };
            reload(app, store)?;
        }
        Action::Cancel => {
            app.view.panel.filter.clear();
            app.view.panel.flag_filter = None;
            refresh(app, store)?;
        }
        Action::AddClient => super::update_new_client::open_form(app, store)?,
        Action::LogContact | Action::RecordMeasure => {
            if let Some(e) = app.view.panel.selected_entry() {
                let (id, label) = (e.client.id, app.display_name(&e.client.name));
                allowed(app, store, Access::ChangeClient, id)?;
                app.view.modal = Some(Modal::Form(if action == Action::LogContact {
                    Form::contact(id, label, app.today)
                } else {
                    Form::measure(id, label, app.today)
                }));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The filter line's keys: a change of the letters reads the window again (one read);
/// moving the cursor reads nothing.
pub(super) fn on_filter(app: &mut App, store: &Store, action: Action) -> Result<()> {
    let before = app.view.panel.filter.value().to_string();
    match action {
        Action::Type(c) => {
            app.view.panel.filter.insert(c);
        }
        Action::Edit(edit) => {
            app.view.panel.filter.edit(edit);
        }
        Action::Submit => app.view.panel.filtering = false,
        Action::Cancel => {
            app.view.panel.filter.clear();
            app.view.panel.filtering = false;
        }
        Action::Quit => app.quit = true,
        _ => {}
    }
    if app.view.panel.filter.value() != before {
        refresh(app, store)?;
    }
    Ok(())
}
