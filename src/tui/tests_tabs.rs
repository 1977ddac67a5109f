//! The Today tab (the end-of-day check-in) and the value tab's fairness table on the small
//! hand-built practice, with a fixed today.

use super::action::Tab;
use super::app::Modal;
use super::tests::{TODAY, app, d, draw, keys, practice, screen_text};
use crate::domain::EncounterKind;
use crate::store::encounters;

#[test]
fn today_tab() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    keys(&mut app, &mut store, "2");
    assert_eq!(app.view.tab, Tab::Today);
    let t = draw(&app, 110, 34);
    let text = screen_text(&t);
    assert!(
        text.contains("Logged today") && text.contains("Critical (2)"),
        "{text}"
    );
    assert!(
        text.contains("Ann Lee") && text.contains("Di Park"),
        "critical clients listed: {text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn today_opens_the_selected_client_and_logs_through_the_picker() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    keys(&mut app, &mut store, "2");
    let first = app.day_items()[0].0;
    keys(&mut app, &mut store, "\n");
    assert_eq!(
        app.view.client.as_ref().map(|v| v.record.client.id),
        Some(first)
    );
    keys(&mut app, &mut store, "\u{1b}l");
    assert!(matches!(app.view.modal, Some(Modal::Picker(_))));
    keys(&mut app, &mut store, "cy\n");
    assert!(
        matches!(app.view.modal, Some(Modal::Form(_))),
        "the picker leads to the contact form"
    );
    keys(&mut app, &mut store, "\n");
    let cy = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.name == "Cy Young")
        .unwrap()
        .client
        .id;
    let logged = store.read(|c| encounters::for_client(c, cy)).unwrap();
    assert_eq!(
        (logged[0].date, logged[0].kind),
        (d(TODAY), EncounterKind::Session)
    );
    let day = app.view.day.as_ref().expect("the tab reloaded");
    assert!(
        day.logged.iter().any(|l| l.client_id == cy),
        "today's log shows it at once"
    );
}

#[test]
fn value_tab_shows_the_fairness_table() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 40);
    keys(&mut app, &mut store, "4");
    let text = screen_text(&draw(&app, 110, 40));
    assert!(
        text.contains("Fairness") && text.contains("min/MM"),
        "{text}"
    );
}

#[test]
fn value_rates_are_never_cut_at_80_columns() {
    let mut store = crate::store::Store::open_in_memory().unwrap();
    crate::demo::generate(&mut store, 250, 7, d(TODAY), &mut |_, _| {}).unwrap();
    let mut app = app(&mut store, 80, 24);
    keys(&mut app, &mut store, "4");
    let text = screen_text(&draw(&app, 80, 24));
    let v = &app.view.value.as_ref().unwrap().current;
    for rate in [
        v.engagement.show_rate,
        v.engagement.contacted,
        v.outcomes.measured,
        v.outcomes.response,
    ] {
        assert!(
            text.contains(&rate.to_string()),
            "{rate} must appear whole:\n{text}"
        );
    }
}

/// The picker lists every match and scrolls to the selection: the fifteenth "Pat" is reached
/// with ↓ and shown, not left below a first page of ten.
#[test]
fn the_picker_scrolls_to_any_match() {
    use crate::domain::Tier;
    use crate::store::clients;
    let mut store = practice();
    store
        .write(|tx| {
            for i in 1..=15 {
                clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: format!("Pat Number{i:02}"),
                        dob: None,
                        tier: Tier::Low,
                        since: d("2026-01-05"),
                        diagnosis: None,
                        clinician_id: None,
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "2lpat");
    for _ in 0..14 {
        super::update::update(&mut app, &mut store, crate::tui::action::Action::Down);
    }
    let Some(Modal::Picker(picker)) = &app.view.modal else {
        panic!("the picker is open");
    };
    assert_eq!((picker.matches.len(), picker.selected()), (15, 14));
    let last = &picker.matches[14].client.name;
    let screen = screen_text(&draw(&app, 100, 30));
    assert!(
        screen.contains(last.as_str()),
        "{last} on screen:\n{screen}"
    );
}

/// A screen left open overnight moves to the new day at local midnight: the tick that sees
/// the new date reloads the check-in for it. Pinned with `--today`, it stays.
#[test]
fn today_moves_at_local_midnight_unless_pinned() {
    let mut store = practice();
    let mut app = app(&mut store, 110, 34);
    keys(&mut app, &mut store, "2");
    let tomorrow = d(TODAY).succ_opt().unwrap();
    app.clock.local_date = tomorrow;
    super::update::update(&mut app, &mut store, crate::tui::action::Action::Tick);
    assert_eq!(
        app.today,
        d(TODAY),
        "pinned (as with --today): the day stays"
    );
    app.today_follows_clock = true;
    super::update::update(&mut app, &mut store, crate::tui::action::Action::Tick);
    assert_eq!(app.today, tomorrow);
    let day = app.view.day.as_ref().expect("the check-in reloaded");
    assert_eq!(day.date, tomorrow);
}
