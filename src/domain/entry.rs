//! Validation of what a person enters to record work (an encounter, a measurement, an event),
//! shared by the command line and the terminal UI's forms so both accept and refuse alike.

use super::instruments::parse_items;
use super::{
    ClientId, ClinicianId, EncounterKind, EncounterStatus, EventKind, Instrument, parse_date,
    text::sanitize, validate,
};
use crate::error::Error;
use chrono::NaiveDate;

/// A date of something that has happened: empty means today; after today is refused.
pub fn past_date(text: Option<&str>, what: &str, today: NaiveDate) -> Result<NaiveDate, Error> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(today);
    };
    let date = super::dates::record_date(parse_date(text)?, what, today)?;
    if date > today {
        return Err(Error::invalid(format!(
            "{what} {date} is in the future (today is {today}); record work once it has happened"
        )));
    }
    Ok(date)
}

/// The minutes an encounter is given when none are typed: the kind's usual length when it took
/// place, nothing for a no-show or a cancellation. The TUI's contact form pre-fills this and
/// `caseload log` records it without `--minutes`, so both count the same time.
pub fn usual_minutes(kind: EncounterKind, status: EncounterStatus) -> i64 {
    match status {
        EncounterStatus::Completed => kind.typical_minutes(),
        EncounterStatus::NoShow | EncounterStatus::Cancelled => 0,
    }
}

/// A validated encounter, ready to store once the client and clinician are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterEntry {
    pub kind: EncounterKind,
    pub status: EncounterStatus,
    pub minutes: i64,
    pub date: NaiveDate,
    pub note: Option<String>,
}

pub fn encounter(
    kind: &str,
    status: &str,
    minutes: &str,
    date: Option<&str>,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<EncounterEntry, Error> {
    let field = |name| move |e: Error| e.in_field(name);
    Ok(EncounterEntry {
        kind: kind.parse().map_err(field("kind"))?,
        status: status.parse().map_err(field("status"))?,
        minutes: validate::minutes(if minutes.trim().is_empty() {
            "0"
        } else {
            minutes
        })
        .map_err(field("minutes"))?,
        date: past_date(date, "encounter date", today).map_err(field("date"))?,
        note: validate::note(note).map_err(field("note"))?,
    })
}

/// A validated measurement: the total, and the items when they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementEntry {
    pub instrument: Instrument,
    pub total: i64,
    pub items: Option<Vec<i64>>,
    pub date: NaiveDate,
}

/// Exactly one of `score` and `items` must be given (empty text counts as not given).
pub fn measurement(
    instrument: &str,
    score: Option<&str>,
    items: Option<&str>,
    date: Option<&str>,
    today: NaiveDate,
) -> Result<MeasurementEntry, Error> {
    let field = |name| move |e: Error| e.in_field(name);
    let instrument: Instrument = instrument.parse().map_err(field("instrument"))?;
    let def = instrument.def();
    let score = score.map(str::trim).filter(|s| !s.is_empty());
    let items = items.map(str::trim).filter(|s| !s.is_empty());
    let (total, items) = match (score, items) {
        (Some(score), None) => {
            let total: i64 = score.parse().map_err(|_| {
                Error::invalid(format!(
                    "{} score '{}' is not a whole number",
                    def.name,
                    sanitize(score)
                ))
                .in_field("total")
            })?;
            (def.check_total(total).map_err(field("total"))?, None)
        }
        (None, Some(text)) => {
            let items = parse_items(def, text).map_err(field("items"))?;
            (
                def.total_of_items(&items).map_err(field("items"))?,
                Some(items),
            )
        }
        (None, None) => {
            return Err(Error::invalid(format!(
                "give the {} total or its {} item responses",
                def.name, def.items
            )));
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "give either a total or the item responses, not both",
            ));
        }
    };
    Ok(MeasurementEntry {
        instrument,
        total,
        items,
        date: past_date(date, "measurement date", today).map_err(field("date"))?,
    })
}

/// A validated acute event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventEntry {
    pub kind: EventKind,
    pub date: NaiveDate,
}

pub fn event(kind: &str, date: Option<&str>, today: NaiveDate) -> Result<EventEntry, Error> {
    Ok(EventEntry {
        kind: kind.parse().map_err(|e: Error| e.in_field("event"))?,
        date: past_date(date, "event date", today).map_err(|e: Error| e.in_field("date"))?,
    })
}

/// Who a piece of work is recorded for (SPEC section 6): the acting clinician, else the
/// client's primary clinician, else the practice's only clinician; otherwise someone must say.
pub fn worker(
    acting: Option<ClinicianId>,
    primary: Option<ClinicianId>,
    clinicians: &[ClinicianId],
    client: ClientId,
) -> Result<ClinicianId, Error> {
    if let Some(id) = acting.or(primary) {
        return Ok(id);
    }
    match clinicians {
        [only] => Ok(*only),
        [] => Err(Error::invalid(
            "there are no clinicians yet; add one with `caseload clinician add NAME`",
        )),
        _ => Err(Error::invalid(format!(
            "client {client} has no primary clinician; say who did the work with --as NAME"
        ))),
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;

    /// Each refusal of an entry says which field it is about, as the command line names it.
    #[test]
    fn a_refused_entry_names_its_field() {
        let today = crate::domain::parse_date("2026-11-23").unwrap();
        let field_of = |e: Error| match e {
            Error::Invalid { field, .. } => field,
            _ => None,
        };
        let bad = encounter("session", "completed", "1441", None, None, today).unwrap_err();
        assert_eq!(field_of(bad), Some("minutes"));
        let bad = encounter("sesion", "completed", "50", None, None, today).unwrap_err();
        assert_eq!(field_of(bad), Some("kind"));
        let bad = encounter(
            "session",
            "completed",
            "50",
            Some("2026-11-24"),
            None,
            today,
        );
        assert_eq!(field_of(bad.unwrap_err()), Some("date"));
        let bad = measurement("PHQ-9", Some("x"), None, None, today).unwrap_err();
        assert_eq!(field_of(bad), Some("total"));
        let bad = measurement("PHQ-9", None, Some("12"), None, today).unwrap_err();
        assert_eq!(field_of(bad), Some("items"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        parse_date("2026-11-23").unwrap()
    }

    #[test]
    fn unstated_minutes_are_the_kinds_usual_length_when_it_took_place() {
        use EncounterStatus::*;
        assert_eq!(usual_minutes(EncounterKind::Session, Completed), 50);
        assert_eq!(usual_minutes(EncounterKind::Phone, Completed), 15);
        assert_eq!(usual_minutes(EncounterKind::Intake, Completed), 60);
        assert_eq!(usual_minutes(EncounterKind::Session, NoShow), 0);
        assert_eq!(usual_minutes(EncounterKind::Session, Cancelled), 0);
    }

    #[test]
    fn encounters_validate_every_field() {
        let e = encounter("session", "completed", "50", None, Some(" ok "), today()).unwrap();
        assert_eq!(
            (e.kind, e.minutes, e.date, e.note.as_deref()),
            (EncounterKind::Session, 50, today(), Some("ok"))
        );
        assert!(
            encounter(
                "session",
                "completed",
                "50",
                Some("2026-11-24"),
                None,
                today()
            )
            .is_err()
        );
        assert!(
            encounter(
                "session",
                "completed",
                "50",
                Some("2026-11-23"),
                None,
                today()
            )
            .is_ok()
        );
        assert!(encounter("chat", "completed", "50", None, None, today()).is_err());
        assert!(encounter("session", "completed", "", None, None, today()).is_ok());
    }

    #[test]
    fn measurements_take_a_total_or_items() {
        let m = measurement("phq9", None, Some("111111111"), None, today()).unwrap();
        assert_eq!((m.total, m.items.as_ref().map(Vec::len)), (9, Some(9)));
        assert_eq!(
            measurement("gad7", Some("12"), None, None, today())
                .unwrap()
                .total,
            12
        );
        assert!(measurement("gad7", Some("22"), None, None, today()).is_err());
        assert!(
            measurement("gad7", None, None, None, today())
                .unwrap_err()
                .to_string()
                .contains("7 item")
        );
        assert!(measurement("gad7", Some("3"), Some("1,1,1,0,0,0,0"), None, today()).is_err());
    }

    #[test]
    fn work_goes_to_the_acting_then_primary_then_only_clinician() {
        let (a, b) = (ClinicianId(1), ClinicianId(2));
        let c = ClientId(9);
        assert_eq!(worker(Some(a), Some(b), &[a, b], c).unwrap(), a);
        assert_eq!(worker(None, Some(b), &[a, b], c).unwrap(), b);
        assert_eq!(worker(None, None, &[a], c).unwrap(), a);
        assert!(
            worker(None, None, &[a, b], c)
                .unwrap_err()
                .to_string()
                .contains("--as")
        );
        assert!(worker(None, None, &[], c).is_err());
    }

    #[test]
    fn events_are_dated_in_the_past() {
        assert_eq!(
            event("ed-visit", None, today()).unwrap().kind,
            EventKind::EdVisit
        );
        assert!(event("ed-visit", Some("2027-01-01"), today()).is_err());
    }
}
