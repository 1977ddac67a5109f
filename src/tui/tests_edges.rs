//! The UI at its edges, found by driving the real binary: a terminal too small to draw (no
//! key may act unseen), a record with more flags than rows, money in a narrow column.

use super::action::{Action, Tab};
use super::tests::{app, d, draw, keys, open, practice, screen_text};
use super::update;
use crate::domain::{EncounterKind, EncounterStatus, EventKind, Instrument, Tier};
use crate::store::{clients, clinicians, encounters, events, measurements};

#[test]
fn a_client_with_more_flags_than_rows_names_the_rest() {
    use EncounterKind as K;
    use EncounterStatus as S;
    let mut store = practice();
    store
        .write(|tx| {
            let dana = clinicians::list(tx)?[0].id;
            let zoe = clients::insert(
                tx,
                &clients::NewClient {
                    external_id: None,
                    name: "Zoe Quinn".into(),
                    dob: None,
                    tier: Tier::High,
                    since: d("2026-05-01"),
                    diagnosis: None,
                    clinician_id: Some(dana),
                },
            )?;
            let log = |date: &str, status| {
                encounters::insert(
                    tx,
                    &encounters::NewEncounter {
                        client_id: zoe,
                        clinician_id: dana,
                        date: d(date),
                        kind: K::Session,
                        status,
                        minutes: 50,
                        note: None,
                    },
                )
            };
            log("2026-06-01", S::Completed)?;
            log("2026-11-01", S::NoShow)?;
            log("2026-11-05", S::NoShow)?;
            for (date, instrument, total, items) in [
                ("2026-06-01", Instrument::Phq9, 15, None),
                ("2026-06-01", Instrument::Gad7, 12, None),
                ("2026-07-01", Instrument::Gad7, 12, None),
                (
                    "2026-07-01",
                    Instrument::Phq9,
                    14,
                    Some(vec![2, 2, 2, 2, 2, 1, 1, 1, 1]),
                ),
            ] {
                measurements::insert(
                    tx,
                    &measurements::NewMeasurement {
                        client_id: zoe,
                        date: d(date),
                        instrument,
                        total,
                        items,
                    },
                )?;
            }
            events::insert(tx, zoe, EventKind::EdVisit, d("2026-11-10"))?;
            Ok(())
        })
        .unwrap();
    let mut app = app(&mut store, 110, 34);
    open(&mut app, &mut store, "Zoe Quinn");
    let flags = app
        .view
        .client
        .as_ref()
        .unwrap()
        .entry
        .as_ref()
        .unwrap()
        .flags
        .len();
    assert_eq!(
        flags, 7,
        "safety, post-discharge, contact, measure, 2 × not improving, disengaged"
    );
    let text = screen_text(&draw(&app, 110, 34));
    assert!(
        text.contains("safety") && text.contains("post-discharge"),
        "{text}"
    );
    assert!(
        text.contains("+4 more") && text.contains("disengaged"),
        "the flags that do not fit are named, not dropped:\n{text}"
    );
}

#[test]
fn client_money_is_never_cut_mid_figure() {
    let mut store = practice();
    for (width, height) in [(80, 24), (110, 34), (120, 40)] {
        let mut app = app(&mut store, width, height);
        open(&mut app, &mut store, "Ann Lee");
        let text = screen_text(&draw(&app, width, height));
        for figure in [
            "6.0 member months",
            "net $256.50",
            "cost $174.17",
            "margin $82.33",
        ] {
            assert!(
                text.contains(figure),
                "{width}x{height}: {figure} missing\n{text}"
            );
        }
    }
}

#[test]
fn a_small_terminal_acts_on_no_key_but_quit() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let id = open(&mut app, &mut store, "Ed Marsh");
    let before = store.read(|c| encounters::for_client(c, id)).unwrap().len();
    update::update(&mut app, &mut store, Action::Resize(70, 20));
    // Typed blind at "please enlarge it": discharge and confirm, a contact saved, a tab, back.
    keys(&mut app, &mut store, "dyc\n2\u{1b}p");
    assert_eq!(
        store.read(|c| clients::get(c, id)).unwrap().status,
        crate::domain::ClientStatus::Active
    );
    assert_eq!(
        store.read(|c| encounters::for_client(c, id)).unwrap().len(),
        before
    );
    assert!(app.view.client.is_some() && app.view.modal.is_none() && !app.view.privacy);
    assert_eq!(app.view.tab, Tab::Panel);
    keys(&mut app, &mut store, "q");
    assert!(app.quit, "the screen says q quits");
}

#[test]
fn q_quits_a_small_terminal_even_with_a_form_open() {
    let mut store = practice();
    let mut app = app(&mut store, 100, 30);
    let id = open(&mut app, &mut store, "Bo Diaz");
    let before = store.read(|c| encounters::for_client(c, id)).unwrap().len();
    keys(&mut app, &mut store, "c");
    update::update(&mut app, &mut store, Action::Resize(70, 20));
    keys(&mut app, &mut store, "\nq");
    assert!(app.quit);
    assert_eq!(
        store.read(|c| encounters::for_client(c, id)).unwrap().len(),
        before,
        "Enter did not save the form no one could see"
    );
}
