//! The heavy tabs computed by the background loader, on a demo practice in a database file
//! (and on a server):
//! the tab key returns with a computing line, the figures arrive and are a synchronous load's,
//! keys on a tab still computing do nothing harmful, a result a reload made stale is dropped,
//! and nothing computed arrives behind the lock screen.

use super::action::{Action, Tab};
use super::app::{App, Viewer};
use super::loader::{self, Background, Figures};
use super::tests::{TODAY, d, draw, keys, screen_text};
use super::theme::Theme;
use super::update;
use crate::domain::{EncounterKind, EncounterStatus};
use crate::store::{Store, encounters};
use std::time::{Duration, Instant};

const CLIENTS: u32 = 120;
const SIZE: (u16, u16) = (120, 40);

fn demo_file() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("practice.db")).unwrap();
    crate::demo::generate(&mut store, CLIENTS, 7, d(TODAY), &mut |_, _| {}).unwrap();
    (dir, store)
}

/// The UI on the store; `background: false` computes every tab on this thread, as on a store
/// in memory.
fn app_on(store: &mut Store, background: bool) -> App {
    let mut app = App::new(d(TODAY), Theme::fallback(), Viewer::practice());
    app.size = SIZE;
    if !background {
        app.background = Background::Off;
    }
    update::reload(&mut app, store).unwrap();
    app
}

fn screen(app: &App) -> String {
    screen_text(&draw(app, SIZE.0, SIZE.1))
}

fn computing_line(app: &App) -> String {
    format!("Computing… ({} clients)", app.view.panel.counts.clients)
}

/// Polls as the event loop does until nothing is being computed (at most 10 s).
fn wait(app: &mut App, store: &mut Store) {
    let until = Instant::now() + Duration::from_secs(10);
    while !app.loading.asked.is_empty() {
        assert!(
            Instant::now() < until,
            "the background result never arrived"
        );
        update::receive(app, store);
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn next_reply(app: &App) -> loader::Reply {
    let Background::Running(l) = &app.background else {
        panic!("the loader is running on a database file");
    };
    l.recv_reply(Duration::from_secs(10))
        .expect("the loader answers")
}

#[test]
fn tabs_show_computing_at_once_then_the_figures_of_a_synchronous_load() {
    let (_dir, mut store) = demo_file();
    tabs_arrive_as_computed_here(&mut store);
}

/// On PostgreSQL the loader reads through a session of its own on the server, with the same
/// figures. Runs when `CASELOAD_TEST_POSTGRES` names a server.
#[test]
fn on_a_server_the_tabs_are_computed_in_the_background_too() {
    let Some(db) = crate::store::pg::scratch::ScratchDb::new() else {
        return;
    };
    let mut store = Store::open_server(&db.server()).unwrap();
    crate::demo::generate(&mut store, CLIENTS, 7, d(TODAY), &mut |_, _| {}).unwrap();
    tabs_arrive_as_computed_here(&mut store);
}

/// Each heavy tab says it is computing at once, then shows what the UI computes itself.
fn tabs_arrive_as_computed_here(store: &mut Store) {
    let mut app = app_on(store, true);
    let mut sync = app_on(store, false);
    for (key, tab) in [("2", Tab::Today), ("3", Tab::Revenue), ("4", Tab::Value)] {
        keys(&mut app, store, key);
        assert_eq!(app.view.tab, tab);
        assert!(matches!(app.background, Background::Running(_)));
        let first = screen(&app);
        assert!(first.contains(&computing_line(&app)), "{first}");
        wait(&mut app, store);
        keys(&mut sync, store, key);
        let shown = screen(&app);
        assert!(!shown.contains("Computing"), "{shown}");
        assert_eq!(shown, screen(&sync), "{tab:?} as computed here");
    }
    // The revenue tab's contracts view, then back: the months are kept.
    keys(&mut app, store, "3c");
    assert!(screen(&app).contains(&computing_line(&app)));
    wait(&mut app, store);
    keys(&mut sync, store, "3c");
    assert_eq!(screen(&app), screen(&sync));
    assert!(matches!(
        app.view.contracts,
        Some(super::app::ContractsTab::Shown(_))
    ));
}

#[test]
fn keys_on_a_tab_still_computing_do_nothing_harmful() {
    let (_dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    // The loader may finish between any two keys (each key first takes what arrived), so
    // what is asserted is what holds either way: a client opens only from a list shown.
    keys(&mut app, &mut store, "2jjkj\n");
    assert_eq!(app.view.tab, Tab::Today);
    if app.view.client.is_some() {
        assert!(
            app.view.day.is_some(),
            "a client opened from a list not shown"
        );
        keys(&mut app, &mut store, "\u{1b}");
    }
    keys(&mut app, &mut store, "3jjk4jjkH");
    assert_eq!(app.view.tab, Tab::Value);
    if app.view.value.is_none() {
        assert!(screen(&app).contains(&computing_line(&app)));
    }
    wait(&mut app, &mut store);
    // Every tab asked for arrived meanwhile; the Today tab's selection is on its list.
    assert!(app.view.value.is_some() && app.view.revenue.is_some());
    keys(&mut app, &mut store, "2jjjjjjjjjjjjj");
    assert!(app.view.day_selected < app.day_items().len().max(1));
}

#[test]
fn a_result_a_reload_made_stale_is_dropped() {
    let (_dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    keys(&mut app, &mut store, "2");
    let stale = next_reply(&app);
    let Ok(Figures::Today(before)) = &stale.result else {
        panic!("the Today tab's figures");
    };
    let logged = before.encounters;
    // A contact logged today (by anyone), then the reload every write is followed by.
    let client = app.view.panel.loaded[0].client.id;
    let clinician = app.clinicians[0].0;
    store
        .write(|tx| {
            encounters::insert(
                tx,
                &encounters::NewEncounter {
                    client_id: client,
                    clinician_id: clinician,
                    date: d(TODAY),
                    kind: EncounterKind::Session,
                    status: EncounterStatus::Completed,
                    minutes: 50,
                    note: None,
                },
            )
        })
        .unwrap();
    update::reload(&mut app, &mut store).unwrap();
    assert!(!loader::accept(&mut app, stale), "stale: dropped");
    assert!(app.view.day.is_none());
    assert!(screen(&app).contains(&computing_line(&app)));
    wait(&mut app, &mut store);
    assert_eq!(app.view.day.as_ref().unwrap().encounters, logged + 1);
}

#[test]
fn nothing_computed_arrives_behind_the_lock_screen() {
    let (_dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    app.guarded = true;
    let names: Vec<String> = app
        .view
        .panel
        .loaded
        .iter()
        .map(|e| e.client.name.clone())
        .collect();
    keys(&mut app, &mut store, "2");
    update::update(&mut app, &mut store, Action::Lock);
    assert!(app.lock.is_some());
    let reply = next_reply(&app);
    assert!(!loader::accept(&mut app, reply), "dropped behind the lock");
    update::update(&mut app, &mut store, Action::Tick);
    assert!(app.view.day.is_none() && app.loading.asked.is_empty());
    let text = screen(&app);
    assert!(
        !text.contains("Computing") && !text.contains("Critical"),
        "{text}"
    );
    for name in &names {
        assert!(
            !text.contains(name.as_str()),
            "{name} behind the lock: {text}"
        );
    }
}

#[test]
fn a_panic_in_the_loader_becomes_an_error_line_and_it_carries_on() {
    let (_dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    keys(&mut app, &mut store, "2");
    wait(&mut app, &mut store);
    let day = app.view.day.clone();
    // A date at the end of the calendar: the check-in's date arithmetic overflows and panics.
    app.view.day = None;
    let overflowing = loader::Job::Today {
        today: chrono::NaiveDate::MAX,
        scope: None,
    };
    assert!(loader::ask(&mut app, overflowing));
    wait(&mut app, &mut store);
    let (line, _) = app.view.notice.clone().expect("an error line");
    assert!(line.contains("failed unexpectedly"), "{line}");
    assert!(matches!(app.background, Background::Running(_)));
    // The next request is answered as before.
    keys(&mut app, &mut store, "12");
    wait(&mut app, &mut store);
    assert_eq!(app.view.day, day);
}

#[test]
fn without_a_loader_the_tab_is_computed_here() {
    let (dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    let mut sync = app_on(&mut store, false);
    // The file goes away under the open store: the loader cannot open it (and must not
    // create an empty one), so the UI computes the tab itself from its own connection.
    std::fs::remove_file(dir.path().join("practice.db")).unwrap();
    keys(&mut app, &mut store, "2");
    wait(&mut app, &mut store);
    assert!(matches!(app.background, Background::Off));
    assert!(!dir.path().join("practice.db").exists());
    let (line, _) = app.view.notice.clone().expect("an error line");
    assert!(line.contains("computed here"), "{line}");
    keys(&mut sync, &mut store, "2");
    assert_eq!(app.view.day, sync.view.day);
}

/// A filtered panel on a file is counted in the background: the key returns with the window's
/// first rows and what it can count at once (a flag filter's clients and flag counts, from the
/// scope's flag groups), the status line says what is still being counted, and the counts
/// that arrive are a synchronous count's.
#[test]
fn a_filtered_panel_is_counted_in_the_background() {
    use super::app::Counting;
    let (_dir, mut store) = demo_file();
    let mut app = app_on(&mut store, true);
    let mut here = app_on(&mut store, false);
    keys(&mut app, &mut store, "f");
    keys(&mut here, &mut store, "f");
    assert_eq!(app.view.panel.counting, Some(Counting::Minutes));
    assert_eq!(here.view.panel.counting, None);
    assert_eq!(app.view.panel.total, here.view.panel.total);
    assert_eq!(
        app.view.panel.counts.by_kind,
        here.view.panel.counts.by_kind
    );
    assert_eq!(app.view.panel.loaded, here.view.panel.loaded);
    assert!(
        screen(&app).contains("counting minutes…"),
        "{}",
        screen(&app)
    );
    wait(&mut app, &mut store);
    assert_eq!(app.view.panel.counting, None);
    assert_eq!(app.view.panel.counts, here.view.panel.counts);
    assert!(screen(&app).contains(" min this month"), "{}", screen(&app));

    // A name: nothing is known of it until it is counted.
    keys(&mut app, &mut store, "f/e");
    keys(&mut here, &mut store, "f/e");
    assert!(app.view.panel.counting.is_some());
    assert_eq!(
        app.view.panel.selected_entry(),
        here.view.panel.selected_entry()
    );
    if app.view.panel.counting == Some(Counting::Count) {
        assert!(
            screen(&app).contains("counting clients…"),
            "{}",
            screen(&app)
        );
    }
    wait(&mut app, &mut store);
    assert_eq!(app.view.panel.counting, None);
    assert_eq!(app.view.panel.counts, here.view.panel.counts);
    assert_eq!(app.view.panel.total, here.view.panel.total);
    // Counted once, kept: back to the same filter is known at once.
    keys(&mut app, &mut store, "\x08e");
    assert_eq!(app.view.panel.counting, None);
}
