//! Text fields and the mouse, through the real keymap, `input` and `update`: the cursor, word
//! deletion and paste in the filter, a form field and the picker, the terminal cursor drawn
//! where the field's is; the wheel, a click on a panel row and on a tab, and nothing done
//! behind a modal.

use super::action::Tab;
use super::app::{App, Modal};
use super::form::FieldId;
use super::input::{map_key, map_mouse, map_paste};
use super::tests::{app, draw, keys, open, practice, screen_text};
use super::{ui, update};
use crate::store::Store;
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// Presses one key with modifiers through the keymap and update.
fn press(app: &mut App, store: &mut Store, code: KeyCode, modifiers: KeyModifiers) {
    if let Some(action) = map_key(KeyEvent::new(code, modifiers), &app.layers()) {
        update::update(app, store, action);
    }
}

fn plain(app: &mut App, store: &mut Store, code: KeyCode) {
    press(app, store, code, KeyModifiers::NONE);
}

/// A bracketed paste of `text`, as the terminal loop hands it on.
fn paste(app: &mut App, store: &mut Store, text: &str) {
    for action in map_paste(text, &app.layers()) {
        update::update(app, store, action);
    }
}

fn mouse(app: &mut App, store: &mut Store, kind: MouseEventKind, column: u16, row: u16) {
    let event = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    for action in map_mouse(event, &app.layers()) {
        update::update(app, store, action);
    }
}

fn click(app: &mut App, store: &mut Store, column: u16, row: u16) {
    mouse(
        app,
        store,
        MouseEventKind::Down(MouseButton::Left),
        column,
        row,
    );
}

/// Where the frame puts the terminal's cursor, or `None` when it hides it.
fn cursor(app: &App, width: u16, height: u16) -> Option<(u16, u16)> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    // A drawing without a cursor leaves the position alone (and hides the cursor).
    let unset = (u16::MAX, u16::MAX);
    terminal.backend_mut().set_cursor_position(unset).unwrap();
    terminal.draw(|f| ui::draw(f, app)).unwrap();
    let at = terminal.backend_mut().get_cursor_position().unwrap();
    ((at.x, at.y) != unset).then_some((at.x, at.y))
}

/// The column where `text` starts on screen row `row`.
fn column_of(screen: &str, row: usize, text: &str) -> u16 {
    let line = screen.lines().nth(row).unwrap();
    let byte = line
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} in {line:?}"));
    line[..byte].chars().count() as u16
}

#[test]
fn the_filter_has_a_cursor_word_delete_and_paste() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    keys(&mut app, &mut store, "/Lee");
    plain(&mut app, &mut store, KeyCode::Home);
    keys(&mut app, &mut store, "Ann ");
    let filter = &app.view.panel.filter;
    assert_eq!((filter.value(), filter.cursor()), ("Ann Lee", 4));
    assert_eq!(app.view.panel.total, 1, "only Ann Lee matches");
    // The terminal's cursor is drawn where the filter's is: after "Ann ".
    let screen = screen_text(&draw(&app, 100, 24));
    let start = column_of(&screen, 1, "Ann Lee");
    assert_eq!(cursor(&app, 100, 24), Some((start + 4, 1)), "{screen}");
    // Ctrl-W takes the word before the cursor, Delete the character at it.
    press(
        &mut app,
        &mut store,
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    );
    assert_eq!(app.view.panel.filter.value(), "Lee");
    plain(&mut app, &mut store, KeyCode::Delete);
    assert_eq!(app.view.panel.filter.value(), "ee");
    plain(&mut app, &mut store, KeyCode::End);
    press(&mut app, &mut store, KeyCode::Backspace, KeyModifiers::ALT);
    assert!(app.view.panel.filter.is_empty(), "Alt-Backspace too");
    // A paste goes in whole; a line break in it reads as a space, an escape never enters.
    paste(&mut app, &mut store, "Ann\n\u{1b}Lee");
    assert_eq!(app.view.panel.filter.value(), "Ann Lee");
    assert_eq!(app.view.panel.total, 1);
    // Done filtering: the filter stays, the cursor goes.
    plain(&mut app, &mut store, KeyCode::Enter);
    assert_eq!(cursor(&app, 100, 24), None);
    assert!(!app.view.panel.filtering);
}

#[test]
fn a_form_field_edits_at_the_cursor_and_choices_still_change_with_the_arrows() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "c");
    let form = |app: &App| match &app.view.modal {
        Some(Modal::Form(form)) => form.clone(),
        other => panic!("a form is open: {other:?}"),
    };
    // Focus starts on the kind, a choice: → still chooses the next kind.
    let kind = form(&app).fields[0].shown();
    plain(&mut app, &mut store, KeyCode::Right);
    assert_ne!(form(&app).fields[0].shown(), kind, "→ changes a choice");
    plain(&mut app, &mut store, KeyCode::Left);
    assert_eq!(form(&app).fields[0].shown(), kind);
    // To the note: type, go back a word, insert, delete a word.
    while form(&app).fields[form(&app).focus].id != FieldId::Note {
        keys(&mut app, &mut store, "\t");
    }
    keys(&mut app, &mut store, "met at home");
    press(&mut app, &mut store, KeyCode::Left, KeyModifiers::CONTROL);
    keys(&mut app, &mut store, "her ");
    let note = |app: &App| {
        let f = form(app);
        let field = f.fields.iter().find(|f| f.id == FieldId::Note).unwrap();
        (field.value.value().to_string(), field.value.cursor())
    };
    assert_eq!(note(&app), ("met at her home".into(), 11));
    // The terminal cursor sits in the note, just before "home".
    let screen = screen_text(&draw(&app, 100, 30));
    let row = screen
        .lines()
        .position(|l| l.contains("met at her home"))
        .unwrap();
    let start = column_of(&screen, row, "met at her home");
    assert_eq!(
        cursor(&app, 100, 30),
        Some((start + 11, row as u16)),
        "{screen}"
    );
    press(
        &mut app,
        &mut store,
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    );
    assert_eq!(note(&app), ("met at home".into(), 7));
    plain(&mut app, &mut store, KeyCode::Delete);
    assert_eq!(note(&app).0, "met at ome");
    // A paste: line breaks become spaces, control characters go, the rest goes in at the cursor.
    plain(&mut app, &mut store, KeyCode::End);
    paste(&mut app, &mut store, "\u{7}called\r\nback\n");
    assert_eq!(note(&app).0, "met at omecalled back");
    // A date's default is typed over by the first key, but edited once the cursor moved in.
    keys(&mut app, &mut store, "\u{1b}c");
    while form(&app).fields[form(&app).focus].id != FieldId::Date {
        keys(&mut app, &mut store, "\t");
    }
    plain(&mut app, &mut store, KeyCode::Backspace);
    keys(&mut app, &mut store, "2");
    let date = |app: &App| {
        let f = form(app);
        let field = f.fields.iter().find(|f| f.id == FieldId::Date).unwrap();
        field.value.value().to_string()
    };
    assert_eq!(date(&app), "2026-11-22");
    // The minutes' default ("50"), once the cursor moved into it, is edited, not typed over.
    keys(&mut app, &mut store, "\t");
    assert_eq!(form(&app).fields[form(&app).focus].id, FieldId::Minutes);
    plain(&mut app, &mut store, KeyCode::Home);
    keys(&mut app, &mut store, "1");
    let minutes = form(&app).fields[form(&app).focus]
        .value
        .value()
        .to_string();
    assert_eq!(minutes, "150");
}

#[test]
fn the_picker_query_has_a_cursor_and_takes_a_paste() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "2l");
    let query = |app: &App| match &app.view.modal {
        Some(Modal::Picker(p)) => (
            p.query.value().to_string(),
            p.query.cursor(),
            p.matches.len(),
        ),
        other => panic!("the picker is open: {other:?}"),
    };
    keys(&mut app, &mut store, "lee");
    plain(&mut app, &mut store, KeyCode::Home);
    keys(&mut app, &mut store, "ann ");
    assert_eq!(query(&app), ("ann lee".into(), 4, 1));
    let screen = screen_text(&draw(&app, 100, 30));
    let row = screen
        .lines()
        .position(|l| l.contains("client: ann lee"))
        .unwrap();
    let start = column_of(&screen, row, "ann lee");
    assert_eq!(
        cursor(&app, 100, 30),
        Some((start + 4, row as u16)),
        "{screen}"
    );
    press(
        &mut app,
        &mut store,
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    );
    assert_eq!(query(&app).0, "lee", "Ctrl-U deletes to the start");
    press(
        &mut app,
        &mut store,
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    );
    assert_eq!(query(&app).0, "lee", "nothing before the cursor to delete");
    plain(&mut app, &mut store, KeyCode::End);
    press(
        &mut app,
        &mut store,
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    );
    paste(&mut app, &mut store, "cy\tyoung");
    assert_eq!(query(&app), ("cy young".into(), 8, 1));
    keys(&mut app, &mut store, "\n");
    assert!(
        matches!(&app.view.modal, Some(Modal::Form(f)) if f.client_label == "Cy Young"),
        "Enter still chooses"
    );
}

#[test]
fn the_wheel_scrolls_the_screen_under_the_pointer() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    mouse(&mut app, &mut store, MouseEventKind::ScrollDown, 40, 10);
    assert_eq!(app.view.panel.selected, 3, "a notch is three rows");
    mouse(&mut app, &mut store, MouseEventKind::ScrollUp, 40, 10);
    assert_eq!(app.view.panel.selected, 0);
    keys(&mut app, &mut store, "4");
    mouse(&mut app, &mut store, MouseEventKind::ScrollDown, 40, 10);
    assert!(app.view.value_scroll > 0, "the value tab scrolls");
    keys(&mut app, &mut store, "2");
    mouse(&mut app, &mut store, MouseEventKind::ScrollDown, 40, 10);
    assert!(app.view.day_selected > 0, "today's list moves");
    // Behind a form the wheel does nothing (its ↑/↓ would change fields).
    keys(&mut app, &mut store, "1");
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "c");
    let focus = |app: &App| match &app.view.modal {
        Some(Modal::Form(f)) => f.focus,
        _ => usize::MAX,
    };
    let before = focus(&app);
    mouse(&mut app, &mut store, MouseEventKind::ScrollDown, 40, 10);
    assert_eq!(focus(&app), before);
}

#[test]
fn a_click_selects_a_panel_row_and_a_second_opens_it() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    let screen = screen_text(&draw(&app, 100, 24));
    let row = |name: &str| screen.lines().position(|l| l.contains(name)).unwrap() as u16;
    let name = app.view.panel.entry_at(1).unwrap().client.name.clone();
    click(&mut app, &mut store, 30, row(&name));
    assert_eq!(app.view.panel.selected, 1);
    assert!(app.view.client.is_none(), "the first click only selects");
    click(&mut app, &mut store, 30, row(&name));
    assert_eq!(
        app.view
            .client
            .as_ref()
            .map(|c| c.record.client.name.clone()),
        Some(name),
        "a second click on the selected row opens it"
    );
    // On nothing — the header, below the last client — nothing happens.
    keys(&mut app, &mut store, "\u{1b}");
    let header = row("client");
    click(&mut app, &mut store, 30, header);
    click(&mut app, &mut store, 30, 20);
    assert_eq!(
        (app.view.panel.selected, app.view.client.is_none()),
        (1, true)
    );
}

#[test]
fn a_click_on_a_tab_switches_to_it_but_not_behind_a_modal() {
    let mut store = practice();
    for width in [80, 120] {
        let mut app = app(&mut store, width, 24);
        let screen = screen_text(&draw(&app, width, 24));
        let revenue = column_of(&screen, 0, "3 Revenue");
        click(&mut app, &mut store, revenue + 2, 0);
        assert_eq!(app.view.tab, Tab::Revenue, "at {width} columns");
        let agenda = column_of(&screen, 0, "5 Agenda");
        // The space between two tabs is no tab.
        click(&mut app, &mut store, agenda - 2, 0);
        assert_eq!(app.view.tab, Tab::Revenue);
        // With help open, a click on a tab changes nothing.
        keys(&mut app, &mut store, "?");
        click(&mut app, &mut store, agenda, 0);
        assert_eq!(app.view.tab, Tab::Revenue);
        assert!(matches!(app.view.modal, Some(Modal::Help { .. })));
        keys(&mut app, &mut store, "\u{1b}");
        click(&mut app, &mut store, agenda, 0);
        assert_eq!(app.view.tab, Tab::Agenda);
    }
}

#[test]
fn the_wheel_moves_the_pickers_list_and_a_click_there_does_nothing() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 24);
    keys(&mut app, &mut store, "2l");
    paste(&mut app, &mut store, "a");
    let selected = |app: &App| match &app.view.modal {
        Some(Modal::Picker(p)) => p.selected(),
        _ => usize::MAX,
    };
    mouse(&mut app, &mut store, MouseEventKind::ScrollDown, 40, 10);
    assert!(selected(&app) > 0, "the picker's own list scrolls");
    click(&mut app, &mut store, 2, 0);
    assert_eq!(app.view.tab, Tab::Today);
    assert!(matches!(app.view.modal, Some(Modal::Picker(_))));
}
