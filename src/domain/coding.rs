//! The coding self-audit (SPEC section 12): under a case rate paid by diagnosis, how a
//! practice's episodes are coded by severity, and which codings its own measurements do not
//! bear out — a mirror for the clinician, not an accusation. Pure.

use super::value::Period;
use chrono::NaiveDate;
use serde::Serialize;

/// An episode's coded severity: ICD-10 F32/F33 by the digit after the category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coded {
    Mild,
    Moderate,
    Severe,
    Other,
}

/// F32/F33 followed (dot ignored) by 0 mild, 1 moderate, 2 or 3 severe; anything else other.
pub fn coded(diagnosis: Option<&str>) -> Coded {
    let key = diagnosis.map(super::icd10_key).unwrap_or_default();
    let (category, rest) = key.split_at(key.len().min(3));
    if category != "F32" && category != "F33" {
        return Coded::Other;
    }
    match rest.chars().next() {
        Some('0') => Coded::Mild,
        Some('1') => Coded::Moderate,
        Some('2' | '3') => Coded::Severe,
        _ => Coded::Other,
    }
}

/// A coding the baseline PHQ-9 does not bear out: severe below 15, moderate below 10. Without a
/// baseline there is nothing to compare.
pub fn mismatched(coded: Coded, baseline_phq9: Option<i64>) -> bool {
    match (coded, baseline_phq9) {
        (Coded::Severe, Some(b)) => b < 15,
        (Coded::Moderate, Some(b)) => b < 10,
        _ => false,
    }
}

/// How many days around an episode's start a PHQ-9 counts as its baseline.
pub const BASELINE_WINDOW_DAYS: i64 = 30;

/// A case-rate episode as the audit needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub client_id: i64,
    pub name: String,
    pub start: NaiveDate,
    pub diagnosis: Option<String>,
    /// The client's first PHQ-9 dated from 30 days before to 30 days after the start.
    pub baseline_phq9: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub mild: i64,
    pub moderate: i64,
    pub severe: i64,
    pub other: i64,
}

impl Counts {
    fn add(&mut self, c: Coded) {
        match c {
            Coded::Mild => self.mild += 1,
            Coded::Moderate => self.moderate += 1,
            Coded::Severe => self.severe += 1,
            Coded::Other => self.other += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub client_id: i64,
    pub name: String,
    pub diagnosis: String,
    pub baseline_phq9: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    pub episodes: Counts,
    pub previous: Counts,
    pub mismatches: Vec<Mismatch>,
}

/// Episodes starting in `period` by coded severity, beside those starting in `previous`, and
/// the period's mismatches (in start order).
pub fn audit(episodes: &[Episode], period: Period, previous: Period) -> Coding {
    let mut coding = Coding {
        episodes: Counts::default(),
        previous: Counts::default(),
        mismatches: Vec::new(),
    };
    let mut sorted: Vec<&Episode> = episodes.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.client_id));
    for e in sorted {
        let c = coded(e.diagnosis.as_deref());
        if previous.contains(e.start) {
            coding.previous.add(c);
        }
        if !period.contains(e.start) {
            continue;
        }
        coding.episodes.add(c);
        if mismatched(c, e.baseline_phq9)
            && let (Some(diagnosis), Some(baseline)) = (&e.diagnosis, e.baseline_phq9)
        {
            coding.mismatches.push(Mismatch {
                client_id: e.client_id,
                name: e.name.clone(),
                diagnosis: diagnosis.clone(),
                baseline_phq9: baseline,
            });
        }
    }
    coding
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn severity_is_read_from_the_digit_after_f32_or_f33() {
        assert_eq!(coded(Some("F32.0")), Coded::Mild);
        assert_eq!(coded(Some("f321")), Coded::Moderate);
        assert_eq!(coded(Some("F32.2")), Coded::Severe);
        assert_eq!(coded(Some("F33.3")), Coded::Severe);
        assert_eq!(coded(Some("F33.9")), Coded::Other);
        assert_eq!(coded(Some("F32")), Coded::Other);
        assert_eq!(coded(Some("F41.1")), Coded::Other);
        assert_eq!(coded(None), Coded::Other);
    }

    #[test]
    fn mismatches_sit_at_the_fifteen_and_ten_thresholds() {
        assert!(mismatched(Coded::Severe, Some(14)));
        assert!(!mismatched(Coded::Severe, Some(15)));
        assert!(mismatched(Coded::Moderate, Some(9)));
        assert!(!mismatched(Coded::Moderate, Some(10)));
        assert!(!mismatched(Coded::Mild, Some(0)));
        assert!(!mismatched(Coded::Severe, None));
    }

    #[test]
    fn episodes_are_counted_in_their_start_period_and_mismatches_listed() {
        let period = Period {
            from: d("2026-04-01"),
            to: d("2026-06-30"),
        };
        let previous = period.previous();
        let e = |client_id, start: &str, dx: &str, baseline| Episode {
            client_id,
            name: format!("Client {client_id}"),
            start: d(start),
            diagnosis: Some(dx.into()),
            baseline_phq9: baseline,
        };
        let coding = audit(
            &[
                e(1, "2026-04-01", "F32.2", Some(12)),
                e(2, "2026-06-30", "F33.1", Some(11)),
                e(3, "2026-05-01", "F32.0", None),
                e(4, "2026-03-31", "F32.2", Some(3)),
                e(5, "2026-07-01", "F32.2", Some(3)),
            ],
            period,
            previous,
        );
        assert_eq!(
            coding.episodes,
            Counts {
                mild: 1,
                moderate: 1,
                severe: 1,
                other: 0
            }
        );
        assert_eq!(coding.previous.severe, 1);
        assert_eq!(
            coding.mismatches,
            vec![Mismatch {
                client_id: 1,
                name: "Client 1".into(),
                diagnosis: "F32.2".into(),
                baseline_phq9: 12
            }]
        );
    }
}
