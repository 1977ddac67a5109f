//! Corrections written (SPEC section 9): voiding and unvoiding a record, amending an
//! encounter, measurement or event, and editing a client's details. A correction never deletes:
//! a void sets who, when and why on the row (the `live_*` views and partial indexes then leave
//! it out of every rule), an amendment rewrites the row's values. Each is one audit row naming
//! the record, every changed field old → new, and the reason, in the same transaction.
//!
//! Values arrive validated (`domain::entry`, `domain::validate`); this module checks only what
//! needs the database: that the record exists, is live (or voided, to unvoid), and that an
//! unvoided attribution would not overlap another.

use super::Tx;
use super::row::iso;
use super::{attributions, clients, encounters, events, measurements};
use crate::domain::corrections::{self, FieldChange, RecordKind, shown};
use crate::domain::entry::{EncounterEntry, EventEntry, MeasurementEntry};
use crate::domain::{
    AttributionId, ClientId, ClinicianId, EncounterId, EventId, MeasurementId, Voided,
    ranges_overlap,
};
use crate::error::{Error, Result};
use crate::store::db::params;
use chrono::{DateTime, NaiveDate, Utc};

/// The client a record belongs to and whether it is voided.
fn state(tx: &Tx, kind: RecordKind, id: i64) -> Result<(ClientId, Option<Voided>)> {
    Ok(match kind {
        RecordKind::Encounter => {
            let e = encounters::get(tx, EncounterId(id))?;
            (e.client_id, e.voided)
        }
        RecordKind::Measurement => {
            let m = measurements::get(tx, MeasurementId(id))?;
            (m.client_id, m.voided)
        }
        RecordKind::Event => {
            let e = events::get(tx, EventId(id))?;
            (e.client_id, e.voided)
        }
        RecordKind::Attribution => {
            let a = attributions::get(tx, AttributionId(id))?;
            (a.client_id, a.voided)
        }
    })
}

/// The client a record belongs to (for the access check before a correction).
pub fn owner(conn: &crate::store::db::Connection, kind: RecordKind, id: i64) -> Result<ClientId> {
    Ok(match kind {
        RecordKind::Encounter => encounters::get(conn, EncounterId(id))?.client_id,
        RecordKind::Measurement => measurements::get(conn, MeasurementId(id))?.client_id,
        RecordKind::Event => events::get(conn, EventId(id))?.client_id,
        RecordKind::Attribution => attributions::get(conn, AttributionId(id))?.client_id,
    })
}

fn already_voided(kind: RecordKind, id: i64, v: &Voided, doing: &str) -> Error {
    Error::invalid(format!(
        "{kind} {id} is already voided (on {} by {}: {}); {doing}",
        v.at.get(..10).unwrap_or(&v.at),
        crate::domain::text::sanitize(&v.by),
        crate::domain::text::sanitize(&v.reason)
    ))
}

/// Refuses to change a voided record (`doing` says what to do instead).
fn require_live(tx: &Tx, kind: RecordKind, id: i64, doing: &str) -> Result<ClientId> {
    let (client, voided) = state(tx, kind, id)?;
    if let Some(v) = voided {
        return Err(already_voided(kind, id, &v, doing));
    }
    Ok(client)
}

const UNVOID_TO_AMEND: &str = "unvoid it before amending it";

/// Voids a live record: it stays stored, with who, when and why, and counts for nothing.
pub fn void(
    tx: &Tx,
    kind: RecordKind,
    id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<ClientId> {
    let client = require_live(tx, kind, id, "nothing was changed")?;
    let by = tx.actor().name.clone();
    tx.execute(
        &format!(
            "UPDATE {} SET voided_at = ?1, voided_by = ?2, void_reason = ?3
             WHERE id = ?4 AND voided_at IS NULL",
            kind.table()
        ),
        params![super::audit::timestamp(at), by, reason, id],
    )?;
    tx.audit_as(
        tx.actor(),
        at,
        &format!("{kind}.void"),
        Some(client),
        &format!("{kind} {id}; reason: {reason}"),
    )?;
    Ok(client)
}

/// Brings a voided record back exactly as it was before the void.
pub fn unvoid(
    tx: &Tx,
    kind: RecordKind,
    id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<ClientId> {
    let (client, voided) = state(tx, kind, id)?;
    let Some(was) = voided else {
        return Err(Error::invalid(format!(
            "{kind} {id} is not voided; there is nothing to unvoid"
        )));
    };
    if kind == RecordKind::Attribution {
        let a = attributions::get(tx, AttributionId(id))?;
        if let Some(clash) = attributions::for_client(tx, client)?.into_iter().find(|b| {
            b.contract_id == a.contract_id && ranges_overlap(b.start, b.end, a.start, a.end)
        }) {
            return Err(Error::invalid(format!(
                "attribution {id} would overlap attribution {} (from {}) to the same contract; \
                 end or void that one first",
                clash.id, clash.start
            )));
        }
    }
    tx.execute(
        &format!(
            "UPDATE {} SET voided_at = NULL, voided_by = NULL, void_reason = NULL WHERE id = ?1",
            kind.table()
        ),
        [id],
    )?;
    tx.audit_as(
        tx.actor(),
        at,
        &format!("{kind}.unvoid"),
        Some(client),
        &format!(
            "{kind} {id} (voided {} by {}); reason: {reason}",
            was.at.get(..10).unwrap_or(&was.at),
            was.by
        ),
    )?;
    Ok(client)
}

fn audit_amendment(
    tx: &Tx,
    kind: RecordKind,
    id: i64,
    client: ClientId,
    changes: &[FieldChange],
    reason: &str,
) -> Result<()> {
    if changes.is_empty() {
        return Err(Error::invalid(format!(
            "the amendment changes nothing in {kind} {id}; give the values to correct"
        )));
    }
    tx.audit(
        &format!("{kind}.amend"),
        Some(client),
        &format!("{kind} {id}: {}", corrections::describe(changes, reason)),
    )
}

/// The corrected values of an encounter, validated as on entry, and who it was for.
pub struct EncounterAmendment {
    pub entry: EncounterEntry,
    pub clinician_id: ClinicianId,
    pub clinician: String,
}

/// Rewrites a live encounter with corrected values; returns what changed.
pub fn amend_encounter(
    tx: &Tx,
    id: EncounterId,
    new: &EncounterAmendment,
    reason: &str,
) -> Result<Vec<FieldChange>> {
    let client = require_live(tx, RecordKind::Encounter, id.0, UNVOID_TO_AMEND)?;
    let old = encounters::get(tx, id)?;
    let e = &new.entry;
    let changes = corrections::changes([
        ("date", old.date.to_string(), e.date.to_string()),
        ("kind", old.kind.to_string(), e.kind.to_string()),
        ("status", old.status.to_string(), e.status.to_string()),
        ("minutes", old.minutes.to_string(), e.minutes.to_string()),
        ("clinician", old.clinician.clone(), new.clinician.clone()),
        ("note", shown(old.note.as_deref()), shown(e.note.as_deref())),
    ]);
    audit_amendment(tx, RecordKind::Encounter, id.0, client, &changes, reason)?;
    tx.prepare_cached(
        "UPDATE encounters SET date = ?1, kind = ?2, status = ?3, minutes = ?4,
             clinician_id = ?5, note = ?6
         WHERE id = ?7",
    )?
    .execute(params![
        e.date,
        e.kind.as_str(),
        e.status.as_str(),
        e.minutes,
        new.clinician_id,
        e.note,
        id
    ])?;
    Ok(changes)
}

/// Rewrites a live measurement's date and score (the instrument stays); returns what changed.
pub fn amend_measurement(
    tx: &Tx,
    id: MeasurementId,
    new: &MeasurementEntry,
    reason: &str,
) -> Result<Vec<FieldChange>> {
    let client = require_live(tx, RecordKind::Measurement, id.0, UNVOID_TO_AMEND)?;
    let old = measurements::get(tx, id)?;
    let items = |i: &Option<Vec<i64>>| {
        shown(i.as_ref().map(|i| {
            i.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }))
    };
    let changes = corrections::changes([
        ("date", old.date.to_string(), new.date.to_string()),
        ("total", old.total.to_string(), new.total.to_string()),
        ("items", items(&old.items), items(&new.items)),
    ]);
    audit_amendment(tx, RecordKind::Measurement, id.0, client, &changes, reason)?;
    tx.prepare_cached("UPDATE measurements SET date = ?1, total = ?2, items = ?3 WHERE id = ?4")?
        .execute(params![
            new.date,
            new.total,
            new.items.as_deref().map(measurements::encode_items),
            id
        ])?;
    Ok(changes)
}

/// Rewrites a live event's date and kind; returns what changed.
pub fn amend_event(
    tx: &Tx,
    id: EventId,
    new: &EventEntry,
    reason: &str,
) -> Result<Vec<FieldChange>> {
    let client = require_live(tx, RecordKind::Event, id.0, UNVOID_TO_AMEND)?;
    let old = events::get(tx, id)?;
    let changes = corrections::changes([
        ("date", old.date.to_string(), new.date.to_string()),
        ("kind", old.kind.to_string(), new.kind.to_string()),
    ]);
    audit_amendment(tx, RecordKind::Event, id.0, client, &changes, reason)?;
    tx.prepare_cached("UPDATE events SET date = ?1, kind = ?2 WHERE id = ?3")?
        .execute(params![new.date, new.kind.as_str(), id])?;
    Ok(changes)
}

/// A client's details as they should be after `client edit` (each validated by the caller).
pub struct ClientDetails {
    pub name: String,
    pub external_id: Option<String>,
    pub dob: Option<NaiveDate>,
    pub diagnosis: Option<String>,
    pub clinician_id: Option<ClinicianId>,
    pub clinician: Option<String>,
    pub since: NaiveDate,
}

/// Rewrites a client's details; returns what changed. A payer id another client holds is
/// refused by name of the field, not by SQLite's constraint text.
pub fn edit_client(
    tx: &Tx,
    id: ClientId,
    new: &ClientDetails,
    reason: Option<&str>,
) -> Result<Vec<FieldChange>> {
    let old = clients::get(tx, id)?;
    if let Some(ext) = &new.external_id
        && old.external_id.as_deref() != Some(ext.as_str())
    {
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM clients WHERE external_id = ?1 AND id <> ?2)",
            params![ext, id],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::invalid(format!(
                "another client already has the external id {}",
                crate::domain::text::sanitize(ext)
            )));
        }
    }
    let changes = corrections::changes([
        ("name", old.name.clone(), new.name.clone()),
        (
            "external id",
            shown(old.external_id.as_deref()),
            shown(new.external_id.as_deref()),
        ),
        ("dob", shown(old.dob), shown(new.dob)),
        (
            "diagnosis",
            shown(old.diagnosis.as_deref()),
            shown(new.diagnosis.as_deref()),
        ),
        (
            "clinician",
            shown(old.clinician.as_deref()),
            shown(new.clinician.as_deref()),
        ),
        ("since", old.since.to_string(), new.since.to_string()),
    ]);
    if changes.is_empty() {
        return Err(Error::invalid(
            "the edit changes nothing; give the details to correct",
        ));
    }
    let mut detail = changes
        .iter()
        .map(|c| format!("{} {} → {}", c.field, c.old, c.new))
        .collect::<Vec<_>>()
        .join("; ");
    if let Some(reason) = reason {
        detail.push_str(&format!("; reason: {reason}"));
    }
    tx.audit("client.edit", Some(id), &detail)?;
    tx.prepare_cached(
        "UPDATE clients SET name = ?1, external_id = ?2, dob = ?3, diagnosis = ?4,
             clinician_id = ?5, since = ?6
         WHERE id = ?7",
    )?
    .execute(params![
        new.name,
        new.external_id,
        new.dob.map(iso),
        new.diagnosis,
        new.clinician_id,
        new.since,
        id
    ])?;
    Ok(changes)
}
