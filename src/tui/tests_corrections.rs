//! Corrections on the client screen (SPEC section 9) through the real keymap, update and store:
//! the two selectable lists, `e` editing a record in its entry form, `x` voiding (and
//! unvoiding) after asking why, `u` taking back this session's changes, and voided rows drawn
//! dimmed and struck through with the reason on the status line.

use super::app::{App, ListFocus, Modal};
use super::tests::{app, d, draw, keys, open, practice, screen_text};
use super::theme::Role;
use crate::domain::flags::FlagKind;
use crate::domain::{ClientId, EncounterId, MeasurementId};
use crate::store::{Store, audit, encounters, measurements};
use ratatui::style::Modifier;

fn flags_of(app: &App, id: ClientId) -> Vec<FlagKind> {
    app.view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.id == id)
        .map(|e| e.flags.iter().map(|f| f.kind).collect())
        .unwrap_or_default()
}

/// The audit rows of corrections, oldest first, as (action, detail).
fn corrections_audited(store: &Store) -> Vec<(String, String)> {
    store
        .read(|c| audit::recent(c, 200))
        .unwrap()
        .into_iter()
        .filter(|r| r.action.ends_with(".amend") || r.action.ends_with("void"))
        .map(|r| (r.action, r.detail))
        .collect()
}

fn selected_encounter(app: &App) -> EncounterId {
    let view = app.view.client.as_ref().unwrap();
    view.record.encounters[view.encounters.selected().unwrap()].id
}

/// The row of the screen holding `text`, and that row's text.
fn row_with(t: &ratatui::Terminal<ratatui::backend::TestBackend>, text: &str) -> (u16, String) {
    let screen = screen_text(t);
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not on screen:\n{screen}"));
    (y as u16, line.to_string())
}

#[test]
fn a_voided_encounter_is_dimmed_struck_and_its_reason_shown() {
    let mut store = practice();
    let mut app = app(&mut store, 80, 24);
    let ann = open(&mut app, &mut store, "Ann Lee");
    // The void is stamped with the shell's clock; fix it so the snapshot is the same each run.
    app.clock.utc = "2026-11-23T16:05:00Z".parse().unwrap();
    // The intake of 2026-06-02 is the second encounter (newest first).
    keys(&mut app, &mut store, "jx");
    assert!(matches!(&app.view.modal, Some(Modal::Form(f)) if f.title() == "Void a record"));
    keys(&mut app, &mut store, "logged for the wrong client\n");
    assert!(app.view.modal.is_none(), "{:?}", app.view.notice);
    let intake = store
        .read(|c| encounters::for_client(c, ann))
        .unwrap()
        .into_iter()
        .find(|e| e.date == d("2026-06-02"))
        .unwrap();
    let voided = intake.voided.as_ref().expect("stored as voided");
    assert_eq!(voided.reason, "logged for the wrong client");

    let t = draw(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("Measurements 1–"), "{text}");
    assert!(
        text.contains("Voided encounter of 2026-06-02 · intake · 60 min"),
        "{text}"
    );
    // Unselected, the voided row is dimmed and struck across the whole list.
    keys(&mut app, &mut store, "k");
    let t = draw(&app, 80, 24);
    let (y, line) = row_with(&t, "2026-06-02 intake");
    assert!(line.contains("voided"), "{line}");
    let buffer = t.backend().buffer();
    let muted = app.theme.style(Role::muted).fg.unwrap();
    for x in 0..46 {
        let cell = &buffer[(x, y)];
        assert!(
            cell.modifier.contains(Modifier::CROSSED_OUT) && cell.fg == muted,
            "column {x} of the voided row is not dimmed and struck: {cell:?}"
        );
    }
    let (live, _) = row_with(&t, "2026-11-12 session");
    assert!(
        !buffer[(0, live)].modifier.contains(Modifier::CROSSED_OUT),
        "a live row is not struck"
    );
    // Selected, it keeps the strike under the highlight, and the status line says who voided
    // it, when and why.
    keys(&mut app, &mut store, "j");
    let t = draw(&app, 80, 24);
    let buffer = t.backend().buffer();
    let selected = app.theme.style(Role::selected).bg.unwrap();
    assert!(
        (0..46).all(|x| {
            let cell = &buffer[(x, y)];
            cell.modifier.contains(Modifier::CROSSED_OUT) && cell.bg == selected
        }),
        "the selected voided row is highlighted and struck"
    );
    let status = row_with(&t, "Voided 2026-").1;
    assert!(
        status.contains("logged for the wrong client") && status.contains("x unvoids"),
        "{status}"
    );
    // The snapshot shows both looks: the voided intake dimmed and struck in the encounter
    // list, and a voided measurement selected (highlighted, still struck) with its reason.
    keys(&mut app, &mut store, "]jjxentered twice\nj");
    let t = draw(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("entered twice"), "{text}");
    insta::assert_debug_snapshot!(t.backend().buffer());
}

#[test]
fn the_two_lists_take_the_selection_in_turn() {
    let mut store = practice();
    let mut app = app(&mut store, 120, 40);
    open(&mut app, &mut store, "Ann Lee");
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(view.focus, ListFocus::Encounters);
    assert_eq!(view.encounters.selected(), Some(0));
    keys(&mut app, &mut store, "]j");
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(view.focus, ListFocus::Measurements);
    assert_eq!(view.measurements.selected(), Some(1));
    assert_eq!(
        view.encounters.selected(),
        Some(0),
        "the other list keeps its place"
    );
    keys(&mut app, &mut store, "jjjj[");
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(view.measurements.selected(), Some(2), "stops at the oldest");
    assert_eq!(view.focus, ListFocus::Encounters);
    // Enter shows the selected measurement in full: its items.
    keys(&mut app, &mut store, "]k\n");
    assert!(matches!(app.view.modal, Some(Modal::Details { .. })));
    let text = screen_text(&draw(&app, 120, 40));
    assert!(
        text.contains("PHQ-9 measurement 2")
            && text.contains("items 1–5")
            && text.contains(" 2  2  2  2  2"),
        "{text}"
    );
    assert!(
        text.contains("items 6–9") && text.contains(" 1  1  1  1"),
        "{text}"
    );
    keys(&mut app, &mut store, "\u{1b}");
    assert!(app.view.modal.is_none() && app.view.client.is_some());
}

#[test]
fn e_amends_an_encounters_minutes_with_an_audited_reason_and_u_puts_them_back() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    let id = selected_encounter(&app);
    keys(&mut app, &mut store, "e");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {:?}", app.view.notice);
    };
    assert_eq!(form.title(), "Correct a contact");
    let screen = screen_text(&draw(&app, 100, 30));
    assert!(
        screen.contains("‹ session ›") && screen.contains("2026-11-12") && screen.contains(" 50"),
        "the form holds the stored values:\n{screen}"
    );
    // kind → status → date → minutes: the first digit replaces the stored 50.
    keys(&mut app, &mut store, "\t\t\t45\t\tsaid 50, was 45\n");
    assert!(app.view.modal.is_none(), "{:?}", app.view.modal);
    let e = store.read(|c| encounters::get(c, id)).unwrap();
    assert_eq!(e.minutes, 45);
    assert_eq!(e.voided, None);
    let audited = corrections_audited(&store);
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0].0, "encounter.amend");
    assert!(
        audited[0].1.contains("minutes 50 → 45")
            && audited[0].1.contains("reason: said 50, was 45"),
        "{audited:?}"
    );
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(view.record.encounters[0].minutes, 45, "the screen reloaded");
    assert_eq!(selected_encounter(&app), id, "and kept the selection");

    keys(&mut app, &mut store, "u");
    assert_eq!(store.read(|c| encounters::get(c, id)).unwrap().minutes, 50);
    let audited = corrections_audited(&store);
    assert_eq!(
        audited.len(),
        2,
        "the undo is a correction too, never a deletion"
    );
    assert_eq!(audited[1].0, "encounter.amend");
    assert!(
        audited[1].1.contains("minutes 45 → 50") && audited[1].1.contains("undo in caseload"),
        "{audited:?}"
    );
    let (notice, _) = app.view.notice.clone().unwrap();
    assert!(
        notice.contains("Undone, old values back: the correction of encounter of 2026-11-12"),
        "{notice}"
    );
    keys(&mut app, &mut store, "u");
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("Nothing left to undo")),
        "{:?}",
        app.view.notice
    );
    assert_eq!(corrections_audited(&store).len(), 2);
}

#[test]
fn escape_cancels_an_edit_and_a_void_writing_nothing() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let ann = open(&mut app, &mut store, "Ann Lee");
    let before = store.read(|c| encounters::for_client(c, ann)).unwrap();
    let audit_before = store.read(|c| audit::recent(c, 1000)).unwrap().len();
    keys(&mut app, &mut store, "e\t\t\t45\t\ttypo\u{1b}");
    assert!(app.view.modal.is_none());
    keys(&mut app, &mut store, "xwrong client\u{1b}");
    assert!(app.view.modal.is_none());
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m == "Cancelled; nothing was changed"),
        "{:?}",
        app.view.notice
    );
    assert_eq!(
        store.read(|c| encounters::for_client(c, ann)).unwrap(),
        before
    );
    assert_eq!(
        store.read(|c| audit::recent(c, 1000)).unwrap().len(),
        audit_before
    );
    keys(&mut app, &mut store, "u");
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("Nothing left to undo")),
        "a cancelled form leaves nothing to undo"
    );
}

#[test]
fn a_correction_is_checked_as_on_entry_and_needs_a_reason() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let ann = open(&mut app, &mut store, "Ann Lee");
    let before = store.read(|c| encounters::for_client(c, ann)).unwrap();
    keys(&mut app, &mut store, "e\t\t\t45\n");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form stays open");
    };
    assert!(
        form.error.as_deref().unwrap().contains("say why"),
        "{form:?}"
    );
    keys(&mut app, &mut store, "\t\ttypo\u{8}\u{8}\u{8}\u{8}");
    keys(&mut app, &mut store, "\u{1b}e\t\t\t1441\t\ttypo\n");
    let t = draw(&app, 100, 30);
    assert!(
        screen_text(&t).contains("minutes must be between 0 and 1440, got 1441"),
        "{}",
        screen_text(&t)
    );
    // Changing nothing is refused by the store, shown in the form like an entry error.
    keys(&mut app, &mut store, "\u{1b}e\t\t\t\t\tno change\n");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form stays open");
    };
    assert!(
        form.error.as_deref().unwrap().contains("changes nothing"),
        "{form:?}"
    );
    keys(&mut app, &mut store, "\u{1b}");
    assert_eq!(
        store.read(|c| encounters::for_client(c, ann)).unwrap(),
        before
    );
}

#[test]
fn x_voids_a_contact_so_flags_no_longer_count_it_and_u_brings_it_back() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let cy = open(&mut app, &mut store, "Cy Young");
    assert!(
        !flags_of(&app, cy).contains(&FlagKind::ContactOverdue),
        "seen on 2026-11-20"
    );
    let id = selected_encounter(&app);
    keys(&mut app, &mut store, "xduplicate of the phone note\n");
    let e = store.read(|c| encounters::get(c, id)).unwrap();
    assert_eq!(
        e.voided.map(|v| v.reason).as_deref(),
        Some("duplicate of the phone note")
    );
    let entry = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.id == cy)
        .unwrap();
    assert_eq!(
        entry.last_contact,
        Some(d("2026-03-03")),
        "the panel no longer counts the voided contact"
    );
    assert!(
        flags_of(&app, cy).contains(&FlagKind::ContactOverdue),
        "{:?}",
        flags_of(&app, cy)
    );
    let view = app.view.client.as_ref().unwrap();
    assert_eq!(
        view.record.encounters.len(),
        2,
        "the voided one stays listed"
    );
    assert!(
        view.entry
            .as_ref()
            .unwrap()
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::ContactOverdue),
        "the client screen's flags are reloaded too"
    );
    // A voided record cannot be edited; the status line says why.
    keys(&mut app, &mut store, "e");
    assert!(app.view.modal.is_none());
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.contains("voided, so it cannot be edited")),
        "{:?}",
        app.view.notice
    );

    keys(&mut app, &mut store, "u");
    assert_eq!(store.read(|c| encounters::get(c, id)).unwrap().voided, None);
    assert!(!flags_of(&app, cy).contains(&FlagKind::ContactOverdue));
    let audited = corrections_audited(&store);
    assert_eq!(
        audited.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["encounter.void", "encounter.unvoid"]
    );
    assert!(
        audited[1].1.contains("reason: undo in caseload"),
        "{audited:?}"
    );
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.contains("it counts again")),
        "{:?}",
        app.view.notice
    );
}

#[test]
fn x_on_a_voided_record_asks_why_and_unvoids_it() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Cy Young");
    let id = selected_encounter(&app);
    keys(&mut app, &mut store, "xwrong day\n");
    assert!(
        store
            .read(|c| encounters::get(c, id))
            .unwrap()
            .voided
            .is_some()
    );
    keys(&mut app, &mut store, "x");
    assert!(matches!(&app.view.modal, Some(Modal::Form(f)) if f.title() == "Unvoid a record"));
    keys(&mut app, &mut store, "it was the right day after all\n");
    assert_eq!(store.read(|c| encounters::get(c, id)).unwrap().voided, None);
    // Undo goes back one step at a time: the unvoid, then the void.
    keys(&mut app, &mut store, "u");
    assert!(
        store
            .read(|c| encounters::get(c, id))
            .unwrap()
            .voided
            .is_some()
    );
    keys(&mut app, &mut store, "u");
    assert_eq!(store.read(|c| encounters::get(c, id)).unwrap().voided, None);
}

#[test]
fn a_measurement_is_corrected_in_its_form_and_the_safety_flag_follows() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let ann = open(&mut app, &mut store, "Ann Lee");
    assert!(flags_of(&app, ann).contains(&FlagKind::Safety));
    // Newest first: the GAD-7 of 2026-11-12, then its PHQ-9 with item 9 = 1.
    keys(&mut app, &mut store, "]je");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {:?}", app.view.notice);
    };
    assert_eq!(form.title(), "Correct a measurement");
    assert_eq!(form.fields[0].shown(), "PHQ-9");
    assert_eq!(form.fields[1].value, "222221111");
    keys(&mut app, &mut store, "\u{8}0\t\t\tmisheard item 9\n");
    assert!(app.view.modal.is_none(), "{:?}", app.view.modal);
    let m = store
        .read(|c| measurements::for_client(c, ann))
        .unwrap()
        .into_iter()
        .find(|m| m.id == MeasurementId(2))
        .unwrap();
    assert_eq!(m.total, 13);
    assert_eq!(m.items, Some(vec![2, 2, 2, 2, 2, 1, 1, 1, 0]));
    assert!(
        !flags_of(&app, ann).contains(&FlagKind::Safety),
        "{:?}",
        flags_of(&app, ann)
    );
    assert!(
        corrections_audited(&store)
            .iter()
            .any(|(a, d)| a == "measurement.amend" && d.contains("total 14 → 13")),
        "{:?}",
        corrections_audited(&store)
    );
    keys(&mut app, &mut store, "u");
    let m = store
        .read(|c| measurements::get(c, MeasurementId(2)))
        .unwrap();
    assert_eq!(m.total, 14);
    assert_eq!(m.items, Some(vec![2, 2, 2, 2, 2, 1, 1, 1, 1]));
    assert!(flags_of(&app, ann).contains(&FlagKind::Safety));
}

#[test]
fn a_contact_logged_in_this_session_is_undone_by_voiding_it() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let bo = open(&mut app, &mut store, "Bo Diaz");
    keys(&mut app, &mut store, "c\n");
    assert!(!flags_of(&app, bo).contains(&FlagKind::NeverSeen));
    let logged = store.read(|c| encounters::for_client(c, bo)).unwrap()[0].clone();
    assert_eq!(logged.date, d(super::tests::TODAY));
    assert_eq!(
        selected_encounter(&app),
        logged.id,
        "the new contact is selected"
    );
    keys(&mut app, &mut store, "u");
    let after = store.read(|c| encounters::for_client(c, bo)).unwrap();
    assert_eq!(after.len(), 2, "kept, not deleted");
    assert_eq!(
        after[0].voided.as_ref().map(|v| v.reason.as_str()),
        Some("undo in caseload")
    );
    assert!(flags_of(&app, bo).contains(&FlagKind::NeverSeen));
}

#[test]
fn undo_takes_back_only_the_open_clients_changes() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let cy = open(&mut app, &mut store, "Cy Young");
    let cy_visit = selected_encounter(&app);
    keys(&mut app, &mut store, "xduplicate\n\u{1b}");
    let ed = open(&mut app, &mut store, "Ed Marsh");
    keys(&mut app, &mut store, "u");
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.starts_with("Nothing left to undo")),
        "Ed's screen does not undo Cy's record"
    );
    assert!(
        store
            .read(|c| encounters::get(c, cy_visit))
            .unwrap()
            .voided
            .is_some()
    );
    assert_ne!(cy, ed);
    open(&mut app, &mut store, "Cy Young");
    keys(&mut app, &mut store, "u");
    assert_eq!(
        store.read(|c| encounters::get(c, cy_visit)).unwrap().voided,
        None
    );
}

#[test]
fn privacy_mode_keeps_a_void_reason_off_the_screen() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Cy Young");
    keys(&mut app, &mut store, "xAnn's session, wrong chart\npk");
    let text = screen_text(&draw(&app, 100, 30));
    assert!(!text.contains("wrong chart"), "{text}");
    assert!(text.contains("reason hidden (privacy)"), "{text}");
}

#[test]
fn the_footer_fits_80_columns_and_help_lists_the_correction_keys() {
    let mut store = practice();
    let mut app = app(&mut store, 80, 24);
    open(&mut app, &mut store, "Ann Lee");
    let text = screen_text(&draw(&app, 80, 24));
    let footer = text.lines().last().unwrap();
    assert!(
        footer.contains("e edit") && footer.contains("u undo") && footer.contains("? help"),
        "{footer}"
    );
    keys(&mut app, &mut store, "?");
    let t = draw(&app, 80, 24);
    let help = screen_text(&t);
    assert!(
        help.contains("edit the selected record") && help.contains("record an acute event"),
        "{help}"
    );
}

#[test]
fn correction_and_void_forms() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "e\t\t\t45\t\t");
    insta::assert_snapshot!("correct_contact_form", draw(&app, 100, 30).backend());
    keys(&mut app, &mut store, "\u{1b}]je");
    insta::assert_snapshot!("correct_measurement_form", draw(&app, 100, 30).backend());
    keys(&mut app, &mut store, "\u{1b}x\n");
    insta::assert_snapshot!("void_form_without_a_reason", draw(&app, 100, 30).backend());
}
