//! Money in integer cents and percentages in basis points: no floating point ever holds money.

use crate::error::Error;
use serde::Serialize;
use std::fmt;

/// An amount of money in whole cents. May be negative (a margin can be).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Parses a dollar amount as a person types it: `42`, `42.5`, `42.50`, `$1,250.00`, `-3`.
    /// At most two decimals; anything else is refused with the text named.
    pub fn parse(text: &str) -> Result<Money, Error> {
        let shown = super::text::sanitize(text.trim());
        let bad = || {
            Error::invalid(format!(
                "'{shown}' is not an amount in dollars (e.g. 42.50)"
            ))
        };
        let mut s = text.trim();
        let negative = s.starts_with('-');
        if negative {
            s = &s[1..];
        }
        let s = s.strip_prefix('$').unwrap_or(s).replace(',', "");
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w.to_string(), f.to_string()),
            None => (s.clone(), String::new()),
        };
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && frac.is_empty()
            || !digits(&whole)
            || !digits(&frac)
            || frac.len() > 2
        {
            return Err(bad());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let cents = whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Money(if negative { -cents } else { cents }))
    }

    /// Plain decimal dollars without a sign or separators, for CSV: `-1234.50`.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Money {
    /// The magnitude, for wording that carries the sign itself ("short by $5.00").
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// To the nearest whole dollar, halves away from zero (narrow screens show whole dollars).
    pub fn to_whole_dollars(self) -> Money {
        let dollars = self.0 / 100;
        let rest = self.0 % 100;
        Money(
            100 * (dollars
                + if 2 * rest.abs() >= 100 {
                    self.0.signum()
                } else {
                    0
                }),
        )
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl<'a> std::iter::Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

impl fmt::Display for Money {
    /// `$1,234.56`, `-$12.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        f.pad(&format!("{sign}${grouped}.{:02}", abs % 100))
    }
}

/// A percentage in basis points (hundredths of a percent): `2.5%` is 250.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Percent(pub i64);

impl Percent {
    pub fn basis_points(self) -> i64 {
        self.0
    }

    /// Parses `5`, `2.5`, `12.25` or `5%`, between 0 and 100.
    pub fn parse(text: &str) -> Result<Percent, Error> {
        let shown = super::text::sanitize(text.trim());
        let bad = || Error::invalid(format!("'{shown}' is not a percentage between 0 and 100"));
        let s = text.trim().trim_end_matches('%');
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 3
        {
            return Err(bad());
        }
        let bp = whole.parse::<i64>().map_err(|_| bad())? * 100
            + format!("{frac:0<2}").parse::<i64>().map_err(|_| bad())?;
        if bp > 10_000 {
            return Err(bad());
        }
        Ok(Percent(bp))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        let text = if frac == 0 {
            format!("{whole}%")
        } else if frac % 10 == 0 {
            format!("{whole}.{}%", frac / 10)
        } else {
            format!("{whole}.{frac:02}%")
        };
        f.pad(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_parse_to_exact_cents() {
        assert_eq!(Money::parse("42.50").unwrap(), Money(4250));
        assert_eq!(Money::parse("42.5").unwrap(), Money(4250));
        assert_eq!(Money::parse("42").unwrap(), Money(4200));
        assert_eq!(Money::parse("$1,250.07").unwrap(), Money(125_007));
        assert_eq!(Money::parse(".5").unwrap(), Money(50));
        assert_eq!(Money::parse("-3").unwrap(), Money(-300));
        assert_eq!(Money::parse("0.10").unwrap(), Money(10));
        for bad in ["", "abc", "1.234", "1.2.3", "$", "1e3", "12 000"] {
            assert!(Money::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn money_displays_like_a_ledger() {
        assert_eq!(Money(123_456).to_string(), "$1,234.56");
        assert_eq!(Money(-1200).to_string(), "-$12.00");
        assert_eq!(Money(1250) + Money(-300) - Money(50), Money(900));
        assert_eq!(-Money(5), Money(-5));
        assert_eq!([Money(1), Money(2)].iter().sum::<Money>(), Money(3));
        // Whole dollars round half away from zero, in integers (no floating point).
        assert_eq!(Money(149).to_whole_dollars(), Money(100));
        assert_eq!(Money(150).to_whole_dollars(), Money(200));
        assert_eq!(Money(-150).to_whole_dollars(), Money(-200));
        assert_eq!(Money(-149).to_whole_dollars(), Money(-100));
        assert_eq!(Money(-5).abs(), Money(5));
        assert_eq!(Money(5).to_string(), "$0.05");
        assert_eq!(Money(100_000_000).to_string(), "$1,000,000.00");
        assert_eq!(Money(-5).plain(), "-0.05");
    }

    #[test]
    fn percentages_are_basis_points() {
        assert_eq!(Percent::parse("5").unwrap(), Percent(500));
        assert_eq!(Percent::parse("2.5").unwrap(), Percent(250));
        assert_eq!(Percent::parse("12.25%").unwrap(), Percent(1225));
        assert_eq!(Percent::parse("100").unwrap(), Percent(10_000));
        assert!(Percent::parse("100.01").is_err());
        assert!(Percent::parse("-1").is_err());
        assert_eq!(Percent(250).to_string(), "2.5%");
        assert_eq!(Percent(1225).to_string(), "12.25%");
    }
}
