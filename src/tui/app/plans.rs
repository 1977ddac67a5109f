//! The model behind the screens that plan ahead or weigh a contract: the agenda's week with its
//! appointments, and the revenue tab's contracts view. Plain data: `update` loads it from the
//! store, the screens only read it.

use crate::domain::appointments::Appointment;
use crate::store::contract_report::ContractReport;
use chrono::{Datelike, Duration, NaiveDate};

/// The Monday of the week (Monday to Sunday) that holds `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The agenda: one week, Monday to Sunday, and its appointments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaView {
    /// The Monday of the week shown.
    pub monday: NaiveDate,
    /// The week's appointments by date, time and name (as `store::appointments::between`
    /// returns them); `None` until `update` loads them.
    pub appointments: Option<Vec<Appointment>>,
    /// Index into `appointments`.
    pub selected: usize,
    /// The appointment to select again once the week is reloaded.
    pub keep: Option<i64>,
}

impl AgendaView {
    /// The week of `today`, not loaded yet.
    pub fn new(today: NaiveDate) -> AgendaView {
        AgendaView {
            monday: monday_of(today),
            appointments: None,
            selected: 0,
            keep: None,
        }
    }

    /// Drops the loaded week (the data changed), remembering the selected appointment.
    pub fn invalidate(&mut self) {
        if let Some(id) = self.selected_appointment().map(|a| a.id) {
            self.keep = Some(id);
        }
        self.appointments = None;
    }

    pub fn sunday(&self) -> NaiveDate {
        self.monday + Duration::days(6)
    }

    /// Monday to Sunday.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..7).map(|i| self.monday + Duration::days(i))
    }

    pub fn loaded(&self) -> &[Appointment] {
        self.appointments.as_deref().unwrap_or(&[])
    }

    pub fn selected_appointment(&self) -> Option<&Appointment> {
        self.loaded().get(self.selected)
    }
}

/// The revenue tab's contracts view: each contract's report for January of this year to this
/// month (as `caseload report contract` defaults), or why the viewer may not see it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContractsTab {
    Shown(Vec<ContractReport>),
    /// The contracts cover the whole practice; a clinician who sees only their own panel is
    /// told so instead.
    Refused(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;

    #[test]
    fn a_week_runs_monday_to_sunday() {
        let d = |s| parse_date(s).unwrap();
        assert_eq!(monday_of(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(monday_of(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(monday_of(d("2026-12-01")), d("2026-11-30"));
        let week = AgendaView::new(d("2026-11-26"));
        let days: Vec<NaiveDate> = week.days().collect();
        assert_eq!((days[0], days[6]), (d("2026-11-23"), d("2026-11-29")));
        assert_eq!(week.sunday(), d("2026-11-29"));
    }
}
