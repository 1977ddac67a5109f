//! Bulk loading for generated or imported practices: plain inserts inside the caller's one
//! transaction, without an audit row per record (the caller audits the load as a whole).

use super::Tx;
use super::row::iso;
use crate::domain::{
    ClientId, ClientStatus, ClinicianId, ContractId, EncounterKind, EncounterStatus, EventKind,
    Instrument, Tier,
};
use crate::error::Result;
use crate::store::db::params;
use chrono::NaiveDate;

pub struct BulkClient<'a> {
    pub external_id: Option<&'a str>,
    pub name: &'a str,
    pub dob: Option<NaiveDate>,
    pub tier: Tier,
    pub status: ClientStatus,
    pub since: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub diagnosis: Option<&'a str>,
    pub clinician_id: Option<ClinicianId>,
}

pub fn client(tx: &Tx, c: &BulkClient) -> Result<ClientId> {
    tx.prepare_cached(
        "INSERT INTO clients (external_id, name, dob, tier, status, since, discharged_on,
                              diagnosis, clinician_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.external_id,
        c.name,
        c.dob.map(iso),
        c.tier.as_str(),
        c.status.as_str(),
        c.since,
        c.discharged_on.map(iso),
        c.diagnosis,
        c.clinician_id
    ])?;
    Ok(ClientId(tx.last_insert_rowid()?))
}

pub fn attribution(
    tx: &Tx,
    client: ClientId,
    contract: ContractId,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<()> {
    tx.prepare_cached(
        // The episode's diagnosis is the client's at the time (SPEC section 12).
        "INSERT INTO attributions (client_id, contract_id, start_date, end_date, diagnosis)
         VALUES (?1, ?2, ?3, ?4, (SELECT diagnosis FROM clients WHERE id = ?1))",
    )?
    .execute(params![client, contract, start, end.map(iso)])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn encounter(
    tx: &Tx,
    client: ClientId,
    clinician: ClinicianId,
    date: NaiveDate,
    kind: EncounterKind,
    status: EncounterStatus,
    minutes: i64,
    note: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO encounters (client_id, clinician_id, date, kind, status, minutes, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        client,
        clinician,
        date,
        kind.as_str(),
        status.as_str(),
        minutes,
        note
    ])?;
    Ok(())
}

/// Returns the measurement's id (a review of a safety flag is tied to a PHQ-9).
pub fn measurement(
    tx: &Tx,
    client: ClientId,
    date: NaiveDate,
    instrument: Instrument,
    total: i64,
    items: Option<&[i64]>,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO measurements (client_id, date, instrument, total, items) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        client,
        date,
        instrument.as_str(),
        total,
        items.map(super::measurements::encode_items)
    ])?;
    Ok(tx.last_insert_rowid()?)
}

pub fn event(tx: &Tx, client: ClientId, date: NaiveDate, kind: EventKind) -> Result<()> {
    tx.prepare_cached("INSERT INTO events (client_id, date, kind) VALUES (?1, ?2, ?3)")?
        .execute(params![client, date, kind.as_str()])?;
    Ok(())
}

/// Appointments of one client with one clinician on these days (a series when there are
/// several: each carries the first one's id, as `appointments::book` stores them). The caller
/// keeps them free of clashes; the database refuses one anyway.
pub fn appointments(
    tx: &Tx,
    client: ClientId,
    clinician: ClinicianId,
    days: &[NaiveDate],
    time: Option<&str>,
    kind: EncounterKind,
    minutes: i64,
) -> Result<()> {
    let mut series: Option<i64> = None;
    for day in days {
        tx.prepare_cached(
            "INSERT INTO appointments (client_id, clinician_id, date, time, kind, minutes, series_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            client,
            clinician,
            *day,
            time,
            kind.as_str(),
            minutes,
            series
        ])?;
        if series.is_none() && days.len() > 1 {
            let id = tx.last_insert_rowid()?;
            tx.prepare_cached("UPDATE appointments SET series_id = ?1 WHERE id = ?1")?
                .execute([id])?;
            series = Some(id);
        }
    }
    Ok(())
}

/// A review of a flag (`store::reviews::record` checks one a clinician asks for; a generated
/// practice passes reviews that hold by construction).
pub fn review(
    tx: &Tx,
    client: ClientId,
    review: &crate::domain::flags::reviews::Review,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO reviews (client_id, flag, date, until, measurement_id, clinician, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        client,
        review.kind.as_str(),
        review.date,
        review.until.map(iso),
        review.measurement_id,
        review.by,
        review.note
    ])?;
    Ok(())
}
