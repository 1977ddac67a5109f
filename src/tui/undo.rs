//! The session's undo history: each record this UI logged, voided, unvoided or amended, and each
//! booking it made, since it was opened, with what taking it back means. Plain data and labels
//! only: `update_client` takes a change back through the store (an audited void, unvoid,
//! amendment or cancellation, never a deletion). Reviews of flags are not in it: a review
//! stays on record.

use crate::domain::corrections::RecordKind;
use crate::domain::{ClientId, Encounter, Measurement};

/// The reason every undo is recorded with in the audit trail.
pub const UNDO_REASON: &str = "undo in caseload";

/// One change made in this session, and what undoing it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Logged here (a contact, measurement or event): undoing voids it.
    Logged {
        kind: RecordKind,
        id: i64,
    },
    /// Voided here: undoing unvoids it.
    Voided {
        kind: RecordKind,
        id: i64,
    },
    /// Unvoided here: undoing voids it again.
    Unvoided {
        kind: RecordKind,
        id: i64,
    },
    /// Amended here: undoing amends it back to these values.
    AmendedEncounter {
        before: Encounter,
    },
    AmendedMeasurement {
        before: Measurement,
    },
    /// Booked here (one appointment or a series): undoing cancels those still booked.
    Booked {
        ids: Vec<i64>,
    },
}

/// A change and whose record it was, with a short description of the record ("encounter of
/// 2026-11-12 · session · 50 min") for the status line. It holds no client name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub client: ClientId,
    pub change: Change,
    pub what: String,
}

impl Done {
    /// What undoing it did, for the status line.
    pub fn undone(&self) -> String {
        let what = &self.what;
        // What happened comes first: an 80-column status line may cut the record's label.
        match &self.change {
            Change::Logged { .. } => format!("Undone, voided: {what}, logged here"),
            Change::Voided { .. } => format!("Undone, it counts again: the void of {what}"),
            Change::Unvoided { .. } => format!("Undone, voided again: the unvoid of {what}"),
            Change::AmendedEncounter { .. } | Change::AmendedMeasurement { .. } => {
                format!("Undone, old values back: the correction of {what}")
            }
            Change::Booked { .. } => format!("Undone, cancelled: {what}, booked here"),
        }
    }
}

/// "encounter of 2026-11-12 · session · 50 min".
pub fn encounter_label(e: &Encounter) -> String {
    format!("encounter of {} · {} · {} min", e.date, e.kind, e.minutes)
}

/// "PHQ-9 of 2026-11-12 · 14".
pub fn measurement_label(m: &Measurement) -> String {
    format!("{} of {} · {}", m.instrument.def().name, m.date, m.total)
}

/// The latest change to this client's records still to undo (the newest first).
pub fn latest_for(history: &[Done], client: ClientId) -> Option<usize> {
    history.iter().rposition(|d| d.client == client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(client: i64, id: i64) -> Done {
        Done {
            client: ClientId(client),
            change: Change::Voided {
                kind: RecordKind::Encounter,
                id,
            },
            what: format!("encounter {id}"),
        }
    }

    #[test]
    fn undo_takes_the_newest_change_of_the_client_on_screen() {
        let history = vec![done(1, 10), done(2, 20), done(1, 11), done(2, 21)];
        assert_eq!(latest_for(&history, ClientId(1)), Some(2));
        assert_eq!(latest_for(&history, ClientId(2)), Some(3));
        assert_eq!(latest_for(&history, ClientId(3)), None);
        assert_eq!(
            history[2].undone(),
            "Undone, it counts again: the void of encounter 11"
        );
    }
}
