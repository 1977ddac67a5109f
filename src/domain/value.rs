//! The value measures of SPEC section 7 as pure functions over facts gathered by the store:
//! access, engagement, outcomes, experience and post-discharge follow-up. Every rate is kept
//! as numerator and denominator; an empty denominator is "n/a", never 0% or NaN.
//!
//! Definitions (also in README.md):
//! - Access: clients whose first contact ever falls in the period; days from `since` to that
//!   first contact (median; mean of the two middle values when even); seen within 14 days.
//! - Engagement: show rate = completed of all contact-kind encounters dated in the period;
//!   contacted = active clients with a contact in the period, of all active clients.
//! - Outcomes: measured = active clients with any measurement in the period, of all active;
//!   among active clients with a PHQ-9 baseline ≥ 10 and a later PHQ-9 on or before the
//!   period's end, using the latest such: response (≤ 50% of baseline), remission (< 5),
//!   reliable improvement (baseline − latest ≥ 6) — figures from the instrument table.
//! - Experience: SRS totals dated in the period (mean to one decimal, count).
//! - Post-discharge: acute events dated in the period followed by a contact on D+1…D+7
//!   (resp. D+30); a contact on the event day itself does not count.

use super::Instrument;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::fmt;

/// A rate as numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Rate {
    pub n: i64,
    pub of: i64,
}

impl Rate {
    pub fn new(n: i64, of: i64) -> Rate {
        Rate { n, of }
    }

    /// The share in percent, `None` when the denominator is empty.
    pub fn percent(self) -> Option<f64> {
        (self.of > 0).then(|| self.n as f64 * 100.0 / self.of as f64)
    }
}

impl fmt::Display for Rate {
    /// "18 of 24, 75%", or "n/a" for an empty denominator.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.percent() {
            None => f.pad("n/a"),
            Some(p) => f.pad(&format!("{} of {}, {:.0}%", self.n, self.of, p)),
        }
    }
}

/// A reporting period, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The 90 days ending `today` (SPEC default).
    pub fn default_ending(today: NaiveDate) -> Period {
        Period {
            from: today - Duration::days(89),
            to: today,
        }
    }

    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of equal length that ends the day before this one starts.
    pub fn previous(self) -> Period {
        let to = self.from - Duration::days(1);
        Period {
            from: to - Duration::days(self.days() - 1),
            to,
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Access {
    pub first_seen: i64,
    pub median_days_to_first_contact: Option<f64>,
    pub seen_within_14: Rate,
}

/// `firsts`: (since, first contact) of each client whose first contact falls in the period.
pub fn access(firsts: &[(NaiveDate, NaiveDate)]) -> Access {
    let mut days: Vec<i64> = firsts
        .iter()
        // A contact before the client joined the panel (care that began before the payer's
        // attribution) is a wait of 0 days, never a negative one.
        .map(|(since, first)| (*first - *since).num_days().max(0))
        .collect();
    days.sort_unstable();
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2] as f64),
        n => Some((days[n / 2 - 1] + days[n / 2]) as f64 / 2.0),
    };
    Access {
        first_seen: days.len() as i64,
        median_days_to_first_contact: median,
        seen_within_14: Rate::new(
            days.iter().filter(|d| **d <= 14).count() as i64,
            days.len() as i64,
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Engagement {
    pub show_rate: Rate,
    pub contacted: Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Outcomes {
    pub measured: Rate,
    pub response: Rate,
    pub remission: Rate,
    pub reliable_improvement: Rate,
}

/// `pairs`: (baseline, latest) PHQ-9 of the clients in the outcome denominator (baseline ≥ 10
/// with a later PHQ-9 by the period's end). Clients with a lower baseline are ignored here.
pub fn outcomes(measured: Rate, pairs: &[(i64, i64)]) -> Outcomes {
    let def = Instrument::Phq9.def();
    let eligible: Vec<(i64, i64)> = pairs
        .iter()
        .copied()
        .filter(|(b, _)| def.at_caseness(*b))
        .collect();
    let of = eligible.len() as i64;
    let count = |f: &dyn Fn(i64, i64) -> Option<bool>| {
        eligible
            .iter()
            .filter(|(b, l)| f(*b, *l) == Some(true))
            .count() as i64
    };
    Outcomes {
        measured,
        response: Rate::new(count(&|b, l| def.response(b, l)), of),
        remission: Rate::new(count(&|b, l| def.remission(b, l)), of),
        reliable_improvement: Rate::new(count(&|b, l| def.reliable_improvement(b, l)), of),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Experience {
    pub srs_mean: Option<f64>,
    pub srs_count: i64,
}

/// SRS totals dated in the period; the mean is rounded to one decimal.
pub fn experience(totals: &[i64]) -> Experience {
    let count = totals.len() as i64;
    let mean = (count > 0).then(|| {
        let sum: i64 = totals.iter().sum();
        // Round half up at one decimal using integers: tenths = round(10 × sum / count).
        let tenths = (sum * 20 + count) / (2 * count);
        tenths as f64 / 10.0
    });
    Experience {
        srs_mean: mean,
        srs_count: count,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PostDischarge {
    pub events: i64,
    pub followed_7: Rate,
    pub followed_30: Rate,
}

/// `events`: for each event dated in the period, its date D and the first contact dated after
/// D (a contact on D itself does not count).
pub fn post_discharge(events: &[(NaiveDate, Option<NaiveDate>)]) -> PostDischarge {
    let of = events.len() as i64;
    let within = |days: i64| {
        events
            .iter()
            .filter(|(d, next)| next.is_some_and(|c| c > *d && (c - *d).num_days() <= days))
            .count() as i64
    };
    PostDischarge {
        events: of,
        followed_7: Rate::new(within(7), of),
        followed_30: Rate::new(within(30), of),
    }
}

/// The five measures for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ValueMeasures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub access: Access,
    pub engagement: Engagement,
    pub outcomes: Outcomes,
    pub experience: Experience,
    pub post_discharge: PostDischarge,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn rates_show_numerator_and_denominator_and_never_divide_by_zero() {
        assert_eq!(Rate::new(18, 24).to_string(), "18 of 24, 75%");
        assert_eq!(Rate::new(0, 0).to_string(), "n/a");
        assert_eq!(Rate::new(0, 0).percent(), None);
        assert_eq!(Rate::new(0, 3).to_string(), "0 of 3, 0%");
        assert_eq!(
            serde_json::to_string(&Rate::new(2, 3)).unwrap(),
            r#"{"n":2,"of":3}"#
        );
    }

    #[test]
    fn periods_and_their_predecessors() {
        let p = Period::default_ending(d("2026-06-29"));
        assert_eq!(p.from, d("2026-04-01"));
        assert_eq!(p.days(), 90);
        let prev = p.previous();
        assert_eq!((prev.from, prev.to), (d("2026-01-01"), d("2026-03-31")));
        assert_eq!(prev.days(), 90);
    }

    #[test]
    fn access_first_seen_on_day_14_counts_and_15_does_not() {
        let since = d("2026-05-01");
        let a = access(&[(since, d("2026-05-15")), (since, d("2026-05-16"))]);
        assert_eq!(a.first_seen, 2);
        assert_eq!(a.seen_within_14, Rate::new(1, 2));
        assert_eq!(
            a.median_days_to_first_contact,
            Some(14.5),
            "mean of the two middle values"
        );
        let odd = access(&[
            (since, d("2026-05-02")),
            (since, d("2026-05-10")),
            (since, d("2026-06-30")),
        ]);
        assert_eq!(odd.median_days_to_first_contact, Some(9.0));
        let before = access(&[(since, d("2026-04-25"))]);
        assert_eq!(
            before.median_days_to_first_contact,
            Some(0.0),
            "seen before joining: no wait"
        );
        let none = access(&[]);
        assert_eq!(
            (none.first_seen, none.median_days_to_first_contact),
            (0, None)
        );
        assert_eq!(none.seen_within_14.to_string(), "n/a");
    }

    #[test]
    fn outcomes_count_exactly_half_as_a_response() {
        let o = outcomes(
            Rate::new(3, 4),
            &[(20, 10), (20, 11), (10, 4), (9, 0), (15, 9)],
        );
        assert_eq!(
            o.response,
            Rate::new(2, 4),
            "20→10 (exactly 50%) and 10→4; 9 is below caseness"
        );
        assert_eq!(o.remission, Rate::new(1, 4), "only 10→4 is below 5");
        assert_eq!(
            o.reliable_improvement,
            Rate::new(4, 4),
            "20→10, 20→11, 10→4, 15→9 all improve by ≥ 6"
        );
        let empty = outcomes(Rate::new(0, 0), &[]);
        assert_eq!(empty.response.to_string(), "n/a");
    }

    #[test]
    fn srs_mean_to_one_decimal() {
        assert_eq!(experience(&[36, 37]).srs_mean, Some(36.5));
        assert_eq!(experience(&[36, 36, 37]).srs_mean, Some(36.3));
        assert_eq!(experience(&[35, 36, 36]).srs_mean, Some(35.7));
        assert_eq!(
            experience(&[]),
            Experience {
                srs_mean: None,
                srs_count: 0
            }
        );
    }

    #[test]
    fn follow_up_counts_from_the_day_after() {
        let ev = d("2026-06-09");
        let p = post_discharge(&[
            (ev, Some(d("2026-06-16"))), // day 7: both
            (ev, Some(d("2026-06-17"))), // day 8: 30 only
            (ev, None),                  // never
        ]);
        assert_eq!(p.events, 3);
        assert_eq!(p.followed_7, Rate::new(1, 3));
        assert_eq!(p.followed_30, Rate::new(2, 3));
        let same_day = post_discharge(&[(ev, Some(ev))]);
        assert_eq!(
            same_day.followed_7,
            Rate::new(0, 1),
            "the event day itself does not count"
        );
        let late = post_discharge(&[(ev, Some(d("2026-07-10")))]);
        assert_eq!(late.followed_30, Rate::new(0, 1), "day 31 is too late");
    }
}
