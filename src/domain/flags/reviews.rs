//! Acting on flags (SPEC section 11): a clinician's review of a flag. A safety or remission
//! review signs the flag off for the PHQ-9 that raised it (a later PHQ-9 raises it afresh); a
//! review of a warning snoozes it through a date (it returns the day after if its condition
//! still holds); post-discharge follow-up cannot be reviewed away, only a contact clears it.
//! Pure: which reviews exist, and the latest PHQ-9, are facts the store supplies.

use super::{Flag, FlagKind};
use crate::error::Error;
use chrono::NaiveDate;
use serde::Serialize;

/// The longest snooze, in days after the review date.
pub const MAX_SNOOZE_DAYS: i64 = 90;

/// A review on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    #[serde(skip)]
    pub kind: FlagKind,
    pub date: NaiveDate,
    pub by: String,
    pub note: String,
    /// A snooze's last silent day; `None` for a sign-off.
    pub until: Option<NaiveDate>,
    /// The PHQ-9 a sign-off is for.
    #[serde(skip)]
    pub measurement_id: Option<i64>,
}

/// How a kind of flag is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    /// Signed off for the latest PHQ-9 on or before the review date.
    SignOff,
    /// Silent through `--until`.
    Snooze,
}

/// How `kind` is reviewed; post-discharge follow-up is refused.
pub fn how(kind: FlagKind) -> Result<Reviewed, Error> {
    match kind {
        FlagKind::Safety | FlagKind::Remission => Ok(Reviewed::SignOff),
        FlagKind::PostDischarge => Err(Error::invalid(
            "post-discharge follow-up cannot be reviewed away: only a contact after the \
             discharge clears it (log one with `caseload log`)",
        )),
        _ => Ok(Reviewed::Snooze),
    }
}

/// Checks a review's dates: a snooze needs `until`, from the review date to 90 days after it; a
/// sign-off takes none.
pub fn check(kind: FlagKind, date: NaiveDate, until: Option<NaiveDate>) -> Result<(), Error> {
    match (how(kind)?, until) {
        (Reviewed::SignOff, None) => Ok(()),
        (Reviewed::SignOff, Some(_)) => Err(Error::invalid(format!(
            "a {kind} review holds for the PHQ-9 it was made for, not until a date; leave out --until"
        ))),
        (Reviewed::Snooze, None) => Err(Error::invalid(format!(
            "say until when the {kind} flag should stay silent (--until DATE, at most \
             {MAX_SNOOZE_DAYS} days ahead)"
        ))),
        (Reviewed::Snooze, Some(until)) => {
            let days = (until - date).num_days();
            if days < 0 {
                Err(Error::invalid(format!(
                    "--until {until} is before the review date {date}"
                )))
            } else if days > MAX_SNOOZE_DAYS {
                Err(Error::invalid(format!(
                    "--until {until} is {days} days after the review; a snooze lasts at most \
                     {MAX_SNOOZE_DAYS} days (review again then)"
                )))
            } else {
                Ok(())
            }
        }
    }
}

/// The review that silences `flag` today, if any: for a sign-off, one made for the latest
/// PHQ-9 (`latest_phq9`); for a snooze, one dated on or before today whose `until` is today or
/// later.
pub fn silencing<'a>(
    flag: &Flag,
    reviews: &'a [Review],
    latest_phq9: Option<i64>,
    today: NaiveDate,
) -> Option<&'a Review> {
    let how = how(flag.kind).ok()?;
    reviews
        .iter()
        .filter(|r| r.kind == flag.kind && r.date <= today)
        .filter(|r| match how {
            Reviewed::SignOff => latest_phq9.is_some() && r.measurement_id == latest_phq9,
            Reviewed::Snooze => r.until.is_some_and(|u| today <= u),
        })
        .max_by_key(|r| r.date)
}

/// The flags that still call for attention, and those a review has silenced (with it).
pub fn split(
    flags: Vec<Flag>,
    reviews: &[Review],
    latest_phq9: Option<i64>,
    today: NaiveDate,
) -> (Vec<Flag>, Vec<(Flag, Review)>) {
    let mut live = Vec::with_capacity(flags.len());
    let mut silenced = Vec::new();
    for flag in flags {
        match silencing(&flag, reviews, latest_phq9, today) {
            Some(r) => silenced.push((flag, r.clone())),
            None => live.push(flag),
        }
    }
    (live, silenced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn flag(kind: FlagKind) -> Flag {
        Flag {
            kind,
            severity: kind.severity(),
            due: None,
            days_overdue: 0,
            reason: String::new(),
        }
    }

    fn review(kind: FlagKind, date: &str, until: Option<&str>, measurement: Option<i64>) -> Review {
        Review {
            kind,
            date: d(date),
            by: "Dana".into(),
            note: "seen".into(),
            until: until.map(d),
            measurement_id: measurement,
        }
    }

    #[test]
    fn a_safety_sign_off_holds_only_for_the_phq9_it_was_made_for() {
        let reviews = [review(FlagKind::Safety, "2026-11-20", None, Some(7))];
        let f = flag(FlagKind::Safety);
        assert!(silencing(&f, &reviews, Some(7), d("2026-11-20")).is_some());
        assert!(silencing(&f, &reviews, Some(7), d("2027-06-01")).is_some());
        // A later PHQ-9 (with item 9 ≥ 1, or the flag would not fire) raises it again.
        assert!(silencing(&f, &reviews, Some(9), d("2026-11-21")).is_none());
        // A review dated after today does not count yet (seeing the practice as of an earlier day).
        assert!(silencing(&f, &reviews, Some(7), d("2026-11-19")).is_none());
        // It signs off safety, not remission.
        assert!(
            silencing(
                &flag(FlagKind::Remission),
                &reviews,
                Some(7),
                d("2026-11-20")
            )
            .is_none()
        );
    }

    #[test]
    fn a_snooze_is_silent_through_its_day_and_returns_the_day_after() {
        let reviews = [review(
            FlagKind::NotImproving,
            "2026-11-01",
            Some("2026-11-30"),
            None,
        )];
        let f = flag(FlagKind::NotImproving);
        assert!(silencing(&f, &reviews, None, d("2026-10-31")).is_none());
        assert!(silencing(&f, &reviews, None, d("2026-11-01")).is_some());
        assert!(silencing(&f, &reviews, None, d("2026-11-30")).is_some());
        assert!(silencing(&f, &reviews, None, d("2026-12-01")).is_none());
        let (live, silenced) = split(
            vec![flag(FlagKind::NotImproving), flag(FlagKind::ContactOverdue)],
            &reviews,
            None,
            d("2026-11-15"),
        );
        assert_eq!(live, vec![flag(FlagKind::ContactOverdue)]);
        assert_eq!(silenced.len(), 1);
    }

    #[test]
    fn review_dates_are_checked() {
        let day = d("2026-11-23");
        assert!(check(FlagKind::Safety, day, None).is_ok());
        assert!(check(FlagKind::Safety, day, Some(day)).is_err());
        assert!(check(FlagKind::Disengaged, day, None).is_err());
        assert!(check(FlagKind::Disengaged, day, Some(d("2027-02-21"))).is_ok());
        assert!(check(FlagKind::Disengaged, day, Some(d("2027-02-22"))).is_err());
        assert!(check(FlagKind::Disengaged, day, Some(d("2026-11-22"))).is_err());
        assert!(check(FlagKind::PostDischarge, day, None).is_err());
    }
}
