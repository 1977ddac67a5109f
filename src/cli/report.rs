//! `caseload report …`: the value report (and, beside it, the revenue report).

use super::args::ReportCommand;
use super::table::Table;
use super::{Context, print_json};
use crate::domain::coding::Coding;
use crate::domain::fairness::{Care, Fairness};
use crate::domain::parse_date;
use crate::domain::text::{count, sanitize};
use crate::domain::value::{Period, ValueMeasures};
use crate::error::{Error, Result};
use crate::store::clinicians;
use crate::store::value::{self, ValueQuery};
use serde::Serialize;

pub fn run(ctx: &mut Context, command: ReportCommand) -> Result<()> {
    match command {
        ReportCommand::Value {
            from,
            to,
            clinician,
            json,
            html: Some(file),
            force,
            initials,
            ..
        } => {
            let _ = json;
            value_html(ctx, from, to, clinician, &file, force, initials)
        }
        ReportCommand::Value {
            from,
            to,
            clinician,
            json,
            csv,
            html: None,
            ..
        } => value_report(ctx, from, to, clinician, json, csv),
        ReportCommand::Revenue(args) => super::revenue::run(ctx, args),
        ReportCommand::Contract {
            name,
            from,
            to,
            json,
        } => super::contract_report::run(ctx, &name, from, to, json),
    }
}

#[derive(Serialize)]
struct ValueJson {
    #[serde(flatten)]
    current: ValueMeasures,
    previous: ValueMeasures,
    clinician: Option<String>,
    /// The fairness self-audit for the (current) period.
    fairness: Fairness,
    /// The coding self-audit of the period's case-rate episodes.
    coding: Coding,
}

/// The period a report covers: `--from`/`--to`, defaulting to the 90 days ending today.
fn period(ctx: &Context, from: Option<String>, to: Option<String>) -> Result<Period> {
    let to = to
        .as_deref()
        .map(parse_date)
        .transpose()?
        .unwrap_or(ctx.today);
    let from = match from {
        Some(text) => parse_date(&text)?,
        None => Period::default_ending(to).from,
    };
    if from > to {
        return Err(Error::invalid(format!("--from {from} is after --to {to}")));
    }
    Ok(Period { from, to })
}

/// The panel a value report covers: what was asked for, within what the role may see.
fn value_scope(
    ctx: &mut Context,
    clinician: Option<String>,
) -> Result<(ValueQuery, Option<crate::domain::Clinician>)> {
    let requested = clinician
        .as_deref()
        .map(|n| ctx.store.read(|c| clinicians::by_name(c, n)))
        .transpose()?;
    // A clinician sees their own panel; supervisors and admins whoever they ask for.
    let panel_of = ctx.visible_clinician(requested.as_ref())?;
    let clinician = match panel_of {
        Some(id) => Some(ctx.store.read(|c| clinicians::get(c, id))?),
        None => None,
    };
    Ok((
        ValueQuery {
            clinician: panel_of,
        },
        clinician,
    ))
}

/// `report value --html FILE`: the same figures as one page (`cli::html`).
fn value_html(
    ctx: &mut Context,
    from: Option<String>,
    to: Option<String>,
    clinician: Option<String>,
    file: &std::path::Path,
    force: bool,
    initials: bool,
) -> Result<()> {
    let period = period(ctx, from, to)?;
    crate::store::outfile::claim_file(file, force, ctx.store.path())?;
    let (query, clinician) = value_scope(ctx, clinician)?;
    let overview = ctx
        .store
        .read(|c| value::overview(c, period, ctx.today, query))?;
    let page = crate::report::html::value_report(&crate::report::html::ValuePage {
        current: &overview.current,
        previous: &overview.previous,
        monthly: &overview.monthly,
        fairness: &overview.fairness,
        coding: &overview.coding,
        whose: clinician.as_ref().map(|c| c.name.as_str()),
        made_on: ctx.today,
        initials,
    });
    crate::store::outfile::write(file, force, |out| Ok(out.write_all(page.as_bytes())?))?;
    ctx.store.write(|tx| {
        tx.audit(
            "report.value.html",
            None,
            &format!("{} to {}", period.from, period.to),
        )
    })?;
    outln!(
        "Wrote the value report for {} to {} to {} ({} KiB); open it in a browser or print it.",
        period.from,
        period.to,
        sanitize(&file.display().to_string()),
        page.len().div_ceil(1024)
    );
    Ok(())
}

fn value_report(
    ctx: &mut Context,
    from: Option<String>,
    to: Option<String>,
    clinician: Option<String>,
    json: bool,
    csv: bool,
) -> Result<()> {
    let period = period(ctx, from, to)?;
    let (query, clinician) = value_scope(ctx, clinician)?;
    let value::ValueReport {
        current,
        previous,
        fairness,
        coding,
    } = ctx.store.read(|c| value::report(c, period, query))?;
    ctx.store.write(|tx| {
        tx.audit(
            "report.value",
            None,
            &format!("{} to {}", period.from, period.to),
        )
    })?;
    if json {
        return print_json(&ValueJson {
            current,
            previous,
            clinician: clinician.map(|c| c.name),
            fairness,
            coding,
        });
    }
    if csv {
        out!(
            "{}",
            super::value_csv::render(&current, &previous, &fairness)?
        );
        return Ok(());
    }
    let whose = clinician.map_or("the whole practice".to_string(), |c| sanitize(&c.name));
    outln!(
        "Value report for {whose}: {} to {} ({}), beside {} to {}",
        current.from,
        current.to,
        count(period.days(), "day", "days"),
        previous.from,
        previous.to
    );
    outln!();
    out!("{}", value_table(&current, &previous).render());
    outln!();
    // The fairness warning, when there is one, stays the report's last word.
    print_coding(&coding)?;
    outln!();
    print_fairness(&fairness)?;
    Ok(())
}

/// The coding self-audit, worded for the clinician's own use.
fn print_coding(c: &Coding) -> crate::error::Result<()> {
    let total = |n: &crate::domain::coding::Counts| n.mild + n.moderate + n.severe + n.other;
    outln!("Coding: case-rate episodes by coded severity (F32/F33), beside the previous period");
    if total(&c.episodes) + total(&c.previous) == 0 {
        outln!("  no case-rate episodes began in either period");
        return Ok(());
    }
    let mut t = Table::new(&["", ">mild", ">moderate", ">severe", ">other"]);
    for (label, n) in [("this period", &c.episodes), ("previous", &c.previous)] {
        t.row(vec![
            label.to_string(),
            n.mild.to_string(),
            n.moderate.to_string(),
            n.severe.to_string(),
            n.other.to_string(),
        ]);
    }
    out!("{}", t.render());
    if c.mismatches.is_empty() {
        outln!("  Every coded severity agrees with the baseline PHQ-9 where there is one.");
    } else {
        outln!(
            "  Worth a second look: the baseline PHQ-9 (within 30 days of the episode's start) is \
             lower than the coded severity usually shows (severe below 15, moderate below 10):"
        );
        for m in &c.mismatches {
            outln!(
                "    #{} {}: {} with a baseline PHQ-9 of {}",
                m.client_id,
                sanitize(&m.name),
                sanitize(&m.diagnosis),
                m.baseline_phq9
            );
        }
    }
    Ok(())
}

/// The fairness self-audit: care per member month by baseline band and by tier, the time left
/// out for want of capitation cover, and the warning when there is one.
fn print_fairness(f: &Fairness) -> crate::error::Result<()> {
    outln!(
        "Fairness: care per member month (MM) of capitation cover, {} to {}",
        f.from,
        f.to
    );
    let mut t = Table::new(&[
        "baseline PHQ-9 / tier",
        ">clients",
        ">member months",
        ">min/MM",
        ">contacts/MM",
        ">contacted",
        ">discharged",
        ">disengaged",
    ]);
    let mut row = |name: String, c: &Care| {
        t.row(vec![
            name,
            c.clients.to_string(),
            format!("{:.1}", c.member_months),
            c.minutes_per_member_month
                .map_or("n/a".into(), |v| format!("{v:.1}")),
            c.contacts_per_member_month
                .map_or("n/a".into(), |v| format!("{v:.2}")),
            c.contacted.to_string(),
            c.discharged.to_string(),
            c.disengaged.to_string(),
        ]);
    };
    for b in &f.by_band {
        row(b.band.label().to_string(), &b.care);
    }
    for r in &f.by_tier {
        row(format!("{} tier", r.tier), &r.care);
    }
    out!("{}", t.render());
    if let Some(left_out) = f.not_capitated.summary() {
        outln!("{left_out}");
    }
    if let Some(warning) = &f.warning {
        outln!("warning: {warning}");
    }
    Ok(())
}

/// The table of measures (`report::value`), as text.
fn value_table(c: &ValueMeasures, p: &ValueMeasures) -> Table {
    let mut t = Table::new(&["measure", ">this period", ">previous period", "change"]);
    for row in crate::report::value::measure_rows(c, p, &[]) {
        t.row(vec![
            format!("{:<15}{}", row.section, row.label),
            row.now.text(),
            row.before.text(),
            row.change.text(),
        ]);
    }
    t
}
