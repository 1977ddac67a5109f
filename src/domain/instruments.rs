//! The outcome instruments of SPEC section 3 as data: one entry per instrument drives
//! validation, band labels, caseness, response, remission and reliable improvement everywhere.

use crate::error::Error;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Which way a score moves when the client is worse off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    HigherIsWorse,
    LowerIsWorse,
}

/// A named score range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Band {
    pub min: i64,
    pub max: i64,
    pub label: &'static str,
}

/// Everything caseload knows about one instrument.
#[derive(Debug, PartialEq, Eq)]
pub struct InstrumentDef {
    /// The id used on the command line and in the database (`phq9`).
    pub id: &'static str,
    /// The name a clinician reads (`PHQ-9`).
    pub name: &'static str,
    pub items: usize,
    pub item_max: i64,
    pub total_max: i64,
    /// Bands from the lowest score up; together they cover 0..=total_max.
    pub bands: &'static [Band],
    /// The caseness threshold: at caseness when `total >= t` (higher is worse) or `total < t`
    /// (lower is worse). `None`: the instrument has no caseness.
    pub caseness: Option<i64>,
    pub direction: Direction,
    /// The reliable-change figure, if the instrument has one.
    pub reliable_change: Option<i64>,
    /// Remission: latest below this after a baseline at caseness (PHQ-9 only in SPEC).
    pub remission_below: Option<i64>,
}

const fn band(min: i64, max: i64, label: &'static str) -> Band {
    Band { min, max, label }
}

/// The instrument table of SPEC section 3. Adding an instrument is adding one entry here and
/// one variant to [`Instrument`].
pub static INSTRUMENTS: [InstrumentDef; 6] = [
    InstrumentDef {
        id: "phq9",
        name: "PHQ-9",
        items: 9,
        item_max: 3,
        total_max: 27,
        bands: &[
            band(0, 4, "minimal"),
            band(5, 9, "mild"),
            band(10, 14, "moderate"),
            band(15, 19, "moderately severe"),
            band(20, 27, "severe"),
        ],
        caseness: Some(10),
        direction: Direction::HigherIsWorse,
        reliable_change: Some(6),
        remission_below: Some(5),
    },
    InstrumentDef {
        id: "gad7",
        name: "GAD-7",
        items: 7,
        item_max: 3,
        total_max: 21,
        bands: &[
            band(0, 4, "minimal"),
            band(5, 9, "mild"),
            band(10, 14, "moderate"),
            band(15, 21, "severe"),
        ],
        caseness: Some(8),
        direction: Direction::HigherIsWorse,
        reliable_change: Some(4),
        remission_below: None,
    },
    InstrumentDef {
        id: "pcl5",
        name: "PCL-5",
        items: 20,
        item_max: 4,
        total_max: 80,
        bands: &[
            band(0, 32, "below threshold"),
            band(33, 80, "probable PTSD"),
        ],
        caseness: Some(33),
        direction: Direction::HigherIsWorse,
        reliable_change: Some(10),
        remission_below: None,
    },
    InstrumentDef {
        id: "auditc",
        name: "AUDIT-C",
        items: 3,
        item_max: 4,
        total_max: 12,
        // SPEC: positive at >= 4 (>= 3 for women); caseload does not record sex, so 3 is
        // labelled as a screen to review rather than silently called negative.
        bands: &[
            band(0, 2, "negative screen"),
            band(3, 3, "positive for women"),
            band(4, 12, "positive screen"),
        ],
        caseness: Some(4),
        direction: Direction::HigherIsWorse,
        reliable_change: None,
        remission_below: None,
    },
    InstrumentDef {
        id: "ors",
        name: "ORS",
        items: 4,
        item_max: 10,
        total_max: 40,
        bands: &[band(0, 24, "clinical range"), band(25, 40, "non-clinical")],
        caseness: Some(25),
        direction: Direction::LowerIsWorse,
        reliable_change: Some(5),
        remission_below: None,
    },
    InstrumentDef {
        id: "srs",
        name: "SRS",
        items: 4,
        item_max: 10,
        total_max: 40,
        bands: &[
            band(0, 35, "alliance concern"),
            band(36, 40, "good alliance"),
        ],
        caseness: None,
        direction: Direction::LowerIsWorse,
        reliable_change: None,
        remission_below: None,
    },
];

/// An instrument id; `def()` gives its entry in [`INSTRUMENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Instrument {
    Phq9,
    Gad7,
    Pcl5,
    AuditC,
    Ors,
    Srs,
}

impl Instrument {
    pub const ALL: [Instrument; 6] = [
        Instrument::Phq9,
        Instrument::Gad7,
        Instrument::Pcl5,
        Instrument::AuditC,
        Instrument::Ors,
        Instrument::Srs,
    ];

    pub fn def(self) -> &'static InstrumentDef {
        &INSTRUMENTS[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.def().id
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }
}

impl fmt::Display for Instrument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Instrument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for Instrument {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted: String = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Instrument::ALL
            .iter()
            .copied()
            .find(|i| i.as_str() == wanted)
            .ok_or_else(|| {
                let ids: Vec<&str> = Instrument::ALL.iter().map(|i| i.as_str()).collect();
                Error::invalid(format!(
                    "unknown instrument '{}' (expected one of: {})",
                    super::text::sanitize(s),
                    ids.join(", ")
                ))
            })
    }
}

impl InstrumentDef {
    /// Checks a total against the instrument's range.
    pub fn check_total(&self, total: i64) -> Result<i64, Error> {
        if (0..=self.total_max).contains(&total) {
            Ok(total)
        } else {
            Err(Error::invalid(format!(
                "{} score {total} is out of range (0–{})",
                self.name, self.total_max
            )))
        }
    }

    /// Validates item responses and returns their total.
    pub fn total_of_items(&self, items: &[i64]) -> Result<i64, Error> {
        if items.len() != self.items {
            return Err(Error::invalid(format!(
                "{} needs {} item responses, got {}",
                self.name,
                self.items,
                items.len()
            )));
        }
        if let Some((i, v)) = items
            .iter()
            .enumerate()
            .find(|(_, v)| !(0..=self.item_max).contains(*v))
        {
            return Err(Error::invalid(format!(
                "{} item {} is {v}; each item is 0–{}",
                self.name,
                i + 1,
                self.item_max
            )));
        }
        Ok(items.iter().sum())
    }

    /// The band label for a total (an out-of-range total has none).
    pub fn band(&self, total: i64) -> Option<&'static Band> {
        self.bands.iter().find(|b| (b.min..=b.max).contains(&total))
    }

    pub fn band_label(&self, total: i64) -> &'static str {
        self.band(total).map_or("out of range", |b| b.label)
    }

    /// Whether a score is at caseness (SPEC section 3).
    pub fn at_caseness(&self, total: i64) -> bool {
        match (self.caseness, self.direction) {
            (None, _) => false,
            (Some(t), Direction::HigherIsWorse) => total >= t,
            (Some(t), Direction::LowerIsWorse) => total < t,
        }
    }

    /// Improvement from baseline to latest, positive when the client is better off.
    pub fn improvement(&self, baseline: i64, latest: i64) -> i64 {
        match self.direction {
            Direction::HigherIsWorse => baseline - latest,
            Direction::LowerIsWorse => latest - baseline,
        }
    }

    /// Response: latest ≤ 50% of a baseline at caseness. Only defined where higher is worse
    /// (halving an ORS would be deterioration); `None` when it does not apply.
    pub fn response(&self, baseline: i64, latest: i64) -> Option<bool> {
        (self.direction == Direction::HigherIsWorse && self.at_caseness(baseline))
            .then_some(latest * 2 <= baseline)
    }

    /// Remission: latest below the remission figure after a baseline at caseness.
    pub fn remission(&self, baseline: i64, latest: i64) -> Option<bool> {
        let below = self.remission_below?;
        self.at_caseness(baseline).then_some(latest < below)
    }

    /// Reliable improvement: improvement ≥ the reliable-change figure.
    pub fn reliable_improvement(&self, baseline: i64, latest: i64) -> Option<bool> {
        self.reliable_change
            .map(|rc| self.improvement(baseline, latest) >= rc)
    }
}

/// Parses item responses typed as `1,2,0,3` (spaces allowed) or as bare digits `120300...`
/// (only for instruments whose items are single digits).
pub fn parse_items(def: &InstrumentDef, text: &str) -> Result<Vec<i64>, Error> {
    let text = text.trim();
    let parts: Vec<&str> = if text.contains(',') {
        text.split(',').map(str::trim).collect()
    } else if def.item_max < 10 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        (0..text.len()).map(|i| &text[i..i + 1]).collect()
    } else {
        text.split_whitespace().collect()
    };
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.parse::<i64>().map_err(|_| {
                Error::invalid(format!(
                    "{} item {} ('{}') is not a whole number",
                    def.name,
                    i + 1,
                    super::text::sanitize(p)
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for (i, inst) in Instrument::ALL.iter().enumerate() {
            let def = inst.def();
            assert_eq!(*inst as usize, i);
            assert_eq!(def.total_max, def.items as i64 * def.item_max, "{}", def.id);
            assert_eq!(def.bands.first().unwrap().min, 0);
            assert_eq!(def.bands.last().unwrap().max, def.total_max);
            for pair in def.bands.windows(2) {
                assert_eq!(pair[0].max + 1, pair[1].min, "{} bands must tile", def.id);
            }
        }
    }

    #[test]
    fn ids_parse_leniently() {
        assert_eq!("PHQ-9".parse::<Instrument>().unwrap(), Instrument::Phq9);
        assert_eq!("audit_c".parse::<Instrument>().unwrap(), Instrument::AuditC);
        assert!(
            "bdi"
                .parse::<Instrument>()
                .unwrap_err()
                .to_string()
                .contains("phq9, gad7")
        );
    }

    #[test]
    fn totals_and_items_are_validated() {
        let phq = Instrument::Phq9.def();
        assert_eq!(phq.check_total(27).unwrap(), 27);
        assert_eq!(
            phq.check_total(28).unwrap_err().to_string(),
            "PHQ-9 score 28 is out of range (0–27)"
        );
        assert!(phq.check_total(-1).is_err());
        assert_eq!(
            phq.total_of_items(&[1, 2, 3, 0, 1, 2, 3, 0, 1]).unwrap(),
            13
        );
        assert_eq!(
            phq.total_of_items(&[1, 2, 3]).unwrap_err().to_string(),
            "PHQ-9 needs 9 item responses, got 3"
        );
        assert_eq!(
            phq.total_of_items(&[1, 2, 4, 0, 0, 0, 0, 0, 0])
                .unwrap_err()
                .to_string(),
            "PHQ-9 item 3 is 4; each item is 0–3"
        );
        assert_eq!(parse_items(phq, "1,2,0").unwrap(), vec![1, 2, 0]);
        assert_eq!(parse_items(phq, "120").unwrap(), vec![1, 2, 0]);
        assert_eq!(
            parse_items(Instrument::Ors.def(), "10 9 8 7").unwrap(),
            vec![10, 9, 8, 7]
        );
        assert!(parse_items(phq, "1,x,2").is_err());
    }

    #[test]
    fn bands_at_their_edges() {
        let phq = Instrument::Phq9.def();
        assert_eq!(phq.band_label(4), "minimal");
        assert_eq!(phq.band_label(5), "mild");
        assert_eq!(phq.band_label(19), "moderately severe");
        assert_eq!(phq.band_label(20), "severe");
        let gad = Instrument::Gad7.def();
        assert!(!gad.at_caseness(7));
        assert!(gad.at_caseness(8));
        let ors = Instrument::Ors.def();
        assert!(ors.at_caseness(24));
        assert!(!ors.at_caseness(25));
        assert!(!Instrument::Srs.def().at_caseness(0));
    }

    #[test]
    fn response_remission_and_reliable_improvement() {
        let phq = Instrument::Phq9.def();
        assert_eq!(
            phq.response(20, 10),
            Some(true),
            "exactly 50% is a response"
        );
        assert_eq!(phq.response(20, 11), Some(false));
        assert_eq!(phq.response(9, 0), None, "baseline below caseness");
        assert_eq!(phq.remission(10, 4), Some(true));
        assert_eq!(phq.remission(10, 5), Some(false));
        assert_eq!(phq.remission(9, 0), None);
        assert_eq!(phq.reliable_improvement(15, 9), Some(true));
        assert_eq!(phq.reliable_improvement(15, 10), Some(false));
        let ors = Instrument::Ors.def();
        assert_eq!(
            ors.reliable_improvement(18, 23),
            Some(true),
            "ORS improves upward"
        );
        assert_eq!(ors.response(18, 30), None);
        assert_eq!(Instrument::AuditC.def().reliable_improvement(8, 0), None);
    }
}
