//! Closing the loop in the UI (SPEC sections 10–11) through the real keymap, update and store:
//! the agenda week by week with each appointment's state, logging an appointment as kept,
//! booking (one or a series, a clash refused in the form, undone by cancelling) and reviewing a
//! flag from the client screen, and the panel's "next" column.

use super::action::Tab;
use super::app::{App, Modal};
use super::tests::{TODAY, app, d, draw, keys, open, practice, screen_text};
use super::theme::Role;
use crate::domain::appointments::AppointmentState;
use crate::domain::flags::FlagKind;
use crate::domain::{ClientId, ClinicianId, EncounterKind, EncounterStatus};
use crate::store::appointments::{self, Booking};
use crate::store::{Store, audit, encounters, reviews};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ANN: ClientId = ClientId(1);
const BO: ClientId = ClientId(2);
const CY: ClientId = ClientId(3);
const DI: ClientId = ClientId(4);
const ED: ClientId = ClientId(5);
const DANA: ClinicianId = ClinicianId(1);
const SAM: ClinicianId = ClinicianId(2);

/// The test practice with a fortnight of appointments around today (Monday 23 November): last
/// week one kept (Cy), one unlogged (Bo) and one no-show (Ed); this week Ann today, Ed's
/// cancelled, Cy tomorrow, Di on Thursday and an untimed phone call for Ann on Friday.
pub fn planned() -> Store {
    let mut store = practice();
    store
        .write(|tx| {
            let book = |client, who, day: &str, time: Option<&str>, kind, minutes| {
                appointments::book(
                    tx,
                    &Booking {
                        client_id: client,
                        clinician_id: who,
                        days: vec![d(day)],
                        time: time.map(String::from),
                        kind,
                        minutes,
                    },
                )
                .map(|ids| ids[0])
            };
            use EncounterKind as K;
            book(CY, SAM, "2026-11-20", Some("14:00"), K::Telehealth, 45)?;
            book(BO, SAM, "2026-11-17", Some("10:00"), K::Session, 50)?;
            book(ED, SAM, "2026-11-19", Some("16:00"), K::Session, 50)?;
            encounters::insert(
                tx,
                &encounters::NewEncounter {
                    client_id: ED,
                    clinician_id: SAM,
                    date: d("2026-11-19"),
                    kind: K::Session,
                    status: EncounterStatus::NoShow,
                    minutes: 0,
                    note: None,
                },
            )?;
            book(ANN, DANA, "2026-11-23", Some("09:00"), K::Session, 50)?;
            let ed = book(ED, SAM, "2026-11-23", Some("11:00"), K::Session, 50)?;
            appointments::cancel(tx, ed, Some("unwell"), "2026-11-22T10:00:00Z", d(TODAY))?;
            book(CY, SAM, "2026-11-24", Some("10:00"), K::Telehealth, 45)?;
            book(DI, DANA, "2026-11-26", Some("15:30"), K::Session, 50)?;
            book(ANN, DANA, "2026-11-27", None, K::Phone, 15)?;
            Ok(())
        })
        .unwrap();
    store
}

fn week(store: &Store, from: &str, to: &str) -> Vec<appointments::Appointment> {
    store
        .read(|c| appointments::between(c, d(from), d(to), None, d(TODAY)))
        .unwrap()
}

fn notice(app: &App) -> String {
    app.view
        .notice
        .as_ref()
        .map(|(m, _)| m.clone())
        .unwrap_or_default()
}

/// The screen row holding `text`.
fn row_of(t: &Terminal<TestBackend>, text: &str) -> u16 {
    let screen = screen_text(t);
    screen
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not on screen:\n{screen}")) as u16
}

/// The style of the cell where `text` starts on its row.
fn style_at(t: &Terminal<TestBackend>, row_text: &str, text: &str) -> ratatui::buffer::Cell {
    let y = row_of(t, row_text);
    let line: String = screen_text(t).lines().nth(y as usize).unwrap().to_string();
    let x = line
        .chars()
        .collect::<Vec<_>>()
        .windows(text.chars().count())
        .position(|w| w.iter().collect::<String>() == text)
        .unwrap_or_else(|| panic!("{text:?} not in {line:?}"));
    t.backend().buffer()[(x as u16, y)].clone()
}

#[test]
fn agenda_week_at_120x40() {
    let mut store = planned();
    let mut app = app(&mut store, 120, 40);
    keys(&mut app, &mut store, "5");
    assert_eq!(app.view.tab, Tab::Agenda);
    let t = draw(&app, 120, 40);
    let text = screen_text(&t);
    assert!(text.contains("5 Agenda"), "{text}");
    assert!(text.contains("Mon 23 Nov ◀ today"), "{text}");
    assert!(text.contains("Sat 28 Nov   nothing booked"), "{text}");
    // Today's first appointment is selected.
    let selected = app.view.agenda.selected_appointment().unwrap();
    assert_eq!((selected.client_id, selected.date), (ANN, d(TODAY)));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn agenda_week_at_80x24() {
    let mut store = planned();
    let mut app = app(&mut store, 80, 24);
    keys(&mut app, &mut store, "5[");
    let t = draw(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("Mon 16 – Sun 22 Nov 2026"), "{text}");
    for state in ["kept", "no-show", "unlogged"] {
        assert!(text.contains(state), "{state}: {text}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn agenda_states_wear_their_colours() {
    let mut store = planned();
    let mut app = app(&mut store, 120, 40);
    keys(&mut app, &mut store, "5[");
    // No row selected: the selection colours a row alone.
    app.view.agenda.selected = 99;
    let t = draw(&app, 120, 40);
    let theme = app.theme.clone();
    let fg = |role| theme.style(role).fg.unwrap();
    assert_eq!(style_at(&t, "Bo Diaz", "unlogged").fg, fg(Role::warning));
    assert_eq!(style_at(&t, "Ed Marsh", "no-show").fg, fg(Role::warning));
    assert_eq!(style_at(&t, "Cy Young", "kept").fg, fg(Role::good));
    assert!(screen_text(&t).contains("unlogged — did it happen?"));
    keys(&mut app, &mut store, "]");
    let t = draw(&app, 120, 40);
    assert_eq!(style_at(&t, "Ed Marsh", "cancelled").fg, fg(Role::muted));
    assert_eq!(style_at(&t, "Di Park", "booked").fg, fg(Role::info));
    assert_eq!(style_at(&t, "◀ today", "today").fg, fg(Role::accent));
}

#[test]
fn agenda_moves_by_week_and_opens_the_client() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "5");
    assert_eq!(app.view.agenda.loaded().len(), 5);
    keys(&mut app, &mut store, "]");
    assert_eq!(app.view.agenda.monday, d("2026-11-30"));
    assert!(app.view.agenda.loaded().is_empty());
    assert!(screen_text(&draw(&app, 100, 30)).contains("No appointments this week"));
    keys(&mut app, &mut store, "[[");
    assert_eq!(app.view.agenda.monday, d("2026-11-16"));
    assert_eq!(app.view.agenda.loaded().len(), 3);
    keys(&mut app, &mut store, "t");
    assert_eq!(app.view.agenda.monday, d("2026-11-23"));
    // Ann at 9, then (cancelled) Ed, then Cy tomorrow: j j selects Cy.
    keys(&mut app, &mut store, "jj\n");
    assert_eq!(
        app.view.client.as_ref().map(|v| v.record.client.id),
        Some(CY)
    );
    keys(&mut app, &mut store, "\u{1b}");
    assert!(app.view.client.is_none() && app.view.tab == Tab::Agenda);
    assert!(
        app.view.agenda.appointments.is_some(),
        "the week is there on return"
    );
}

#[test]
fn l_logs_an_unlogged_appointment_as_kept_from_the_filled_in_form() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "5[");
    // Last week: Bo on Tuesday (unlogged), Ed on Thursday, Cy on Friday.
    assert_eq!(
        app.view.agenda.selected_appointment().unwrap().client_id,
        BO
    );
    keys(&mut app, &mut store, "l");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {}", notice(&app));
    };
    assert_eq!(form.title(), "Log a contact");
    let shown: Vec<String> = form.fields.iter().map(|f| f.shown()).collect();
    assert_eq!(shown, ["session", "completed", "2026-11-17", "50", ""]);
    let text = screen_text(&draw(&app, 100, 30));
    assert!(
        text.contains("appointment of Tue 17 Nov at 10:00 · session · 50 min"),
        "{text}"
    );
    keys(&mut app, &mut store, "\n");
    assert!(app.view.modal.is_none(), "{}", notice(&app));
    let logged = store.read(|c| encounters::for_client(c, BO)).unwrap();
    assert!(
        logged.iter().any(|e| e.date == d("2026-11-17")
            && e.kind == EncounterKind::Session
            && e.status == EncounterStatus::Completed
            && e.minutes == 50),
        "{logged:?}"
    );
    let bo = app.view.agenda.selected_appointment().unwrap();
    assert_eq!((bo.client_id, bo.state), (BO, AppointmentState::Kept));
    // Kept now: l says so and opens nothing.
    keys(&mut app, &mut store, "l");
    assert!(app.view.modal.is_none());
    assert!(notice(&app).contains("logged already"), "{}", notice(&app));
    // Ed's no-show, logged as a contact after all (he came late): kept, and still selected.
    keys(&mut app, &mut store, "jl\n");
    let ed = app.view.agenda.selected_appointment().unwrap();
    assert_eq!((ed.client_id, ed.state), (ED, AppointmentState::Kept));
}

#[test]
fn l_refuses_an_appointment_still_ahead_or_cancelled() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    keys(&mut app, &mut store, "5j");
    assert_eq!(
        app.view.agenda.selected_appointment().unwrap().state,
        AppointmentState::Cancelled
    );
    keys(&mut app, &mut store, "l");
    assert!(app.view.modal.is_none() && notice(&app).contains("cancelled"));
    keys(&mut app, &mut store, "jl");
    assert!(app.view.modal.is_none());
    assert!(
        notice(&app).contains("once it has happened"),
        "{}",
        notice(&app)
    );
    // Ann's appointment of today can be logged.
    keys(&mut app, &mut store, "kkl");
    assert!(
        matches!(app.view.modal, Some(Modal::Form(_))),
        "{}",
        notice(&app)
    );
}

#[test]
fn booking_a_weekly_series_through_keys_and_u_cancels_it() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Bo Diaz");
    keys(&mut app, &mut store, "b");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {}", notice(&app));
    };
    assert_eq!(form.title(), "Book an appointment");
    insta::assert_snapshot!("booking_form", draw(&app, 100, 30).backend());
    // date, time, kind (t: telehealth), minutes, every, count.
    keys(&mut app, &mut store, "2026-11-25\t13:00\tt\t\t7\t4\n");
    assert!(
        app.view.modal.is_none(),
        "{:?} {}",
        app.view.modal,
        notice(&app)
    );
    let booked: Vec<_> = week(&store, "2026-11-25", "2026-12-31")
        .into_iter()
        .filter(|a| a.client_id == BO)
        .collect();
    let days: Vec<_> = booked.iter().map(|a| a.date.to_string()).collect();
    assert_eq!(
        days,
        ["2026-11-25", "2026-12-02", "2026-12-09", "2026-12-16"]
    );
    assert!(booked.iter().all(|a| a.time.as_deref() == Some("13:00")
        && a.kind == EncounterKind::Telehealth
        && a.minutes == 45
        && a.clinician_id == SAM
        && a.state == AppointmentState::Booked));
    assert!(
        notice(&app).contains("Booked 4 × telehealth every 7 days from Wed 25 Nov at 13:00"),
        "{}",
        notice(&app)
    );
    let entry = app.view.client.as_ref().unwrap().entry.as_ref().unwrap();
    assert_eq!(entry.next_appointment, Some(d("2026-11-25")));
    assert!(screen_text(&draw(&app, 100, 30)).contains("next appointment Wed 25 Nov 2026"));

    keys(&mut app, &mut store, "u");
    let after = week(&store, "2026-11-25", "2026-12-31");
    assert!(
        after
            .iter()
            .filter(|a| a.client_id == BO)
            .all(|a| a.state == AppointmentState::Cancelled),
        "{after:?}"
    );
    assert!(notice(&app).starts_with("Undone, cancelled: the booking of 4 × telehealth"));
}

#[test]
fn a_clash_or_a_past_day_shows_in_the_form_and_books_nothing() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    let before = week(&store, "2026-01-01", "2027-12-31");
    // Dana sees Di on Thursday at 15:30.
    keys(&mut app, &mut store, "b2026-11-26\t15:30\n");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form closed: {}", notice(&app));
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("already has appointment") && error.contains("Di Park"),
        "{error}"
    );
    assert!(screen_text(&draw(&app, 100, 30)).contains("choose another time"));
    // In privacy mode the other client is named by initials.
    keys(&mut app, &mut store, "\u{1b}pb2026-11-26\t15:30\n");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form closed: {}", notice(&app));
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("(D. P.)") && !error.contains("Di Park"),
        "{error}"
    );
    // Back to the date (five fields on from the time), cleared, and a day that has passed.
    keys(&mut app, &mut store, "\t\t\t\t\t");
    keys(&mut app, &mut store, &"\u{8}".repeat(10));
    keys(&mut app, &mut store, "2026-11-20\n");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form closed");
    };
    assert!(form.error.as_deref().unwrap_or("").contains("has passed"));
    assert_eq!(week(&store, "2026-01-01", "2027-12-31"), before);
}

#[test]
fn escape_books_nothing_and_reviews_nothing() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    let appointments_before = week(&store, "2026-01-01", "2027-12-31");
    let audit_before = store.read(|c| audit::recent(c, 1000)).unwrap().len();
    keys(&mut app, &mut store, "b2026-12-01\t10:00\u{1b}");
    assert!(app.view.modal.is_none());
    assert_eq!(notice(&app), "Cancelled; nothing was saved");
    keys(&mut app, &mut store, "r\tassessed, no plan\u{1b}");
    assert!(app.view.modal.is_none());
    assert_eq!(
        week(&store, "2026-01-01", "2027-12-31"),
        appointments_before
    );
    assert!(
        store
            .read(|c| reviews::by_client(c, d(TODAY), Some(ANN)))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.read(|c| audit::recent(c, 1000)).unwrap().len(),
        audit_before
    );
}

#[test]
fn reviewing_the_safety_flag_through_keys_signs_it_off_for_the_latest_phq9() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ann Lee");
    let flags = |app: &App| -> Vec<FlagKind> {
        let entry = app.view.client.as_ref().unwrap().entry.as_ref().unwrap();
        entry.flags.iter().map(|f| f.kind).collect()
    };
    assert!(flags(&app).contains(&FlagKind::Safety), "{:?}", flags(&app));
    keys(&mut app, &mut store, "r");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {}", notice(&app));
    };
    assert_eq!(form.fields[0].shown(), "safety", "the worst flag first");
    insta::assert_snapshot!("review_form", draw(&app, 100, 30).backend());
    keys(&mut app, &mut store, "\tsafety plan reviewed; no intent\n");
    assert!(app.view.modal.is_none(), "{:?}", app.view.modal);
    let stored = store
        .read(|c| reviews::by_client(c, d(TODAY), Some(ANN)))
        .unwrap();
    let review = &stored[&ANN][0];
    assert_eq!(review.kind, FlagKind::Safety);
    assert_eq!(review.note, "safety plan reviewed; no intent");
    assert_eq!((review.date, review.until), (d(TODAY), None));
    assert_eq!(
        review.by, "Dana Reyes",
        "the client's clinician, without passphrases"
    );
    let latest = store
        .read(|c| reviews::latest_phq9(c, ANN, d(TODAY)))
        .unwrap();
    assert_eq!(review.measurement_id, latest);
    assert!(
        !flags(&app).contains(&FlagKind::Safety),
        "silenced on screen"
    );
    assert!(notice(&app).contains("no undo"), "{}", notice(&app));
    // u does not take a review back: there is nothing of this session to undo.
    keys(&mut app, &mut store, "u");
    assert!(notice(&app).starts_with("Nothing left to undo"));
    assert_eq!(
        store
            .read(|c| reviews::by_client(c, d(TODAY), Some(ANN)))
            .unwrap()[&ANN]
            .len(),
        1
    );
}

#[test]
fn snoozing_a_warning_asks_until_when_within_90_days() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 30);
    open(&mut app, &mut store, "Ed Marsh");
    keys(&mut app, &mut store, "r");
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("no form: {}", notice(&app));
    };
    assert_eq!(
        form.fields[2].value, "2026-12-23",
        "a month's snooze by default: {form:?}"
    );
    // Past the 90 days: refused in the form.
    keys(
        &mut app,
        &mut store,
        "\tcalled twice, left a message\t2027-03-01\n",
    );
    let Some(Modal::Form(form)) = &app.view.modal else {
        panic!("the form closed");
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or("")
            .contains("at most 90 days")
    );
    keys(
        &mut app,
        &mut store,
        "\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}2027-01-15\n",
    );
    assert!(app.view.modal.is_none(), "{:?}", app.view.modal);
    let stored = store
        .read(|c| reviews::by_client(c, d(TODAY), Some(ED)))
        .unwrap();
    let review = &stored[&ED][0];
    assert_eq!(review.until, Some(d("2027-01-15")));
    assert_eq!(review.measurement_id, None);
    assert!(
        notice(&app).contains("silent through 2027-01-15"),
        "{}",
        notice(&app)
    );
}

#[test]
fn the_panel_shows_the_next_appointment_or_a_warning_dash() {
    let mut store = planned();
    let mut app = app(&mut store, 80, 24);
    // The selection is moved to the last row, so the rows looked at wear their own colours.
    keys(&mut app, &mut store, "G");
    let t = draw(&app, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("next"), "{text}");
    let theme = &app.theme;
    // Ann is booked today, Cy tomorrow, Di on Thursday; Bo and Ed have flags and nothing booked.
    for (name, next) in [("Ann Lee", "today"), ("Di Park", "in 3d")] {
        let y = row_of(&t, name);
        let line = text.lines().nth(y as usize).unwrap();
        assert!(line.contains(next), "{name}: {line}");
    }
    for name in ["Bo Diaz", "Ed Marsh"] {
        let cell = style_at(&t, name, "—");
        assert_eq!(cell.fg, theme.style(Role::warning).fg.unwrap(), "{name}");
    }
    insta::assert_debug_snapshot!(t.backend().buffer());
}

#[test]
fn the_agenda_is_the_fifth_tab_in_the_cycle_the_help_and_the_footer() {
    let mut store = planned();
    let mut app = app(&mut store, 100, 34);
    keys(&mut app, &mut store, "4\t");
    assert_eq!(app.view.tab, Tab::Agenda);
    keys(&mut app, &mut store, "\t");
    assert_eq!(app.view.tab, Tab::Panel, "the cycle wraps");
    keys(&mut app, &mut store, "1");
    crate::tui::update::update(&mut app, &mut store, crate::tui::action::Action::PrevTab);
    assert_eq!(app.view.tab, Tab::Agenda, "and back");
    let text = screen_text(&draw(&app, 100, 34));
    assert!(
        text.contains("l log kept") && text.contains("next week"),
        "{text}"
    );
    keys(&mut app, &mut store, "?");
    let text = screen_text(&draw(&app, 100, 34));
    assert!(
        text.contains("Agenda") && text.contains("log the appointment as kept"),
        "{text}"
    );
    // On the client screen, the footer and help offer booking and reviewing.
    keys(&mut app, &mut store, "\u{1b}1");
    open(&mut app, &mut store, "Ann Lee");
    keys(&mut app, &mut store, "?");
    let text = screen_text(&draw(&app, 100, 34));
    assert!(
        text.contains("book an appointment") && text.contains("review a flag"),
        "{text}"
    );
}

#[test]
fn the_tab_bar_keeps_every_tab_whole_at_80_columns() {
    let mut store = planned();
    let mut app = app(&mut store, 80, 24);
    let first_line = |app: &App| {
        screen_text(&draw(app, 80, 24))
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    let line = first_line(&app);
    assert!(
        line.contains(" caseload ") && line.contains("5 Agenda ") && line.contains(TODAY),
        "{line}"
    );
    // Privacy and a signed-in clinician's name: "caseload" and then the name give way.
    app.viewer = super::app::Viewer {
        clinician_id: Some(SAM),
        name: "Sam Okafor".into(),
        role: crate::domain::Role::Clinician,
    };
    keys(&mut app, &mut store, "p");
    let line = first_line(&app);
    assert!(
        line.contains("5 Agenda ")
            && line.contains("privacy · 2026-11-23")
            && !line.contains("caseload"),
        "{line}"
    );
}
