//! The lock screen and roles in the UI: nothing of a client is drawn while locked, idle and
//! Ctrl-L lock, the same clinician returns to where they were, another starts fresh, and a
//! clinician sees and changes only what their role allows.

use super::action::Action;
use super::app::{App, Modal, Viewer};
use super::lock;
use super::tests::{TODAY, draw, keys, practice};
use super::theme::Theme;
use super::update;
use crate::domain::{ClientStatus, Money, Role, Tier, parse_date};
use crate::store::{Store, audit, auth, clients, clinicians};
use chrono::Utc;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

const PLANTED: &str = "Quillon Zephyrine";

/// The test practice with passphrases for Dana (admin) and Sam (clinician), a supervisor
/// Priya, and a client with a name that appears nowhere else.
fn guarded() -> Store {
    let mut store = practice();
    let at = Utc::now();
    store
        .write(|tx| {
            let priya = clinicians::insert(tx, "Priya Natarajan", Role::Supervisor, Money(11_000))?;
            for (id, pass) in [
                (1, "dana passphrase"),
                (2, "sam passphrase"),
                (priya.0, "priya passphrase"),
            ] {
                let phc = auth::hash_new_passphrase(pass, "")?;
                auth::set_passphrase(tx, crate::domain::ClinicianId(id), &phc, at)?;
            }
            clients::insert(
                tx,
                &clients::NewClient {
                    external_id: None,
                    name: PLANTED.into(),
                    dob: None,
                    tier: Tier::High,
                    since: parse_date("2026-11-01").unwrap(),
                    diagnosis: None,
                    clinician_id: Some(crate::domain::ClinicianId(1)),
                },
            )
        })
        .unwrap();
    store
}

fn locked_app(store: &mut Store) -> App {
    let mut app = App::new(
        parse_date(TODAY).unwrap(),
        Theme::fallback(),
        Viewer::practice(),
    );
    app.size = (100, 30);
    app.guarded = true;
    lock::show(&mut app, store, None).unwrap();
    app
}

fn text(app: &App) -> String {
    let t = draw(app, 100, 30);
    let buffer = t.backend().buffer();
    buffer.content().iter().map(|c| c.symbol()).collect()
}

/// Chooses the clinician by name on the lock screen and types the passphrase.
fn unlock_as(app: &mut App, store: &mut Store, name: &str, passphrase: &str) {
    let lock = app.lock.as_ref().expect("locked");
    let target = lock
        .names
        .iter()
        .position(|(_, n)| n == name)
        .expect("on the lock screen");
    let steps = target as i64 - lock.selected as i64;
    for _ in 0..steps.abs() {
        update::update(
            app,
            store,
            if steps > 0 { Action::Down } else { Action::Up },
        );
    }
    for c in passphrase.chars() {
        update::update(app, store, Action::Type(c));
    }
    update::update(app, store, Action::Submit);
}

fn actions(store: &Store) -> Vec<String> {
    store
        .read(|c| audit::recent(c, 100))
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[test]
fn the_lock_screen_draws_no_client_data() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    let screen = text(&app);
    assert!(screen.contains("caseload is locked"));
    assert!(
        !screen.contains("Quillon") && !screen.contains("Ann Lee") && !screen.contains("clients"),
        "{screen}"
    );
    insta::assert_snapshot!(draw(&app, 100, 30).backend());

    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    assert!(app.lock.is_none(), "{:?}", app.lock);
    let screen = text(&app);
    assert!(
        screen.contains("Quillon"),
        "the admin sees the planted client once unlocked: {screen}"
    );
    keys(&mut app, &mut store, "/quil");
    update::update(&mut app, &mut store, Action::Lock);
    let screen = text(&app);
    assert!(
        !screen.contains("Quillon") && !screen.contains("quil"),
        "locked again: {screen}"
    );
}

#[test]
fn a_pasted_passphrase_unlocks_and_no_character_of_it_is_drawn() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    let dana = app
        .lock
        .as_ref()
        .unwrap()
        .names
        .iter()
        .position(|(_, n)| n == "Dana Reyes");
    for _ in 0..dana.unwrap() {
        update::update(&mut app, &mut store, Action::Down);
    }
    // A password manager's paste, with the line break it often adds.
    let pasted = super::input::map_paste("dana passphrase\n", &app.layers());
    assert_eq!(pasted.len(), "dana passphrase".len());
    for action in pasted {
        update::update(&mut app, &mut store, action);
    }
    let lock = app.lock.as_ref().expect("not yet unlocked");
    assert_eq!(lock.passphrase.value(), "dana passphrase");
    let screen = text(&app);
    assert!(screen.contains(&"•".repeat(15)), "{screen}");
    assert!(
        !screen.contains("dana") && !screen.contains(" passphrase•") && !screen.contains("•d"),
        "{screen}"
    );
    // The cursor may move among the dots; still only dots.
    let left = KeyEvent::new(KeyCode::Left, KeyModifiers::NONE);
    let action = super::input::map_key(left, &app.layers()).unwrap();
    update::update(&mut app, &mut store, action);
    assert_eq!(app.lock.as_ref().unwrap().passphrase.cursor(), 14);
    assert!(!text(&app).contains("dana"));
    update::update(&mut app, &mut store, Action::Submit);
    assert!(app.lock.is_none(), "{:?}", app.lock);
    assert_eq!(app.viewer.name, "Dana Reyes");
}

#[test]
fn ctrl_l_locks_from_anywhere_even_a_form_and_the_same_clinician_returns_to_it() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    let id = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.name == "Ann Lee")
        .unwrap()
        .client
        .id;
    update::open_client(&mut app, &mut store, id).unwrap();
    keys(&mut app, &mut store, "c");
    let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    let action = super::input::map_key(ctrl_l, &app.layers()).unwrap();
    update::update(&mut app, &mut store, action);
    assert!(app.lock.is_some());
    assert!(actions(&store).contains(&"lock".to_string()));
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    assert!(
        app.view.client.is_some() && matches!(app.view.modal, Some(Modal::Form(_))),
        "back where she was"
    );
    assert_eq!(actions(&store).last().map(String::as_str), Some("unlock"));
}

#[test]
fn another_clinician_unlocking_starts_fresh() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    keys(&mut app, &mut store, "/ann\n");
    update::update(&mut app, &mut store, Action::Lock);
    unlock_as(&mut app, &mut store, "Priya Natarajan", "priya passphrase");
    assert!(app.lock.is_none());
    assert!(
        app.view.panel.filter.is_empty() && app.view.client.is_none() && app.view.modal.is_none()
    );
    assert_eq!(app.viewer.name, "Priya Natarajan");
    assert_eq!(actions(&store).last().map(String::as_str), Some("login"));
}

#[test]
fn a_wrong_passphrase_is_refused_audited_and_nothing_shown() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Sam Okafor", "not it at all");
    let lock = app.lock.as_ref().expect("still locked");
    assert_eq!(lock.message.as_deref(), Some("wrong passphrase"));
    assert!(
        lock.passphrase.is_empty(),
        "the field is cleared after every attempt"
    );
    assert!(actions(&store).contains(&"login.failed".to_string()));
    assert!(app.view.panel.loaded.is_empty(), "nothing was loaded");
}

#[test]
fn the_screen_locks_after_the_idle_time_and_a_resize_or_tick_is_not_activity() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    let start = app.clock.instant;
    app.clock.instant = start + Duration::from_secs(4 * 60 + 59);
    update::update(&mut app, &mut store, Action::Resize(100, 30));
    update::update(&mut app, &mut store, Action::Tick);
    assert!(app.lock.is_none(), "4:59 idle: still open");
    app.clock.instant = start + Duration::from_secs(5 * 60);
    update::update(&mut app, &mut store, Action::Tick);
    assert!(
        app.lock.is_some(),
        "5:00 idle: locked (resize and tick did not count)"
    );
    let last = store.read(|c| audit::recent(c, 1)).unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.detail.as_str()),
        ("lock", "idle")
    );

    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    app.clock.instant += Duration::from_secs(4 * 60);
    keys(&mut app, &mut store, "j");
    app.clock.instant += Duration::from_secs(4 * 60);
    update::update(&mut app, &mut store, Action::Tick);
    assert!(
        app.lock.is_none(),
        "a key four minutes in restarted the idle time"
    );
}

#[test]
fn a_clinician_sees_only_their_own_panel_and_a_supervisor_cannot_change_others() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Sam Okafor", "sam passphrase");
    let names: Vec<&str> = app
        .view
        .panel
        .loaded
        .iter()
        .map(|e| e.client.name.as_str())
        .collect();
    assert!(
        !names.is_empty() && !names.contains(&"Ann Lee") && !names.contains(&PLANTED),
        "{names:?}"
    );
    update::update(&mut app, &mut store, Action::Lock);

    unlock_as(&mut app, &mut store, "Priya Natarajan", "priya passphrase");
    assert!(
        app.view
            .panel
            .loaded
            .iter()
            .any(|e| e.client.name == "Ann Lee"),
        "a supervisor sees everyone"
    );
    let ann = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.name == "Ann Lee")
        .unwrap()
        .client
        .id;
    update::open_client(&mut app, &mut store, ann).unwrap();
    keys(&mut app, &mut store, "d");
    assert!(
        app.view.modal.is_none(),
        "no discharge form on another clinician's client"
    );
    assert!(
        app.view
            .notice
            .as_ref()
            .is_some_and(|(m, _)| m.contains("may not change client")),
        "{:?}",
        app.view.notice
    );
    assert!(actions(&store).contains(&"access.denied".to_string()));
    assert_eq!(
        store.read(|c| clients::get(c, ann)).unwrap().status,
        ClientStatus::Active
    );
}

#[test]
fn another_clinician_cannot_undo_what_the_last_one_changed() {
    let mut store = guarded();
    let mut app = locked_app(&mut store);
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    let ann = app
        .view
        .panel
        .loaded
        .iter()
        .find(|e| e.client.name == "Ann Lee")
        .unwrap()
        .client
        .id;
    update::open_client(&mut app, &mut store, ann).unwrap();
    keys(&mut app, &mut store, "xentered for the wrong client\n");
    assert_eq!(app.view.history.len(), 1);
    let voided = store
        .read(|c| crate::store::encounters::for_client(c, ann))
        .unwrap()[0]
        .clone();
    assert_eq!(
        voided.voided.as_ref().map(|v| v.by.as_str()),
        Some("Dana Reyes"),
        "the void names who did it"
    );
    update::update(&mut app, &mut store, Action::Lock);
    let screen = text(&app);
    assert!(
        !screen.contains("wrong client") && !screen.contains("Ann Lee"),
        "{screen}"
    );
    unlock_as(&mut app, &mut store, "Priya Natarajan", "priya passphrase");
    assert!(
        app.view.history.is_empty(),
        "Priya starts with nothing to undo"
    );
    update::open_client(&mut app, &mut store, ann).unwrap();
    keys(&mut app, &mut store, "u");
    assert!(
        store
            .read(|c| crate::store::encounters::get(c, voided.id))
            .unwrap()
            .voided
            .is_some()
    );
}

/// An encrypted practice: the lock screen lists the key slots' names before anything of the
/// database can be read, a wrong passphrase leaves it locked, and the right one opens the file.
#[test]
fn an_encrypted_practice_unlocks_from_its_key_slots() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let mut store = Store::open(&path).unwrap();
    store
        .write(|tx| {
            let dana = clinicians::insert(tx, "Dana Reyes", Role::Admin, Money(0))?;
            let phc = auth::hash_new_passphrase("dana passphrase", "")?;
            auth::set_passphrase(tx, dana, &phc, Utc::now())?;
            clients::insert(
                tx,
                &clients::NewClient {
                    external_id: None,
                    name: PLANTED.into(),
                    dob: None,
                    tier: Tier::High,
                    since: parse_date("2026-11-01").unwrap(),
                    diagnosis: None,
                    clinician_id: Some(dana),
                },
            )
        })
        .unwrap();
    drop(crate::store::cipher::encrypt(store, Utc::now()).unwrap());
    let mut store = Store::open_in_memory().unwrap();
    let mut app = App::new(
        parse_date(TODAY).unwrap(),
        Theme::fallback(),
        Viewer::practice(),
    );
    app.size = (100, 30);
    app.guarded = true;
    app.encrypted = Some(path.clone());
    lock::show(&mut app, &mut store, None).unwrap();
    let names: Vec<&str> = app
        .lock
        .as_ref()
        .unwrap()
        .names
        .iter()
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(names, ["Dana Reyes"]);
    unlock_as(&mut app, &mut store, "Dana Reyes", "not dana at all");
    assert!(
        app.lock
            .as_ref()
            .unwrap()
            .message
            .as_deref()
            .unwrap()
            .contains("wrong passphrase")
    );
    assert!(!store.encrypted(), "still the placeholder");
    unlock_as(&mut app, &mut store, "Dana Reyes", "dana passphrase");
    assert!(app.lock.is_none());
    assert!(store.encrypted());
    assert!(text(&app).contains("Quillon"));
    assert!(actions(&store).ends_with(&["login.failed".to_string(), "login".to_string()]));
}
