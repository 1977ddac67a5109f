//! The entry forms correcting a stored record (SPEC section 9): the contact or measurement form
//! pre-filled with the record's values plus a required reason, and the reason-only form that
//! voids or unvoids. Values are checked exactly as on entry; nothing is written here.

use super::{Field, FieldId, FieldKind, Form, FormKind, Submission, Target, corrections, entry};
use crate::domain::corrections::{REASON_MAX_CHARS, RecordKind};
use crate::domain::entry::{EncounterEntry, MeasurementEntry};
use crate::domain::{ClientId, Encounter, EncounterId, Measurement, MeasurementId};
use crate::tui::undo::{encounter_label, measurement_label};
use chrono::NaiveDate;

fn reason_field() -> Field {
    Field::text(
        FieldId::Reason,
        "",
        REASON_MAX_CHARS,
        "why, for the audit trail",
    )
}

/// Item responses as the form takes them: digits for 0–9 scales, spaced numbers otherwise.
fn items_text(items: &[i64], item_max: i64) -> String {
    let parts: Vec<String> = items.iter().map(i64::to_string).collect();
    parts.join(if item_max < 10 { "" } else { " " })
}

impl Form {
    /// The contact form holding a stored encounter's values. Minutes and date are replaced by
    /// the first key typed, as defaults are on entry; the note is extended.
    pub fn amend_contact(
        client: ClientId,
        client_label: String,
        e: &Encounter,
        today: NaiveDate,
    ) -> Form {
        let mut form = Form::contact(client, client_label, today);
        for field in &mut form.fields {
            let FieldKind::Choice(options) = &field.kind else {
                continue;
            };
            let stored = match field.id {
                FieldId::Kind => e.kind.as_str(),
                _ => e.status.as_str(),
            };
            field.choice = options.iter().position(|o| *o == stored).unwrap_or(0);
        }
        let stored = [
            (FieldId::Date, e.date.to_string()),
            (FieldId::Minutes, e.minutes.to_string()),
            (FieldId::Note, e.note.clone().unwrap_or_default()),
        ];
        for (label, value) in stored {
            if let Some(field) = form.field_mut(label) {
                field.value = value.into();
                field.edited = label == FieldId::Note;
            }
        }
        form.fields.push(reason_field());
        form.target = Some(Target {
            kind: RecordKind::Encounter,
            id: e.id.0,
            label: encounter_label(e),
        });
        form
    }

    /// The measurement form holding a stored measurement: its instrument fixed, its items (or
    /// total) and date to correct.
    pub fn amend_measure(
        client: ClientId,
        client_label: String,
        m: &Measurement,
        today: NaiveDate,
    ) -> Form {
        let def = m.instrument.def();
        let mut form = Form::measure(client, client_label, today);
        if let Some(instrument) = form.field_mut(FieldId::Instrument) {
            *instrument = Field {
                kind: FieldKind::Fixed,
                value: def.name.into(),
                hint: "as recorded".into(),
                ..Field::text(FieldId::Instrument, "", 0, "")
            };
        }
        let (id, value) = match &m.items {
            Some(items) => (FieldId::Items, items_text(items, def.item_max)),
            None => (FieldId::Total, m.total.to_string()),
        };
        if let Some(field) = form.field_mut(id) {
            field.value = value.into();
        }
        if id == FieldId::Total {
            form.focus = form.fields.iter().position(|f| f.id == id).unwrap_or(0);
        }
        if let Some(date) = form.field_mut(FieldId::Date) {
            date.value = m.date.to_string().into();
        }
        form.fields.push(reason_field());
        form.target = Some(Target {
            kind: RecordKind::Measurement,
            id: m.id.0,
            label: measurement_label(m),
        });
        form.refresh_hints();
        form
    }

    /// Only a reason: voids the record, or unvoids it when `unvoid`.
    pub fn void(
        client: ClientId,
        client_label: String,
        target: Target,
        unvoid: bool,
        today: NaiveDate,
    ) -> Form {
        let kind = if unvoid {
            FormKind::Unvoid
        } else {
            FormKind::Void
        };
        Form {
            target: Some(target),
            ..Form::new(kind, client, client_label, vec![reason_field()], today)
        }
    }

    /// The reason typed, checked as the command line checks `--reason`.
    fn reason(&self) -> Result<String, String> {
        let text = self.value(FieldId::Reason);
        if text.trim().is_empty() {
            return Err("say why: the audit trail keeps a reason for every correction".into());
        }
        corrections::reason(&text).map_err(|e| e.to_string())
    }

    fn amended_encounter(&self) -> Result<EncounterEntry, String> {
        let v = |id: FieldId| self.value(id);
        entry::encounter(
            &v(FieldId::Kind),
            &v(FieldId::Status),
            &v(FieldId::Minutes),
            Some(&v(FieldId::Date)),
            Some(&v(FieldId::Note)),
            self.today,
        )
        .map_err(|e| e.to_string())
    }

    /// Items or total, whichever the person changed: the other keeps its stored value only
    /// until one of them is typed in.
    fn amended_measurement(&self) -> Result<MeasurementEntry, String> {
        let edited = |id| self.field(id).is_some_and(|f| f.edited);
        let (items, total) = (self.value(FieldId::Items), self.value(FieldId::Total));
        let (items, total) = match (edited(FieldId::Items), edited(FieldId::Total)) {
            (true, false) => (items.as_str(), ""),
            (false, true) => ("", total.as_str()),
            _ => (items.as_str(), total.as_str()),
        };
        entry::measurement(
            self.instrument().as_str(),
            Some(total),
            Some(items),
            Some(&self.value(FieldId::Date)),
            self.today,
        )
        .map_err(|e| e.to_string())
    }

    /// A correcting form's submission: the values checked as on entry, then the reason.
    pub(super) fn correction(&self, target: &Target) -> Result<Submission, String> {
        let (kind, id) = (target.kind, target.id);
        Ok(match self.kind {
            FormKind::Contact => {
                let entry = self.amended_encounter()?;
                Submission::AmendContact {
                    id: EncounterId(id),
                    entry,
                    reason: self.reason()?,
                }
            }
            FormKind::Measure => {
                let entry = self.amended_measurement()?;
                Submission::AmendMeasure {
                    id: MeasurementId(id),
                    entry,
                    reason: self.reason()?,
                }
            }
            FormKind::Void => Submission::Void {
                kind,
                id,
                reason: self.reason()?,
            },
            FormKind::Unvoid => Submission::Unvoid {
                kind,
                id,
                reason: self.reason()?,
            },
            FormKind::Event
            | FormKind::Tier
            | FormKind::Book
            | FormKind::Review
            | FormKind::NewClient => {
                return Err("this form corrects nothing".into());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClinicianId, EncounterKind, EncounterStatus, Instrument, parse_date};
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

    fn encounter() -> Encounter {
        Encounter {
            id: EncounterId(7),
            client_id: ClientId(1),
            clinician_id: ClinicianId(1),
            clinician: "Dana Reyes".into(),
            date: parse_date("2026-11-12").unwrap(),
            kind: EncounterKind::Telehealth,
            status: EncounterStatus::Completed,
            minutes: 40,
            note: Some("late start".into()),
            voided: None,
        }
    }

    #[test]
    fn a_correction_starts_from_the_stored_values_and_needs_a_reason() {
        let mut form = Form::amend_contact(ClientId(1), "A".into(), &encounter(), today());
        assert_eq!(form.title(), "Correct a contact");
        let shown: Vec<String> = form.fields.iter().map(|f| f.shown()).collect();
        assert_eq!(
            shown,
            [
                "telehealth",
                "completed",
                "2026-11-12",
                "40",
                "late start",
                ""
            ]
        );
        form.handle(Action::NextField);
        form.handle(Action::NextField);
        assert_eq!(form.fields[3].value, "40", "moving about keeps the minutes");
        form.handle(Action::NextField);
        typed(&mut form, "45");
        assert_eq!(form.handle(Action::Submit), FormResult::Editing);
        assert!(
            form.error.as_deref().unwrap().contains("say why"),
            "{form:?}"
        );
        form.focus = 5;
        typed(&mut form, "typo");
        match form.handle(Action::Submit) {
            FormResult::Submitted(Submission::AmendContact { id, entry, reason }) => {
                assert_eq!(id, EncounterId(7));
                assert_eq!(entry.minutes, 45, "the first digit replaced the stored 40");
                assert_eq!(entry.kind, EncounterKind::Telehealth);
                assert_eq!(entry.note.as_deref(), Some("late start"));
                assert_eq!(reason, "typo");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_corrected_value_is_checked_as_on_entry() {
        let mut form = Form::amend_contact(ClientId(1), "A".into(), &encounter(), today());
        form.focus = 3;
        typed(&mut form, "1441");
        form.focus = 5;
        typed(&mut form, "typo");
        form.handle(Action::Submit);
        assert_eq!(
            form.error.as_deref(),
            Some("minutes must be between 0 and 1440, got 1441")
        );
    }

    #[test]
    fn changing_the_status_of_a_correction_lets_the_minutes_follow_again() {
        let mut form = Form::amend_contact(ClientId(1), "A".into(), &encounter(), today());
        form.focus = 1;
        form.handle(Action::Edit(Edit::Right));
        assert_eq!(form.fields[1].shown(), "no-show");
        assert_eq!(form.fields[3].value, "0");
    }

    #[test]
    fn a_measurement_correction_keeps_its_instrument_and_takes_items_or_a_total() {
        let m = Measurement {
            id: MeasurementId(3),
            client_id: ClientId(1),
            date: parse_date("2026-11-12").unwrap(),
            instrument: Instrument::Gad7,
            total: 9,
            items: None,
            voided: None,
        };
        let mut form = Form::amend_measure(ClientId(1), "A".into(), &m, today());
        assert_eq!(form.fields[0].shown(), "GAD-7");
        assert_eq!((form.focus, form.fields[2].value.value()), (2, "9"));
        form.handle(Action::PrevField);
        assert_eq!(form.focus, 1, "on the items");
        form.handle(Action::PrevField);
        assert_eq!(form.focus, 4, "the fixed instrument is skipped");
        typed(&mut form, "entered the total by mistake");
        form.focus = 1;
        typed(&mut form, "1111111");
        match form.handle(Action::Submit) {
            FormResult::Submitted(Submission::AmendMeasure { id, entry, .. }) => {
                assert_eq!(id, MeasurementId(3));
                assert_eq!(entry.instrument, Instrument::Gad7);
                assert_eq!((entry.total, entry.items.map(|i| i.len())), (7, Some(7)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn voiding_asks_only_why() {
        let target = Target {
            kind: RecordKind::Encounter,
            id: 7,
            label: encounter_label(&encounter()),
        };
        let mut form = Form::void(ClientId(1), "A".into(), target, false, today());
        assert_eq!(form.handle(Action::Submit), FormResult::Editing);
        typed(&mut form, " wrong client ");
        assert_eq!(
            form.handle(Action::Submit),
            FormResult::Submitted(Submission::Void {
                kind: RecordKind::Encounter,
                id: 7,
                reason: "wrong client".into()
            })
        );
    }
}
