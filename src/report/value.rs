//! The value report's table of measures (SPEC section 7) as one list of rows — section, label,
//! this period, the previous one, the change and the 12-month trend — which the CLI's text,
//! the TUI's Value tab and the HTML report all format. Pure: it reads figures the store
//! computed and computes no measure itself; it must not format for any one medium.

use crate::domain::quality::Measure;
use crate::domain::value::{Rate, ValueMeasures};

/// How a rate moved from the previous period, in whole percentage points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Up(i64),
    Down(i64),
    /// Less than half a point either way.
    Same,
    /// One of the periods had no one to count.
    Unknown,
}

impl Change {
    pub fn of(now: Rate, before: Rate) -> Change {
        match (now.percent(), before.percent()) {
            (Some(a), Some(b)) if (a - b).abs() >= 0.5 => {
                let points = (a - b).round() as i64;
                if a > b {
                    Change::Up(points)
                } else {
                    Change::Down(-points)
                }
            }
            (Some(_), Some(_)) => Change::Same,
            _ => Change::Unknown,
        }
    }

    /// "+3 points", "-2 points", "same", or nothing.
    pub fn text(self) -> String {
        match self {
            Change::Up(p) => format!("+{p} points"),
            Change::Down(p) => format!("-{p} points"),
            Change::Same => "same".into(),
            Change::Unknown => String::new(),
        }
    }
}

/// One cell of the table: what a measure is for one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// n of N.
    Rate(Rate),
    /// A mean of `n` values (`None` when there were none).
    Mean { mean: Option<f64>, n: i64 },
    /// A median number of days (`None` when there was no one to count).
    Days(Option<f64>),
    /// A plain count.
    Count(i64),
}

impl Figure {
    /// The figure as plain text: "18 of 24, 75%", "31.5 (n=6)", "4.0 days", "n/a", "12".
    pub fn text(self) -> String {
        match self {
            Figure::Rate(r) => r.to_string(),
            Figure::Mean { mean: Some(m), n } => format!("{m:.1} (n={n})"),
            Figure::Days(Some(d)) => format!("{d:.1} days"),
            Figure::Mean { mean: None, .. } | Figure::Days(None) => "n/a".into(),
            Figure::Count(n) => n.to_string(),
        }
    }
}

/// One row of the table of measures.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    /// The section's name on its first row, empty on the rows that follow it.
    pub section: &'static str,
    pub label: &'static str,
    pub now: Figure,
    pub before: Figure,
    pub change: Change,
    /// The last 12 months, oldest first, on a 0–100 scale (`None`: no one to count that
    /// month); absent for figures without a trend.
    pub trend: Option<Vec<Option<f64>>>,
}

/// A figure that is not one of the rates a contract can target, read from a period's measures.
struct Extra {
    section: &'static str,
    label: &'static str,
    figure: fn(&ValueMeasures) -> Figure,
    /// The figure on the trend's 0–100 scale, if it has a trend.
    scaled: Option<fn(&ValueMeasures) -> Option<f64>>,
}

/// Where each extra figure sits: after the last rate of its section (Experience has none).
const EXTRAS: [Extra; 4] = [
    Extra {
        section: "Access",
        label: "new clients first seen",
        figure: |v| Figure::Count(v.access.first_seen),
        scaled: None,
    },
    Extra {
        section: "Access",
        label: "median days to be seen",
        figure: |v| Figure::Days(v.access.median_days_to_first_contact),
        scaled: None,
    },
    Extra {
        section: "Follow-up",
        label: "acute events",
        figure: |v| Figure::Count(v.post_discharge.events),
        scaled: None,
    },
    Extra {
        section: "Experience",
        label: "SRS mean (of 40)",
        figure: |v| Figure::Mean {
            mean: v.experience.srs_mean,
            n: v.experience.srs_count,
        },
        // The SRS is scored 0–40: ×2.5 puts it on the sparkline's 0–100 scale.
        scaled: Some(|v| v.experience.srs_mean.map(|m| m * 2.5)),
    },
];

/// The table of measures for a period beside the previous one, with `monthly` (oldest first)
/// as each row's trend: the rates a contract can target in their order, each section's other
/// figures after its rates, Experience last.
pub fn measure_rows(
    current: &ValueMeasures,
    previous: &ValueMeasures,
    monthly: &[ValueMeasures],
) -> Vec<MeasureRow> {
    let mut rows: Vec<MeasureRow> = Vec::new();
    let extra_row = |e: &Extra| MeasureRow {
        section: e.section,
        label: e.label,
        now: (e.figure)(current),
        before: (e.figure)(previous),
        change: Change::Unknown,
        trend: e.scaled.map(|f| monthly.iter().map(f).collect()),
    };
    let sections: Vec<&'static str> = Measure::ALL.iter().map(|m| m.section()).collect();
    for (i, m) in Measure::ALL.iter().enumerate() {
        rows.push(MeasureRow {
            section: m.section(),
            label: m.label(),
            now: Figure::Rate(m.of(current)),
            before: Figure::Rate(m.of(previous)),
            change: Change::of(m.of(current), m.of(previous)),
            trend: Some(monthly.iter().map(|v| m.of(v).percent()).collect()),
        });
        let section_ends = sections.get(i + 1) != Some(&m.section());
        if section_ends {
            rows.extend(
                EXTRAS
                    .iter()
                    .filter(|e| e.section == m.section())
                    .map(extra_row),
            );
        }
    }
    rows.extend(
        EXTRAS
            .iter()
            .filter(|e| !sections.contains(&e.section))
            .map(extra_row),
    );
    // Each section is named once, on its first row.
    let mut last = "";
    for row in &mut rows {
        let section = row.section;
        if section == last {
            row.section = "";
        }
        last = section;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_whole_points_and_less_than_half_a_point_is_the_same() {
        let r = Rate::new;
        assert_eq!(Change::of(r(3, 4), r(1, 2)), Change::Up(25));
        assert_eq!(Change::of(r(1, 2), r(3, 4)), Change::Down(25));
        assert_eq!(Change::of(r(1000, 2000), r(1009, 2000)), Change::Same);
        assert_eq!(Change::of(r(1000, 2000), r(1010, 2000)), Change::Down(1));
        assert_eq!(Change::of(r(1, 2), r(0, 0)), Change::Unknown);
        assert_eq!(Change::Up(3).text(), "+3 points");
        assert_eq!(Change::Down(2).text(), "-2 points");
        assert_eq!(Change::Same.text(), "same");
        assert_eq!(Change::Unknown.text(), "");
    }

    #[test]
    fn figures_read_as_plain_text() {
        assert_eq!(Figure::Rate(Rate::new(18, 24)).text(), "18 of 24, 75%");
        assert_eq!(Figure::Rate(Rate::new(0, 0)).text(), "n/a");
        assert_eq!(
            Figure::Mean {
                mean: Some(31.46),
                n: 6
            }
            .text(),
            "31.5 (n=6)"
        );
        assert_eq!(Figure::Mean { mean: None, n: 0 }.text(), "n/a");
        assert_eq!(Figure::Days(Some(4.0)).text(), "4.0 days");
        assert_eq!(Figure::Count(12).text(), "12");
    }

    #[test]
    fn every_measure_appears_once_in_section_order_with_each_section_named_once() {
        let v = ValueMeasures::default();
        let rows = measure_rows(&v, &v, &[v.clone(), v.clone()]);
        let labels: Vec<(&str, &str)> = rows.iter().map(|r| (r.section, r.label)).collect();
        assert_eq!(
            labels,
            [
                ("Access", "seen within 14 days"),
                ("", "new clients first seen"),
                ("", "median days to be seen"),
                ("Engagement", "show rate"),
                ("", "clients contacted"),
                ("Outcomes", "clients measured"),
                ("", "PHQ-9 response"),
                ("", "PHQ-9 remission"),
                ("", "reliable improvement"),
                ("Follow-up", "within 7 days"),
                ("", "within 30 days"),
                ("", "acute events"),
                ("Experience", "SRS mean (of 40)"),
            ]
        );
        // Rates and the SRS have a trend of one point per month; counts have none.
        assert_eq!(rows[0].trend.as_ref().map(Vec::len), Some(2));
        assert_eq!(rows[1].trend, None);
        assert_eq!(rows[12].trend.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn the_srs_trend_is_on_the_same_scale_as_the_rates() {
        let mut month = ValueMeasures::default();
        month.experience.srs_mean = Some(36.0);
        month.experience.srs_count = 3;
        let v = ValueMeasures::default();
        let rows = measure_rows(&month, &v, std::slice::from_ref(&month));
        let srs = rows.last().unwrap();
        assert_eq!(srs.trend, Some(vec![Some(90.0)]));
        assert_eq!(srs.now.text(), "36.0 (n=3)");
        assert_eq!(srs.before.text(), "n/a");
    }
}
