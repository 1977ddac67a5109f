//! Baseline → latest for each instrument a client has scores on (SPEC section 3): the change,
//! band labels, response, remission and reliable improvement, all from the instrument table.
//! Pure: the caller passes the measurements and today.

use super::{Instrument, Measurement};
use chrono::NaiveDate;
use serde::Serialize;

/// One instrument's course for one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub instrument: Instrument,
    /// The name a clinician reads (`PHQ-9`).
    pub name: &'static str,
    /// How many scores there are.
    pub count: usize,
    pub baseline: i64,
    pub baseline_date: NaiveDate,
    pub baseline_band: &'static str,
    pub latest: i64,
    pub latest_date: NaiveDate,
    pub latest_band: &'static str,
    /// latest − baseline, as scored.
    pub change: i64,
    /// Positive when the client is better off, whichever way the instrument runs.
    pub improvement: i64,
    /// `None` where the measure does not apply (baseline not at caseness, no figure for this
    /// instrument) or there is no later score yet.
    pub response: Option<bool>,
    pub remission: Option<bool>,
    pub reliable_improvement: Option<bool>,
}

/// The outcome on one instrument from its scores `(date, total)` in the order they happened
/// (date, then the order recorded); `None` without scores.
pub fn outcome(instrument: Instrument, scores: &[(NaiveDate, i64)]) -> Option<Outcome> {
    let def = instrument.def();
    let (&(baseline_date, baseline), &(latest_date, latest)) = (scores.first()?, scores.last()?);
    let later = scores.len() > 1;
    Some(Outcome {
        instrument,
        name: def.name,
        count: scores.len(),
        baseline,
        baseline_date,
        baseline_band: def.band_label(baseline),
        latest,
        latest_date,
        latest_band: def.band_label(latest),
        change: latest - baseline,
        improvement: def.improvement(baseline, latest),
        response: def.response(baseline, latest).filter(|_| later),
        remission: def.remission(baseline, latest).filter(|_| later),
        reliable_improvement: def.reliable_improvement(baseline, latest).filter(|_| later),
    })
}

/// The outcome on every instrument the client has been measured on as of `today`, in the
/// instrument table's order. Ties on a date go to the measurement recorded last.
pub fn outcomes(measurements: &[Measurement], today: NaiveDate) -> Vec<Outcome> {
    Instrument::ALL
        .iter()
        .filter_map(|&instrument| {
            let mut of: Vec<&Measurement> = measurements
                .iter()
                .filter(|m| m.instrument == instrument && m.date <= today)
                .collect();
            of.sort_by_key(|m| (m.date, m.id));
            let scores: Vec<(NaiveDate, i64)> = of.iter().map(|m| (m.date, m.total)).collect();
            outcome(instrument, &scores)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientId, MeasurementId, parse_date};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn m(id: i64, on: &str, instrument: Instrument, total: i64) -> Measurement {
        Measurement {
            id: MeasurementId(id),
            client_id: ClientId(1),
            date: d(on),
            instrument,
            total,
            items: None,
            voided: None,
        }
    }

    #[test]
    fn baseline_to_latest_with_the_spec_measures() {
        let all = [
            m(3, "2026-03-01", Instrument::Phq9, 9),
            m(1, "2026-01-05", Instrument::Phq9, 20),
            m(2, "2026-02-01", Instrument::Ors, 18),
            m(4, "2026-03-01", Instrument::Phq9, 4),
            m(5, "2026-03-02", Instrument::Ors, 24),
            m(6, "2026-09-01", Instrument::Phq9, 27),
        ];
        let out = outcomes(&all, d("2026-06-01"));
        assert_eq!(out.len(), 2);
        let phq = &out[0];
        assert_eq!(phq.name, "PHQ-9");
        assert_eq!(phq.count, 3, "the score after today is left out");
        assert_eq!(
            (phq.baseline, phq.latest),
            (20, 4),
            "same-day tie: recorded last"
        );
        assert_eq!((phq.baseline_band, phq.latest_band), ("severe", "minimal"));
        assert_eq!((phq.change, phq.improvement), (-16, 16));
        assert_eq!(
            (phq.response, phq.remission, phq.reliable_improvement),
            (Some(true), Some(true), Some(true))
        );
        let ors = &out[1];
        assert_eq!((ors.change, ors.improvement), (6, 6));
        assert_eq!(ors.response, None, "response applies where higher is worse");
        assert_eq!(ors.remission, None);
        assert_eq!(ors.reliable_improvement, Some(true));
        assert_eq!(ors.latest_band, "clinical range");
    }

    #[test]
    fn a_single_score_has_no_change_to_judge() {
        let out = outcome(Instrument::Phq9, &[(d("2026-01-05"), 14)]).unwrap();
        assert_eq!(out.change, 0);
        assert_eq!(
            (out.response, out.remission, out.reliable_improvement),
            (None, None, None)
        );
        assert_eq!(outcome(Instrument::Gad7, &[]), None);
    }
}
