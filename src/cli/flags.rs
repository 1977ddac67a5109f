//! `caseload flags [--clinician NAME] [--json|--csv]`: the active clients who carry at least one
//! flag, in priority order (SPEC sections 4 and 6). The rules run in `domain::flags`; this
//! handler only chooses the panel and formats it.

use super::args::FlagsArgs;
use super::table::Table;
use super::{Context, print_json};
use crate::domain::csvfile::printable_cell;
use crate::domain::flags::reviews::Review;
use crate::domain::flags::{Flag, count_by_kind};
use crate::domain::{ClientId, Tier};
use crate::error::{Error, Result};
use crate::store::clinicians;
use crate::store::panel::{self, PanelEntry, PanelQuery};
use serde::Serialize;

mod stream;

/// One flagged client as `flags --json` prints it (SPEC sections 6, 10 and 11).
#[derive(Serialize)]
struct FlaggedJson<'a> {
    client_id: ClientId,
    external_id: Option<&'a str>,
    name: &'a str,
    tier: Tier,
    clinician: Option<&'a str>,
    flags: Vec<FlagJson<'a>>,
    /// The earliest appointment in state booked.
    next_appointment: Option<chrono::NaiveDate>,
}

impl FlaggedJson<'_> {
    /// A flagged client as `flags --json` prints them; with `all`, the reviewed flags too.
    fn of(e: &PanelEntry, all: bool) -> FlaggedJson<'_> {
        FlaggedJson {
            client_id: e.client.id,
            external_id: e.client.external_id.as_deref(),
            name: &e.client.name,
            tier: e.client.tier,
            clinician: e.client.clinician.as_deref(),
            flags: shown(e, all),
            next_appointment: e.next_appointment,
        }
    }
}

/// A flag with the review that silenced it (`null` for one that calls for attention).
#[derive(Serialize)]
pub(super) struct FlagJson<'a> {
    #[serde(flatten)]
    flag: &'a Flag,
    review: Option<&'a Review>,
}

/// The flags a listing shows: those calling for attention and, with `--all`, the reviewed ones
/// after them.
pub(super) fn shown(e: &PanelEntry, all: bool) -> Vec<FlagJson<'_>> {
    let live = e.flags.iter().map(|flag| FlagJson { flag, review: None });
    let reviewed = e
        .reviewed
        .iter()
        .filter(|_| all)
        .map(|(flag, review)| FlagJson {
            flag,
            review: Some(review),
        });
    live.chain(reviewed).collect()
}

pub fn run(ctx: &mut Context, args: FlagsArgs) -> Result<()> {
    let requested = args
        .clinician
        .as_deref()
        .map(|name| ctx.store.read(|c| clinicians::by_name(c, name)))
        .transpose()?;
    // A clinician sees their own panel; supervisors and admins whoever they ask for.
    let panel_of = ctx.visible_clinician(requested.as_ref())?;
    let query = PanelQuery {
        clinician: panel_of,
        include_inactive: false,
    };
    if args.json && !args.all {
        // Streamed: each client is written as the index walk reaches them, with a seek per
        // row into the tables, which a memory map serves without a system call per page.
        ctx.store.map_for_reading()?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return stream::write(&ctx.store, &query, ctx.today, &mut out);
    }
    let entries = ctx.store.read(|c| panel::load(c, &query, ctx.today))?;
    let flagged: Vec<&PanelEntry> = entries
        .iter()
        .filter(|e| !e.flags.is_empty() || (args.all && !e.reviewed.is_empty()))
        .collect();
    if args.json {
        let rows: Vec<FlaggedJson> = flagged
            .iter()
            .map(|e| FlaggedJson::of(e, args.all))
            .collect();
        return print_json(&rows);
    }
    if args.csv {
        return print_csv(&flagged);
    }
    print_table(&flagged, entries.len(), args.all)?;
    Ok(())
}

fn print_csv(flagged: &[&PanelEntry]) -> Result<()> {
    let failed = super::out::csv_error;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "client_id",
        "external_id",
        "name",
        "tier",
        "clinician",
        "kind",
        "severity",
        "due",
        "days_overdue",
        "reason",
    ])
    .map_err(failed)?;
    for e in flagged {
        for f in &e.flags {
            out.write_record([
                e.client.id.to_string(),
                printable_cell(e.client.external_id.as_deref().unwrap_or("")),
                printable_cell(&e.client.name),
                e.client.tier.to_string(),
                printable_cell(e.client.clinician.as_deref().unwrap_or("")),
                f.kind.to_string(),
                f.severity.to_string(),
                f.due.map_or(String::new(), |d| d.to_string()),
                f.days_overdue.to_string(),
                printable_cell(&f.reason),
            ])
            .map_err(failed)?;
        }
    }
    out.flush().map_err(Error::Output)?;
    Ok(())
}

fn print_table(flagged: &[&PanelEntry], active: usize, all: bool) -> crate::error::Result<()> {
    if flagged.is_empty() {
        match active {
            0 => outln!("No flags: there are no active clients."),
            1 => outln!("No flags: the one active client is up to date."),
            _ => outln!("No flags: all {active} active clients are up to date."),
        }
        return Ok(());
    }
    let mut table = Table::new(&[
        "severity",
        "client",
        "tier",
        "next",
        "flag",
        "due",
        ">days overdue",
        "reason",
    ]);
    for e in flagged {
        for (i, shown) in shown(e, all).iter().enumerate() {
            let f = shown.flag;
            let (client, tier, next) = if i == 0 {
                (
                    format!("#{} {}", e.client.id, e.client.name),
                    e.client.tier.to_string(),
                    e.next_appointment
                        .map_or("—".to_string(), |d| d.to_string()),
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            let (severity, reason) = match shown.review {
                None => (f.severity.to_string(), f.reason.clone()),
                Some(r) => (
                    "reviewed".to_string(),
                    format!(
                        "reviewed {} by {}{}: {}",
                        r.date,
                        r.by,
                        r.until
                            .map_or(String::new(), |u| format!(", silent through {u}")),
                        r.note
                    ),
                ),
            };
            table.row(vec![
                severity,
                client,
                tier,
                next,
                f.kind.label().to_string(),
                f.due.map_or("—".to_string(), |d| d.to_string()),
                f.days_overdue.to_string(),
                reason,
            ]);
        }
    }
    table.print()?;
    let counts = count_by_kind(flagged.iter().flat_map(|e| e.flags.iter()));
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let by_kind: Vec<String> = counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.label()))
        .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    outln!(
        "{} on {} of {}: {}",
        plural(total, "flag"),
        flagged.len(),
        plural(active, "active client"),
        by_kind.join(", ")
    );
    Ok(())
}
