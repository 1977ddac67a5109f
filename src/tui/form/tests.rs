//! The entry forms' own tests: defaults, typing, and the command line's messages inline.

use super::*;
use crate::domain::parse_date;

fn today() -> NaiveDate {
    parse_date("2026-11-23").unwrap()
}

fn typed(form: &mut Form, text: &str) {
    for c in text.chars() {
        form.handle(Action::Type(c));
    }
}

#[test]
fn a_phq9_is_nine_keystrokes_and_enter() {
    let mut form = Form::measure(ClientId(1), "A. L.".into(), today());
    typed(&mut form, "123012301");
    match form.handle(Action::Submit) {
        FormResult::Submitted(Submission::Measure(m)) => {
            assert_eq!(m.instrument, Instrument::Phq9);
            assert_eq!(m.total, 13);
            assert_eq!(m.items.as_ref().map(Vec::len), Some(9));
            assert_eq!(m.date, today());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_measurement_shows_the_cli_message_inline() {
    let mut form = Form::measure(ClientId(1), "A".into(), today());
    typed(&mut form, "1230");
    assert_eq!(form.handle(Action::Submit), FormResult::Editing);
    assert_eq!(
        form.error.as_deref(),
        Some("PHQ-9 needs 9 item responses, got 4")
    );
    form.handle(Action::Type('1'));
    assert_eq!(form.error, None, "typing clears the message");
    form.handle(Action::Edit(Edit::Right)); // focus is on items: not a choice, nothing happens
    form.handle(Action::PrevField);
    form.handle(Action::Edit(Edit::Right));
    assert_eq!(form.fields[0].shown(), "GAD-7");
}

#[test]
fn a_contact_defaults_to_a_completed_session_today_with_typical_minutes() {
    let mut form = Form::contact(ClientId(1), "A".into(), today());
    match form.handle(Action::Submit) {
        FormResult::Submitted(Submission::Contact(e)) => {
            assert_eq!(
                (e.kind, e.status, e.minutes, e.date),
                (
                    EncounterKind::Session,
                    EncounterStatus::Completed,
                    50,
                    today()
                )
            );
        }
        other => panic!("{other:?}"),
    }
    typed(&mut form, "p"); // jump to "phone"
    assert_eq!(form.fields[0].shown(), "phone");
    assert_eq!(
        form.fields[3].value, "15",
        "minutes follow the kind until typed over"
    );
    form.handle(Action::NextField);
    form.handle(Action::Edit(Edit::Right)); // no-show
    assert_eq!(form.fields[3].value, "0");
    form.handle(Action::NextField);
    typed(&mut form, "2026-11-30");
    assert_eq!(form.handle(Action::Submit), FormResult::Editing);
    assert!(form.error.as_deref().unwrap().contains("in the future"));
    assert_eq!(form.handle(Action::Cancel), FormResult::Cancelled);
}

#[test]
fn minutes_out_of_range_are_refused_like_the_cli() {
    let mut form = Form::contact(ClientId(1), "A".into(), today());
    form.focus = 3;
    typed(&mut form, "1441");
    form.handle(Action::Submit);
    assert_eq!(
        form.error.as_deref(),
        Some("minutes must be between 0 and 1440, got 1441")
    );
}
