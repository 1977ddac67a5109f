//! The forms that plan ahead (SPEC sections 10 and 11): booking an appointment or a series,
//! reviewing one of the client's flags, and the contact form filled in from an appointment to
//! log it as kept. Checked with the same domain rules as `caseload book` and `caseload review`;
//! nothing is written here.

use super::{Field, FieldId, FieldKind, Form, FormKind, Submission};
use crate::domain::appointments::{self as rules, Appointment, SeriesEnd};
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews::{self, MAX_SNOOZE_DAYS, Reviewed};
use crate::domain::{ClientId, EncounterKind, parse_date, validate};
use chrono::{Duration, NaiveDate};

/// What a valid booking form asks to book: the days (one, or a series), the time, the kind
/// and the planned length. `update` adds the clinician and stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingEntry {
    pub days: Vec<NaiveDate>,
    pub time: Option<String>,
    pub kind: EncounterKind,
    pub minutes: i64,
    /// Days between the appointments of a series.
    pub every: Option<i64>,
}

/// How long a snooze lasts unless the clinician says otherwise.
const DEFAULT_SNOOZE_DAYS: i64 = 30;

fn contact_kinds() -> Vec<&'static str> {
    EncounterKind::ALL
        .iter()
        .filter(|k| k.is_contact_kind())
        .map(|k| k.as_str())
        .collect()
}

/// "Mon 23 Nov at 10:00", or without the time.
pub fn day_and_time(day: NaiveDate, time: Option<&str>) -> String {
    let day = day.format("%a %-d %b").to_string();
    match time {
        Some(t) => format!("{day} at {t}"),
        None => day,
    }
}

fn whole(text: &str, what: &str) -> Result<i64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "{what} '{}' is not a whole number",
            crate::domain::text::sanitize(text.trim())
        )
    })
}

impl Form {
    /// Book an appointment: tomorrow, no set time, a session of its usual length, once. A
    /// repeat (every N days, with how many in all) books a series.
    pub fn book(client: ClientId, client_label: String, today: NaiveDate) -> Form {
        let kinds = contact_kinds();
        let session = kinds.iter().position(|k| *k == "session").unwrap_or(0);
        let tomorrow = today + Duration::days(1);
        let fields = vec![
            Field::text(
                FieldId::Date,
                &tomorrow.to_string(),
                10,
                "YYYY-MM-DD, today or later",
            ),
            Field::text(FieldId::Time, "", 5, "HH:MM, or empty for none"),
            Field::choice(FieldId::Kind, kinds, session),
            Field::text(
                FieldId::Minutes,
                &EncounterKind::Session.typical_minutes().to_string(),
                4,
                "planned length",
            ),
            Field::digits(FieldId::Every, 2, "days: 7 weekly, 14 fortnightly"),
            Field::digits(FieldId::Count, 3, "in all, with every; at most 104"),
        ];
        Form::new(FormKind::Book, client, client_label, fields, today)
    }

    /// Review one of `flags` (the client's flags, as the client screen lists them; at least
    /// one): a note, and for a warning the last day it stays silent.
    pub fn review(
        client: ClientId,
        client_label: String,
        flags: &[FlagKind],
        today: NaiveDate,
    ) -> Form {
        let labels = flags.iter().map(|k| k.label()).collect();
        let fields = vec![
            Field::choice(FieldId::Flag, labels, 0),
            Field::text(
                FieldId::Note,
                "",
                validate::NOTE_MAX_CHARS,
                "what was assessed or decided",
            ),
            Field::text(FieldId::Until, "", 10, ""),
        ];
        let mut form = Form::new(FormKind::Review, client, client_label, fields, today);
        form.refresh_plan();
        form
    }

    /// The contact form filled in from an appointment: its day, kind and planned minutes, a
    /// completed contact. The minutes follow the kind and status as on entry when they are the
    /// kind's usual length.
    pub fn log_appointment(
        client: ClientId,
        client_label: String,
        a: &Appointment,
        today: NaiveDate,
    ) -> Form {
        let mut form = Form::contact(client, client_label, today);
        if let Some(field) = form.field_mut(FieldId::Kind)
            && let FieldKind::Choice(options) = &field.kind
        {
            field.choice = options
                .iter()
                .position(|o| o == a.kind.as_str())
                .unwrap_or(field.choice);
        }
        if let Some(field) = form.field_mut(FieldId::Date) {
            field.value = a.date.to_string().into();
        }
        if let Some(field) = form.field_mut(FieldId::Minutes) {
            field.value = a.minutes.to_string().into();
            field.edited = a.minutes != a.kind.typical_minutes();
        }
        form.about = Some(format!(
            "appointment of {} · {} · {} min",
            day_and_time(a.date, a.time.as_deref()),
            a.kind,
            a.minutes
        ));
        form
    }

    /// The flag a review form is on.
    fn review_kind(&self) -> Option<FlagKind> {
        let shown = self.value(FieldId::Flag);
        FlagKind::ALL.into_iter().find(|k| k.label() == shown)
    }

    /// Keeps the booking's minutes on the kind's usual length until typed over, and the review's
    /// `until` open for a snooze and closed for a sign-off.
    pub(super) fn refresh_plan(&mut self) {
        match self.kind {
            FormKind::Book => {
                let kind: Option<EncounterKind> = self.value(FieldId::Kind).parse().ok();
                if let (Some(kind), Some(minutes)) = (kind, self.field_mut(FieldId::Minutes))
                    && !minutes.edited
                {
                    minutes.value.set(kind.typical_minutes().to_string());
                }
            }
            FormKind::Review => {
                let snooze = self
                    .review_kind()
                    .is_some_and(|k| matches!(reviews::how(k), Ok(Reviewed::Snooze)));
                let default = (self.today + Duration::days(DEFAULT_SNOOZE_DAYS)).to_string();
                let Some(until) = self.field_mut(FieldId::Until) else {
                    return;
                };
                // Open: a date to type, with its hint; closed: shown as "—" and skipped.
                let open = until.kind != FieldKind::Fixed && !until.hint.is_empty();
                if snooze && !open {
                    until.kind = FieldKind::Text { max: 10 };
                    until.value = default.into();
                    until.edited = false;
                    until.hint = format!("last silent day, at most {MAX_SNOOZE_DAYS} days on");
                } else if !snooze && until.kind != FieldKind::Fixed {
                    until.kind = FieldKind::Fixed;
                    until.value = "—".into();
                    until.hint = "a sign-off holds for the latest PHQ-9".into();
                }
            }
            _ => {}
        }
    }

    /// The booking typed, checked as `caseload book` checks it.
    pub(super) fn booking(&self) -> Result<BookingEntry, String> {
        let v = |id: FieldId| self.value(id);
        let err = |e: crate::error::Error| e.to_string();
        let kind = rules::contact_kind(v(FieldId::Kind).parse().map_err(err)?).map_err(err)?;
        let minutes = validate::minutes(&v(FieldId::Minutes)).map_err(err)?;
        let time = match v(FieldId::Time).trim() {
            "" => None,
            t => Some(rules::parse_time(t).map_err(err)?),
        };
        let first = parse_date(&v(FieldId::Date))
            .and_then(|d| rules::bookable(d, "the appointment date", self.today))
            .map_err(err)?;
        let (every, count) = (v(FieldId::Every), v(FieldId::Count));
        let (every, end) = match (every.trim().is_empty(), count.trim().is_empty()) {
            (true, true) => (None, None),
            (true, false) => {
                return Err("a count is for a series: say every how many days".into());
            }
            (false, true) => {
                return Err("a series needs a count: how many appointments in all".into());
            }
            (false, false) => {
                let count = usize::try_from(whole(&count, "count")?)
                    .map_err(|_| "count must be 1 to 104".to_string())?;
                (Some(whole(&every, "every")?), Some(SeriesEnd::Count(count)))
            }
        };
        let days = rules::series(first, every, end).map_err(err)?;
        Ok(BookingEntry {
            days,
            time,
            kind,
            minutes,
            every,
        })
    }

    /// The review typed, checked as `caseload review` checks it (the store then checks that the
    /// client carries the flag and ties a sign-off to the latest PHQ-9).
    pub(super) fn review_submission(&self) -> Result<Submission, String> {
        let err = |e: crate::error::Error| e.to_string();
        let kind = self
            .review_kind()
            .ok_or_else(|| "choose the flag you reviewed".to_string())?;
        let until = match self.field(FieldId::Until) {
            Some(f) if f.kind != FieldKind::Fixed => Some(
                parse_date(f.value.value())
                    .and_then(|d| crate::domain::dates::record_date(d, "until", self.today))
                    .map_err(err)?,
            ),
            _ => None,
        };
        reviews::check(kind, self.today, until).map_err(err)?;
        let note = validate::note(Some(&self.value(FieldId::Note)))
            .map_err(err)?
            .ok_or_else(|| "say what was assessed or decided (the note)".to_string())?;
        Ok(Submission::Review { kind, until, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ClinicianId;
    use crate::domain::appointments::AppointmentState;
    use crate::tui::action::{Action, Edit};
    use crate::tui::form::FormResult;

    fn today() -> NaiveDate {
        parse_date("2026-11-23").unwrap()
    }

    fn typed(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.handle(Action::Type(c));
        }
    }

    #[test]
    fn a_booking_defaults_to_one_session_tomorrow() {
        let mut form = Form::book(ClientId(1), "A".into(), today());
        match form.handle(Action::Submit) {
            FormResult::Submitted(Submission::Book(b)) => {
                assert_eq!(b.days, vec![parse_date("2026-11-24").unwrap()]);
                assert_eq!(
                    (b.kind, b.minutes, b.time, b.every),
                    (EncounterKind::Session, 50, None, None)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_weekly_series_and_the_refusals_of_the_cli() {
        let mut form = Form::book(ClientId(1), "A".into(), today());
        typed(&mut form, "2026-11-30");
        form.handle(Action::NextField);
        typed(&mut form, "10:00");
        form.handle(Action::NextField);
        typed(&mut form, "t"); // telehealth: the minutes follow
        form.handle(Action::NextField);
        assert_eq!(form.fields[3].value, "45");
        form.handle(Action::NextField);
        typed(&mut form, "7");
        assert_eq!(form.handle(Action::Submit), FormResult::Editing);
        assert!(
            form.error.as_deref().unwrap().contains("needs a count"),
            "{form:?}"
        );
        form.handle(Action::NextField);
        typed(&mut form, "4");
        match form.handle(Action::Submit) {
            FormResult::Submitted(Submission::Book(b)) => {
                assert_eq!(b.days.len(), 4);
                assert_eq!(b.days[3], parse_date("2026-12-21").unwrap());
                assert_eq!(b.time.as_deref(), Some("10:00"));
                assert_eq!(
                    (b.kind, b.minutes, b.every),
                    (EncounterKind::Telehealth, 45, Some(7))
                );
            }
            other => panic!("{other:?}"),
        }
        form.focus = 0;
        form.fields[0].edited = false;
        typed(&mut form, "2026-11-20");
        form.handle(Action::Submit);
        assert!(
            form.error.as_deref().unwrap().contains("has passed"),
            "{form:?}"
        );
        form.fields[0].value = "2026-11-30".into();
        form.fields[1].value = "9:5".into();
        form.handle(Action::Submit);
        assert!(
            form.error.as_deref().unwrap().contains("is not a time"),
            "{form:?}"
        );
    }

    #[test]
    fn a_review_asks_until_only_for_a_snooze() {
        let flags = [FlagKind::Safety, FlagKind::ContactOverdue];
        let mut form = Form::review(ClientId(1), "A".into(), &flags, today());
        assert_eq!(
            form.fields[2].kind,
            FieldKind::Fixed,
            "a safety sign-off has no until"
        );
        assert_eq!(form.handle(Action::Submit), FormResult::Editing);
        assert!(form.error.as_deref().unwrap().contains("note"), "{form:?}");
        form.handle(Action::NextField);
        typed(&mut form, "safety plan reviewed");
        form.handle(Action::NextField);
        assert_eq!(form.focus, 0, "the closed until is skipped");
        assert_eq!(
            form.handle(Action::Submit),
            FormResult::Submitted(Submission::Review {
                kind: FlagKind::Safety,
                until: None,
                note: "safety plan reviewed".into()
            })
        );
        form.handle(Action::Edit(Edit::Right));
        assert_eq!(
            form.fields[2].value, "2026-12-23",
            "a snooze of 30 days by default"
        );
        form.focus = 2;
        typed(&mut form, "2027-03-01");
        form.handle(Action::Submit);
        assert!(
            form.error.as_deref().unwrap().contains("at most 90 days"),
            "{form:?}"
        );
    }

    #[test]
    fn logging_an_appointment_fills_the_contact_form_from_it() {
        let a = Appointment {
            id: 5,
            client_id: ClientId(1),
            name: "Ann Lee".into(),
            clinician: "Dana Reyes".into(),
            clinician_id: ClinicianId(1),
            date: parse_date("2026-11-20").unwrap(),
            time: Some("14:00".into()),
            kind: EncounterKind::Telehealth,
            minutes: 40,
            state: AppointmentState::Unlogged,
        };
        let mut form = Form::log_appointment(ClientId(1), "A".into(), &a, today());
        assert_eq!(
            form.about.as_deref(),
            Some("appointment of Fri 20 Nov at 14:00 · telehealth · 40 min")
        );
        match form.handle(Action::Submit) {
            FormResult::Submitted(Submission::Contact(e)) => {
                assert_eq!(
                    (e.kind, e.status, e.minutes, e.date),
                    (
                        EncounterKind::Telehealth,
                        crate::domain::EncounterStatus::Completed,
                        40,
                        a.date
                    )
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
