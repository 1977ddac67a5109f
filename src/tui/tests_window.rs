//! The panel as a window (issue 19): on a demo panel of a few hundred clients the model holds
//! only the drawn rows and a margin, `G`, sorting and filtering reach and keep the right
//! client, and the status line counts the whole window, not the loaded rows.

use super::action::Action;
use super::app::{App, Modal};
use super::layout;
use super::tests::{TODAY, app, d, draw, keys, screen_text};
use super::update;
use crate::store::Store;
use crate::store::panel::{self, PanelEntry, PanelQuery};

const CLIENTS: u32 = 300;

fn demo() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    crate::demo::generate(&mut store, CLIENTS, 19, d(TODAY), &mut |_, _| {}).unwrap();
    store
}

/// The whole active panel in priority order, read apart from the UI.
fn whole(store: &Store) -> Vec<PanelEntry> {
    store
        .read(|c| panel::load(c, &PanelQuery::default(), d(TODAY)))
        .unwrap()
}

fn selected_id(app: &App) -> crate::domain::ClientId {
    app.view.panel.selected_entry().unwrap().client.id
}

/// At most the drawn rows and a page either side.
fn assert_windowed(app: &App, height: u16) {
    let page = layout::panel_rows(height);
    let p = &app.view.panel;
    assert!(
        p.loaded.len() <= 3 * page && p.loaded.len() < p.total,
        "{} loaded of {} (page {page})",
        p.loaded.len(),
        p.total
    );
    assert_eq!(p.loaded.len(), p.needs_booking.len());
    let drawn = p.offset..(p.offset + page).min(p.total);
    assert!(
        drawn.clone().all(|row| p.entry_at(row).is_some()),
        "the drawn rows {drawn:?} are loaded (from {})",
        p.loaded_from
    );
}

#[test]
fn the_model_holds_a_few_pages_not_the_whole_panel() {
    let mut store = demo();
    let all = whole(&store);
    assert!(all.len() > 200, "{}", all.len());
    let app = app(&mut store, 120, 40);
    assert_eq!(app.view.panel.total, all.len());
    assert_eq!(app.view.panel.loaded_from, 0);
    assert_windowed(&app, 40);
    assert_eq!(selected_id(&app), all[0].client.id);
}

#[test]
fn moving_within_the_loaded_rows_reads_nothing_and_past_them_reads_a_page() {
    let mut store = demo();
    let all = whole(&store);
    let mut app = app(&mut store, 120, 40);
    let before = app.view.panel.loaded.clone();
    keys(&mut app, &mut store, "jjj");
    assert_eq!(app.view.panel.loaded, before, "still the same slice");
    let page = layout::panel_rows(40);
    for _ in 0..5 {
        update::update(&mut app, &mut store, Action::PageDown);
    }
    assert_eq!(app.view.panel.selected, 3 + 5 * page);
    assert!(app.view.panel.loaded_from > 0, "a later page was read");
    assert_windowed(&app, 40);
    assert_eq!(selected_id(&app), all[3 + 5 * page].client.id);
}

#[test]
fn g_reaches_the_last_client_in_priority_order_and_shows_them() {
    let mut store = demo();
    let all = whole(&store);
    let last = all.last().unwrap();
    let mut app = app(&mut store, 120, 40);
    keys(&mut app, &mut store, "G");
    assert_eq!(app.view.panel.selected, all.len() - 1);
    assert_eq!(selected_id(&app), last.client.id);
    assert_windowed(&app, 40);
    let screen = screen_text(&draw(&app, 120, 40));
    assert!(
        screen.contains(&last.client.name),
        "{} on screen:\n{screen}",
        last.client.name
    );
    // And back to the top.
    keys(&mut app, &mut store, "g");
    assert_eq!(selected_id(&app), all[0].client.id);
    assert_windowed(&app, 40);
}

#[test]
fn g_at_80_by_24() {
    let mut store = demo();
    let mut app = app(&mut store, 80, 24);
    keys(&mut app, &mut store, "G");
    insta::assert_snapshot!(draw(&app, 80, 24).backend());
}

/// A new sort starts at the top of its order (finding the selected client's place in it
/// would count every row before them), with the rows the order gives, first page and last.
#[test]
fn a_new_sort_starts_at_the_top_of_its_order() {
    let mut store = demo();
    let mut app = app(&mut store, 120, 40);
    for _ in 0..3 {
        update::update(&mut app, &mut store, Action::PageDown);
    }
    for sort in 0..4 {
        keys(&mut app, &mut store, "s");
        let window = super::panel_window::window(&app);
        let rows = store
            .read(|c| crate::store::panel_window::reference(c, &window, d(TODAY)))
            .unwrap();
        assert_eq!(app.view.panel.selected, 0, "after {} s", sort + 1);
        assert_eq!(app.view.panel.offset, 0);
        assert_eq!(selected_id(&app), rows[0].client.id, "after {} s", sort + 1);
        assert_windowed(&app, 40);
        let p = &app.view.panel;
        let loaded: Vec<_> = p.loaded.iter().map(|e| e.client.id).collect();
        let expected: Vec<_> = rows[..loaded.len()].iter().map(|e| e.client.id).collect();
        let order = p.sort;
        assert_eq!(loaded, expected, "{order:?}");
        // The far end of the order too (read backwards from its end).
        keys(&mut app, &mut store, "G");
        assert_eq!(
            selected_id(&app),
            rows[rows.len() - 1].client.id,
            "{order:?}"
        );
        keys(&mut app, &mut store, "g");
    }
    assert_eq!(app.view.panel.sort, super::app::Sort::Priority);
}

#[test]
fn the_status_line_counts_the_whole_window() {
    let mut store = demo();
    let all = whole(&store);
    let mut app = app(&mut store, 200, 40);
    let minutes: i64 = all.iter().map(|e| e.minutes_this_month).sum();
    let status = screen_text(&draw(&app, 200, 40));
    let tail = format!("{} clients · {minutes} min this month", all.len());
    assert!(status.contains(&tail), "{tail} in:\n{status}");
    // Filtered by name: the count is every match, loaded or not.
    keys(&mut app, &mut store, "/a\n");
    let matching: Vec<&PanelEntry> = all
        .iter()
        .filter(|e| e.client.name.to_lowercase().contains('a'))
        .collect();
    assert!(matching.len() > 3 * layout::panel_rows(40));
    assert_eq!(app.view.panel.total, matching.len());
    let minutes: i64 = matching.iter().map(|e| e.minutes_this_month).sum();
    assert_eq!(app.view.panel.counts.minutes, minutes);
    assert_windowed(&app, 40);
    let status = screen_text(&draw(&app, 200, 40));
    let tail = format!("{} clients · {minutes} min this month", matching.len());
    assert!(status.contains(&tail), "{tail} in:\n{status}");
}

#[test]
fn the_flag_filter_counts_and_loads_its_own_window() {
    let mut store = demo();
    let all = whole(&store);
    let mut app = app(&mut store, 120, 40);
    keys(&mut app, &mut store, "f");
    let kind = app.view.panel.flag_filter.unwrap();
    let flagged: Vec<&PanelEntry> = all
        .iter()
        .filter(|e| e.flags.iter().any(|f| f.kind == kind))
        .collect();
    assert_eq!(app.view.panel.total, flagged.len());
    if let Some(first) = flagged.first() {
        assert_eq!(selected_id(&app), first.client.id);
    }
    // Esc clears it: the whole panel again.
    keys(&mut app, &mut store, "\u{1b}");
    assert_eq!(app.view.panel.total, all.len());
    assert_windowed(&app, 40);
}

#[test]
fn a_client_far_down_opens_with_their_flags_and_the_picker_finds_them() {
    let mut store = demo();
    let all = whole(&store);
    let far = all.iter().rev().find(|e| !e.flags.is_empty()).unwrap();
    let mut app = app(&mut store, 120, 40);
    assert!(
        app.view
            .panel
            .loaded
            .iter()
            .all(|e| e.client.id != far.client.id)
    );
    update::open_client(&mut app, &mut store, far.client.id).unwrap();
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(
        view.entry.as_ref(),
        Some(far),
        "the same entry as the panel's"
    );
    // The picker searches the whole panel, not the loaded rows.
    keys(&mut app, &mut store, "\u{1b}2l");
    keys(&mut app, &mut store, &far.client.name.to_lowercase());
    let Some(Modal::Picker(picker)) = &app.view.modal else {
        panic!("the picker is open");
    };
    assert!(
        picker.matches.iter().any(|e| e.client.id == far.client.id),
        "{:?}",
        picker
            .matches
            .iter()
            .map(|e| &e.client.name)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_discharged_client_off_the_shown_panel_has_no_panel_entry() {
    let mut store = super::tests::practice();
    let mut app = app(&mut store, 100, 30);
    let id = super::tests::open(&mut app, &mut store, "Ed Marsh");
    assert!(app.view.client.as_ref().unwrap().entry.is_some());
    keys(&mut app, &mut store, "dy");
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(view.record.client.id, id);
    assert!(view.entry.is_none(), "not on the active panel any more");
    // With `a` the panel shows them again, and so does their screen.
    keys(&mut app, &mut store, "\u{1b}a");
    update::open_client(&mut app, &mut store, id).unwrap();
    assert!(app.view.client.as_ref().unwrap().entry.is_some());
}

/// The status line's counts per flag kind are clients carrying the kind (as the panel said
/// before it was a window, and as `PanelCounts::by_kind` documents), not flags: a client not
/// improving on both PHQ-9 and GAD-7 counts once.
#[test]
fn flag_counts_are_clients_not_flags() {
    let mut store = demo();
    let all = whole(&store);
    let app = app(&mut store, 120, 40);
    for &(kind, n) in &app.view.panel.counts.by_kind {
        let clients = all
            .iter()
            .filter(|e| e.flags.iter().any(|f| f.kind == kind))
            .count();
        assert_eq!(n, clients, "{kind:?}");
    }
}
