//! The fairness self-audit (issue 6): is capitation quietly pushing care away from the clients
//! who need it most? For one period, the care each capitated client got goes in; minutes and
//! contacts per member month, the share contacted, discharges and disengagements come out, by
//! baseline PHQ-9 severity band and by risk tier, with a plain warning when the most severe
//! band got less time per member month than the mildest (both with at least ten clients). Pure: no clock, no SQL.
//!
//! Definitions (also in README.md):
//! - Population: clients with capitation cover in the period (`economics::cover`): the days a
//!   capitation contract pays for them. Time and contacts count only on those days, so both
//!   sides of "per member month" describe the same client-days. Time on days without cover
//!   (case-rate episodes, no contract) is reported apart, as `not_capitated`.
//! - Band: the client's PHQ-9 baseline (earliest PHQ-9 dated on or before the period's end),
//!   or "no PHQ-9 baseline". Tier: the client's current risk tier.
//! - Contacted: clients with a contact on a covered day, of the clients in the row.
//! - Discharged: clients discharged in the period. Disengaged: active clients carrying the
//!   `disengaged` flag at the period's end (their two latest contact-kind encounters by then
//!   both missed).

use super::economics::{MONTH_PARTS, MemberMonths};
use super::text::count;
use super::value::{Period, Rate};
use super::{Instrument, Tier};
use serde::Serialize;
use std::fmt;

/// A baseline PHQ-9 severity band (SPEC section 3), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
    NoBaseline,
}

impl Band {
    /// Mildest first; "no baseline" last.
    pub const ALL: [Band; 6] = [
        Band::Minimal,
        Band::Mild,
        Band::Moderate,
        Band::ModeratelySevere,
        Band::Severe,
        Band::NoBaseline,
    ];

    /// The band of a baseline PHQ-9 total (the instrument table's bands).
    pub fn of_baseline(total: Option<i64>) -> Band {
        let Some(total) = total else {
            return Band::NoBaseline;
        };
        match Instrument::Phq9.def().band(total).map(|b| b.label) {
            Some("minimal") => Band::Minimal,
            Some("mild") => Band::Mild,
            Some("moderate") => Band::Moderate,
            Some("moderately severe") => Band::ModeratelySevere,
            Some("severe") => Band::Severe,
            _ => Band::NoBaseline,
        }
    }

    /// The word in JSON (`moderately_severe`).
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Minimal => "minimal",
            Band::Mild => "mild",
            Band::Moderate => "moderate",
            Band::ModeratelySevere => "moderately_severe",
            Band::Severe => "severe",
            Band::NoBaseline => "no_baseline",
        }
    }

    /// For people (`moderately severe`, `no PHQ-9 baseline`).
    pub fn label(self) -> &'static str {
        match self {
            Band::ModeratelySevere => "moderately severe",
            Band::NoBaseline => "no PHQ-9 baseline",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

/// The care one capitated client got in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCare {
    pub band: Band,
    pub tier: Tier,
    /// Member months of capitation cover in the period (> 0 for every client given).
    pub member_months: MemberMonths,
    /// Minutes of encounters dated on covered days (all kinds and statuses).
    pub minutes: i64,
    /// Contacts dated on covered days.
    pub contacts: i64,
    pub discharged: bool,
    pub disengaged: bool,
}

/// Time in the period on days a client had no capitation cover: left out of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NotCapitated {
    /// Clients with time (or a contact) on such days.
    pub clients: i64,
    pub minutes: i64,
    pub contacts: i64,
}

impl NotCapitated {
    /// The sentence under the table (the CLI's and the TUI's), None when nothing was left out.
    pub fn summary(&self) -> Option<String> {
        (self.clients > 0).then(|| {
            format!(
                "Not in the table: {} and {} for {} on days without capitation cover.",
                count(self.minutes, "minute", "minutes"),
                count(self.contacts, "contact", "contacts"),
                count(self.clients, "client", "clients")
            )
        })
    }
}

/// One row of the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Care {
    pub clients: i64,
    /// For display (two decimals); the exact value is `exact_member_months`.
    pub member_months: f64,
    #[serde(skip)]
    pub exact_member_months: MemberMonths,
    pub minutes: i64,
    /// One decimal; null without member months.
    pub minutes_per_member_month: Option<f64>,
    pub contacts: i64,
    /// Two decimals; null without member months.
    pub contacts_per_member_month: Option<f64>,
    pub contacted: Rate,
    pub discharged: Rate,
    pub disengaged: Rate,
}

impl Care {
    fn of<'a>(clients: impl Iterator<Item = &'a ClientCare>) -> Care {
        let (mut n, mut mm, mut minutes, mut contacts) = (0, MemberMonths::ZERO, 0, 0);
        let (mut contacted, mut discharged, mut disengaged) = (0, 0, 0);
        for c in clients {
            n += 1;
            mm += c.member_months;
            minutes += c.minutes;
            contacts += c.contacts;
            contacted += i64::from(c.contacts > 0);
            discharged += i64::from(c.discharged);
            disengaged += i64::from(c.disengaged);
        }
        Care {
            clients: n,
            member_months: rounded(mm.as_f64(), 100.0),
            exact_member_months: mm,
            minutes,
            minutes_per_member_month: per_member_month(minutes, mm).map(|v| rounded(v, 10.0)),
            contacts,
            contacts_per_member_month: per_member_month(contacts, mm).map(|v| rounded(v, 100.0)),
            contacted: Rate::new(contacted, n),
            discharged: Rate::new(discharged, n),
            disengaged: Rate::new(disengaged, n),
        }
    }

    /// Whether this row got fewer minutes per member month than `other`, exactly (no
    /// rounding); false when either has no member months.
    pub fn less_time_than(&self, other: &Care) -> bool {
        let (a, b) = (self.exact_member_months.0, other.exact_member_months.0);
        a > 0
            && b > 0
            && (self.minutes as i128) * (b as i128) < (other.minutes as i128) * (a as i128)
    }
}

fn per_member_month(count: i64, mm: MemberMonths) -> Option<f64> {
    (!mm.is_zero()).then(|| count as f64 * MONTH_PARTS as f64 / mm.0 as f64)
}

fn rounded(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandCare {
    pub band: Band,
    #[serde(flatten)]
    pub care: Care,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCare {
    pub tier: Tier,
    #[serde(flatten)]
    pub care: Care,
}

/// The self-audit for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fairness {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// Every band, mildest first, then "no baseline" (empty rows too, so the shape is stable).
    pub by_band: Vec<BandCare>,
    /// high, moderate, low.
    pub by_tier: Vec<TierCare>,
    pub not_capitated: NotCapitated,
    /// Said plainly when the most severe band with clients got less time per member month
    /// than the mildest band with clients.
    pub warning: Option<String>,
}

/// The breakdown of the care the capitated clients got in `period`.
pub fn audit(period: Period, clients: &[ClientCare], not_capitated: NotCapitated) -> Fairness {
    let by_band: Vec<BandCare> = Band::ALL
        .iter()
        .map(|&band| BandCare {
            band,
            care: Care::of(clients.iter().filter(|c| c.band == band)),
        })
        .collect();
    let by_tier = [Tier::High, Tier::Moderate, Tier::Low]
        .iter()
        .map(|&tier| TierCare {
            tier,
            care: Care::of(clients.iter().filter(|c| c.tier == tier)),
        })
        .collect();
    let warning = warning(&by_band);
    Fairness {
        from: period.from,
        to: period.to,
        by_band,
        by_tier,
        not_capitated,
        warning,
    }
}

/// A band needs at least this many clients before its time per member month is compared: with
/// fewer, one busy or quiet client decides the figure, and the warning would be noise.
pub const MIN_BAND_CLIENTS: i64 = 10;

/// Whether a band's row may be compared in the warning: a PHQ-9 band (not "no baseline") with
/// member months and at least [`MIN_BAND_CLIENTS`] clients.
pub fn comparable(band: &BandCare) -> bool {
    band.band != Band::NoBaseline
        && !band.care.exact_member_months.is_zero()
        && band.care.clients >= MIN_BAND_CLIENTS
}

/// "Clients with severe depression (12) got 38 min per member month, less than the 52 for
/// minimal (40) — …" when the most severe band that is [`comparable`] got less time per member
/// month than the mildest such band (compared exactly).
pub fn warning(by_band: &[BandCare]) -> Option<String> {
    let banded: Vec<&BandCare> = by_band.iter().filter(|b| comparable(b)).collect();
    let (mildest, severest) = (
        banded.iter().min_by_key(|b| b.band)?,
        banded.iter().max_by_key(|b| b.band)?,
    );
    if mildest.band == severest.band || !severest.care.less_time_than(&mildest.care) {
        return None;
    }
    let (low, high) = (
        severest.care.minutes_per_member_month?,
        mildest.care.minutes_per_member_month?,
    );
    // Whole minutes read best; a decimal only when whole minutes would read as equal.
    let (low, high) = if low.round() < high.round() {
        (format!("{low:.0}"), format!("{high:.0}"))
    } else {
        (format!("{low:.1}"), format!("{high:.1}"))
    };
    Some(format!(
        "Clients with {} depression ({}) got {low} min per member month, less than the {high} \
         for {} ({}) — capitation may be pushing care away from those who need it most.",
        severest.band.label(),
        count(severest.care.clients, "client", "clients"),
        mildest.band.label(),
        count(mildest.care.clients, "client", "clients"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn care(band: Band, tier: Tier, months: i64, minutes: i64, contacts: i64) -> ClientCare {
        ClientCare {
            band,
            tier,
            member_months: MemberMonths(months * MONTH_PARTS),
            minutes,
            contacts,
            discharged: false,
            disengaged: false,
        }
    }

    fn period() -> Period {
        Period {
            from: parse_date("2026-09-01").unwrap(),
            to: parse_date("2026-11-30").unwrap(),
        }
    }

    #[test]
    fn bands_follow_the_instrument_table() {
        assert_eq!(Band::of_baseline(None), Band::NoBaseline);
        assert_eq!(Band::of_baseline(Some(0)), Band::Minimal);
        assert_eq!(Band::of_baseline(Some(4)), Band::Minimal);
        assert_eq!(Band::of_baseline(Some(5)), Band::Mild);
        assert_eq!(Band::of_baseline(Some(14)), Band::Moderate);
        assert_eq!(Band::of_baseline(Some(15)), Band::ModeratelySevere);
        assert_eq!(Band::of_baseline(Some(20)), Band::Severe);
        assert_eq!(Band::of_baseline(Some(27)), Band::Severe);
        assert_eq!(
            serde_json::to_string(&Band::ModeratelySevere).unwrap(),
            "\"moderately_severe\""
        );
    }

    /// `n` clients alike: `months` member months and `minutes` each.
    fn many(n: usize, band: Band, tier: Tier, months: i64, minutes: i64) -> Vec<ClientCare> {
        vec![care(band, tier, months, minutes, 1); n]
    }

    #[test]
    fn severe_clients_getting_less_time_is_said_plainly() {
        // Minimal: 10 clients, 30 member months, 1,560 minutes = 52 per member month.
        let mut clients = many(10, Band::Minimal, Tier::Low, 3, 156);
        // Severe: 12 clients, 36 member months, 38 per member month.
        clients.extend(many(12, Band::Severe, Tier::High, 3, 114));
        // No baseline is not a band: 1 minute does not matter.
        clients.extend(many(20, Band::NoBaseline, Tier::Moderate, 3, 1));
        clients[10].disengaged = true;
        let f = audit(period(), &clients, NotCapitated::default());
        assert_eq!(
            f.warning.as_deref(),
            Some(
                "Clients with severe depression (12 clients) got 38 min per member month, less \
                 than the 52 for minimal (10 clients) — capitation may be pushing care away \
                 from those who need it most."
            )
        );
        let severe = &f.by_band[4];
        assert_eq!(severe.band, Band::Severe);
        assert_eq!(severe.care.minutes_per_member_month, Some(38.0));
        assert_eq!(severe.care.contacts_per_member_month, Some(0.33));
        assert_eq!(severe.care.disengaged, Rate::new(1, 12));
        let mild = &f.by_band[1];
        assert_eq!(
            (mild.care.clients, mild.care.minutes_per_member_month),
            (0, None)
        );
        assert_eq!(mild.care.contacted.to_string(), "n/a");
        assert_eq!(f.by_tier[0].tier, Tier::High);
        assert_eq!(f.by_tier[2].care.minutes, 1560);
        assert_eq!(f.by_band.len(), 6);

        // The same time per member month is no warning; more for the severe, none either.
        for c in &mut clients[10..22] {
            c.minutes = 156;
        }
        assert_eq!(
            audit(period(), &clients, NotCapitated::default()).warning,
            None
        );
        for c in &mut clients[10..22] {
            c.minutes = 400;
        }
        assert_eq!(
            audit(period(), &clients, NotCapitated::default()).warning,
            None
        );
    }

    #[test]
    fn a_band_needs_ten_clients_to_be_compared() {
        let warned = |mildest: usize, severest: usize| {
            let mut clients = many(mildest, Band::Minimal, Tier::Low, 3, 156);
            clients.extend(many(severest, Band::Severe, Tier::High, 3, 114));
            audit(period(), &clients, NotCapitated::default()).warning
        };
        assert!(warned(10, 10).is_some());
        assert!(warned(9, 10).is_none());
        assert!(warned(10, 9).is_none());
        assert!(warned(2, 1).is_none(), "the band of 2 the issue saw");
        let text = warned(10, 10).unwrap();
        assert!(text.contains("(10 clients)"), "{text}");
        // A band too small to compare gives way to the next one that is large enough: 9
        // severe clients are passed over for 10 moderately severe ones.
        let mut clients = many(10, Band::Minimal, Tier::Low, 3, 156);
        clients.extend(many(9, Band::Severe, Tier::High, 3, 10));
        clients.extend(many(10, Band::ModeratelySevere, Tier::High, 3, 114));
        let text = audit(period(), &clients, NotCapitated::default())
            .warning
            .unwrap();
        assert!(
            text.starts_with("Clients with moderately severe depression (10 clients) got 38"),
            "{text}"
        );
        assert!(comparable(&BandCare {
            band: Band::Mild,
            care: Care::of(many(10, Band::Mild, Tier::Low, 1, 0).iter()),
        }));
        assert!(!comparable(&BandCare {
            band: Band::NoBaseline,
            care: Care::of(many(10, Band::NoBaseline, Tier::Low, 1, 0).iter()),
        }));
    }

    #[test]
    fn the_bands_compared_are_those_with_clients() {
        // Only moderate and moderately severe have clients: those two are compared.
        let mut clients = many(10, Band::Moderate, Tier::Moderate, 1, 60);
        clients.extend(many(10, Band::ModeratelySevere, Tier::Moderate, 2, 100));
        let f = audit(period(), &clients, NotCapitated::default());
        let text = f.warning.unwrap();
        assert!(
            text.starts_with("Clients with moderately severe depression (10 clients) got 50 min"),
            "{text}"
        );
        assert!(
            text.contains("less than the 60 for moderate (10 clients)"),
            "{text}"
        );
        // One band alone, or none: nothing to compare.
        assert_eq!(
            audit(period(), &clients[..10], NotCapitated::default()).warning,
            None
        );
        assert_eq!(audit(period(), &[], NotCapitated::default()).warning, None);
    }

    #[test]
    fn a_difference_hidden_by_rounding_shows_a_decimal() {
        // 52.4 against 52.0 per member month: whole minutes would both read 52.
        let mut clients = many(10, Band::Mild, Tier::Low, 5, 262);
        clients.extend(many(10, Band::Severe, Tier::High, 1, 52));
        let text = audit(period(), &clients, NotCapitated::default())
            .warning
            .unwrap();
        assert!(
            text.contains("got 52.0 min per member month, less than the 52.4 for mild"),
            "{text}"
        );
    }
}
