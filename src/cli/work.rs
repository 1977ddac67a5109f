//! `caseload log`, `measure` and `event`: recording work and what happened to the client.

use super::Context;
use super::args::{EventArgs, LogArgs, MeasureArgs};
use crate::domain::access::Action;
use crate::domain::{
    EncounterKind, EncounterStatus, EventKind, Instrument, instruments::parse_items,
    text::sanitize, validate,
};
use crate::error::{Error, Result};
use crate::store::{encounters, events, measurements};

pub fn log(ctx: &mut Context, args: LogArgs) -> Result<()> {
    let kind: EncounterKind = args.kind.parse()?;
    let status: EncounterStatus = args.status.parse()?;
    let minutes = validate::minutes(&args.minutes)?;
    let note = validate::note(args.note.as_deref())?;
    let date = ctx.past_date(args.date.as_deref(), "encounter date")?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let worker = ctx.worker_for(&client)?;
    let new = encounters::NewEncounter {
        client_id: client.id,
        clinician_id: worker.id,
        date,
        kind,
        status,
        minutes,
        note,
    };
    let id = ctx.store.write(|tx| encounters::insert(tx, &new))?;
    println!(
        "Logged encounter {id}: {kind} ({status}, {minutes} min) on {date} for {} by {}",
        sanitize(&client.name),
        sanitize(&worker.name)
    );
    Ok(())
}

pub fn measure(ctx: &mut Context, args: MeasureArgs) -> Result<()> {
    let instrument: Instrument = args.instrument.parse()?;
    let def = instrument.def();
    let (total, items) = match (&args.score, &args.items) {
        (Some(score), None) => {
            let total: i64 = score.trim().parse().map_err(|_| {
                Error::Invalid(format!(
                    "{} score '{}' is not a whole number",
                    def.name,
                    sanitize(score)
                ))
            })?;
            (def.check_total(total)?, None)
        }
        (None, Some(text)) => {
            let items = parse_items(def, text)?;
            (def.total_of_items(&items)?, Some(items))
        }
        _ => return Err(Error::invalid("give either --score or --items, not both")),
    };
    let date = ctx.past_date(args.date.as_deref(), "measurement date")?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let new = measurements::NewMeasurement {
        client_id: client.id,
        date,
        instrument,
        total,
        items,
    };
    ctx.store.write(|tx| measurements::insert(tx, &new))?;
    println!(
        "Recorded {} {total} ({}) on {date} for {}",
        def.name,
        def.band_label(total),
        sanitize(&client.name)
    );
    Ok(())
}

pub fn event(ctx: &mut Context, args: EventArgs) -> Result<()> {
    let kind: EventKind = args.kind.parse()?;
    let date = ctx.past_date(args.date.as_deref(), "event date")?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    ctx.store
        .write(|tx| events::insert(tx, client.id, kind, date))?;
    println!("Recorded {kind} on {date} for {}", sanitize(&client.name));
    Ok(())
}
