//! `caseload report value --csv`: the value report as one CSV table for a spreadsheet — a row
//! per measure (`report::value::measure_rows`, the rows the text, the TUI and the HTML show),
//! then a row per fairness band and tier. Formatting only: every figure comes computed.

use crate::domain::csvfile::neutralize;
use crate::domain::fairness::{Care, Fairness};
use crate::domain::text::escape_controls;
use crate::domain::value::ValueMeasures;
use crate::error::{Error, Result};
use crate::report::value::{Change, Figure, measure_rows};

const HEADER: [&str; 17] = [
    "part",
    "section",
    "measure",
    "value",
    "n",
    "of",
    "previous_value",
    "previous_n",
    "previous_of",
    "change_points",
    "clients",
    "member_months",
    "minutes_per_member_month",
    "contacts_per_member_month",
    "contacted",
    "discharged",
    "disengaged",
];

/// A text cell as `export --csv` writes one: control characters as visible escapes, formulas
/// neutralised.
fn text(cell: &str) -> String {
    neutralize(&escape_controls(cell)).into_owned()
}

fn number(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

/// A figure as (value, n, of): a rate's percentage with its n and N; a mean with its count;
/// days or a count alone. Empty cells where there was no one to count.
fn figure(f: Figure) -> [String; 3] {
    match f {
        Figure::Rate(r) => [number(r.percent(), 1), r.n.to_string(), r.of.to_string()],
        Figure::Mean { mean, n } => [number(mean, 1), n.to_string(), String::new()],
        Figure::Days(d) => [number(d, 1), String::new(), String::new()],
        Figure::Count(n) => [n.to_string(), String::new(), String::new()],
    }
}

fn care(c: &Care) -> [String; 7] {
    [
        c.clients.to_string(),
        format!("{:.2}", c.member_months),
        number(c.minutes_per_member_month, 1),
        number(c.contacts_per_member_month, 2),
        c.contacted.n.to_string(),
        c.discharged.n.to_string(),
        c.disengaged.n.to_string(),
    ]
}

/// The CSV text: the header, the measures, then the fairness rows.
pub fn render(current: &ValueMeasures, previous: &ValueMeasures, f: &Fairness) -> Result<String> {
    let failed = |e: csv::Error| Error::invalid(format!("could not write CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).map_err(failed)?;
    let mut section = "";
    for row in measure_rows(current, previous, &[]) {
        // Each row names its section (the table only names it on the section's first row).
        if !row.section.is_empty() {
            section = row.section;
        }
        let change = match row.change {
            Change::Up(p) => p.to_string(),
            Change::Down(p) => (-p).to_string(),
            Change::Same => "0".to_string(),
            Change::Unknown => String::new(),
        };
        let mut record = vec!["measure".to_string(), text(section), text(row.label)];
        record.extend(figure(row.now));
        record.extend(figure(row.before));
        record.push(change);
        record.extend(std::iter::repeat_n(String::new(), 7));
        out.write_record(&record).map_err(failed)?;
    }
    let rows = f
        .by_band
        .iter()
        .map(|b| ("baseline PHQ-9", b.band.label().to_string(), &b.care))
        .chain(
            f.by_tier
                .iter()
                .map(|t| ("tier", t.tier.to_string(), &t.care)),
        );
    for (section, name, c) in rows {
        let mut record = vec!["fairness".to_string(), text(section), text(&name)];
        record.extend(std::iter::repeat_n(String::new(), 7));
        record.extend(care(c));
        out.write_record(&record).map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::invalid(format!("could not write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid(format!("could not write CSV: {e}")))
}
