//! A test oracle: the facts of one client computed the slow, obvious way from their whole
//! history. The store's SQL must agree with it; the property tests feed it random histories.

use super::{AcuteEvent, ClientFacts, ContactAttempt, ScoreTrend};
use crate::domain::{
    Client, Encounter, EncounterStatus, Event, Instrument, Measurement, is_contact,
};
use chrono::NaiveDate;

/// The facts as of `today`: records dated after it, and voided ones, are ignored; "latest" ties
/// go to the record with the larger id (the one recorded last).
pub(crate) fn facts_from_history(
    client: &Client,
    encounters: &[Encounter],
    measurements: &[Measurement],
    events: &[Event],
    today: NaiveDate,
) -> ClientFacts {
    let mut encounters: Vec<&Encounter> = encounters
        .iter()
        .filter(|e| e.date <= today && e.voided.is_none())
        .collect();
    encounters.sort_by_key(|e| (e.date, e.id));
    let mut measurements: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.date <= today && m.voided.is_none())
        .collect();
    measurements.sort_by_key(|m| (m.date, m.id));
    let mut events: Vec<&Event> = events
        .iter()
        .filter(|e| e.date <= today && e.voided.is_none())
        .collect();
    events.sort_by_key(|e| (e.date, e.id));

    let contacts: Vec<NaiveDate> = encounters
        .iter()
        .filter(|e| is_contact(e.kind, e.status))
        .map(|e| e.date)
        .collect();
    let trend = |instrument: Instrument| -> Option<ScoreTrend> {
        let of: Vec<&&Measurement> = measurements
            .iter()
            .filter(|m| m.instrument == instrument)
            .collect();
        let (first, last) = (of.first()?, of.last()?);
        Some(ScoreTrend {
            latest: last.total,
            latest_date: last.date,
            previous: of.len().checked_sub(2).map(|i| of[i].total),
            baseline: first.total,
            baseline_date: first.date,
        })
    };
    let latest_phq9 = measurements
        .iter()
        .rev()
        .find(|m| m.instrument == Instrument::Phq9);
    ClientFacts {
        status: client.status,
        tier: client.tier,
        since: client.since,
        first_contact: contacts.first().copied(),
        last_contact: contacts.last().copied(),
        last_measured: measurements.last().map(|m| m.date),
        phq9: trend(Instrument::Phq9),
        gad7: trend(Instrument::Gad7),
        phq9_latest_items: latest_phq9.and_then(|m| m.items.clone()),
        recent_attempts: {
            let mut attempts = encounters
                .iter()
                .rev()
                .filter(|e| e.kind.is_contact_kind())
                .map(|e| ContactAttempt {
                    date: e.date,
                    status: e.status,
                });
            match attempts.next() {
                None => Vec::new(),
                Some(latest) if latest.status == EncounterStatus::Completed => vec![latest],
                Some(latest) => std::iter::once(latest).chain(attempts.next()).collect(),
            }
        },
        acute_event: events.last().map(|ev| AcuteEvent {
            kind: ev.kind,
            date: ev.date,
            first_contact_after: contacts.iter().copied().find(|c| *c > ev.date),
        }),
    }
}
