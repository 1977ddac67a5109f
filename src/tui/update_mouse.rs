//! Clicks: what is under a clicked cell, found through the layout functions the screens are
//! drawn with (`layout`), never through offsets of its own, and what a click there means — a
//! tab switches to it, a panel row is selected and a second click on it opens the client.
//! A click on nothing does nothing. Part of `update`; it changes only the selection itself
//! and hands anything more to `update` as the action a key would have given.

use super::action::Action;
use super::app::App;
use super::layout;
use super::panel_window::keep_selection_visible;
use crate::tui::action::Tab;
use ratatui::layout::{Position, Rect};

/// Handles a left click at (`x`, `y`) on the screen (never behind a modal: `update` checks).
/// Returns the action it amounts to, if more than a new selection.
pub(super) fn on_click(app: &mut App, x: u16, y: u16) -> Option<Action> {
    let parts = layout::frame(Rect::new(0, 0, app.size.0, app.size.1));
    let at = Position::new(x, y);
    if parts.tabs.contains(at) {
        let bar = layout::tab_bar(parts.tabs, &app.tab_bar_words());
        return bar
            .tabs
            .iter()
            .find(|(_, cells)| cells.contains(at))
            .map(|(tab, _)| Action::GoTab(*tab));
    }
    if app.view.client.is_none() && app.view.tab == Tab::Panel {
        let row = layout::panel_row_at(app.size, x, y)?;
        let index = app.view.panel.offset + row;
        if index >= app.view.panel.total {
            return None;
        }
        if index == app.view.panel.selected {
            return Some(Action::Open);
        }
        app.view.panel.selected = index;
        keep_selection_visible(app);
    }
    None
}
