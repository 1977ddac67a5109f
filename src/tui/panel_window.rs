//! The panel as a window on the store's filtered, sorted panel (`store::panel_window`): which
//! rows the model holds (the visible ones and a page either side), the counts of the status
//! line, and keeping the selection on the same client when the window changes. Part of
//! `update`: it reads the store only through `Store::read`, never while drawing, and decides
//! neither a flag nor an order itself (the store does).

use super::app::{App, Counting, PanelView, Sort};
use super::layout;
use super::loader::{self, Job};
use super::update::{panel_scope, reload};
use crate::domain::ClientId;
use crate::domain::today::{PanelClient, wants_booking};
use crate::error::Result;
use crate::store::panel::{self, PanelEntry, PanelQuery};
use crate::store::panel_window::{self, PanelCounts, PanelOrder, PanelWindow};
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

/// After a change of sort or filter: counts and the rows from the top, from one snapshot.
/// A new order or filter starts at its first row: finding the selected client's place in
/// it would count every row before them (tens of milliseconds at 100,000 clients).
pub(super) fn refresh(app: &mut App, store: &Store) -> Result<()> {
    loader::ensure(app, store);
    store.read(|snap| refresh_from(app, snap, &[], false))
}

/// Counts, selection and loaded rows for the current window, in `snap`. With `keep` (a
/// reload), the selection stays on the first of `prefer` in the window, else on the client
/// selected now, else the top; without, it goes to the top.
pub(super) fn refresh_from(
    app: &mut App,
    snap: &Snapshot,
    prefer: &[ClientId],
    keep: bool,
) -> Result<()> {
    let kept: Vec<ClientId> = prefer
        .iter()
        .copied()
        .chain(app.view.panel.selected_entry().map(|e| e.client.id))
        .filter(|_| keep)
        .collect();
    let w = window(app);
    let counting = settle_counts(app, snap, &w)?;
    let mut selected = None;
    if counting.is_none() {
        for id in kept {
            selected = panel_window::position(snap, &w, app.today, id)?;
            if selected.is_some() {
                break;
            }
        }
    }
    if app.view.panel.intervals.is_none() {
        app.view.panel.intervals = Some(settings::intervals(snap)?);
    }
    // Until the count is in, the window is as long as what a first read finds.
    let first_read = 2 * layout::panel_rows(app.size.1);
    let p = &mut app.view.panel;
    p.counting = counting;
    if counting == Some(Counting::Count) {
        p.total = first_read;
    }
    p.selected = selected.unwrap_or(0).min(p.total.saturating_sub(1));
    p.offset = 0;
    p.loaded_from = 0;
    p.loaded.clear();
    p.needs_booking.clear();
    keep_selection_visible(app);
    load_page(app, snap, &w)?;
    let p = &mut app.view.panel;
    if p.counting == Some(Counting::Count) {
        p.total = p.loaded.len();
        p.counts.clients = p.total;
        if p.total < first_read {
            // Fewer rows than asked for: that is all of them (the minutes still come).
            p.counting = Some(Counting::Minutes);
        }
    }
    Ok(())
}

/// Sets the panel's counts for window `w`: those counted since the reload; for the whole
/// scope, counted now (a few index reads); for a filtered window, asked of the background
/// loader when there is one (what is still to come is returned), else counted now. The
/// flag kinds' groups of the whole scope give a flag filter's clients at once; only its
/// minutes wait.
fn settle_counts(app: &mut App, snap: &Snapshot, w: &PanelWindow) -> Result<Option<Counting>> {
    let filters = PanelWindow {
        order: PanelOrder::Priority,
        ..w.clone()
    };
    let whole = PanelWindow {
        panel: w.panel,
        ..PanelWindow::default()
    };
    let counted = |app: &App, f: &PanelWindow| {
        app.view
            .panel
            .counted
            .iter()
            .find(|(c, _, _)| c == f)
            .map(|(_, counts, any)| (counts.clone(), *any))
    };
    if counted(app, &whole).is_none() {
        let (counts, groups) = panel_window::counts_and_groups(snap, &whole, app.today)?;
        let any = counts.clients > 0;
        remember(app, whole.clone(), counts, any);
        app.view.panel.groups = Some(groups);
    }
    let any = counted(app, &whole).is_some_and(|(c, _)| c.clients > 0);
    app.view.panel.any_on_panel = any;
    if let Some((counts, _)) = counted(app, &filters) {
        app.view.panel.counts = counts;
        app.view.panel.total = app.view.panel.counts.clients;
        return Ok(None);
    }
    let job = Job::Counts {
        window: filters.clone(),
        today: app.today,
    };
    if !loader::ask(app, job) {
        let counts = panel_window::counts(snap, &filters, app.today)?;
        remember(app, filters, counts.clone(), any);
        app.view.panel.counts = counts;
        app.view.panel.total = app.view.panel.counts.clients;
        return Ok(None);
    }
    let from_groups = match (&app.view.panel.groups, filters.name.is_empty()) {
        (Some(groups), true) => filters.flag.map(|k| groups.counts_for(k)),
        _ => None,
    };
    Ok(Some(match from_groups {
        Some(counts) => {
            app.view.panel.total = counts.clients;
            app.view.panel.counts = counts;
            Counting::Minutes
        }
        None => {
            app.view.panel.counts = PanelCounts::default();
            Counting::Count
        }
    }))
}

/// Keeps a window's counts until the next reload (the oldest go first).
fn remember(app: &mut App, window: PanelWindow, counts: PanelCounts, any: bool) {
    let counted = &mut app.view.panel.counted;
    if counted.len() >= COUNTS_KEPT {
        counted.remove(0);
    }
    counted.push((window, counts, any));
}

/// A window's counts from the background loader: kept, and shown if the window is the one
/// on screen.
pub(super) fn put_counts(app: &mut App, window: PanelWindow, counts: PanelCounts) {
    let any = app.view.panel.any_on_panel;
    remember(app, window.clone(), counts.clone(), any);
    let current = PanelWindow {
        order: PanelOrder::Priority,
        ..self::window(app)
    };
    if window != current {
        return;
    }
    let p = &mut app.view.panel;
    p.counting = None;
    p.total = counts.clients;
    p.counts = counts;
    p.selected = p.selected.min(p.total.saturating_sub(1));
    keep_selection_visible(app);
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
