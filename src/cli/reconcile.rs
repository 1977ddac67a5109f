//! `caseload reconcile --contract NAME [--month YYYY-MM] [--json]`: for one contract and month,
//! the attributed members never engaged (revenue at risk, a quality gap), the work done for
//! clients no contract covered that day (unpaid work), and the member months the practice's
//! attributions give against those the payer's last roster implies, member by member. Reading
//! the whole practice, it needs a role that sees every panel; it is audited as a report.

use super::table::{Table, or_dash};
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::economics::Exact;
use crate::domain::reconcile::{self, Attributed, Side};
use crate::domain::text::{count, sanitize};
use crate::domain::{ClientId, ContractModel, Month, dates, parse_month};
use crate::error::Result;
use crate::store::reconcile::{self as facts, NeverEngaged, Unpaid};
use crate::store::{contracts, roster};
use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Args)]
#[command(after_help = "\
Never engaged: attributed to the contract on any day of the month, and no contact (a completed \
intake, session, telehealth, phone, group, family or crisis encounter) dated on or before the \
month's last day. Unpaid work: encounters of any kind or status dated in the month on days when \
no attribution to any contract covered the client. Member months: the practice's attributions \
to the contract against the latest roster imported for it dated on or before the month's end \
(a roster row without an effective date counts from the roster's date).")]
pub struct ReconcileArgs {
    /// The contract to reconcile
    #[arg(long, value_name = "NAME")]
    pub contract: String,
    /// The month [default: this month]
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Print JSON instead of tables
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct NeverJson<'a> {
    #[serde(flatten)]
    member: &'a NeverEngaged,
    days_attributed: i64,
    gross_cents: i64,
}

#[derive(Serialize)]
struct UnpaidJson<'a> {
    #[serde(flatten)]
    work: &'a Unpaid,
    cost_cents: i64,
}

#[derive(Serialize)]
struct ImportJson {
    id: i64,
    as_of: NaiveDate,
    imported_at: String,
    members: i64,
    /// The 834 the roster was read from: its BGN02 reference, BGN03 date and kind (`full` or
    /// `change`); null for a CSV roster.
    x12: Option<X12Json>,
}

#[derive(Serialize)]
struct X12Json {
    reference: String,
    date: NaiveDate,
    kind: &'static str,
}

#[derive(Serialize)]
struct DifferenceJson<'a> {
    member_id: Option<&'a str>,
    client_id: Option<ClientId>,
    practice: f64,
    roster: f64,
}

#[derive(Serialize)]
struct MemberMonthsJson<'a> {
    practice: f64,
    practice_gross_cents: i64,
    roster: Option<f64>,
    roster_gross_cents: Option<i64>,
    difference: Option<f64>,
    roster_import: Option<ImportJson>,
    differences: Vec<DifferenceJson<'a>>,
}

#[derive(Serialize)]
struct ReconcileJson<'a> {
    contract: &'a str,
    month: Month,
    never_engaged: Vec<NeverJson<'a>>,
    unpaid_work: Vec<UnpaidJson<'a>>,
    member_months: MemberMonthsJson<'a>,
}

fn mm(side: &Side) -> f64 {
    side.member_months.as_f64()
}

pub fn run(ctx: &mut Context, args: ReconcileArgs) -> Result<()> {
    let month = match &args.month {
        Some(text) => parse_month(text)?,
        None => Month::of(ctx.today),
    };
    ctx.require_panel(Action::ListClients, None)?;
    let contract = ctx.store.read(|c| contracts::by_name(c, &args.contract))?;
    let (attributed, import, members, never, unpaid) = ctx.store.read(|snapshot| {
        let attributed = facts::attributed(snapshot, contract.id)?;
        let import = roster::latest_import(snapshot, contract.id, month.last_day())?;
        let members = match &import {
            Some(i) => roster::members_of(snapshot, i.id)?,
            None => Vec::new(),
        };
        let never = facts::never_engaged(snapshot, contract.id, month)?;
        let unpaid = facts::unpaid_work(snapshot, month)?;
        Ok((attributed, import, members, never, unpaid))
    })?;
    let comparison = reconcile::compare(
        &contract,
        month,
        &attributed,
        import.as_ref().map(|i| (i.as_of, members.as_slice())),
    );
    ctx.store.write(|tx| {
        tx.audit(
            "report.reconcile",
            None,
            &format!(
                "contract {} {month}: {} never engaged, {} with unpaid work, {}",
                contract.id,
                never.len(),
                unpaid.len(),
                count(
                    comparison.differences.len(),
                    "member month difference",
                    "member month differences"
                )
            ),
        )
    })?;
    let by_client: HashMap<ClientId, &Attributed> =
        attributed.iter().map(|a| (a.client_id, a)).collect();
    let at_risk = |n: &NeverEngaged| {
        by_client.get(&n.client_id).map_or(Side::default(), |a| {
            reconcile::practice_side(&contract, a, month)
        })
    };
    let seen_by = ctx.today.min(month.last_day());
    if args.json {
        return print_json(&ReconcileJson {
            contract: &contract.name,
            month,
            never_engaged: never
                .iter()
                .map(|n| NeverJson {
                    member: n,
                    days_attributed: dates::days_between(n.attributed_from, seen_by).max(0),
                    gross_cents: at_risk(n).gross.round().cents(),
                })
                .collect(),
            unpaid_work: unpaid
                .iter()
                .map(|u| UnpaidJson {
                    work: u,
                    cost_cents: Exact::minute_cents(u.minutes_times_hourly_cents)
                        .round()
                        .cents(),
                })
                .collect(),
            member_months: MemberMonthsJson {
                practice: mm(&comparison.practice),
                practice_gross_cents: comparison.practice.gross.round().cents(),
                roster: comparison.roster.as_ref().map(mm),
                roster_gross_cents: comparison.roster.map(|r| r.gross.round().cents()),
                difference: comparison.roster.map(|r| mm(&comparison.practice) - mm(&r)),
                roster_import: import.map(|i| ImportJson {
                    id: i.id,
                    as_of: i.as_of,
                    imported_at: i.imported_at,
                    members: i.members,
                    x12: i.x12.map(|x| X12Json {
                        reference: x.reference,
                        date: x.date,
                        kind: x.kind.as_str(),
                    }),
                }),
                differences: comparison
                    .differences
                    .iter()
                    .map(|d| DifferenceJson {
                        member_id: d.member_id.as_deref(),
                        client_id: d.client_id,
                        practice: mm(&d.practice),
                        roster: mm(&d.roster),
                    })
                    .collect(),
            },
        });
    }

    outln!("Reconciliation of {} for {month}", sanitize(&contract.name));
    outln!();
    let risk: i64 = never.iter().map(|n| at_risk(n).gross.round().cents()).sum();
    outln!(
        "Never engaged: {} with no contact by {} ({} of this month's gross)",
        count(never.len(), "attributed member", "attributed members"),
        month.last_day(),
        crate::domain::Money(risk)
    );
    if !never.is_empty() {
        let mut t = Table::new(&[
            ">id",
            "member id",
            "name",
            "status",
            "attributed from",
            ">days",
            ">outreach",
            "last outreach",
            ">gross",
        ]);
        for n in &never {
            t.row(vec![
                n.client_id.to_string(),
                n.external_id.clone().unwrap_or_default(),
                n.name.clone(),
                n.status.to_string(),
                n.attributed_from.to_string(),
                dates::days_between(n.attributed_from, seen_by)
                    .max(0)
                    .to_string(),
                n.outreach_attempts.to_string(),
                or_dash(n.last_outreach),
                at_risk(n).gross.round().to_string(),
            ]);
        }
        t.print()?;
    }
    outln!();
    let minutes: i64 = unpaid.iter().map(|u| u.minutes).sum();
    let cost: i64 = unpaid
        .iter()
        .map(|u| {
            Exact::minute_cents(u.minutes_times_hourly_cents)
                .round()
                .cents()
        })
        .sum();
    outln!(
        "Unpaid work (practice-wide): {} seen on days no contract covered them, {}, {}",
        count(unpaid.len(), "client", "clients"),
        count(minutes, "minute", "minutes"),
        crate::domain::Money(cost)
    );
    if !unpaid.is_empty() {
        let mut t = Table::new(&[
            ">id",
            "external id",
            "name",
            ">encounters",
            ">contacts",
            ">minutes",
            ">cost",
        ]);
        for u in &unpaid {
            t.row(vec![
                u.client_id.to_string(),
                u.external_id.clone().unwrap_or_default(),
                u.name.clone(),
                u.encounters.to_string(),
                u.contacts.to_string(),
                u.minutes.to_string(),
                Exact::minute_cents(u.minutes_times_hourly_cents)
                    .round()
                    .to_string(),
            ]);
        }
        t.print()?;
    }
    outln!();
    if contract.model == ContractModel::CaseRate {
        outln!(
            "Member months: none ({} is a case-rate contract).",
            sanitize(&contract.name)
        );
        return Ok(());
    }
    let practice = &comparison.practice;
    outln!(
        "Member months: the practice's attributions give {:.2} ({} gross)",
        mm(practice),
        practice.gross.round()
    );
    match (&comparison.roster, &import) {
        (Some(r), Some(i)) => {
            let file = i.x12.as_ref().map_or(String::new(), |x| {
                format!(
                    ", 834 {} file {} of {}",
                    x.kind.as_str(),
                    sanitize(&x.reference),
                    x.date
                )
            });
            outln!(
                "  the roster as of {} (import {}{file}, {}) implies {:.2} ({} gross): difference {:+.2}",
                i.as_of,
                i.id,
                count(i.members, "member", "members"),
                mm(r),
                r.gross.round(),
                mm(practice) - mm(r)
            );
            if !comparison.differences.is_empty() {
                let mut t = Table::new(&["member id", ">client", ">practice", ">roster"]);
                for d in &comparison.differences {
                    t.row(vec![
                        d.member_id.clone().unwrap_or("(no member id)".into()),
                        or_dash(d.client_id),
                        format!("{:.2}", mm(&d.practice)),
                        format!("{:.2}", mm(&d.roster)),
                    ]);
                }
                t.print()?;
            }
        }
        _ => outln!(
            "  no roster has been imported for this contract dated on or before {}; import one with `caseload import roster`",
            month.last_day()
        ),
    }
    Ok(())
}
