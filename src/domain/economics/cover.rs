//! Which days capitation pays for (SPEC section 5, read day by day), so that time and member
//! months can be set against each other over any period, not only whole months. Under
//! `first-of-month` a month is paid whole when its 1st is attributed; under `daily`, each day
//! attributed is paid. A period that holds part of a month holds that part of the month's
//! member month (by days). Pure: no clock, no SQL.

use super::exact::MemberMonths;
use crate::domain::{Month, Proration};
use chrono::{Datelike, NaiveDate};

/// A run of days, both ends included.
pub type Days = (NaiveDate, NaiveDate);

/// The days from `from` to `to` that one capitation attribution (`start` to `end`, both
/// inclusive; `None` = open) pays for: one run, or none. `first-of-month`: from the 1st of the
/// first month whose 1st is attributed to the end of the month `end` falls in; `mid-month`: from
/// the 1st of the first month whose 15th is attributed to the end of the last such month;
/// `daily`: the days attributed.
pub fn paid_days(
    proration: Proration,
    start: NaiveDate,
    end: Option<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<Days> {
    let (first, last) = match proration {
        Proration::Daily => (start, end),
        Proration::FirstOfMonth => {
            let month = Month::of(start);
            let first = if start == month.first_day() {
                start
            } else {
                month.next().first_day()
            };
            (first, end.map(|e| Month::of(e).last_day()))
        }
        // A month is paid whole when its 15th is attributed.
        Proration::MidMonth => {
            let month = Month::of(start);
            let first = if start.day() <= 15 {
                month.first_day()
            } else {
                month.next().first_day()
            };
            let last = end.map(|e| {
                let month = Month::of(e);
                if e.day() >= 15 {
                    month.last_day()
                } else {
                    month.first_day() - chrono::Duration::days(1)
                }
            });
            (first, last)
        }
    };
    let lo = first.max(from);
    let hi = last.map_or(to, |l| l.min(to));
    (lo <= hi).then_some((lo, hi))
}

/// The runs merged into the fewest disjoint runs, in date order (days paid twice, by two
/// attributions at once, count once).
pub fn merge(mut runs: Vec<Days>) -> Vec<Days> {
    runs.sort_unstable();
    let mut merged: Vec<Days> = Vec::with_capacity(runs.len());
    for (lo, hi) in runs {
        match merged.last_mut() {
            Some(last) if last.1.succ_opt().is_some_and(|next| lo <= next) => {
                last.1 = last.1.max(hi);
            }
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Member months of disjoint runs of days: each day is 1 / (days in its month).
pub fn member_months_of(runs: &[Days]) -> MemberMonths {
    let mut total = MemberMonths::ZERO;
    for &(lo, hi) in runs {
        for month in Month::of(lo).through(Month::of(hi)) {
            let a = lo.max(month.first_day());
            let b = hi.min(month.last_day());
            if a <= b {
                total += MemberMonths::days_of((b - a).num_days() + 1, month.days());
            }
        }
    }
    total
}

/// Whether `day` falls in one of the runs (disjoint, in date order).
pub fn covers(runs: &[Days], day: NaiveDate) -> bool {
    let i = runs.partition_point(|(_, hi)| *hi < day);
    runs.get(i).is_some_and(|(lo, _)| *lo <= day)
}

#[cfg(test)]
mod tests {
    use super::super::member_months;
    use super::*;
    use crate::domain::{parse_date, parse_month};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    const FOM: Proration = Proration::FirstOfMonth;
    const DAILY: Proration = Proration::Daily;

    #[test]
    fn first_of_month_pays_whole_months_whose_first_is_attributed() {
        let year = (d("2026-01-01"), d("2026-12-31"));
        // From the 2nd: March is not paid, April on is; ending 10 May pays all of May.
        assert_eq!(
            paid_days(FOM, d("2026-03-02"), Some(d("2026-05-10")), year.0, year.1),
            Some((d("2026-04-01"), d("2026-05-31")))
        );
        assert_eq!(
            paid_days(FOM, d("2026-03-01"), None, year.0, year.1),
            Some((d("2026-03-01"), d("2026-12-31")))
        );
        // Attributed 2–20 March: no 1st, nothing paid.
        assert_eq!(
            paid_days(FOM, d("2026-03-02"), Some(d("2026-03-20")), year.0, year.1),
            None
        );
        // An attribution that ended before the period can still pay for the period's start.
        assert_eq!(
            paid_days(
                FOM,
                d("2026-07-01"),
                Some(d("2026-08-20")),
                d("2026-08-26"),
                d("2026-11-23")
            ),
            Some((d("2026-08-26"), d("2026-08-31")))
        );
        assert_eq!(
            paid_days(
                DAILY,
                d("2026-07-01"),
                Some(d("2026-08-20")),
                d("2026-08-26"),
                d("2026-11-23")
            ),
            None
        );
    }

    #[test]
    fn over_whole_months_the_paid_days_are_the_member_months() {
        let months = parse_month("2025-11")
            .unwrap()
            .through(parse_month("2026-04").unwrap());
        let (from, to) = (months[0].first_day(), months[5].last_day());
        for proration in [FOM, DAILY] {
            for (start, end) in [
                ("2025-10-15", None),
                ("2025-11-01", Some("2026-02-01")),
                ("2025-12-17", Some("2026-02-13")),
                ("2026-02-28", Some("2026-03-01")),
                ("2026-04-30", None),
            ] {
                let (start, end) = (d(start), end.map(d));
                let expected = months.iter().fold(MemberMonths::ZERO, |t, m| {
                    t + member_months(proration, start, end, *m)
                });
                let paid: Vec<Days> = paid_days(proration, start, end, from, to)
                    .into_iter()
                    .collect();
                assert_eq!(
                    member_months_of(&paid),
                    expected,
                    "{proration:?} {start} {end:?}"
                );
            }
        }
    }

    #[test]
    fn part_of_a_month_is_that_part_of_its_member_month() {
        // 23 of November's 30 days; 15 of February's 28.
        let nov = member_months_of(&[(d("2026-11-01"), d("2026-11-23"))]);
        assert_eq!(nov, MemberMonths::days_of(23, 30));
        let both = member_months_of(&[(d("2026-01-17"), d("2026-02-15"))]);
        assert_eq!(
            both,
            MemberMonths::days_of(15, 31) + MemberMonths::days_of(15, 28)
        );
    }

    #[test]
    fn overlapping_attributions_pay_each_day_once() {
        let runs = merge(vec![
            (d("2026-03-10"), d("2026-03-31")),
            (d("2026-03-01"), d("2026-03-15")),
            (d("2026-04-01"), d("2026-04-05")), // adjacent: joins
            (d("2026-05-01"), d("2026-05-02")),
        ]);
        assert_eq!(
            runs,
            vec![
                (d("2026-03-01"), d("2026-04-05")),
                (d("2026-05-01"), d("2026-05-02"))
            ]
        );
        assert!(covers(&runs, d("2026-03-01")) && covers(&runs, d("2026-04-05")));
        assert!(!covers(&runs, d("2026-04-06")) && !covers(&runs, d("2026-02-28")));
        assert!(covers(&runs, d("2026-05-02")) && !covers(&runs, d("2026-05-03")));
        assert!(!covers(&[], d("2026-05-03")));
    }
}
