//! Dates and calendar months as the SPEC writes them (`YYYY-MM-DD`, `YYYY-MM`), parsed strictly.

use crate::error::Error;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;

/// Parses a `YYYY-MM-DD` date; an impossible date such as 2026-02-30 is refused by name.
pub fn parse_date(text: &str) -> Result<NaiveDate, Error> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(Error::invalid(format!(
            "'{}' is not a date (use YYYY-MM-DD)",
            super::text::sanitize(text)
        )));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::invalid(format!("{text} is not a real date")))
}

/// The earliest year a record or a date of birth may carry: nothing in a practice is older.
pub const EARLIEST_YEAR: i32 = 1900;
/// How far ahead of today a planned record (an attribution's end, a rate from) may be dated.
pub const YEARS_AHEAD: i32 = 2;

fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).expect("a real date")
}

/// Two years after `today` (28 February when today is a 29 February).
pub fn latest_record_date(today: NaiveDate) -> NaiveDate {
    today
        .with_year(today.year() + YEARS_AHEAD)
        .or_else(|| NaiveDate::from_ymd_opt(today.year() + YEARS_AHEAD, 2, 28))
        .unwrap_or(today)
}

/// A record's date (`what` names it): 1900-01-01 through two years after today.
pub fn record_date(date: NaiveDate, what: &str, today: NaiveDate) -> Result<NaiveDate, Error> {
    if date < earliest() {
        return Err(Error::invalid(format!(
            "{what} {date} is before {EARLIEST_YEAR}; check the year"
        )));
    }
    let latest = latest_record_date(today);
    if date > latest {
        return Err(Error::invalid(format!(
            "{what} {date} is more than {YEARS_AHEAD} years ahead (the latest is {latest}); \
             check the year"
        )));
    }
    Ok(date)
}

/// A date of birth: 1900-01-01 through today.
pub fn birth_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Error> {
    if date < earliest() {
        return Err(Error::invalid(format!(
            "date of birth {date} is before {EARLIEST_YEAR}; check the year"
        )));
    }
    if date > today {
        return Err(Error::invalid(format!(
            "date of birth {date} is in the future"
        )));
    }
    Ok(date)
}

/// Whole days from `from` to `to` (negative when `to` is earlier): the SPEC's "today − X".
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// January of `today`'s year through `today`'s month: the period a contract's report
    /// covers unless told otherwise (`report contract` and the TUI's contracts view).
    pub fn year_so_far(today: NaiveDate) -> (Month, Month) {
        let to = Month::of(today);
        (
            Month {
                year: to.year,
                month: 1,
            },
            to,
        )
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month is 1-12")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    pub fn days(self) -> i64 {
        days_between(self.first_day(), self.next().first_day())
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Months from `self` to `end`, both included (empty when `end` is earlier).
    pub fn through(self, end: Month) -> Vec<Month> {
        let mut months = Vec::new();
        let mut m = self;
        while m <= end {
            months.push(m);
            m = m.next();
        }
        months
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses a `YYYY-MM` month.
pub fn parse_month(text: &str) -> Result<Month, Error> {
    let text = text.trim();
    let bad = || {
        Error::invalid(format!(
            "'{}' is not a month (use YYYY-MM)",
            super::text::sanitize(text)
        ))
    };
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_year_so_far_runs_from_january_to_this_month() {
        let m = |y, n| Month::new(y, n).unwrap();
        assert_eq!(
            Month::year_so_far(d("2026-01-01")),
            (m(2026, 1), m(2026, 1))
        );
        assert_eq!(
            Month::year_so_far(d("2026-11-23")),
            (m(2026, 1), m(2026, 11))
        );
        assert_eq!(
            Month::year_so_far(d("2026-12-31")),
            (m(2026, 1), m(2026, 12))
        );
    }

    #[test]
    fn record_dates_run_from_1900_to_two_years_ahead() {
        let today = d("2026-12-01");
        assert!(record_date(d("1899-12-31"), "x", today).is_err());
        assert!(record_date(d("1900-01-01"), "x", today).is_ok());
        assert!(record_date(d("2028-12-01"), "x", today).is_ok());
        let e = record_date(d("2028-12-02"), "end date", today).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("end date 2028-12-02 is more than 2 years"),
            "{e}"
        );
        assert!(record_date(d("0000-01-01"), "x", today).is_err());
        assert_eq!(latest_record_date(d("2028-02-29")), d("2030-02-28"));
    }

    #[test]
    fn a_birth_date_is_from_1900_to_today() {
        let today = d("2026-12-01");
        assert!(birth_date(d("1899-12-31"), today).is_err());
        assert!(birth_date(d("1900-01-01"), today).is_ok());
        assert!(birth_date(d("2026-12-01"), today).is_ok());
        assert!(birth_date(d("2026-12-02"), today).is_err());
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            d("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert_eq!(
            parse_date("2026-02-30").unwrap_err().to_string(),
            "2026-02-30 is not a real date"
        );
        assert!(parse_date("2026-2-3").is_err());
        assert!(parse_date("26-02-03").is_err());
        assert!(parse_date("2026/02/03").is_err());
        assert!(parse_date("").is_err());
    }

    #[test]
    fn months_know_their_length() {
        assert_eq!(parse_month("2024-02").unwrap().days(), 29);
        assert_eq!(parse_month("2026-02").unwrap().days(), 28);
        assert_eq!(
            parse_month("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(
            parse_month("2026-01").unwrap().prev().to_string(),
            "2025-12"
        );
        assert_eq!(parse_month("2026-04").unwrap().last_day(), d("2026-04-30"));
        assert!(parse_month("2026-13").is_err());
        assert!(parse_month("2026-1").is_err());
        let span = parse_month("2025-11")
            .unwrap()
            .through(parse_month("2026-02").unwrap());
        assert_eq!(span.len(), 4);
    }

    #[test]
    fn days_between_is_signed() {
        assert_eq!(days_between(d("2026-01-01"), d("2026-01-15")), 14);
        assert_eq!(days_between(d("2026-01-15"), d("2026-01-01")), -14);
    }
}
