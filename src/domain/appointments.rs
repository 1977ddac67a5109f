//! Appointments (SPEC section 10): the state an appointment is in on a given today, computed
//! from what was logged that day (never stored), the dates of a series, and the wall-clock
//! time. Pure: the store supplies what was logged.

use super::{ClientId, ClinicianId, EncounterKind};
use crate::error::Error;
use chrono::{Duration, NaiveDate, NaiveTime};
use serde::Serialize;
use std::fmt;

/// An appointment as `appointments --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub id: i64,
    pub client_id: ClientId,
    pub name: String,
    pub clinician: String,
    #[serde(skip)]
    pub clinician_id: ClinicianId,
    pub date: NaiveDate,
    pub time: Option<String>,
    pub kind: EncounterKind,
    pub minutes: i64,
    pub state: AppointmentState,
}

/// Longest gap between the appointments of a series, in days.
pub const MAX_EVERY_DAYS: i64 = 90;
/// Most appointments one `book` may make.
pub const MAX_SERIES: usize = 104;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppointmentState {
    Booked,
    Kept,
    NoShow,
    Unlogged,
    Cancelled,
}

impl AppointmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentState::Booked => "booked",
            AppointmentState::Kept => "kept",
            AppointmentState::NoShow => "no-show",
            AppointmentState::Unlogged => "unlogged",
            AppointmentState::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for AppointmentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What was logged for the client on the appointment's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoggedThatDay {
    /// A completed contact.
    pub contact: bool,
    /// A contact-kind encounter with status no-show or cancelled.
    pub missed: bool,
}

/// The state on `today`: cancelled; else kept (a completed contact that day); else no-show (a
/// missed contact-kind encounter that day); else booked (the day is today or later); else
/// unlogged (the day has passed and nothing was logged for it).
pub fn state(
    day: NaiveDate,
    cancelled: bool,
    logged: LoggedThatDay,
    today: NaiveDate,
) -> AppointmentState {
    if cancelled {
        AppointmentState::Cancelled
    } else if logged.contact {
        AppointmentState::Kept
    } else if logged.missed {
        AppointmentState::NoShow
    } else if day >= today {
        AppointmentState::Booked
    } else {
        AppointmentState::Unlogged
    }
}

/// `HH:MM`, 00:00–23:59.
pub fn parse_time(text: &str) -> Result<String, Error> {
    let t = text.trim();
    let ok =
        t.len() == 5 && t.as_bytes()[2] == b':' && NaiveTime::parse_from_str(t, "%H:%M").is_ok();
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::invalid(format!(
            "'{}' is not a time (use HH:MM, e.g. 14:30)",
            super::text::sanitize(t)
        )))
    }
}

/// A day that may be booked: today or later, and not absurdly far ahead. `what` names the
/// date in the message ("the appointment date", "--until").
pub fn bookable(day: NaiveDate, what: &str, today: NaiveDate) -> Result<NaiveDate, Error> {
    let day = super::dates::record_date(day, what, today)?;
    if day < today {
        return Err(Error::invalid(format!(
            "{what} {day} has passed (today is {today}); log what happened with `caseload log`"
        )));
    }
    Ok(day)
}

/// An appointment is for a contact: the kinds in which the client is reached.
pub fn contact_kind(kind: EncounterKind) -> Result<EncounterKind, Error> {
    if kind.is_contact_kind() {
        Ok(kind)
    } else {
        Err(Error::invalid(format!(
            "an appointment is a contact; {kind} is not one (session, telehealth, phone, intake, \
             group, family or crisis)"
        )))
    }
}

/// How a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesEnd {
    Count(usize),
    Until(NaiveDate),
}

/// The days of a booking: `first` alone, or every `every` days (1–90) from `first` for `count`
/// appointments or through `until` (at most 104 in all). Refused with the reason otherwise.
pub fn series(
    first: NaiveDate,
    every: Option<i64>,
    end: Option<SeriesEnd>,
) -> Result<Vec<NaiveDate>, Error> {
    let Some(every) = every else {
        if end.is_some() {
            return Err(Error::invalid("--count and --until need --every DAYS"));
        }
        return Ok(vec![first]);
    };
    if !(1..=MAX_EVERY_DAYS).contains(&every) {
        return Err(Error::invalid(format!(
            "--every must be 1 to {MAX_EVERY_DAYS} days, got {every}"
        )));
    }
    let days: Vec<NaiveDate> = match end {
        None => return Err(Error::invalid("a series needs --count N or --until DATE")),
        Some(SeriesEnd::Count(n)) => {
            if n == 0 || n > MAX_SERIES {
                return Err(Error::invalid(format!(
                    "--count must be 1 to {MAX_SERIES}, got {n}"
                )));
            }
            (0..n as i64)
                .map(|i| first + Duration::days(i * every))
                .collect()
        }
        Some(SeriesEnd::Until(until)) => {
            if until < first {
                return Err(Error::invalid(format!(
                    "--until {until} is before the first appointment ({first})"
                )));
            }
            let n = ((until - first).num_days() / every + 1) as usize;
            if n > MAX_SERIES {
                return Err(Error::invalid(format!(
                    "that series would book {n} appointments; at most {MAX_SERIES} at once"
                )));
            }
            (0..n as i64)
                .map(|i| first + Duration::days(i * every))
                .collect()
        }
    };
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn an_appointments_state_at_its_boundaries() {
        let day = d("2026-11-23");
        let nothing = LoggedThatDay::default();
        let kept = LoggedThatDay {
            contact: true,
            missed: false,
        };
        let missed = LoggedThatDay {
            contact: false,
            missed: true,
        };
        use AppointmentState::*;
        // The day before and the day itself: booked while nothing is logged.
        assert_eq!(state(day, false, nothing, d("2026-11-22")), Booked);
        assert_eq!(state(day, false, nothing, day), Booked);
        // The day after with nothing logged: unlogged.
        assert_eq!(state(day, false, nothing, d("2026-11-24")), Unlogged);
        // A completed contact that day keeps it, even beside a no-show; a no-show alone.
        assert_eq!(state(day, false, kept, day), Kept);
        assert_eq!(
            state(
                day,
                false,
                LoggedThatDay {
                    contact: true,
                    missed: true
                },
                day
            ),
            Kept
        );
        assert_eq!(state(day, false, missed, day), NoShow);
        assert_eq!(state(day, false, missed, d("2026-12-24")), NoShow);
        // Cancelled whatever was logged.
        assert_eq!(state(day, true, kept, day), Cancelled);
    }

    #[test]
    fn series_by_count_and_until() {
        let first = d("2026-11-23");
        assert_eq!(series(first, None, None).unwrap(), vec![first]);
        let weekly = series(first, Some(7), Some(SeriesEnd::Count(3))).unwrap();
        assert_eq!(weekly, vec![first, d("2026-11-30"), d("2026-12-07")]);
        // --until includes its own day when the series lands on it.
        let until = series(first, Some(7), Some(SeriesEnd::Until(d("2026-12-07")))).unwrap();
        assert_eq!(until.len(), 3);
        let until = series(first, Some(7), Some(SeriesEnd::Until(d("2026-12-06")))).unwrap();
        assert_eq!(until.len(), 2);
        assert!(series(first, Some(0), Some(SeriesEnd::Count(2))).is_err());
        assert!(series(first, Some(91), Some(SeriesEnd::Count(2))).is_err());
        assert!(series(first, Some(1), Some(SeriesEnd::Count(105))).is_err());
        assert!(series(first, Some(1), Some(SeriesEnd::Count(104))).is_ok());
        assert!(series(first, Some(1), Some(SeriesEnd::Until(d("2027-03-07")))).is_err());
        assert!(series(first, Some(7), None).is_err());
        assert!(series(first, None, Some(SeriesEnd::Count(2))).is_err());
    }

    #[test]
    fn only_today_or_later_may_be_booked_and_only_for_a_contact() {
        let today = d("2026-11-23");
        assert_eq!(bookable(today, "the date", today).unwrap(), today);
        let e = bookable(d("2026-11-22"), "the date", today).unwrap_err();
        assert!(e.to_string().contains("has passed"), "{e}");
        assert!(bookable(d("2099-01-01"), "the date", today).is_err());
        assert!(contact_kind(EncounterKind::Telehealth).is_ok());
        let e = contact_kind(EncounterKind::Documentation).unwrap_err();
        assert!(e.to_string().contains("is not one"), "{e}");
    }

    #[test]
    fn times_are_wall_clock_hours_and_minutes() {
        assert_eq!(parse_time("09:30").unwrap(), "09:30");
        assert!(parse_time("9:30").is_err());
        assert!(parse_time("24:00").is_err());
        assert!(parse_time("12:60").is_err());
    }
}
