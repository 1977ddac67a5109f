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
        // November is to date (today is the 23rd): its capitation counts 23 of 30 days.
        for figure in [
            "5.8 member months",
            "net $246.53",
            "cost $174.17",
            "margin $72.36",
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

/// The screens of issue 15 at 80×24: every line reachable, text cut with "…", the legend, the
/// status column, the picker's ids and what privacy mode hides.
mod screens_at_80x24 {
    use super::*;
    use crate::domain::ClientStatus;

    fn last_text_line(text: &str, skip_bottom: usize) -> String {
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len() - 1 - skip_bottom].trim().to_string()
    }

    #[test]
    fn the_value_tab_scrolls_to_its_last_line() {
        let mut store = practice();
        let mut app = app(&mut store, 80, 24);
        keys(&mut app, &mut store, "4");
        let before = screen_text(&draw(&app, 80, 24));
        assert!(!before.contains("low tier"), "{before}");
        keys(&mut app, &mut store, &"j".repeat(60));
        let text = screen_text(&draw(&app, 80, 24));
        // The tier rows, the discharged column and the last line of the coding audit.
        assert!(
            text.contains("low tier") || text.contains("Not in the table"),
            "{text}"
        );
        assert!(
            text.contains("Every coded severity agrees") || text.contains("No case-rate episodes"),
            "the coding audit's last line is reachable:\n{text}"
        );
        // And k answers at once, however far j went past the end.
        keys(&mut app, &mut store, "k");
        assert_ne!(screen_text(&draw(&app, 80, 24)), text);
        keys(&mut app, &mut store, &"j".repeat(3));
        let tiers = {
            keys(&mut app, &mut store, &"k".repeat(60));
            keys(&mut app, &mut store, &"j".repeat(8));
            screen_text(&draw(&app, 80, 24))
        };
        assert!(tiers.contains("discharged"), "{tiers}");
    }

    #[test]
    fn help_scrolls_to_the_legend_and_back_at_once() {
        let mut store = practice();
        let mut app = app(&mut store, 80, 24);
        keys(&mut app, &mut store, "?");
        keys(&mut app, &mut store, &"j".repeat(200));
        let text = screen_text(&draw(&app, 80, 24));
        for label in ["Legend", "next: something falls due"] {
            assert!(text.contains(label), "{label}:\n{text}");
        }
        keys(&mut app, &mut store, "k");
        assert_ne!(screen_text(&draw(&app, 80, 24)), text, "one k moves back");
        let all = super::super::screens::help::lines(&app);
        let all: Vec<String> = all.iter().map(|l| l.to_string()).collect();
        for short in ["stalled", "no-base", "unseen", "remit", "●", "▲", "↑", "↓"] {
            assert!(all.iter().any(|l| l.contains(short)), "{short} explained");
        }
    }

    #[test]
    fn the_status_line_gives_the_worst_flags_reason_cut_with_an_ellipsis() {
        let mut store = practice();
        let app = app(&mut store, 80, 24);
        let text = screen_text(&draw(&app, 80, 24));
        let status = last_text_line(&text, 1);
        // The top row is the most urgent client; its worst flag is critical.
        assert!(status.starts_with("● "), "{status}");
        assert!(status.contains(':'), "{status}");
        assert!(
            !text.contains("(total 1"),
            "never a bare cut figure:\n{text}"
        );
    }

    #[test]
    fn all_statuses_show_a_status_column() {
        let mut store = practice();
        store
            .write(|tx| {
                let ed = clients::resolve(tx, "Ed Marsh")?.id;
                clients::set_status(tx, ed, ClientStatus::Discharged, d("2026-11-20"))
            })
            .unwrap();
        let mut app = app(&mut store, 80, 24);
        keys(&mut app, &mut store, "a");
        let text = screen_text(&draw(&app, 80, 24));
        assert!(text.contains("status"), "{text}");
        let ed = text.lines().find(|l| l.contains("Ed Marsh")).unwrap();
        assert!(ed.contains("discharged"), "{text}");
    }

    #[test]
    fn the_picker_tells_two_of_one_name_apart_and_privacy_hides_ids_and_typing() {
        let mut store = practice();
        store
            .write(|tx| {
                let dana = clinicians::list(tx)?[0].id;
                for (ext, dob) in [("M-1001", "1980-02-03"), ("M-2002", "1991-07-08")] {
                    clients::insert(
                        tx,
                        &clients::NewClient {
                            external_id: Some(ext.into()),
                            name: "Eva Cruz".into(),
                            dob: Some(d(dob)),
                            tier: Tier::Moderate,
                            since: d("2026-10-01"),
                            diagnosis: None,
                            clinician_id: Some(dana),
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let mut app = app(&mut store, 80, 24);
        keys(&mut app, &mut store, "2lEva");
        let text = screen_text(&draw(&app, 80, 24));
        for part in ["M-1001", "born 1980-02-03", "M-2002", "born 1991-07-08"] {
            assert!(text.contains(part), "{part}:\n{text}");
        }
        // Privacy: the query is dots, no member id or birth date, initials and caseload's #id.
        app.view.privacy = true;
        let text = screen_text(&draw(&app, 80, 24));
        assert!(!text.contains("Eva") && !text.contains("M-1001"), "{text}");
        assert!(!text.contains("1980"), "{text}");
        assert!(text.contains("•••") && text.contains("E. C."), "{text}");
    }

    #[test]
    fn privacy_hides_the_panel_filter_and_the_client_screens_member_id() {
        let mut store = practice();
        store
            .write(|tx| {
                let ann = clients::resolve(tx, "Ann Lee")?.id;
                tx.execute(
                    "UPDATE clients SET external_id = 'M-7777' WHERE id = ?1",
                    [ann.0],
                )?;
                Ok(())
            })
            .unwrap();
        let mut app = app(&mut store, 80, 24);
        keys(&mut app, &mut store, "/Ann");
        app.view.privacy = true;
        let text = screen_text(&draw(&app, 80, 24));
        assert!(!text.contains("Ann"), "{text}");
        keys(&mut app, &mut store, "\n");
        open(&mut app, &mut store, "Ann Lee");
        let text = screen_text(&draw(&app, 80, 24));
        assert!(!text.contains("M-7777"), "{text}");
        app.view.privacy = false;
        let text = screen_text(&draw(&app, 80, 24));
        assert!(text.contains("M-7777"), "{text}");
    }
}
