//! `caseload client add|list|show|discharge|status|tier`.

use super::args::{ClientAddArgs, ClientCommand};
use super::table::{Table, or_dash};
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::dates::{birth_date, record_date};
use crate::domain::flags::Flag;
use crate::domain::outcomes::{self, Outcome};
use crate::domain::text::{count, sanitize};
use crate::domain::{ClientStatus, Tier, parse_date, validate};
use crate::error::{Error, Result};
use crate::store::{clients, clinicians, contracts, panel, record};
use serde::Serialize;

pub fn run(ctx: &mut Context, command: ClientCommand) -> Result<()> {
    match command {
        ClientCommand::Add(args) => add(ctx, args),
        ClientCommand::List {
            status,
            clinician,
            json,
        } => list(ctx, status, clinician, json),
        ClientCommand::Show { client, json } => show(ctx, &client, json),
        ClientCommand::Discharge {
            client,
            date,
            force,
        } => set_status(
            ctx,
            &client,
            ClientStatus::Discharged,
            date.as_deref(),
            force,
        ),
        ClientCommand::Status {
            client,
            status,
            date,
            force,
        } => {
            let status: ClientStatus = status.parse()?;
            set_status(ctx, &client, status, date.as_deref(), force)
        }
        ClientCommand::Edit(args) => super::correct::edit_client(ctx, args),
        ClientCommand::Tier { client, tier } => {
            let tier: Tier = tier.parse()?;
            let client = ctx.client_for(&client, Action::ChangeClient)?;
            ctx.store
                .write(|tx| clients::set_tier(tx, client.id, tier))?;
            outln!(
                "Client {} ({}) is now {tier} tier",
                client.id,
                sanitize(&client.name)
            );
            Ok(())
        }
    }
}

/// `client discharge` and `client status`: one status change through the store's one function
/// (which audits it). A change to the status the client already has is refused, and so is
/// taking a client with a critical flag off the active panel without `force`: flags stop
/// there, and a safety concern must not go quiet by a slip of the keyboard.
fn set_status(
    ctx: &mut Context,
    reference: &str,
    status: ClientStatus,
    date: Option<&str>,
    force: bool,
) -> Result<()> {
    let what = match status {
        ClientStatus::Discharged => "discharge date",
        ClientStatus::Active | ClientStatus::OnHold => "status date",
    };
    let on = ctx.past_date(date, what)?;
    let client = ctx.client_for(reference, Action::ChangeClient)?;
    if client.status == status {
        return Err(Error::invalid(match status {
            ClientStatus::Discharged => format!(
                "client {} was already discharged on {}",
                client.id,
                or_dash(client.discharged_on)
            ),
            _ => format!("client {} is already {status}", client.id),
        }));
    }
    if client.status == ClientStatus::Active && status != ClientStatus::Active && !force {
        let flags = ctx
            .store
            .read(|c| panel::for_client(c, client.id, ctx.today))?
            .flags;
        if let Some(named) = crate::domain::flags::critical_named(&flags) {
            let (doing, verb) = match status {
                ClientStatus::Discharged => ("discharging", "discharge"),
                _ => ("putting on hold", "put on hold"),
            };
            return Err(Error::invalid(format!(
                "client {} carries {named}, which {doing} silences; add --force to {verb} anyway",
                client.id
            )));
        }
    }
    ctx.store
        .write(|tx| clients::set_status(tx, client.id, status, on))?;
    let who = format!("client {} ({})", client.id, sanitize(&client.name));
    match (status, client.status) {
        (ClientStatus::Discharged, _) => outln!("Discharged {who} on {on}"),
        (ClientStatus::OnHold, _) => {
            outln!("Put {who} on hold from {on}; flags pause until they are active again")
        }
        (ClientStatus::Active, ClientStatus::Discharged) => outln!(
            "Readmitted {who} on {on} (discharged on {}); flags apply again",
            or_dash(client.discharged_on)
        ),
        (ClientStatus::Active, _) => {
            outln!(
                "{} is active again from {on}; flags apply again",
                capital(&who)
            )
        }
    }
    Ok(())
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn add(ctx: &mut Context, args: ClientAddArgs) -> Result<()> {
    let name = validate::name("client name", &args.name)?;
    let external_id = args
        .external_id
        .map(|e| validate::name("external id", &e))
        .transpose()?;
    let tier: Tier = args.tier.parse()?;
    let since = match &args.since {
        Some(text) => record_date(parse_date(text)?, "start date", ctx.today)?,
        None => ctx.today,
    };
    let dob = args
        .dob
        .as_deref()
        .map(|text| birth_date(parse_date(text)?, ctx.today))
        .transpose()?;
    let diagnosis = args
        .diagnosis
        .as_deref()
        .map(validate::diagnosis)
        .transpose()?;
    let (clinician, contract) = ctx.store.read(|conn| {
        let clinician = match &args.clinician {
            Some(name) => Some(clinicians::by_name(conn, name)?),
            None => match &ctx.acting {
                Some(c) => Some(c.clone()),
                None => match clinicians::list(conn)?.as_slice() {
                    [only] => Some(only.clone()),
                    _ => None,
                },
            },
        };
        let contract = args
            .contract
            .as_deref()
            .map(|c| contracts::by_name(conn, c))
            .transpose()?;
        Ok((clinician, contract))
    })?;
    ctx.require_panel(Action::AddClient, clinician.as_ref().map(|c| c.id))?;
    let new = clients::NewClient {
        external_id,
        name,
        dob,
        tier,
        since,
        diagnosis,
        clinician_id: clinician.as_ref().map(|c| c.id),
    };
    let id = ctx
        .store
        .write(|tx| clients::add(tx, &new, contract.as_ref().map(|c| c.id)))?;
    let mut said = format!("Added client {id}: {} ({tier} tier", sanitize(&new.name));
    if let Some(c) = &clinician {
        said.push_str(&format!(", with {}", sanitize(&c.name)));
    }
    if let Some(c) = &contract {
        said.push_str(&format!(", on {} from {since}", sanitize(&c.name)));
    }
    outln!("{said})");
    Ok(())
}

fn list(
    ctx: &mut Context,
    status: Option<String>,
    clinician: Option<String>,
    json: bool,
) -> Result<()> {
    let status = status.as_deref().map(str::parse).transpose()?;
    let requested = clinician
        .as_deref()
        .map(|n| ctx.store.read(|c| clinicians::by_name(c, n)))
        .transpose()?;
    let filter = clients::ClientFilter {
        status,
        clinician: ctx.visible_clinician(requested.as_ref())?,
    };
    let all = ctx.store.read(|c| clients::list(c, &filter))?;
    let (action, form) = if json {
        ("client.export", "json")
    } else {
        ("client.list", "table")
    };
    let detail = match filter.clinician {
        Some(c) => format!(
            "{} of clinician {c} ({form})",
            count(all.len(), "client", "clients")
        ),
        None => format!("{} ({form})", count(all.len(), "client", "clients")),
    };
    ctx.store.write(|tx| tx.audit(action, None, &detail))?;
    if json {
        return print_json(&all);
    }
    let mut table = Table::new(&[
        ">id",
        "external id",
        "name",
        "tier",
        "status",
        "clinician",
        "since",
    ]);
    for c in &all {
        table.row(vec![
            c.id.to_string(),
            c.external_id.clone().unwrap_or_default(),
            c.name.clone(),
            c.tier.to_string(),
            c.status.to_string(),
            or_dash(c.clinician.as_deref()),
            c.since.to_string(),
        ]);
    }
    if table.is_empty() {
        outln!("No clients match. Add one with `caseload client add NAME`.");
    } else {
        table.print()?;
        outln!("{}", count(all.len(), "client", "clients"));
    }
    Ok(())
}

fn show(ctx: &mut Context, reference: &str, json: bool) -> Result<()> {
    let client = ctx.client_for(reference, Action::ViewClient)?;
    let rec = ctx.store.read(|c| record::load(c, client.id))?;
    let (action, detail) = if json {
        ("client.export", "client show --json")
    } else {
        ("client.view", "client show")
    };
    let entry = ctx
        .store
        .read(|c| panel::for_client(c, client.id, ctx.today))?;
    let flags = entry.flags.clone();
    let outcomes = outcomes::outcomes(&rec.live_measurements(), ctx.today);
    ctx.store
        .write(|tx| tx.audit(action, Some(client.id), detail))?;
    if json {
        return print_json(&ShowJson {
            record: &rec,
            flags: super::flags::shown(&entry, true),
            next_appointment: entry.next_appointment,
            outcomes: &outcomes,
        });
    }
    let c = &rec.client;
    outln!("{}  (#{})", sanitize(&c.name), c.id);
    let mut facts = vec![
        ("external id", or_dash(c.external_id.as_deref())),
        (
            "status",
            match c.discharged_on {
                Some(on) => format!("{} on {on}", c.status),
                None => c.status.to_string(),
            },
        ),
        ("tier", c.tier.to_string()),
        ("clinician", or_dash(c.clinician.as_deref())),
        ("since", c.since.to_string()),
    ];
    if let Some(dob) = c.dob {
        facts.push(("date of birth", dob.to_string()));
    }
    if let Some(dx) = &c.diagnosis {
        facts.push(("diagnosis", dx.clone()));
    }
    for (label, value) in facts {
        outln!("  {label:<14}{}", sanitize(&value));
    }
    outln!();
    print_flags(&flags, c.status)?;
    outln!();
    print_outcomes(&outcomes)?;
    outln!();
    outln!("Attributions");
    if rec.attributions.is_empty() {
        outln!("  none");
    }
    for a in &rec.attributions {
        outln!(
            "  #{}  {}  from {} {}{}",
            a.id,
            sanitize(&a.contract),
            a.start,
            a.end.map_or("(open)".into(), |e| format!("to {e}")),
            voided_mark(a.voided.as_ref())
        );
    }
    outln!();
    outln!("Measurements");
    if rec.measurements.is_empty() {
        outln!("  none");
    }
    for m in &rec.measurements {
        let def = m.instrument.def();
        let items = if m.items.is_some() { " (items)" } else { "" };
        outln!(
            "  #{}  {}  {:<7} {:>3}  {}{items}{}",
            m.id,
            m.date,
            def.name,
            m.total,
            def.band_label(m.total),
            voided_mark(m.voided.as_ref())
        );
    }
    outln!();
    outln!(
        "Encounters ({} in all{})",
        rec.encounters.len(),
        if rec.encounters.len() > 20 {
            ", newest 20 shown"
        } else {
            ""
        }
    );
    let mut table = Table::new(&[">id", "date", "kind", "status", ">min", "clinician", "note"]);
    for e in rec.encounters.iter().take(20) {
        let note = e.note.clone().unwrap_or_default();
        table.row(vec![
            e.id.to_string(),
            e.date.to_string(),
            e.kind.to_string(),
            e.status.to_string(),
            e.minutes.to_string(),
            e.clinician.clone(),
            format!("{note}{}", voided_mark(e.voided.as_ref()))
                .trim()
                .to_string(),
        ]);
    }
    if table.is_empty() {
        outln!("  none");
    } else {
        out!("{}", indent(&table.render()));
    }
    if !rec.events.is_empty() {
        outln!();
        outln!("Acute events");
        for e in &rec.events {
            outln!(
                "  #{}  {}  {}{}",
                e.id,
                e.date,
                e.kind,
                voided_mark(e.voided.as_ref())
            );
        }
    }
    Ok(())
}

/// "  [voided 2026-11-23 by Dana Reyes: typed the wrong client]", or nothing for a live record.
fn voided_mark(voided: Option<&crate::domain::Voided>) -> String {
    voided.map_or(String::new(), |v| {
        format!(
            "  [VOIDED {} by {}: {}]",
            v.at.get(..10).unwrap_or(&v.at),
            sanitize(&v.by),
            sanitize(&v.reason)
        )
    })
}

/// `client show --json`: the record with the client's flags and outcomes beside it.
#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    record: &'a record::ClientRecord,
    /// The flags calling for attention, then those a review silenced (with the review).
    flags: Vec<super::flags::FlagJson<'a>>,
    next_appointment: Option<chrono::NaiveDate>,
    outcomes: &'a [Outcome],
}

fn print_flags(flags: &[Flag], status: ClientStatus) -> crate::error::Result<()> {
    outln!("Flags");
    if flags.is_empty() {
        match status {
            ClientStatus::Active => outln!("  none"),
            other => outln!("  none ({other} clients carry no flags)"),
        }
        return Ok(());
    }
    let mut table = Table::new(&["severity", "flag", "due", ">days overdue", "reason"]);
    for f in flags {
        table.row(vec![
            f.severity.to_string(),
            f.kind.label().to_string(),
            or_dash(f.due),
            f.days_overdue.to_string(),
            f.reason.clone(),
        ]);
    }
    out!("{}", indent(&table.render()));
    Ok(())
}

/// "yes" / "no" / "—" (does not apply, or no later score yet).
fn yes_no(value: Option<bool>) -> String {
    or_dash(value.map(|v| if v { "yes" } else { "no" }))
}

fn print_outcomes(outcomes: &[Outcome]) -> crate::error::Result<()> {
    outln!("Outcomes (baseline → latest)");
    if outcomes.is_empty() {
        outln!("  none: no measurements yet");
        return Ok(());
    }
    let mut table = Table::new(&[
        "instrument",
        "baseline",
        "latest",
        ">change",
        ">scores",
        "response",
        "remission",
        "reliable improvement",
    ]);
    for o in outcomes {
        table.row(vec![
            o.name.to_string(),
            format!("{} {} ({})", o.baseline, o.baseline_band, o.baseline_date),
            format!("{} {} ({})", o.latest, o.latest_band, o.latest_date),
            match o.change {
                c if c > 0 => format!("+{c}"),
                c if c < 0 => format!("−{}", -c),
                _ => "0".to_string(),
            },
            o.count.to_string(),
            yes_no(o.response),
            yes_no(o.remission),
            yes_no(o.reliable_improvement),
        ]);
    }
    out!("{}", indent(&table.render()));
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
