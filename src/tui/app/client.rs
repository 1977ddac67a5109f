//! The open client's part of the model: the record, its money and flags, and the two record
//! lists' selection and scroll (kept by `update`; drawing only reads them).

use crate::domain::corrections::RecordKind;
use crate::domain::{Encounter, Measurement, Voided};
use crate::store::panel::PanelEntry;
use crate::store::record::ClientRecord;
use crate::store::revenue::RevenueReport;
use crate::tui::undo;
use ratatui::widgets::TableState;

/// Which of the client screen's record lists has the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFocus {
    Encounters,
    Measurements,
}

/// The record selected on the client screen.
#[derive(Debug, Clone, Copy)]
pub enum Selected<'a> {
    Encounter(&'a Encounter),
    Measurement(&'a Measurement),
}

impl Selected<'_> {
    pub fn kind(&self) -> RecordKind {
        match self {
            Selected::Encounter(_) => RecordKind::Encounter,
            Selected::Measurement(_) => RecordKind::Measurement,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Selected::Encounter(e) => e.id.0,
            Selected::Measurement(m) => m.id.0,
        }
    }

    pub fn voided(&self) -> Option<&Voided> {
        match self {
            Selected::Encounter(e) => e.voided.as_ref(),
            Selected::Measurement(m) => m.voided.as_ref(),
        }
    }

    /// "encounter of 2026-11-12 · session · 50 min", "PHQ-9 of 2026-11-12 · 14".
    pub fn label(&self) -> String {
        match self {
            Selected::Encounter(e) => undo::encounter_label(e),
            Selected::Measurement(m) => undo::measurement_label(m),
        }
    }
}

/// The open client record.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub record: ClientRecord,
    /// This client's last 12 months by month: member months, revenue and time (the same
    /// report the revenue tab and `report revenue` use, filtered to the client).
    pub revenue: Option<RevenueReport>,
    /// The client's panel entry (flags, trends), when they are on the loaded panel.
    pub entry: Option<PanelEntry>,
    pub focus: ListFocus,
    /// The encounter list's selection and first row shown (rows as `record.encounters`,
    /// newest first). `update` keeps the selection in view; drawing only reads it.
    pub encounters: TableState,
    /// The measurement list's, rows as `measurement_rows` (newest first).
    pub measurements: TableState,
}

impl ClientView {
    pub fn new(
        record: ClientRecord,
        revenue: Option<RevenueReport>,
        entry: Option<PanelEntry>,
    ) -> ClientView {
        let first = |n: usize| TableState::default().with_selected((n > 0).then_some(0));
        ClientView {
            encounters: first(record.encounters.len()),
            measurements: first(record.measurements.len()),
            record,
            revenue,
            entry,
            focus: ListFocus::Encounters,
        }
    }

    /// Measurements newest first, as the list shows them (voided ones included).
    pub fn measurement_rows(&self) -> impl ExactSizeIterator<Item = &Measurement> {
        self.record.measurements.iter().rev()
    }

    /// How many rows the focused list has.
    pub fn focused_len(&self) -> usize {
        match self.focus {
            ListFocus::Encounters => self.record.encounters.len(),
            ListFocus::Measurements => self.record.measurements.len(),
        }
    }

    pub fn focused_state_mut(&mut self) -> &mut TableState {
        match self.focus {
            ListFocus::Encounters => &mut self.encounters,
            ListFocus::Measurements => &mut self.measurements,
        }
    }

    /// The selected record of the focused list.
    pub fn selected(&self) -> Option<Selected<'_>> {
        match self.focus {
            ListFocus::Encounters => self
                .encounters
                .selected()
                .and_then(|i| self.record.encounters.get(i))
                .map(Selected::Encounter),
            ListFocus::Measurements => self
                .measurements
                .selected()
                .and_then(|i| self.measurement_rows().nth(i))
                .map(Selected::Measurement),
        }
    }

    /// Selects a record by kind and id (after a reload, or a record just logged), focusing its
    /// list. Records the lists do not show (events) leave the selection as it is.
    pub fn select(&mut self, kind: RecordKind, id: i64) {
        match kind {
            RecordKind::Encounter => {
                if let Some(i) = self.record.encounters.iter().position(|e| e.id.0 == id) {
                    self.encounters.select(Some(i));
                    self.focus = ListFocus::Encounters;
                }
            }
            RecordKind::Measurement => {
                let found = self.measurement_rows().position(|m| m.id.0 == id);
                if let Some(i) = found {
                    self.measurements.select(Some(i));
                    self.focus = ListFocus::Measurements;
                }
            }
            RecordKind::Event | RecordKind::Attribution => {}
        }
    }

    /// The same view with a freshly loaded record, keeping each list on the record it had
    /// selected (or the nearest row when that one is gone) and the focus where it was.
    pub fn reloaded(
        &self,
        record: ClientRecord,
        revenue: Option<RevenueReport>,
        entry: Option<PanelEntry>,
    ) -> ClientView {
        let encounter = self
            .encounters
            .selected()
            .and_then(|i| self.record.encounters.get(i))
            .map(|e| e.id.0);
        let measurement = self
            .measurements
            .selected()
            .and_then(|i| self.measurement_rows().nth(i))
            .map(|m| m.id.0);
        let mut view = ClientView::new(record, revenue, entry);
        let keep = |state: &TableState, n: usize| {
            let selected = state.selected().map(|i| i.min(n.saturating_sub(1)));
            TableState::default()
                .with_offset(state.offset())
                .with_selected(selected.filter(|_| n > 0))
        };
        view.encounters = keep(&self.encounters, view.record.encounters.len());
        view.measurements = keep(&self.measurements, view.record.measurements.len());
        if let Some(id) = measurement {
            view.select(RecordKind::Measurement, id);
        }
        if let Some(id) = encounter {
            view.select(RecordKind::Encounter, id);
        }
        view.focus = self.focus;
        view
    }
}
