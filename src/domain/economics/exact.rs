//! Exact quantities for the money rules: member months in fractions of a month and amounts of
//! money in fractions of a cent, both held as integers so that nothing is rounded before the
//! one rounding of each reported figure. No floating point holds money here.

use crate::domain::{Money, Percent};
use std::ops::{Add, AddAssign, Sub};

/// How many parts one month is cut into: lcm(28, 29, 30, 31), so a day of any month is a
/// whole number of parts and daily proration stays exact.
pub const MONTH_PARTS: i64 = 377_580;

/// Basis points in a whole (100% = 10,000 bp).
const BASIS: i128 = 10_000;

/// How many parts one cent is cut into: a member-month part times a rate, then times a
/// percentage in basis points, stays whole. Divisible by 60, so minutes × hourly cost / 60
/// is exact too.
const CENT_PARTS: i128 = MONTH_PARTS as i128 * BASIS;

/// Member months, exactly, in parts of [`MONTH_PARTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MemberMonths(pub i64);

impl MemberMonths {
    pub const ZERO: MemberMonths = MemberMonths(0);
    pub const ONE: MemberMonths = MemberMonths(MONTH_PARTS);

    /// `days` of a month that has `month_days` days (28–31).
    pub fn days_of(days: i64, month_days: i64) -> MemberMonths {
        MemberMonths(days * (MONTH_PARTS / month_days))
    }

    /// `shares` of `parts` equal shares (`parts` > 0; zero otherwise), truncated to a part.
    pub fn shares(self, shares: i64, parts: i64) -> MemberMonths {
        if parts <= 0 {
            return MemberMonths::ZERO;
        }
        MemberMonths(self.0 * shares / parts)
    }

    /// For display only (tables, JSON): the nearest floating-point number.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MONTH_PARTS as f64
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add for MemberMonths {
    type Output = MemberMonths;
    fn add(self, other: MemberMonths) -> MemberMonths {
        MemberMonths(self.0 + other.0)
    }
}

impl AddAssign for MemberMonths {
    fn add_assign(&mut self, other: MemberMonths) {
        self.0 += other.0;
    }
}

/// An exact amount of money, in parts of a cent. Becomes [`Money`] only through
/// [`Exact::round`], once per reported figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Exact(i128);

impl Exact {
    pub const ZERO: Exact = Exact(0);

    pub fn money(amount: Money) -> Exact {
        Exact(amount.cents() as i128 * CENT_PARTS)
    }

    /// A monthly rate for some member months: `member_months × rate`.
    pub fn per_member_month(member_months: MemberMonths, rate: Money) -> Exact {
        Exact(member_months.0 as i128 * rate.cents() as i128 * BASIS)
    }

    /// Time at an hourly cost, given as Σ minutes × hourly cost in cents (divided by 60 here).
    pub fn minute_cents(minutes_times_hourly_cents: i64) -> Exact {
        Exact(minutes_times_hourly_cents as i128 * (CENT_PARTS / 60))
    }

    /// `self × percent`. Exact for every amount built from whole cents and member months
    /// (their parts are whole multiples of 10,000); otherwise the last part is truncated,
    /// far below a cent.
    pub fn percent(self, percent: Percent) -> Exact {
        Exact(self.0 * percent.basis_points() as i128 / BASIS)
    }

    /// Rounded half-up (halves away from zero) to whole cents: the one rounding of a figure.
    pub fn round(self) -> Money {
        Money(round_half_away(self.0, CENT_PARTS) as i64)
    }

    /// `self` divided into `parts` equal shares (`parts` > 0), one share rounded once: a day's
    /// share of a month's revenue. None for no parts.
    pub fn share(self, parts: i64) -> Option<Money> {
        (parts > 0).then(|| self.shares(1, parts).round())
    }

    /// `shares` of `parts` equal shares of `self` (`parts` > 0), exactly but for a last part
    /// truncated far below a cent: the one way a month's revenue is shared out by day — one
    /// day for the check-in's "today's share", the days so far for a month "to date". Kept
    /// exact so the figure built from it is still rounded once. Zero for no parts.
    pub fn shares(self, shares: i64, parts: i64) -> Exact {
        if parts <= 0 {
            return Exact::ZERO;
        }
        Exact(self.0 * shares as i128 / parts as i128)
    }

    /// `self` per hour of `minutes`, rounded once: the effective hourly rate. None without time.
    pub fn per_hour(self, minutes: i64) -> Option<Money> {
        (minutes > 0)
            .then(|| Money(round_half_away(self.0 * 60, CENT_PARTS * minutes as i128) as i64))
    }
}

impl Add for Exact {
    type Output = Exact;
    fn add(self, other: Exact) -> Exact {
        Exact(self.0 + other.0)
    }
}

impl AddAssign for Exact {
    fn add_assign(&mut self, other: Exact) {
        self.0 += other.0;
    }
}

impl Sub for Exact {
    type Output = Exact;
    fn sub(self, other: Exact) -> Exact {
        Exact(self.0 - other.0)
    }
}

/// `numerator / denominator` (denominator > 0) rounded to the nearest whole number, halves away
/// from zero: 2.5 → 3, −2.5 → −3.
pub fn round_half_away(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_every_month_is_a_whole_number_of_parts() {
        for days in [28, 29, 30, 31] {
            assert_eq!(MONTH_PARTS % days, 0);
            assert_eq!(MemberMonths::days_of(days, days), MemberMonths::ONE);
        }
        assert_eq!(CENT_PARTS % 60, 0, "minutes × cost / 60 must stay exact");
    }

    #[test]
    fn a_days_share_of_a_month_is_rounded_once() {
        // $4,500.15 over 30 days is 15000.5 cents a day: $150.01.
        assert_eq!(Exact::money(Money(450_015)).share(30), Some(Money(15_001)));
        // 13.5 member months at $47.00 over 31 days: 63450 / 31 = 2046.77… cents.
        let gross = Exact::per_member_month(MemberMonths(MONTH_PARTS * 27 / 2), Money(4700));
        assert_eq!(gross.share(31), Some(Money(2047)));
        assert_eq!(Exact::ZERO.share(28), Some(Money(0)));
        assert_eq!(Exact::money(Money(100)).share(0), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero_and_happens_once() {
        assert_eq!(round_half_away(5, 2), 3);
        assert_eq!(round_half_away(-5, 2), -3);
        assert_eq!(round_half_away(7, 3), 2);
        assert_eq!(round_half_away(-7, 3), -2);
        assert_eq!(round_half_away(4, 2), 2);
        // Half a member month at $10.01 is 500.5 cents: up to 501, not 500.
        let half = MemberMonths(MONTH_PARTS / 2);
        assert_eq!(
            Exact::per_member_month(half, Money(1001)).round(),
            Money(501)
        );
        // 4/31 of a month at 3 cents is 0.387 cents; twice that is 0.774 cents. Rounded once
        // the sum is 1 cent; rounding each part first would give 0.
        let third = Exact::per_member_month(MemberMonths(MONTH_PARTS / 31 * 4), Money(3));
        assert_eq!(third.round(), Money(0));
        assert_eq!((third + third).round(), Money(1));
        assert_eq!(
            (Exact::ZERO - Exact::per_member_month(half, Money(1001))).round(),
            Money(-501)
        );
    }

    #[test]
    fn percentages_and_hours_are_exact_until_rounded() {
        // 5% of $10.01 is 50.05 cents → 50.
        assert_eq!(
            Exact::money(Money(1001)).percent(Percent(500)).round(),
            Money(50)
        );
        // 2.5% of $0.20 is half a cent → 1.
        assert_eq!(
            Exact::money(Money(20)).percent(Percent(250)).round(),
            Money(1)
        );
        // 50 minutes at $90/h = $75.00 exactly; 1 minute at $1/h = 1.666… cents → 2.
        assert_eq!(Exact::minute_cents(50 * 9000).round(), Money(7500));
        assert_eq!(Exact::minute_cents(100).round(), Money(2));
        // $100 over 90 minutes is $66.666…/h → $66.67; no minutes, no rate.
        assert_eq!(Exact::money(Money(10_000)).per_hour(90), Some(Money(6667)));
        assert_eq!(Exact::money(Money(10_000)).per_hour(0), None);
    }
}
