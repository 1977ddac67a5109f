//! What one attribution earns in one month (SPEC section 5): member months under each
//! proration, capitation and case-rate gross at the rate in effect, and — when a client's
//! attributions overlap — which attribution each day's time belongs to. Pure: no clock, no SQL.

use super::exact::{Exact, MemberMonths};
use crate::domain::{Contract, ContractModel, Month, Proration};
use chrono::NaiveDate;

/// Member months one attribution (`start` to `end`, both inclusive; `None` = open) counts in
/// `month`. `first-of-month`: 1 when start ≤ the 1st ≤ end. `mid-month` (the "15th rule"): 1
/// when start ≤ the 15th ≤ end. `daily`: days attributed / days in the month.
pub fn member_months(
    proration: Proration,
    start: NaiveDate,
    end: Option<NaiveDate>,
    month: Month,
) -> MemberMonths {
    let covers = |day: NaiveDate| start <= day && end.is_none_or(|e| day <= e);
    match proration {
        Proration::FirstOfMonth | Proration::MidMonth => {
            let day = if proration == Proration::MidMonth {
                month.first_day() + chrono::Duration::days(14)
            } else {
                month.first_day()
            };
            if covers(day) {
                MemberMonths::ONE
            } else {
                MemberMonths::ZERO
            }
        }
        Proration::Daily => {
            let lo = start.max(month.first_day());
            let hi = end.map_or(month.last_day(), |e| e.min(month.last_day()));
            if hi < lo {
                MemberMonths::ZERO
            } else {
                MemberMonths::days_of((hi - lo).num_days() + 1, month.days())
            }
        }
    }
}

/// What one attribution earns in one month, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Earned {
    /// Capitation only; a case-rate episode counts no member months.
    pub member_months: MemberMonths,
    pub gross: Exact,
    pub withhold: Exact,
}

/// Capitation: member months × the PMPM in effect on the month's first day. Case rate: the rate
/// in effect on the episode's start day for its diagnosis (`Contract::rate_for`), once, in the
/// month it starts. Withhold: gross × the contract's withhold percentage.
pub fn earned_in_month(
    contract: &Contract,
    start: NaiveDate,
    end: Option<NaiveDate>,
    diagnosis: Option<&str>,
    month: Month,
) -> Earned {
    let (member_months, gross) = match contract.model {
        ContractModel::Capitation => {
            let mm = member_months(contract.proration, start, end, month);
            let rate = contract.rate_on(month.first_day());
            (mm, Exact::per_member_month(mm, rate))
        }
        ContractModel::CaseRate if Month::of(start) == month => (
            MemberMonths::ZERO,
            Exact::money(contract.rate_for(start, diagnosis)),
        ),
        ContractModel::CaseRate => (MemberMonths::ZERO, Exact::ZERO),
    };
    Earned {
        member_months,
        gross,
        withhold: gross.percent(contract.withhold_bp),
    }
}

/// The months from `from` to `to` (inclusive) in which an attribution can earn anything: those
/// it touches. Empty when it lies outside the range.
pub fn months_touched(
    start: NaiveDate,
    end: Option<NaiveDate>,
    from: Month,
    to: Month,
) -> Vec<Month> {
    let first = Month::of(start).max(from);
    let last = end.map_or(to, |e| Month::of(e).min(to));
    first.through(last)
}

/// A stretch of days (both inclusive) whose time belongs to one attribution, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub owner: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Splits `from`…`to` among one client's attributions (`(start, end)`), so that each day's
/// time is counted once: for the attribution that covers it and started last (on a tie, the
/// later one in `spans`) — an episode opened on top of a membership takes the time while it
/// lasts. Days no attribution covers are left out. Stretches come in date order.
pub fn time_owners(
    spans: &[(NaiveDate, Option<NaiveDate>)],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Stretch> {
    let clipped: Vec<Option<(NaiveDate, NaiveDate)>> = spans
        .iter()
        .map(|&(start, end)| {
            let lo = start.max(from);
            let hi = end.map_or(to, |e| e.min(to));
            (lo <= hi).then_some((lo, hi))
        })
        .collect();
    let mut cuts: Vec<NaiveDate> = Vec::new();
    for &(lo, hi) in clipped.iter().flatten() {
        cuts.push(lo);
        if let Some(after) = hi.succ_opt() {
            cuts.push(after);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut stretches: Vec<Stretch> = Vec::new();
    for pair in cuts.windows(2) {
        let (lo, hi) = match pair[1].pred_opt() {
            Some(hi) => (pair[0], hi),
            None => continue,
        };
        let owner = clipped
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_some_and(|(s, e)| s <= lo && hi <= e))
            .max_by_key(|(i, _)| (spans[*i].0, *i))
            .map(|(i, _)| i);
        let Some(owner) = owner else { continue };
        match stretches.last_mut() {
            Some(last) if last.owner == owner && last.to.succ_opt() == Some(lo) => last.to = hi,
            _ => stretches.push(Stretch {
                owner,
                from: lo,
                to: hi,
            }),
        }
    }
    stretches
}

#[cfg(test)]
mod tests {
    use super::super::exact::MONTH_PARTS;
    use super::*;
    use crate::domain::{ContractId, Money, Percent, RatePeriod, parse_date, parse_month};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    fn m(s: &str) -> Month {
        parse_month(s).unwrap()
    }
    fn mm(proration: Proration, start: &str, end: Option<&str>, month: &str) -> MemberMonths {
        member_months(proration, d(start), end.map(d), m(month))
    }
    fn parts(days: i64, of: i64) -> MemberMonths {
        MemberMonths(days * MONTH_PARTS / of)
    }
    const FOM: Proration = Proration::FirstOfMonth;
    const DAILY: Proration = Proration::Daily;

    fn contract(model: ContractModel, proration: Proration, rates: &[(&str, i64)]) -> Contract {
        Contract {
            id: ContractId(1),
            name: "K".into(),
            model,
            withhold_bp: Percent(500),
            proration,
            payer: None,
            diagnosis_rates: Vec::new(),
            rates: rates
                .iter()
                .map(|&(from, cents)| RatePeriod {
                    from: d(from),
                    rate_cents: Money(cents),
                })
                .collect(),
        }
    }

    #[test]
    fn first_of_month_counts_a_month_only_when_the_first_is_covered() {
        // Start on the 1st: that month counts.
        assert_eq!(mm(FOM, "2026-03-01", None, "2026-03"), MemberMonths::ONE);
        // Start on the 2nd: that month does not; the next one does.
        assert_eq!(mm(FOM, "2026-03-02", None, "2026-03"), MemberMonths::ZERO);
        assert_eq!(mm(FOM, "2026-03-02", None, "2026-04"), MemberMonths::ONE);
        // End on the 1st: that month still counts (both ends inclusive); the next does not.
        let end = Some("2026-05-01");
        assert_eq!(mm(FOM, "2026-03-01", end, "2026-05"), MemberMonths::ONE);
        assert_eq!(mm(FOM, "2026-03-01", end, "2026-06"), MemberMonths::ZERO);
        // End on the last day of the month before: the month does not count.
        assert_eq!(
            mm(FOM, "2026-03-01", Some("2026-04-30"), "2026-05"),
            MemberMonths::ZERO
        );
        // Open-ended: every later month counts; months before the start do not.
        assert_eq!(mm(FOM, "2026-03-01", None, "2031-12"), MemberMonths::ONE);
        assert_eq!(mm(FOM, "2026-03-01", None, "2026-02"), MemberMonths::ZERO);
    }

    /// A year of cover counted over the months it touches (and one either side).
    fn year_total(proration: Proration, start: NaiveDate) -> MemberMonths {
        let end = start
            .checked_add_months(chrono::Months::new(12))
            .map(|d| d - chrono::Duration::days(1));
        let from = Month::of(start);
        let months = Month::of(from.first_day() - chrono::Duration::days(1))
            .through(Month::of(end.unwrap_or(start)).next());
        months.into_iter().fold(MemberMonths::ZERO, |sum, month| {
            sum + member_months(proration, start, end, month)
        })
    }

    proptest::proptest! {
        /// Twelve months of continuous cover are exactly twelve member months under the 1st
        /// and the 15th rule whatever the start day, and under daily proration from the 1st of a
        /// month. (Daily from another day is twelve only when the start month has the same
        /// length in both years: 15 February 2027 – 14 February 2028 is 14/28 + 14/29 of
        /// February, less than one.)
        #[test]
        fn a_year_of_cover_is_twelve_member_months(days in 0i64..20_000) {
            let start = d("2000-01-01") + chrono::Duration::days(days);
            for proration in [FOM, Proration::MidMonth] {
                proptest::prop_assert_eq!(year_total(proration, start), MemberMonths(12 * MONTH_PARTS));
            }
            let first = Month::of(start).first_day();
            proptest::prop_assert_eq!(year_total(DAILY, first), MemberMonths(12 * MONTH_PARTS));
        }
    }

    #[test]
    fn mid_month_counts_a_month_when_its_fifteenth_is_covered() {
        const MID: Proration = Proration::MidMonth;
        // Start on the 14th or 15th: the month counts; on the 16th it does not, the next does.
        assert_eq!(mm(MID, "2026-03-14", None, "2026-03"), MemberMonths::ONE);
        assert_eq!(mm(MID, "2026-03-15", None, "2026-03"), MemberMonths::ONE);
        assert_eq!(mm(MID, "2026-03-16", None, "2026-03"), MemberMonths::ZERO);
        assert_eq!(mm(MID, "2026-03-16", None, "2026-04"), MemberMonths::ONE);
        // End on the 14th: that month does not count; on the 15th or 16th it does.
        for (end, counts) in [
            ("2026-05-14", false),
            ("2026-05-15", true),
            ("2026-05-16", true),
        ] {
            let expected = if counts {
                MemberMonths::ONE
            } else {
                MemberMonths::ZERO
            };
            assert_eq!(
                mm(MID, "2026-03-01", Some(end), "2026-05"),
                expected,
                "{end}"
            );
        }
        // Month ends do not matter: the 31st of one month to the 1st of the next counts none.
        assert_eq!(
            mm(MID, "2026-01-31", Some("2026-02-01"), "2026-01"),
            MemberMonths::ZERO
        );
        assert_eq!(
            mm(MID, "2026-01-31", Some("2026-02-01"), "2026-02"),
            MemberMonths::ZERO
        );
        // February (short) and a leap February: the 15th is the 15th.
        assert_eq!(
            mm(MID, "2028-02-15", Some("2028-02-29"), "2028-02"),
            MemberMonths::ONE
        );
        assert_eq!(
            mm(MID, "2027-02-16", Some("2027-02-28"), "2027-02"),
            MemberMonths::ZERO
        );
    }

    #[test]
    fn a_diagnosis_case_rate_takes_the_longest_matching_prefix_in_effect() {
        use crate::domain::DiagnosisRate;
        let mut k = contract(ContractModel::CaseRate, FOM, &[("0001-01-01", 50000)]);
        let rate = |prefix: &str, from: &str, cents: i64| DiagnosisRate {
            prefix: prefix.into(),
            from: d(from),
            rate_cents: Money(cents),
        };
        k.diagnosis_rates = vec![
            rate("F32", "0001-01-01", 60000),
            rate("F322", "2026-01-01", 80000),
            rate("F322", "2026-07-01", 85000),
            rate("F33", "2026-06-01", 70000),
        ];
        let on = |date: &str, dx: Option<&str>| k.rate_for(d(date), dx);
        // Longest prefix, case and dot ignored.
        assert_eq!(on("2026-03-01", Some("F32.2")), Money(80000));
        assert_eq!(on("2026-03-01", Some("f322")), Money(80000));
        assert_eq!(on("2026-03-01", Some("F32.1")), Money(60000));
        // A later change of the prefix's rate applies from its day.
        assert_eq!(on("2026-06-30", Some("F32.2")), Money(80000));
        assert_eq!(on("2026-07-01", Some("F32.2")), Money(85000));
        // A prefix rate not yet in effect does not apply: the contract's own rate does.
        assert_eq!(on("2026-05-31", Some("F33.1")), Money(50000));
        assert_eq!(on("2026-06-01", Some("F33.1")), Money(70000));
        // No match, or no diagnosis: the contract's own rate.
        assert_eq!(on("2026-03-01", Some("F41.1")), Money(50000));
        assert_eq!(on("2026-03-01", None), Money(50000));
        // The episode is paid the rate of its start day, once, in that month.
        let e = earned_in_month(&k, d("2026-07-02"), None, Some("F32.2"), m("2026-07"));
        assert_eq!(e.gross.round(), Money(85000));
    }

    #[test]
    fn daily_counts_the_days_attributed_over_the_days_in_the_month() {
        // Start on the 1st vs the 2nd of a 31-day month.
        assert_eq!(mm(DAILY, "2026-03-01", None, "2026-03"), MemberMonths::ONE);
        assert_eq!(mm(DAILY, "2026-03-02", None, "2026-03"), parts(30, 31));
        // End on the 1st: one day of May.
        assert_eq!(
            mm(DAILY, "2026-03-01", Some("2026-05-01"), "2026-05"),
            parts(1, 31)
        );
        assert_eq!(
            mm(DAILY, "2026-03-01", Some("2026-05-01"), "2026-06"),
            MemberMonths::ZERO
        );
        // A single day, and an attribution inside one month.
        assert_eq!(
            mm(DAILY, "2026-04-10", Some("2026-04-10"), "2026-04"),
            parts(1, 30)
        );
        assert_eq!(
            mm(DAILY, "2026-04-10", Some("2026-04-24"), "2026-04"),
            parts(15, 30)
        );
        assert_eq!(parts(15, 30).as_f64(), 0.5);
        // Open-ended.
        assert_eq!(mm(DAILY, "2026-03-15", None, "2030-01"), MemberMonths::ONE);
    }

    #[test]
    fn daily_proration_knows_leap_february() {
        // 2028 is a leap year: February has 29 days; the 15th to the end is 15 days.
        assert_eq!(mm(DAILY, "2028-02-15", None, "2028-02"), parts(15, 29));
        assert_eq!(mm(DAILY, "2028-02-01", None, "2028-02"), MemberMonths::ONE);
        assert_eq!(mm(DAILY, "2028-02-29", None, "2028-02"), parts(1, 29));
        // 2027 is not: the 15th to the end is 14 of 28 days, exactly half.
        assert_eq!(mm(DAILY, "2027-02-15", None, "2027-02"), parts(14, 28));
        assert_eq!(mm(DAILY, "2027-02-15", None, "2027-02").as_f64(), 0.5);
        // $30.00 PMPM for 15/29 of a month is 1551.72… cents → $15.52.
        let k = contract(ContractModel::Capitation, DAILY, &[("0001-01-01", 3000)]);
        let e = earned_in_month(&k, d("2028-02-15"), None, None, m("2028-02"));
        assert_eq!(e.gross.round(), Money(1552));
    }

    #[test]
    fn an_attribution_spanning_a_year_is_twelve_member_months_either_way() {
        let (start, end) = (d("2025-07-15"), Some(d("2026-07-14")));
        for proration in [FOM, DAILY, Proration::MidMonth] {
            let total = m("2025-06")
                .through(m("2026-08"))
                .into_iter()
                .fold(MemberMonths::ZERO, |sum, month| {
                    sum + member_months(proration, start, end, month)
                });
            assert_eq!(total, MemberMonths(12 * MONTH_PARTS), "{proration}");
        }
        // Under daily proration the two partial Julys are 17/31 and 14/31.
        assert_eq!(
            member_months(DAILY, start, end, m("2025-07")),
            parts(17, 31)
        );
        assert_eq!(
            member_months(DAILY, start, end, m("2026-07")),
            parts(14, 31)
        );
        // Under first-of-month, July 2025 does not count and July 2026 does.
        assert_eq!(
            member_months(FOM, start, end, m("2025-07")),
            MemberMonths::ZERO
        );
        assert_eq!(
            member_months(FOM, start, end, m("2026-07")),
            MemberMonths::ONE
        );
    }

    #[test]
    fn a_case_rate_pays_once_in_its_start_month_with_the_withhold() {
        let k = contract(ContractModel::CaseRate, FOM, &[("0001-01-01", 65_000)]);
        let (start, end) = (d("2026-03-20"), Some(d("2026-06-17")));
        let march = earned_in_month(&k, start, end, None, m("2026-03"));
        assert_eq!(march.gross.round(), Money(65_000));
        assert_eq!(march.withhold.round(), Money(3_250), "5% of $650");
        assert_eq!(march.member_months, MemberMonths::ZERO);
        for later in ["2026-04", "2026-05", "2026-06"] {
            assert_eq!(
                earned_in_month(&k, start, end, None, m(later)),
                Earned::default()
            );
        }
        assert_eq!(
            earned_in_month(&k, start, end, None, m("2026-02")),
            Earned::default()
        );
    }

    #[test]
    fn a_rate_change_applies_from_its_date_on() {
        let rates = [
            ("0001-01-01", 4_000),
            ("2026-07-01", 4_500),
            ("2026-09-15", 5_000),
        ];
        let k = contract(ContractModel::Capitation, FOM, &rates);
        let start = d("2026-01-01");
        let gross = |month| {
            earned_in_month(&k, start, None, None, m(month))
                .gross
                .round()
        };
        assert_eq!(gross("2026-06"), Money(4_000));
        assert_eq!(gross("2026-07"), Money(4_500));
        // A change on the 15th applies from the next month: a month uses its first day's rate.
        assert_eq!(gross("2026-09"), Money(4_500));
        assert_eq!(gross("2026-10"), Money(5_000));
        // A case-rate episode uses the rate on its start day.
        let c = contract(ContractModel::CaseRate, FOM, &rates);
        let on = |s| {
            earned_in_month(&c, d(s), None, None, Month::of(d(s)))
                .gross
                .round()
        };
        assert_eq!(on("2026-09-14"), Money(4_500));
        assert_eq!(on("2026-09-15"), Money(5_000));
    }

    #[test]
    fn months_touched_are_clipped_to_the_range() {
        let t = |s, e: Option<&str>| months_touched(d(s), e.map(d), m("2026-01"), m("2026-12"));
        assert_eq!(t("2025-05-03", None).len(), 12);
        assert_eq!(
            t("2026-03-31", Some("2026-04-01")),
            vec![m("2026-03"), m("2026-04")]
        );
        assert!(t("2025-01-01", Some("2025-12-31")).is_empty());
        assert!(t("2027-01-01", None).is_empty());
    }

    #[test]
    fn overlapping_attributions_share_time_without_counting_it_twice() {
        let (from, to) = (d("2026-01-01"), d("2026-12-31"));
        // A membership all year with an episode from March 10 to May 31 on top of it.
        let spans = [
            (d("2025-06-01"), None),
            (d("2026-03-10"), Some(d("2026-05-31"))),
        ];
        let s = time_owners(&spans, from, to);
        let got: Vec<(usize, NaiveDate, NaiveDate)> =
            s.iter().map(|x| (x.owner, x.from, x.to)).collect();
        assert_eq!(
            got,
            vec![
                (0, d("2026-01-01"), d("2026-03-09")),
                (1, d("2026-03-10"), d("2026-05-31")),
                (0, d("2026-06-01"), d("2026-12-31")),
            ]
        );
        // Apart, with a gap: each owns its own days; the gap belongs to nobody.
        let spans = [
            (d("2026-01-05"), Some(d("2026-02-10"))),
            (d("2026-03-01"), None),
        ];
        let got: Vec<(usize, NaiveDate, NaiveDate)> = time_owners(&spans, from, to)
            .iter()
            .map(|x| (x.owner, x.from, x.to))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, d("2026-01-05"), d("2026-02-10")),
                (1, d("2026-03-01"), d("2026-12-31"))
            ]
        );
        // Same start: the later one in the list wins.
        let spans = [
            (d("2026-02-01"), None),
            (d("2026-02-01"), Some(d("2026-02-03"))),
        ];
        assert_eq!(time_owners(&spans, from, to)[0].owner, 1);
        assert!(time_owners(&[(d("2027-01-01"), None)], from, to).is_empty());
    }
}
