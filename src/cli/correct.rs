//! `caseload amend`, `void`, `unvoid` and `client edit` (SPEC section 9): correcting what was
//! entered. Values are checked exactly as on entry (`domain::entry`); the record is found by the
//! id `client show` lists; the same access rule as for recording work applies to the record's
//! client. Nothing is deleted: the store keeps voided records and audits every correction.

use super::Context;
use crate::domain::access::Action;
use crate::domain::corrections::{self, FieldChange, RecordKind};
use crate::domain::dates::{birth_date, record_date};
use crate::domain::{
    EncounterId, EventId, MeasurementId, entry, parse_date, text::sanitize, validate,
};
use crate::error::Result;
use crate::store::corrections::{self as store, ClientDetails, EncounterAmendment};
use crate::store::{clients, clinicians, encounters, events, measurements};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum AmendCommand {
    /// Correct an encounter: date, kind, status, minutes, note or clinician
    Encounter {
        /// The encounter's id (listed by `client show`)
        id: i64,
        /// The corrected date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The corrected kind
        #[arg(long)]
        kind: Option<String>,
        /// The corrected status (completed, no-show, cancelled)
        #[arg(long)]
        status: Option<String>,
        /// The corrected minutes (0–1440)
        #[arg(long)]
        minutes: Option<String>,
        /// The corrected note ("" removes it)
        #[arg(long)]
        note: Option<String>,
        /// The clinician who did the work
        #[arg(long, value_name = "NAME")]
        clinician: Option<String>,
        #[command(flatten)]
        reason: Reason,
    },
    /// Correct a measurement: its date, or its score (a total or the item responses)
    Measurement {
        /// The measurement's id (listed by `client show`)
        id: i64,
        /// The corrected date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The corrected total
        #[arg(long, conflicts_with = "items")]
        score: Option<String>,
        /// The corrected item responses, comma separated
        #[arg(long)]
        items: Option<String>,
        #[command(flatten)]
        reason: Reason,
    },
    /// Correct an acute event: its date or kind
    Event {
        /// The event's id (listed by `client show`)
        id: i64,
        /// The corrected date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The corrected kind
        #[arg(long)]
        kind: Option<String>,
        #[command(flatten)]
        reason: Reason,
    },
}

#[derive(Debug, Args)]
pub struct Reason {
    /// Why (1–500 characters); kept in the audit trail with the change
    #[arg(long, required = true)]
    pub reason: String,
}

#[derive(Debug, Args)]
#[command(after_help = "\
A voided record stays stored and is shown as voided (who, when, why) in `client show`, but counts \
for nothing: no flag, due date, report, revenue figure or reconciliation uses it. `unvoid` brings \
it back exactly.")]
pub struct VoidArgs {
    /// encounter, measurement, event or attribution
    pub kind: String,
    /// The record's id (listed by `client show`)
    pub id: i64,
    #[command(flatten)]
    pub reason: Reason,
}

#[derive(Debug, Args)]
pub struct ClientEditArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// The client's corrected full name
    #[arg(long)]
    pub name: Option<String>,
    /// The payer's member id ("" removes it)
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Date of birth ("" removes it)
    #[arg(long, value_name = "DATE")]
    pub dob: Option<String>,
    /// ICD-10 code ("" removes it)
    #[arg(long, value_name = "ICD10")]
    pub diagnosis: Option<String>,
    /// The primary clinician ("" leaves the client with none)
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// The day the client joined the panel
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Why, for the audit trail (optional)
    #[arg(long)]
    pub reason: Option<String>,
}

/// "minutes 500 → 50, date 2026-11-02 → 2026-11-03".
fn summary(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| format!("{} {} → {}", c.field, sanitize(&c.old), sanitize(&c.new)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks that the acting clinician may change the record's client. A `lock-days` rule (only
/// an admin corrects records older than the practice's lock) would be checked here.
fn allow(ctx: &mut Context, kind: RecordKind, id: i64) -> Result<()> {
    let client_id = ctx.store.read(|c| store::owner(c, kind, id))?;
    let client = ctx.store.read(|c| clients::get(c, client_id))?;
    ctx.require(Action::ChangeClient, Some(&client))
}

pub fn amend(ctx: &mut Context, command: AmendCommand) -> Result<()> {
    let (kind, id, changes) = match command {
        AmendCommand::Encounter {
            id,
            date,
            kind,
            status,
            minutes,
            note,
            clinician,
            reason,
        } => {
            let reason = corrections::reason(&reason.reason)?;
            allow(ctx, RecordKind::Encounter, id)?;
            let old = ctx.store.read(|c| encounters::get(c, EncounterId(id)))?;
            let old_date = old.date.to_string();
            let old_minutes = old.minutes.to_string();
            let entry = entry::encounter(
                kind.as_deref().unwrap_or(old.kind.as_str()),
                status.as_deref().unwrap_or(old.status.as_str()),
                minutes.as_deref().unwrap_or(&old_minutes),
                Some(date.as_deref().unwrap_or(&old_date)),
                note.as_deref().or(old.note.as_deref()),
                ctx.today,
            )?;
            let (clinician_id, clinician) = match clinician {
                Some(name) => {
                    let c = ctx.store.read(|c| clinicians::by_name(c, &name))?;
                    (c.id, c.name)
                }
                None => (old.clinician_id, old.clinician.clone()),
            };
            let new = EncounterAmendment {
                entry,
                clinician_id,
                clinician,
            };
            let changes = ctx
                .store
                .write(|tx| store::amend_encounter(tx, EncounterId(id), &new, &reason))?;
            (RecordKind::Encounter, id, changes)
        }
        AmendCommand::Measurement {
            id,
            date,
            score,
            items,
            reason,
        } => {
            let reason = corrections::reason(&reason.reason)?;
            allow(ctx, RecordKind::Measurement, id)?;
            let old = ctx
                .store
                .read(|c| measurements::get(c, MeasurementId(id)))?;
            let old_date = old.date.to_string();
            // Neither given: the score stays as it was (items if it had them).
            let (score, items) = match (score, items) {
                (None, None) => match &old.items {
                    Some(i) => (None, Some(measurements::encode_items(i))),
                    None => (Some(old.total.to_string()), None),
                },
                given => given,
            };
            let entry = entry::measurement(
                old.instrument.as_str(),
                score.as_deref(),
                items.as_deref(),
                Some(date.as_deref().unwrap_or(&old_date)),
                ctx.today,
            )?;
            let changes = ctx
                .store
                .write(|tx| store::amend_measurement(tx, MeasurementId(id), &entry, &reason))?;
            (RecordKind::Measurement, id, changes)
        }
        AmendCommand::Event {
            id,
            date,
            kind,
            reason,
        } => {
            let reason = corrections::reason(&reason.reason)?;
            allow(ctx, RecordKind::Event, id)?;
            let old = ctx.store.read(|c| events::get(c, EventId(id)))?;
            let old_date = old.date.to_string();
            let entry = entry::event(
                kind.as_deref().unwrap_or(old.kind.as_str()),
                Some(date.as_deref().unwrap_or(&old_date)),
                ctx.today,
            )?;
            let changes = ctx
                .store
                .write(|tx| store::amend_event(tx, EventId(id), &entry, &reason))?;
            (RecordKind::Event, id, changes)
        }
    };
    outln!("Amended {kind} {id}: {}", summary(&changes));
    Ok(())
}

pub fn void(ctx: &mut Context, args: VoidArgs, undo: bool) -> Result<()> {
    let kind: RecordKind = args.kind.parse()?;
    let reason = corrections::reason(&args.reason.reason)?;
    allow(ctx, kind, args.id)?;
    let now = ctx.now;
    ctx.store.write(|tx| {
        if undo {
            store::unvoid(tx, kind, args.id, &reason, now)
        } else {
            store::void(tx, kind, args.id, &reason, now)
        }
    })?;
    if undo {
        outln!("Unvoided {kind} {}: it counts again.", args.id);
    } else {
        outln!(
            "Voided {kind} {}: it stays in the record but counts for nothing.",
            args.id
        );
    }
    Ok(())
}

/// An optional text option where "" means "none".
fn cleared(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

pub fn edit_client(ctx: &mut Context, args: ClientEditArgs) -> Result<()> {
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let reason = args
        .reason
        .as_deref()
        .map(corrections::reason)
        .transpose()?;
    let name = match &args.name {
        Some(n) => validate::name("client name", n)?,
        None => client.name.clone(),
    };
    let external_id = match &args.external_id {
        Some(e) => cleared(e)
            .map(|e| validate::name("external id", e))
            .transpose()?,
        None => client.external_id.clone(),
    };
    let dob = match &args.dob {
        Some(d) => cleared(d)
            .map(|d| birth_date(parse_date(d)?, ctx.today))
            .transpose()?,
        None => client.dob,
    };
    let diagnosis = match &args.diagnosis {
        Some(d) => cleared(d).map(validate::diagnosis).transpose()?,
        None => client.diagnosis.clone(),
    };
    let (clinician_id, clinician) = match &args.clinician {
        Some(n) => match cleared(n) {
            Some(n) => {
                let c = ctx.store.read(|c| clinicians::by_name(c, n))?;
                (Some(c.id), Some(c.name))
            }
            None => (None, None),
        },
        None => (client.clinician_id, client.clinician.clone()),
    };
    let since = match &args.since {
        Some(d) => record_date(parse_date(d)?, "start date", ctx.today)?,
        None => client.since,
    };
    let details = ClientDetails {
        name,
        external_id,
        dob,
        diagnosis,
        clinician_id,
        clinician,
        since,
    };
    let changes = ctx
        .store
        .write(|tx| store::edit_client(tx, client.id, &details, reason.as_deref()))?;
    outln!("Edited client {}: {}", client.id, summary(&changes));
    Ok(())
}
