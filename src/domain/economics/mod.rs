//! Capitation economics (SPEC section 5) as pure rules: member months, gross, withhold, net,
//! cost, margin, effective hourly rate and break-even minutes. Sums are kept exact
//! ([`Exact`], [`MemberMonths`]) and each reported figure is rounded half-up to whole cents
//! once; a total row is the sum of the rounded rows above it. Nothing here reads the clock or
//! the database, and no floating point ever holds money (f64 only for ratios on display).

pub mod cover;
mod exact;
mod prorate;

pub use exact::{Exact, MONTH_PARTS, MemberMonths, round_half_away};
pub use prorate::{Earned, Stretch, earned_in_month, member_months, months_touched, time_owners};

use crate::domain::{ContractModel, Money, Month};
use chrono::NaiveDate;

/// The running exact sums behind one row of a revenue report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub member_months: MemberMonths,
    pub gross: Exact,
    pub withhold: Exact,
    pub minutes: i64,
    pub cost: Exact,
}

impl Tally {
    /// Adds what an attribution earned in a month.
    pub fn earn(&mut self, earned: Earned) {
        self.member_months += earned.member_months;
        self.gross += earned.gross;
        self.withhold += earned.withhold;
    }

    /// Adds time spent: `minutes` of a clinician whose hour costs `hourly_cost`.
    pub fn spend(&mut self, minutes: i64, hourly_cost: Money) {
        self.spend_summed(minutes, minutes * hourly_cost.cents());
    }

    /// Adds time already summed elsewhere: Σ minutes and Σ (minutes × hourly cost in cents).
    pub fn spend_summed(&mut self, minutes: i64, minutes_times_hourly_cents: i64) {
        self.minutes += minutes;
        self.cost += Exact::minute_cents(minutes_times_hourly_cents);
    }

    /// The reported figures: each computed exactly from the sums, then rounded once. (So net
    /// can differ by a cent from the rounded gross minus the rounded withhold.)
    pub fn figures(&self) -> Figures {
        let net = self.gross - self.withhold;
        Figures {
            member_months: self.member_months,
            gross: self.gross.round(),
            withhold: self.withhold.round(),
            net: net.round(),
            minutes: self.minutes,
            cost: self.cost.round(),
            margin: (net - self.cost).round(),
            effective_hourly: self.gross.per_hour(self.minutes),
        }
    }
}

/// One row of a revenue report, as reported: money rounded to whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub member_months: MemberMonths,
    pub gross: Money,
    pub withhold: Money,
    pub net: Money,
    pub minutes: i64,
    pub cost: Money,
    pub margin: Money,
    /// Gross per hour of time spent; None when no minutes were spent.
    pub effective_hourly: Option<Money>,
}

impl Figures {
    /// The total row: the sum of the rounded rows. Its effective hourly rate is its own gross
    /// over its own hours (a rate does not add up), rounded once.
    pub fn total<'a>(rows: impl IntoIterator<Item = &'a Figures>) -> Figures {
        let mut t = Figures::default();
        for r in rows {
            t.member_months += r.member_months;
            t.gross += r.gross;
            t.withhold += r.withhold;
            t.net += r.net;
            t.minutes += r.minutes;
            t.cost += r.cost;
            t.margin += r.margin;
        }
        t.effective_hourly = effective_hourly(t.gross, t.minutes);
        t
    }

    /// A month (or client, …) where the time cost more than the money that came in.
    pub fn under_water(&self) -> bool {
        self.margin.cents() < 0
    }
}

/// The month that holds today, seen "to date". SPEC section 5 gives a month its whole
/// capitation, but of the current month only the days through today have had their time
/// logged: set against a month's capitation, a few days of cost reads as a large margin (on
/// the 1st, one day of time against thirty days of money). So the current month's capitation
/// is counted as its share through today, `days` of `of` — the same sharing out by day as the
/// check-in's "today's share" ([`Exact::shares`]). Today is counted whole: on the 1st the
/// share is 1/30 (today's share), on the last day the whole month. Case-rate episodes that
/// began so far count in full: a case rate is paid once, when the episode begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToDate {
    pub month: Month,
    /// Days of the month through today, today included: 1 on the 1st.
    pub days: i64,
    /// Days in the month.
    pub of: i64,
}

impl ToDate {
    /// The month to date on `today`.
    pub fn on(today: NaiveDate) -> ToDate {
        let month = Month::of(today);
        ToDate {
            month,
            days: crate::domain::dates::days_between(month.first_day(), today) + 1,
            of: month.days(),
        }
    }

    /// Whether `month` is the month to date (a past or a later month is not).
    pub fn covers(self, month: Month) -> bool {
        month == self.month
    }

    /// What a month's earnings come to through today: for the month to date, capitation
    /// (member months, gross, withhold) shared out by day; a case-rate episode whole. Any
    /// other month's earnings unchanged.
    pub fn earned(self, month: Month, model: ContractModel, earned: Earned) -> Earned {
        if !self.covers(month) || model != ContractModel::Capitation {
            return earned;
        }
        Earned {
            member_months: earned.member_months.shares(self.days, self.of),
            gross: earned.gross.shares(self.days, self.of),
            withhold: earned.withhold.shares(self.days, self.of),
        }
    }
}

/// The default report period: the 12 months ending with today's month.
pub fn last_twelve_months(today: NaiveDate) -> (Month, Month) {
    twelve_months_ending(Month::of(today))
}

/// The 12 months ending with `to` (inclusive).
pub fn twelve_months_ending(to: Month) -> (Month, Month) {
    ((0..11).fold(to, |m, _| m.prev()), to)
}

/// Gross per hour: `gross / (minutes / 60)`, rounded once; None when there are no minutes.
pub fn effective_hourly(gross: Money, minutes: i64) -> Option<Money> {
    Exact::money(gross).per_hour(minutes)
}

/// Break-even minutes per member month: the minutes of a clinician's time one PMPM pays for,
/// `PMPM / (hourly cost / 60)`. None when the clinician's time costs nothing. A ratio of
/// minutes, for display: no money is held in the float.
pub fn break_even_minutes(pmpm: Money, hourly_cost: Money) -> Option<f64> {
    (hourly_cost.cents() > 0).then(|| pmpm.cents() as f64 * 60.0 / hourly_cost.cents() as f64)
}

/// Minutes actually spent per member month; None when there were no member months.
pub fn minutes_per_member_month(minutes: i64, member_months: MemberMonths) -> Option<f64> {
    (!member_months.is_zero()).then(|| minutes as f64 * MONTH_PARTS as f64 / member_months.0 as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Contract, ContractId, ContractModel, Month, Percent, Proration, RatePeriod, parse_date,
        parse_month,
    };

    fn contract(model: ContractModel, proration: Proration, rate: i64, withhold: i64) -> Contract {
        Contract {
            id: ContractId(1),
            name: "K".into(),
            model,
            withhold_bp: Percent(withhold),
            proration,
            payer: None,
            diagnosis_rates: Vec::new(),
            rates: vec![RatePeriod {
                from: parse_date("0001-01-01").unwrap(),
                rate_cents: Money(rate),
            }],
        }
    }

    fn month(s: &str) -> Month {
        parse_month(s).unwrap()
    }

    #[test]
    fn a_half_cent_rounds_up_once_per_figure() {
        // $10.01 PMPM, daily, 15 of 30 days: gross 500.5 cents → $5.01.
        let k = contract(ContractModel::Capitation, Proration::Daily, 1001, 500);
        let start = parse_date("2026-04-16").unwrap();
        let mut t = Tally::default();
        t.earn(earned_in_month(&k, start, None, None, month("2026-04")));
        // 5% withhold of 500.5 is 25.025 cents → 25; net 475.475 → 475 (not 501 − 25 = 476).
        t.spend(1, Money(3)); // 1 minute at $0.03/h: 0.05 cents → 0
        let f = t.figures();
        assert_eq!(f.gross, Money(501));
        assert_eq!(f.withhold, Money(25));
        assert_eq!(f.net, Money(475));
        assert_eq!(f.cost, Money(0));
        // Margin: 475.475 − 0.05 = 475.425 → 475.
        assert_eq!(f.margin, Money(475));
        // 500.5 cents per 1/60 hour = 30030 cents/h exactly.
        assert_eq!(f.effective_hourly, Some(Money(30_030)));
        assert_eq!(f.member_months.as_f64(), 0.5);
    }

    #[test]
    fn two_half_member_months_are_one_whole_before_rounding() {
        // Two members at $0.03 PMPM, each 15 of 30 days: 1.5 + 1.5 cents = 3 cents exactly.
        // Rounding each member first would give 2 + 2 = 4.
        let k = contract(ContractModel::Capitation, Proration::Daily, 3, 0);
        let start = parse_date("2026-04-16").unwrap();
        let mut t = Tally::default();
        for _ in 0..2 {
            t.earn(earned_in_month(&k, start, None, None, month("2026-04")));
        }
        assert_eq!(t.figures().gross, Money(3));
    }

    #[test]
    fn a_total_is_the_sum_of_the_rounded_rows() {
        // Three months each earning 0.5 cents: each row rounds to 1 cent, so the total is 3
        // cents, not round(1.5) = 2.
        let k = contract(ContractModel::Capitation, Proration::Daily, 1, 0);
        let rows: Vec<Figures> = ["2026-04-16", "2026-06-16", "2026-09-16"]
            .iter()
            .map(|s| {
                let start = parse_date(s).unwrap();
                let mut t = Tally::default();
                t.earn(earned_in_month(&k, start, None, None, Month::of(start)));
                t.figures()
            })
            .collect();
        assert!(rows.iter().all(|r| r.gross == Money(1)));
        let total = Figures::total(&rows);
        assert_eq!(total.gross, Money(3));
        assert_eq!(total.member_months, MemberMonths(3 * MONTH_PARTS / 2));
        assert_eq!(total.effective_hourly, None, "no minutes, no hourly rate");
    }

    #[test]
    fn net_cost_margin_and_hourly_rate() {
        // One member month at $45.00 with a 5% withhold; 50 minutes at $95/h and 20 at $68/h.
        let k = contract(
            ContractModel::Capitation,
            Proration::FirstOfMonth,
            4500,
            500,
        );
        let start = parse_date("2026-01-01").unwrap();
        let mut t = Tally::default();
        t.earn(earned_in_month(&k, start, None, None, month("2026-03")));
        t.spend(50, Money(9500));
        t.spend(20, Money(6800));
        let f = t.figures();
        assert_eq!(f.gross, Money(4500));
        assert_eq!(f.withhold, Money(225));
        assert_eq!(f.net, Money(4275));
        // 50 × 9500 / 60 = 7916.67 and 20 × 6800 / 60 = 2266.67: 10183.33 → $101.83.
        assert_eq!(f.cost, Money(10_183));
        // 4275 − 10183.33 = −5908.33 → −$59.08: under water.
        assert_eq!(f.margin, Money(-5_908));
        assert!(f.under_water());
        // $45 over 70 minutes = 3857.14 cents/h → $38.57.
        assert_eq!(f.effective_hourly, Some(Money(3_857)));
        assert_eq!(f.minutes, 70);
    }

    #[test]
    fn no_minutes_means_no_hourly_rate() {
        let k = contract(
            ContractModel::CaseRate,
            Proration::FirstOfMonth,
            65_000,
            200,
        );
        let start = parse_date("2026-03-20").unwrap();
        let mut t = Tally::default();
        t.earn(earned_in_month(&k, start, None, None, month("2026-03")));
        let f = t.figures();
        assert_eq!(f.effective_hourly, None);
        assert_eq!(
            (f.gross, f.withhold, f.net),
            (Money(65_000), Money(1_300), Money(63_700))
        );
        assert_eq!(f.margin, Money(63_700));
        assert_eq!(effective_hourly(Money(100), 0), None);
    }

    #[test]
    fn the_month_to_date_shares_capitation_by_day_through_today() {
        // $30.00 PMPM with a 10% withhold, one member, November (30 days).
        let k = contract(
            ContractModel::Capitation,
            Proration::FirstOfMonth,
            3000,
            1000,
        );
        let start = parse_date("2026-01-01").unwrap();
        let nov = month("2026-11");
        let whole = earned_in_month(&k, start, None, None, nov);
        let through = |day: &str| {
            let to_date = ToDate::on(parse_date(day).unwrap());
            let mut t = Tally::default();
            t.earn(to_date.earned(nov, ContractModel::Capitation, whole));
            t.figures()
        };
        // The 1st: one day of thirty, today's share, as the check-in counts it.
        let first = through("2026-11-01");
        assert_eq!(first.gross, Money(100));
        assert_eq!(Some(first.gross), whole.gross.share(30));
        assert_eq!((first.withhold, first.net), (Money(10), Money(90)));
        assert_eq!(first.member_months, MemberMonths(MONTH_PARTS / 30));
        // Mid-month: 15 of 30.
        assert_eq!(through("2026-11-15").gross, Money(1500));
        // The last day: the whole month.
        let last = through("2026-11-30");
        assert_eq!(
            (last.gross, last.member_months),
            (Money(3000), MemberMonths::ONE)
        );
        // A past month (December 1st looks back at November) is not to date: whole.
        let after = ToDate::on(parse_date("2026-12-01").unwrap());
        assert!(!after.covers(nov));
        assert_eq!(after.earned(nov, ContractModel::Capitation, whole), whole);
        // A case rate is paid when the episode begins: whole even in the month to date.
        let to_date = ToDate::on(parse_date("2026-11-02").unwrap());
        assert_eq!(to_date.earned(nov, ContractModel::CaseRate, whole), whole);
        assert_eq!((to_date.days, to_date.of), (2, 30));
    }

    #[test]
    fn the_default_period_is_the_twelve_months_ending_this_month() {
        let (from, to) = last_twelve_months(parse_date("2026-11-23").unwrap());
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2025-12".into(), "2026-11".into())
        );
        let (from, _) = last_twelve_months(parse_date("2026-12-01").unwrap());
        assert_eq!(from.to_string(), "2026-01");
    }

    #[test]
    fn break_even_minutes_per_member_month() {
        // $48 PMPM at $96/h buys 30 minutes; at $68/h, 42.35…; free time has no break-even.
        assert_eq!(break_even_minutes(Money(4800), Money(9600)), Some(30.0));
        let sam = break_even_minutes(Money(4800), Money(6800)).unwrap();
        assert!((sam - 42.352_941).abs() < 1e-6, "{sam}");
        assert_eq!(break_even_minutes(Money(4800), Money(0)), None);
        assert_eq!(
            minutes_per_member_month(90, MemberMonths(2 * MONTH_PARTS)),
            Some(45.0)
        );
        assert_eq!(minutes_per_member_month(90, MemberMonths::ZERO), None);
    }
}
