//! `caseload log`, `measure` and `event`: recording work and what happened to the client.

use super::Context;
use super::args::{EventArgs, LogArgs, MeasureArgs};
use crate::domain::access::Action;
use crate::domain::{entry, text::sanitize};
use crate::error::Result;
use crate::store::{encounters, events, measurements};

pub fn log(ctx: &mut Context, args: LogArgs) -> Result<()> {
    // Without --minutes the time is the kind's usual length, as the TUI's form offers it:
    // recording 0 would silently under-count the time capitation pays for.
    let usual = match &args.minutes {
        Some(_) => None,
        None => Some(entry::usual_minutes(
            args.kind.parse()?,
            args.status.parse()?,
        )),
    };
    let minutes = args
        .minutes
        .clone()
        .unwrap_or_else(|| usual.unwrap_or(0).to_string());
    let e = entry::encounter(
        &args.kind,
        &args.status,
        &minutes,
        args.date.as_deref(),
        args.note.as_deref(),
        ctx.today,
    )?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let worker = ctx.worker_for(&client)?;
    let new = encounters::NewEncounter {
        client_id: client.id,
        clinician_id: worker.id,
        date: e.date,
        kind: e.kind,
        status: e.status,
        minutes: e.minutes,
        note: e.note,
    };
    let id = ctx.store.write(|tx| encounters::insert(tx, &new))?;
    let usual = match (usual, new.minutes) {
        (None, _) => String::new(),
        (Some(_), 0) => " (none for a missed contact; --minutes N to say otherwise)".to_string(),
        (Some(_), _) => format!(
            " (the usual minutes for {}; --minutes N to say otherwise)",
            new.kind
        ),
    };
    outln!(
        "Logged encounter {id}: {} ({}, {} min) on {} for {} by {}{usual}",
        new.kind,
        new.status,
        new.minutes,
        new.date,
        sanitize(&client.name),
        sanitize(&worker.name)
    );
    Ok(())
}

pub fn measure(ctx: &mut Context, args: MeasureArgs) -> Result<()> {
    let m = entry::measurement(
        &args.instrument,
        args.score.as_deref(),
        args.items.as_deref(),
        args.date.as_deref(),
        ctx.today,
    )?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let new = measurements::NewMeasurement {
        client_id: client.id,
        date: m.date,
        instrument: m.instrument,
        total: m.total,
        items: m.items,
    };
    ctx.store.write(|tx| measurements::insert(tx, &new))?;
    let def = new.instrument.def();
    outln!(
        "Recorded {} {} ({}) on {} for {}",
        def.name,
        new.total,
        def.band_label(new.total),
        new.date,
        sanitize(&client.name)
    );
    Ok(())
}

pub fn event(ctx: &mut Context, args: EventArgs) -> Result<()> {
    let e = entry::event(&args.kind, args.date.as_deref(), ctx.today)?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    ctx.store
        .write(|tx| events::insert(tx, client.id, e.kind, e.date))?;
    outln!(
        "Recorded {} on {} for {}",
        e.kind,
        e.date,
        sanitize(&client.name)
    );
    Ok(())
}
