//! Quality targets and the withhold's earn-back (SPEC section 12): which measures a payer may
//! set a target on, when a target is met, how much of the withhold comes back, and how many
//! more clients an unmet target needs. Pure: the measures arrive computed (SPEC section 7's, by
//! `domain::value`), the withhold as the revenue report rounds it.

use super::economics::round_half_away;
use super::value::{Rate, ValueMeasures};
use super::{Money, Percent};
use crate::error::Error;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A value measure a target can be set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    SeenWithin14,
    ShowRate,
    Contacted,
    Measured,
    Response,
    Remission,
    ReliableImprovement,
    Followed7,
    Followed30,
}

impl Measure {
    pub const ALL: [Measure; 9] = [
        Measure::SeenWithin14,
        Measure::ShowRate,
        Measure::Contacted,
        Measure::Measured,
        Measure::Response,
        Measure::Remission,
        Measure::ReliableImprovement,
        Measure::Followed7,
        Measure::Followed30,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::SeenWithin14 => "seen_within_14",
            Measure::ShowRate => "show_rate",
            Measure::Contacted => "contacted",
            Measure::Measured => "measured",
            Measure::Response => "response",
            Measure::Remission => "remission",
            Measure::ReliableImprovement => "reliable_improvement",
            Measure::Followed7 => "followed_7",
            Measure::Followed30 => "followed_30",
        }
    }

    /// The section of the value report the measure belongs to.
    pub fn section(self) -> &'static str {
        match self {
            Measure::SeenWithin14 => "Access",
            Measure::ShowRate | Measure::Contacted => "Engagement",
            Measure::Measured
            | Measure::Response
            | Measure::Remission
            | Measure::ReliableImprovement => "Outcomes",
            Measure::Followed7 | Measure::Followed30 => "Follow-up",
        }
    }

    /// The measure's name in reports.
    pub fn label(self) -> &'static str {
        match self {
            Measure::SeenWithin14 => "seen within 14 days",
            Measure::ShowRate => "show rate",
            Measure::Contacted => "clients contacted",
            Measure::Measured => "clients measured",
            Measure::Response => "PHQ-9 response",
            Measure::Remission => "PHQ-9 remission",
            Measure::ReliableImprovement => "reliable improvement",
            Measure::Followed7 => "within 7 days",
            Measure::Followed30 => "within 30 days",
        }
    }

    /// The measure's name where no section heads it (a contract's targets): the label, with
    /// the follow-up measures saying what follows.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Followed7 => "7-day follow-up",
            Measure::Followed30 => "30-day follow-up",
            other => other.label(),
        }
    }

    /// What the measure counts, in plain words (the report's definitions).
    pub fn definition(self) -> &'static str {
        match self {
            Measure::SeenWithin14 => {
                "Of the clients whose first contact ever fell in the period, those first seen \
                 within 14 days of joining the panel."
            }
            Measure::ShowRate => {
                "Of the sessions, calls and other contacts scheduled in the period, those that \
                 took place (rather than a no-show or a cancellation)."
            }
            Measure::Contacted => "Of the active clients, those with a contact in the period.",
            Measure::Measured => {
                "Of the active clients, those with an outcome measurement (PHQ-9, GAD-7, PCL-5, \
                 AUDIT-C, ORS or SRS) in the period."
            }
            Measure::Response => {
                "Of the active clients who began with a PHQ-9 of 10 or more and were measured \
                 again, those whose latest PHQ-9 is at most half the first."
            }
            Measure::Remission => "Of the same clients, those whose latest PHQ-9 is below 5.",
            Measure::ReliableImprovement => {
                "Of the same clients, those whose PHQ-9 fell by 6 points or more: a change larger \
                 than the questionnaire's own measurement error."
            }
            Measure::Followed7 => {
                "Of the hospital discharges and emergency visits in the period, those followed by \
                 a contact within 7 days (the day of the event itself does not count)."
            }
            Measure::Followed30 => "The same, within 30 days.",
        }
    }

    /// What the numerator counts, for "2 more … would meet it".
    pub fn counted(self) -> &'static str {
        match self {
            Measure::SeenWithin14 => "seen within 14 days",
            Measure::ShowRate => "kept appointments",
            Measure::Contacted => "contacted",
            Measure::Measured => "measured",
            Measure::Response => "responding",
            Measure::Remission => "in remission",
            Measure::ReliableImprovement => "reliably improved",
            Measure::Followed7 => "followed up within 7 days",
            Measure::Followed30 => "followed up within 30 days",
        }
    }

    /// This measure's rate among the measures of a period.
    pub fn of(self, m: &ValueMeasures) -> Rate {
        match self {
            Measure::SeenWithin14 => m.access.seen_within_14,
            Measure::ShowRate => m.engagement.show_rate,
            Measure::Contacted => m.engagement.contacted,
            Measure::Measured => m.outcomes.measured,
            Measure::Response => m.outcomes.response,
            Measure::Remission => m.outcomes.remission,
            Measure::ReliableImprovement => m.outcomes.reliable_improvement,
            Measure::Followed7 => m.post_discharge.followed_7,
            Measure::Followed30 => m.post_discharge.followed_30,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Measure {
    type Err = Error;
    fn from_str(s: &str) -> Result<Measure, Error> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
                Error::invalid(format!(
                    "'{}' is not a measure a target can be set on ({})",
                    super::text::sanitize(s),
                    known.join(", ")
                ))
            })
    }
}

/// A payer's quality target on one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    pub measure: Measure,
    /// The share to reach, in basis points (7500 = 75%).
    pub at_least: Percent,
    /// 1–100: the target's part in the earn-back.
    pub weight: i64,
}

/// A weight is a whole number from 1 to 100.
pub fn weight(text: &str) -> Result<i64, Error> {
    match text.trim().parse::<i64>() {
        Ok(w) if (1..=100).contains(&w) => Ok(w),
        _ => Err(Error::invalid(format!(
            "weight '{}' must be a whole number from 1 to 100",
            super::text::sanitize(text.trim())
        ))),
    }
}

/// A target against the measure's rate over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetResult {
    pub target: Target,
    pub rate: Rate,
    /// Met when n / of × 100 ≥ the target; `None` when the denominator is empty.
    pub met: Option<bool>,
    /// For an unmet target: how many more in the numerator (of the same denominator) meet it.
    pub more_needed: Option<i64>,
}

/// Met when n/of × 100 ≥ PCT (exactly, in integers), `None` for an empty denominator.
pub fn is_met(rate: Rate, at_least: Percent) -> Option<bool> {
    (rate.of > 0).then(|| rate.n * 10_000 >= at_least.basis_points() * rate.of)
}

/// The fewest more in the numerator that would meet the target: ⌈PCT × of / 100⌉ − n.
pub fn more_needed(rate: Rate, at_least: Percent) -> Option<i64> {
    match is_met(rate, at_least) {
        Some(false) => {
            let needed = (at_least.basis_points() * rate.of + 9_999) / 10_000;
            Some((needed - rate.n).max(1))
        }
        _ => None,
    }
}

pub fn result(target: Target, rate: Rate) -> TargetResult {
    TargetResult {
        target,
        rate,
        met: is_met(rate, target.at_least),
        more_needed: more_needed(rate, target.at_least),
    }
}

/// What comes back of the withhold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EarnBack {
    pub withhold: Money,
    pub earn_back: Money,
    pub at_risk: Money,
}

/// withhold × (weights met) / (weights with a non-empty denominator), rounded half-up once;
/// nothing when no target applies. At risk is the rest.
pub fn earn_back(withhold: Money, results: &[TargetResult]) -> EarnBack {
    let weights = |keep: &dyn Fn(&TargetResult) -> bool| -> i64 {
        results
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.target.weight)
            .sum()
    };
    let applicable = weights(&|r| r.met.is_some());
    let met = weights(&|r| r.met == Some(true));
    let earned = if applicable == 0 {
        Money(0)
    } else {
        Money(round_half_away(
            i128::from(withhold.cents()) * i128::from(met),
            i128::from(applicable),
        ) as i64)
    };
    EarnBack {
        withhold,
        earn_back: earned,
        at_risk: withhold - earned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(measure: Measure, pct: i64, weight: i64) -> Target {
        Target {
            measure,
            at_least: Percent(pct * 100),
            weight,
        }
    }

    #[test]
    fn a_target_is_met_at_exactly_its_percentage() {
        assert_eq!(is_met(Rate::new(3, 4), Percent(7500)), Some(true));
        assert_eq!(is_met(Rate::new(2, 3), Percent(6667)), Some(false));
        assert_eq!(is_met(Rate::new(2, 3), Percent(6666)), Some(true));
        assert_eq!(is_met(Rate::new(0, 0), Percent(1)), None);
        assert_eq!(is_met(Rate::new(0, 5), Percent(0)), Some(true));
    }

    #[test]
    fn an_unmet_target_says_how_many_more_would_meet_it() {
        // 75% of 8 is 6: 4 contacted need 2 more.
        assert_eq!(more_needed(Rate::new(4, 8), Percent(7500)), Some(2));
        // 75% of 7 is 5.25: 6 are needed.
        assert_eq!(more_needed(Rate::new(5, 7), Percent(7500)), Some(1));
        assert_eq!(more_needed(Rate::new(6, 8), Percent(7500)), None);
        assert_eq!(more_needed(Rate::new(0, 0), Percent(7500)), None);
    }

    #[test]
    fn earn_back_counts_weights_met_of_weights_that_apply_and_rounds_once() {
        let results = [
            result(target(Measure::Contacted, 75, 2), Rate::new(6, 8)),
            result(target(Measure::Measured, 80, 1), Rate::new(5, 8)),
            // An empty denominator counts neither way.
            result(target(Measure::Followed7, 50, 5), Rate::new(0, 0)),
        ];
        // $100.01 × 2/3 = 66.673… → $66.67; at risk $33.34.
        let e = earn_back(Money(10_001), &results);
        assert_eq!((e.earn_back, e.at_risk), (Money(6_667), Money(3_334)));
        // Half a cent rounds up: 1 cent × 1/2.
        let halves = [
            result(target(Measure::Contacted, 50, 1), Rate::new(1, 2)),
            result(target(Measure::Measured, 90, 1), Rate::new(1, 2)),
        ];
        assert_eq!(earn_back(Money(1), &halves).earn_back, Money(1));
        // No target that applies: nothing comes back.
        assert_eq!(earn_back(Money(500), &results[2..]).earn_back, Money(0));
        assert_eq!(earn_back(Money(500), &[]).at_risk, Money(500));
    }

    #[test]
    fn measures_read_as_written() {
        for m in Measure::ALL {
            assert_eq!(m.as_str().parse::<Measure>().unwrap(), m);
        }
        assert_eq!("followed-7".parse::<Measure>().unwrap(), Measure::Followed7);
        assert!("revenue".parse::<Measure>().is_err());
        assert!(weight("0").is_err() && weight("101").is_err() && weight("1").is_ok());
    }
}
