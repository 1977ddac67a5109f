//! One client's whole record (details, attributions, encounters, measurements, events), loaded
//! together for `client show` and the TUI's client screen.

use super::{attributions, clients, encounters, events, measurements};
use crate::domain::{Attribution, Client, ClientId, Encounter, Event, Measurement};
use crate::error::Result;
use crate::store::db::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ClientRecord {
    pub client: Client,
    pub attributions: Vec<Attribution>,
    /// Newest first.
    pub encounters: Vec<Encounter>,
    /// Oldest first.
    pub measurements: Vec<Measurement>,
    /// Oldest first.
    pub events: Vec<Event>,
}

impl ClientRecord {
    /// The measurements that count (not voided), oldest first: what outcomes and charts use.
    pub fn live_measurements(&self) -> Vec<Measurement> {
        self.measurements
            .iter()
            .filter(|m| m.voided.is_none())
            .cloned()
            .collect()
    }

    /// The events that count (not voided), oldest first.
    pub fn live_events(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.events.iter().filter(|e| e.voided.is_none())
    }

    /// The attributions that count (not voided), oldest first.
    pub fn live_attributions(&self) -> impl Iterator<Item = &Attribution> {
        self.attributions.iter().filter(|a| a.voided.is_none())
    }
}

pub fn load(conn: &Connection, id: ClientId) -> Result<ClientRecord> {
    Ok(ClientRecord {
        client: clients::get(conn, id)?,
        attributions: attributions::all_for_client(conn, id)?,
        encounters: encounters::for_client(conn, id)?,
        measurements: measurements::for_client(conn, id)?,
        events: events::for_client(conn, id)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        ClinicianId, EncounterKind, EncounterStatus, EventKind, Instrument, Money, Role, Tier,
        parse_date,
    };
    use crate::store::{Store, clients, clinicians, encounters, events, measurements};

    #[test]
    fn encounters_measurements_and_events_round_trip() {
        let mut store = Store::open_in_memory().unwrap();
        let d = |s| parse_date(s).unwrap();
        let id = store
            .write(|tx| {
                let who = clinicians::insert(tx, "Dana", Role::Clinician, Money(9000))?;
                let id = clients::insert(
                    tx,
                    &clients::NewClient {
                        external_id: None,
                        name: "Ann".into(),
                        dob: None,
                        tier: Tier::Moderate,
                        since: d("2026-01-01"),
                        diagnosis: None,
                        clinician_id: Some(who),
                    },
                )?;
                encounters::insert(
                    tx,
                    &encounters::NewEncounter {
                        client_id: id,
                        clinician_id: who,
                        date: d("2026-02-01"),
                        kind: EncounterKind::CaseManagement,
                        status: EncounterStatus::Cancelled,
                        minutes: 30,
                        note: Some("housing".into()),
                    },
                )?;
                for (date, items) in [
                    ("2026-02-01", Some(vec![1, 1, 1, 1, 1, 1, 1, 1, 1])),
                    ("2026-02-01", None),
                ] {
                    measurements::insert(
                        tx,
                        &measurements::NewMeasurement {
                            client_id: id,
                            date: d(date),
                            instrument: Instrument::Phq9,
                            total: 9,
                            items,
                        },
                    )?;
                }
                events::insert(tx, id, EventKind::InpatientDischarge, d("2026-02-03"))?;
                Ok(id)
            })
            .unwrap();
        let rec = load(store.conn(), id).unwrap();
        let e = &rec.encounters[0];
        assert_eq!(
            (e.kind, e.status, e.minutes),
            (
                EncounterKind::CaseManagement,
                EncounterStatus::Cancelled,
                30
            )
        );
        assert_eq!(e.note.as_deref(), Some("housing"));
        assert_eq!(e.clinician, "Dana");
        assert_eq!(rec.measurements.len(), 2);
        assert_eq!(rec.measurements[0].items.as_ref().map(Vec::len), Some(9));
        assert_eq!(
            rec.measurements[1].items, None,
            "the later one, recorded last, has no items"
        );
        assert_eq!(rec.events[0].kind, EventKind::InpatientDischarge);
        let bad = store.write(|tx| {
            encounters::insert(
                tx,
                &encounters::NewEncounter {
                    client_id: id,
                    clinician_id: ClinicianId(42),
                    date: d("2026-02-01"),
                    kind: EncounterKind::Session,
                    status: EncounterStatus::Completed,
                    minutes: 50,
                    note: None,
                },
            )
        });
        assert!(bad.is_err(), "foreign keys are enforced for encounters");
    }
}
