//! The panel as a window on the store's filtered, sorted panel (`store::panel_window`): which
//! rows the model holds (the visible ones and a page either side), the counts of the status
//! line, and keeping the selection on the same client when the window changes. Part of
//! `update`: it reads the store only through `Store::read`, never while drawing, and decides
//! neither a flag nor an order itself (the store does).

use super::app::{App, PanelView, Sort};
use super::layout;
use super::update::{panel_scope, reload};
use crate::domain::ClientId;
use crate::domain::today::{PanelClient, wants_booking};
use crate::error::Result;
use crate::store::panel::{self, PanelEntry, PanelQuery};
use crate::store::panel_window::{self, PanelOrder, PanelWindow};
use crate::store::{Snapshot, Store, settings};

/// How many filter combinations keep their counts until the next reload.
const COUNTS_KEPT: usize = 16;

/// Which clients the panel shows (before the name and flag filters).
pub(super) fn query(app: &App) -> PanelQuery {
    PanelQuery {
        clinician: panel_scope(app),
        include_inactive: app.view.panel.show_all,
    }
}

/// The window the panel's filters and sort describe.
pub(super) fn window(app: &App) -> PanelWindow {
    let p = &app.view.panel;
    PanelWindow {
        panel: query(app),
        order: match p.sort {
            Sort::Priority => PanelOrder::Priority,
            Sort::Name => PanelOrder::Name,
            Sort::LastContact => PanelOrder::LastContact,
            Sort::Minutes => PanelOrder::Minutes,
        },
        flag: p.flag_filter,
        name: p.filter.value().to_lowercase(),
    }
}

/// After a change of sort or filter: counts, the kept client's place and the rows around it,
/// from one snapshot.
pub(super) fn refresh(app: &mut App, store: &Store) -> Result<()> {
    store.read(|snap| refresh_from(app, snap, &[]))
}

/// Counts, selection and loaded rows for the current window, in `snap`. The selection stays
/// on the first of `prefer` in the window, else on the client selected now, else the top.
pub(super) fn refresh_from(app: &mut App, snap: &Snapshot, prefer: &[ClientId]) -> Result<()> {
    let keep: Vec<ClientId> = prefer
        .iter()
        .copied()
        .chain(app.view.panel.selected_entry().map(|e| e.client.id))
        .collect();
    let w = window(app);
    // Counts depend on the filters, not the order: a new sort reuses them, and so does
    // going back to filters counted since the last reload (Esc after typing, cycling `f`).
    let filters = PanelWindow {
        order: PanelOrder::Priority,
        ..w.clone()
    };
    let known = app
        .view
        .panel
        .counted
        .iter()
        .find(|(f, _, _)| *f == filters)
        .map(|(_, counts, any)| (counts.clone(), *any));
    let (counts, any) = match known {
        Some(known) => known,
        None => {
            let counts = panel_window::counts(snap, &w, app.today)?;
            // Whether anyone is on the panel at all, to tell "no match" from "nobody yet".
            let filtered = w.flag.is_some() || !w.name.is_empty();
            let any = counts.clients > 0
                || (filtered
                    && panel_window::counts(
                        snap,
                        &PanelWindow {
                            panel: w.panel,
                            ..PanelWindow::default()
                        },
                        app.today,
                    )?
                    .clients
                        > 0);
            let counted = &mut app.view.panel.counted;
            if counted.len() >= COUNTS_KEPT {
                counted.remove(0);
            }
            counted.push((filters, counts.clone(), any));
            (counts, any)
        }
    };
    app.view.panel.counts = counts;
    app.view.panel.any_on_panel = any;
    let total = app.view.panel.counts.clients;
    let mut selected = None;
    for id in keep {
        selected = panel_window::position(snap, &w, app.today, id)?;
        if selected.is_some() {
            break;
        }
    }
    if app.view.panel.intervals.is_none() {
        app.view.panel.intervals = Some(settings::intervals(snap)?);
    }
    let p = &mut app.view.panel;
    p.total = total;
    p.selected = selected.unwrap_or(0).min(total.saturating_sub(1));
    p.loaded_from = 0;
    p.loaded.clear();
    p.needs_booking.clear();
    keep_selection_visible(app);
    load_page(app, snap, &w)
}

/// Moves the first drawn row so the selection is on screen, and no further than needed.
pub(super) fn keep_selection_visible(app: &mut App) {
    let page = layout::panel_rows(app.size.1);
    let p = &mut app.view.panel;
    if p.selected < p.offset {
        p.offset = p.selected;
    } else if p.selected >= p.offset + page {
        p.offset = p.selected + 1 - page;
    }
    p.offset = p.offset.min(p.total.saturating_sub(page));
}

/// The rows drawn now (absolute indices into the window).
fn visible(app: &App) -> std::ops::Range<usize> {
    let p = &app.view.panel;
    let page = layout::panel_rows(app.size.1);
    p.offset.min(p.total)..(p.offset + page).min(p.total)
}

/// Whether every drawn row is in the loaded slice.
fn covered(app: &App) -> bool {
    let p = &app.view.panel;
    let rows = visible(app);
    rows.is_empty() || (p.loaded_from <= rows.start && rows.end <= p.loaded_from + p.loaded.len())
}

/// Reads a page around the drawn rows when they have left the loaded slice (after a move,
/// a click, the wheel or a resize); otherwise reads nothing. Nothing loads behind the lock.
/// A page from a database another process changed since the last load reloads everything,
/// so the rows and counts never come from two different states.
pub(super) fn ensure_loaded(app: &mut App, store: &mut Store) -> Result<()> {
    if app.lock.is_some() || covered(app) {
        return Ok(());
    }
    let changed = store.read(|snap| {
        if snap.data_version()? != app.data_version {
            return Ok(true);
        }
        let w = window(app);
        load_page(app, snap, &w)?;
        Ok(false)
    })?;
    if changed { reload(app, store) } else { Ok(()) }
}

/// Loads the drawn rows and a page above and below them, with whether each wants booking.
fn load_page(app: &mut App, snap: &Snapshot, w: &PanelWindow) -> Result<()> {
    let page = layout::panel_rows(app.size.1);
    let rows = visible(app);
    let from = rows.start.saturating_sub(page);
    let to = (rows.start + 2 * page).min(app.view.panel.total);
    let loaded = if to > from {
        panel_window::page_of(
            snap,
            w,
            app.today,
            from,
            to - from,
            Some(app.view.panel.total),
        )?
    } else {
        Vec::new()
    };
    let intervals = match app.view.panel.intervals {
        Some(i) => i,
        None => settings::intervals(snap)?,
    };
    let p = &mut app.view.panel;
    p.needs_booking = loaded
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
    p.loaded_from = from;
    p.loaded = loaded;
    Ok(())
}

/// The client's panel entry for the client screen, when they are on the panel the viewer
/// has chosen (scope and statuses, whatever the name and flag filters): from the loaded
/// rows if there, otherwise read for that client alone.
pub(super) fn entry_of(app: &App, snap: &Snapshot, id: ClientId) -> Result<Option<PanelEntry>> {
    if let Some(e) = app.view.panel.loaded.iter().find(|e| e.client.id == id) {
        return Ok(Some(e.clone()));
    }
    let q = query(app);
    let e = panel::for_client(snap, id, app.today)?;
    let in_scope = (q.include_inactive || e.client.status == crate::domain::ClientStatus::Active)
        && q.clinician.is_none_or(|c| e.client.clinician_id == Some(c));
    Ok(in_scope.then_some(e))
}

impl PanelView {
    /// The loaded entry at absolute row `row` of the window, if loaded.
    pub fn entry_at(&self, row: usize) -> Option<&PanelEntry> {
        row.checked_sub(self.loaded_from)
            .and_then(|i| self.loaded.get(i))
    }

    /// Whether the loaded row `row` has something due and nothing booked.
    pub fn needs_booking_at(&self, row: usize) -> bool {
        row.checked_sub(self.loaded_from)
            .and_then(|i| self.needs_booking.get(i))
            .copied()
            .unwrap_or(false)
    }
}
