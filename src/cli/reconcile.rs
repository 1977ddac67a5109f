//! `caseload reconcile --contract NAME [--month YYYY-MM] [--json]`: for one contract and month,
//! the attributed members never engaged (revenue at risk, a quality gap), the work done for
//! clients no contract covered that day (unpaid work), and the member months the practice's
//! attributions give against those the payer's last roster implies, member by member. Reading
//! the whole practice, it needs a role that sees every panel; it is audited as a report.

use super::table::{Table, or_dash};
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::text::{count, sanitize};
use crate::domain::{Month, parse_month};
use crate::error::Result;
use crate::report::reconcile::{Facts, Reconciliation};
use crate::store::reconcile as facts;
use crate::store::{contracts, roster};
use clap::Args;

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

pub fn run(ctx: &mut Context, args: ReconcileArgs) -> Result<()> {
    let month = match &args.month {
        Some(text) => parse_month(text)?,
        None => Month::of(ctx.today),
    };
    ctx.require_panel(Action::ListClients, None)?;
    let contract = ctx.store.read(|c| contracts::by_name(c, &args.contract))?;
    let facts = ctx.store.read(|snapshot| {
        let import = roster::latest_import(snapshot, contract.id, month.last_day())?;
        let import = match import {
            Some(i) => {
                let members = roster::members_of(snapshot, i.id)?;
                Some((i, members))
            }
            None => None,
        };
        Ok(Facts {
            attributed: facts::attributed(snapshot, contract.id)?,
            import,
            never: facts::never_engaged(snapshot, contract.id, month)?,
            unpaid: facts::unpaid_work(snapshot, month)?,
        })
    })?;
    let view = crate::report::reconcile::reconcile(&contract, month, ctx.today, facts);
    ctx.store.write(|tx| {
        tx.audit(
            "report.reconcile",
            None,
            &format!(
                "contract {} {month}: {} never engaged, {} with unpaid work, {}",
                contract.id,
                view.never_engaged.len(),
                view.unpaid_work.len(),
                count(
                    view.member_months.differences.len(),
                    "member month difference",
                    "member month differences"
                )
            ),
        )
    })?;
    if args.json {
        return print_json(&view);
    }
    print_text(&view)
}

fn print_text(view: &Reconciliation) -> Result<()> {
    let month = view.month;
    outln!("Reconciliation of {} for {month}", sanitize(&view.contract));
    outln!();
    outln!(
        "Never engaged: {} with no contact by {} ({} of this month's gross)",
        count(
            view.never_engaged.len(),
            "attributed member",
            "attributed members"
        ),
        month.last_day(),
        view.at_risk
    );
    if !view.never_engaged.is_empty() {
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
        for row in &view.never_engaged {
            let n = &row.member;
            t.row(vec![
                n.client_id.to_string(),
                n.external_id.clone().unwrap_or_default(),
                n.name.clone(),
                n.status.to_string(),
                n.attributed_from.to_string(),
                row.days_attributed.to_string(),
                n.outreach_attempts.to_string(),
                or_dash(n.last_outreach),
                row.gross.to_string(),
            ]);
        }
        t.print()?;
    }
    outln!();
    outln!(
        "Unpaid work (practice-wide): {} seen on days no contract covered them, {}, {}",
        count(view.unpaid_work.len(), "client", "clients"),
        count(view.unpaid_minutes, "minute", "minutes"),
        view.unpaid_cost
    );
    if !view.unpaid_work.is_empty() {
        let mut t = Table::new(&[
            ">id",
            "external id",
            "name",
            ">encounters",
            ">contacts",
            ">minutes",
            ">cost",
        ]);
        for row in &view.unpaid_work {
            let u = &row.work;
            t.row(vec![
                u.client_id.to_string(),
                u.external_id.clone().unwrap_or_default(),
                u.name.clone(),
                u.encounters.to_string(),
                u.contacts.to_string(),
                u.minutes.to_string(),
                row.cost.to_string(),
            ]);
        }
        t.print()?;
    }
    outln!();
    if view.case_rate {
        outln!(
            "Member months: none ({} is a case-rate contract).",
            sanitize(&view.contract)
        );
        return Ok(());
    }
    let mm = &view.member_months;
    outln!(
        "Member months: the practice's attributions give {:.2} ({} gross)",
        mm.practice,
        mm.practice_gross
    );
    match (mm.roster, mm.roster_gross, mm.difference, &mm.roster_import) {
        (Some(roster), Some(roster_gross), Some(difference), Some(i)) => {
            let file = i.x12.as_ref().map_or(String::new(), |x| {
                format!(
                    ", 834 {} file {} of {}",
                    x.kind,
                    sanitize(&x.reference),
                    x.date
                )
            });
            outln!(
                "  the roster as of {} (import {}{file}, {}) implies {:.2} ({} gross): difference {:+.2}",
                i.as_of,
                i.id,
                count(i.members, "member", "members"),
                roster,
                roster_gross,
                difference
            );
            if !mm.differences.is_empty() {
                let mut t = Table::new(&["member id", ">client", ">practice", ">roster"]);
                for d in &mm.differences {
                    t.row(vec![
                        d.member_id.clone().unwrap_or("(no member id)".into()),
                        or_dash(d.client_id),
                        format!("{:.2}", d.practice),
                        format!("{:.2}", d.roster),
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
