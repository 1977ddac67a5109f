//! `caseload book`, `appointments`, `appointment cancel|move` (SPEC section 10) and `review`
//! (SPEC section 11): turning flags into work that can be finished. The states and the review
//! rules are `domain::appointments` and `domain::flags::reviews`; the SQL is in
//! `store::appointments` and `store::reviews`.

use super::table::{Table, or_dash};
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::appointments::{self as rules, SeriesEnd};
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews;
use crate::domain::{parse_date, text::sanitize, validate};
use crate::error::{Error, Result};
use crate::store::appointments::{self, Booking};
use crate::store::reviews::ReviewRequest;
use crate::store::{audit::timestamp, clinicians};
use chrono::Duration;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct BookArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// The day (today or later)
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// The time, local wall clock
    #[arg(long, value_name = "HH:MM")]
    pub time: Option<String>,
    /// A contact kind: session, telehealth, phone, intake, group, family, crisis
    #[arg(long, default_value = "session")]
    pub kind: String,
    /// How long it is planned to last [default: the kind's usual length, as the TUI's form]
    #[arg(long, value_name = "MINUTES")]
    pub minutes: Option<String>,
    /// Book a series, one every DAYS days (1–90), with --count or --until
    #[arg(long, value_name = "DAYS")]
    pub every: Option<i64>,
    /// How many appointments the series has (at most 104)
    #[arg(long, requires = "every", conflicts_with = "until")]
    pub count: Option<usize>,
    /// The last day a series may book
    #[arg(long, value_name = "DATE", requires = "every")]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct AppointmentsArgs {
    /// First day [default: today]
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day [default: six days after --from]
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this clinician's appointments
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AppointmentCommand {
    /// Cancel a booked appointment
    Cancel {
        /// The appointment's id (printed by `book` and `appointments`)
        id: i64,
        /// Why, for the audit trail
        #[arg(long)]
        reason: Option<String>,
    },
    /// Move a booked appointment to another day (and time)
    Move {
        /// The appointment's id (printed by `book` and `appointments`)
        id: i64,
        /// The new day (today or later)
        #[arg(long, value_name = "DATE")]
        date: String,
        /// The new time [default: the same time]
        #[arg(long, value_name = "HH:MM")]
        time: Option<String>,
    },
}

#[derive(Debug, Args)]
#[command(after_help = "\
safety and remission: the assessment or step-down decision is on record; the flag stops for the \
PHQ-9 that raised it (the latest on or before the review date) and a later PHQ-9 raises it again. \
Any other warning: a snooze, silent through --until (at most 90 days after the review date), \
back the day after if its condition still holds. post_discharge cannot be reviewed: only a \
contact clears it. `flags --all` lists reviewed flags with their review.")]
pub struct ReviewArgs {
    /// The client: id, external (payer) id, or a unique part of the name
    #[arg(value_name = "REF")]
    pub client: String,
    /// The flag reviewed (safety, remission, not_improving, disengaged, measure_overdue, …)
    #[arg(long)]
    pub flag: String,
    /// What was assessed or decided (1–500 characters)
    #[arg(long)]
    pub note: String,
    /// The review's date [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// For a snooze: the last day the flag stays silent
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

fn flag_kind(text: &str) -> Result<FlagKind> {
    let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
    FlagKind::ALL
        .into_iter()
        .find(|k| k.as_str() == wanted)
        .ok_or_else(|| {
            let known: Vec<&str> = FlagKind::ALL.iter().map(|k| k.as_str()).collect();
            Error::invalid(format!(
                "'{}' is not a flag ({})",
                sanitize(text),
                known.join(", ")
            ))
        })
}

/// A day that may be booked: today or later, and not absurdly far.
fn bookable(ctx: &Context, text: &str, what: &str) -> Result<chrono::NaiveDate> {
    rules::bookable(parse_date(text)?, what, ctx.today)
}

pub fn book(ctx: &mut Context, args: BookArgs) -> Result<()> {
    let kind = rules::contact_kind(args.kind.parse()?)?;
    let minutes = match &args.minutes {
        Some(text) => validate::minutes(text)?,
        None => kind.typical_minutes(),
    };
    let time = args.time.as_deref().map(rules::parse_time).transpose()?;
    let first = bookable(ctx, &args.date, "the appointment date")?;
    let end = match (args.count, &args.until) {
        (Some(n), _) => Some(SeriesEnd::Count(n)),
        (None, Some(until)) => Some(SeriesEnd::Until(bookable(ctx, until, "--until")?)),
        (None, None) => None,
    };
    let days = rules::series(first, args.every, end)?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let worker = ctx.worker_for(&client)?;
    let booking = Booking {
        client_id: client.id,
        clinician_id: worker.id,
        days,
        time,
        kind,
        minutes,
    };
    let ids = ctx.store.write(|tx| appointments::book(tx, &booking))?;
    let when = booking
        .time
        .as_deref()
        .map_or(String::new(), |t| format!(" at {t}"));
    for (id, day) in ids.iter().zip(&booking.days) {
        outln!(
            "Booked appointment {id}: {kind} ({minutes} min) on {day}{when} for {} with {}",
            sanitize(&client.name),
            sanitize(&worker.name)
        );
    }
    Ok(())
}

pub fn list(ctx: &mut Context, args: AppointmentsArgs) -> Result<()> {
    let from = match &args.from {
        Some(text) => parse_date(text)?,
        None => ctx.today,
    };
    let to = match &args.to {
        Some(text) => parse_date(text)?,
        None => from + Duration::days(6),
    };
    if from > to {
        return Err(Error::invalid(format!("--from {from} is after --to {to}")));
    }
    let requested = args
        .clinician
        .as_deref()
        .map(|n| ctx.store.read(|c| clinicians::by_name(c, n)))
        .transpose()?;
    let whose = ctx.visible_clinician(requested.as_ref())?;
    let all = ctx
        .store
        .read(|c| appointments::between(c, from, to, whose, ctx.today))?;
    if args.json {
        return print_json(&all);
    }
    if all.is_empty() {
        outln!("No appointments from {from} to {to}. Book one with `caseload book REF --date D`.");
        return Ok(());
    }
    let mut table = Table::new(&[
        ">id",
        "date",
        "time",
        "client",
        "clinician",
        "kind",
        ">min",
        "state",
    ]);
    for a in &all {
        table.row(vec![
            a.id.to_string(),
            a.date.format("%a %Y-%m-%d").to_string(),
            or_dash(a.time.as_deref()),
            sanitize(&a.name),
            sanitize(&a.clinician),
            a.kind.to_string(),
            a.minutes.to_string(),
            a.state.to_string(),
        ]);
    }
    table.print()
}

pub fn appointment(ctx: &mut Context, command: AppointmentCommand) -> Result<()> {
    let id = match &command {
        AppointmentCommand::Cancel { id, .. } | AppointmentCommand::Move { id, .. } => *id,
    };
    let found = ctx.store.read(|c| appointments::get(c, id, ctx.today))?;
    let client = ctx
        .store
        .read(|c| crate::store::clients::get(c, found.client_id))?;
    ctx.require(Action::ChangeClient, Some(&client))?;
    let today = ctx.today;
    match command {
        AppointmentCommand::Cancel { id, reason } => {
            let reason = reason
                .as_deref()
                .map(|r| validate::note(Some(r)))
                .transpose()?
                .flatten();
            let at = timestamp(ctx.now);
            let a = ctx
                .store
                .write(|tx| appointments::cancel(tx, id, reason.as_deref(), &at, today))?;
            outln!(
                "Cancelled appointment {id} on {} for {}",
                a.date,
                sanitize(&a.name)
            );
        }
        AppointmentCommand::Move { id, date, time } => {
            let day = bookable(ctx, &date, "the new date")?;
            let time = time.as_deref().map(rules::parse_time).transpose()?;
            let a = ctx
                .store
                .write(|tx| appointments::move_to(tx, id, day, time.as_deref(), today))?;
            let moved = ctx.store.read(|c| appointments::get(c, id, today))?;
            let when = moved
                .time
                .as_deref()
                .map_or(String::new(), |t| format!(" at {t}"));
            outln!(
                "Moved appointment {id} for {} from {} to {day}{when}",
                sanitize(&a.name),
                a.date
            );
        }
    }
    Ok(())
}

pub fn review(ctx: &mut Context, args: ReviewArgs) -> Result<()> {
    let kind = flag_kind(&args.flag)?;
    let date = match &args.date {
        Some(text) => ctx.past_date(Some(text), "review date")?,
        None => ctx.today,
    };
    let until = args
        .until
        .as_deref()
        .map(|t| crate::domain::dates::record_date(parse_date(t)?, "--until", ctx.today))
        .transpose()?;
    // The dates first, so a wrong --until is named before the client is looked up.
    reviews::check(kind, date, until)?;
    let note = validate::note(Some(&args.note))?
        .ok_or_else(|| Error::invalid("say what was assessed or decided (--note)"))?;
    let client = ctx.client_for(&args.client, Action::ChangeClient)?;
    let by = ctx
        .acting
        .as_ref()
        .map(|c| c.name.clone())
        .or_else(|| ctx.worker_for(&client).ok().map(|w| w.name))
        .unwrap_or_else(|| "(unnamed)".into());
    let request = ReviewRequest {
        kind,
        date,
        until,
        note,
        by,
    };
    ctx.store
        .write(|tx| crate::store::reviews::record(tx, client.id, &client.name, &request))?;
    let holds = match until {
        Some(u) => format!(
            "silent through {u}; back on {} if it still holds",
            u + Duration::days(1)
        ),
        None => "signed off for the latest PHQ-9; a later PHQ-9 can raise it again".into(),
    };
    outln!(
        "Reviewed {kind} for {} on {date}: {holds}",
        sanitize(&client.name)
    );
    Ok(())
}
