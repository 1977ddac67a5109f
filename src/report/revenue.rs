//! The revenue report's words, shared by `caseload report revenue` and the TUI's Revenue tab
//! and client screen: which rows are "to date" or under water, and the line that says what
//! "to date" means. Pure; the figures themselves come from the store's report.

use crate::domain::economics::ToDate;
use crate::store::revenue::{RevenueReport, RevenueRow};

/// What a row's figures are besides their numbers: "to date", "under water", in that order.
pub fn row_notes(row: &RevenueRow) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if row.to_date {
        notes.push("to date");
    }
    if row.under_water() {
        notes.push("under water");
    }
    notes
}

/// "2026-11 to date: capitation for 12 of 30 days against the time logged so far"; None when
/// the report does not reach the month to date.
pub fn to_date_note(report: &RevenueReport) -> Option<String> {
    report.to_date.map(explain)
}

/// The sentence for one month to date.
pub fn explain(d: ToDate) -> String {
    format!(
        "{} to date: capitation for {} of {} days against the time logged so far",
        d.month, d.days, d.of
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    #[test]
    fn the_note_names_the_days_so_far() {
        let d = ToDate::on(parse_date("2026-11-12").unwrap());
        assert_eq!(
            explain(d),
            "2026-11 to date: capitation for 12 of 30 days against the time logged so far"
        );
    }
}
