//! `caseload report …`: the value report (and, beside it, the revenue report).

use super::args::ReportCommand;
use super::table::Table;
use super::{Context, print_json};
use crate::domain::value::{Period, Rate, ValueMeasures};
use crate::domain::{parse_date, text::sanitize};
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
        } => value_report(ctx, from, to, clinician, json),
        ReportCommand::Revenue(args) => super::revenue::run(ctx, args),
    }
}

#[derive(Serialize)]
struct ValueJson {
    #[serde(flatten)]
    current: ValueMeasures,
    previous: ValueMeasures,
    clinician: Option<String>,
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
        return Err(Error::Invalid(format!("--from {from} is after --to {to}")));
    }
    Ok(Period { from, to })
}

fn value_report(
    ctx: &mut Context,
    from: Option<String>,
    to: Option<String>,
    clinician: Option<String>,
    json: bool,
) -> Result<()> {
    let period = period(ctx, from, to)?;
    let conn = ctx.store.conn();
    let clinician = clinician
        .as_deref()
        .map(|n| clinicians::by_name(conn, n))
        .transpose()?;
    let query = ValueQuery {
        clinician: clinician.as_ref().map(|c| c.id),
    };
    let mut both = value::measures_for(conn, &[period, period.previous()], query)?.into_iter();
    let (Some(current), Some(previous)) = (both.next(), both.next()) else {
        return Err(Error::Database("the value measures came back empty".into()));
    };
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
        });
    }
    let whose = clinician.map_or("the whole practice".to_string(), |c| sanitize(&c.name));
    println!(
        "Value report for {whose}: {} to {} ({} days), beside {} to {}",
        current.from,
        current.to,
        period.days(),
        previous.from,
        previous.to
    );
    println!();
    print!("{}", value_table(&current, &previous).render());
    Ok(())
}

fn days(value: Option<f64>) -> String {
    value.map_or("n/a".to_string(), |d| format!("{d:.1} days"))
}

fn value_table(c: &ValueMeasures, p: &ValueMeasures) -> Table {
    let mut t = Table::new(&["measure", ">this period", ">previous period", "change"]);
    let mut rate = |section: &str, name: &str, a: Rate, b: Rate| {
        let change = match (a.percent(), b.percent()) {
            (Some(x), Some(y)) => format!("{:+.0} points", x - y),
            _ => String::new(),
        };
        t.row(vec![
            format!("{section:<15}{name}"),
            a.to_string(),
            b.to_string(),
            change,
        ]);
    };
    rate(
        "Access",
        "seen within 14 days",
        c.access.seen_within_14,
        p.access.seen_within_14,
    );
    rate(
        "Engagement",
        "show rate",
        c.engagement.show_rate,
        p.engagement.show_rate,
    );
    rate(
        "",
        "clients contacted",
        c.engagement.contacted,
        p.engagement.contacted,
    );
    rate(
        "Outcomes",
        "clients measured",
        c.outcomes.measured,
        p.outcomes.measured,
    );
    rate(
        "",
        "PHQ-9 response",
        c.outcomes.response,
        p.outcomes.response,
    );
    rate(
        "",
        "PHQ-9 remission",
        c.outcomes.remission,
        p.outcomes.remission,
    );
    rate(
        "",
        "reliable improvement",
        c.outcomes.reliable_improvement,
        p.outcomes.reliable_improvement,
    );
    rate(
        "Follow-up",
        "within 7 days",
        c.post_discharge.followed_7,
        p.post_discharge.followed_7,
    );
    rate(
        "",
        "within 30 days",
        c.post_discharge.followed_30,
        p.post_discharge.followed_30,
    );
    t.row(vec![
        "Access         new clients first seen".into(),
        c.access.first_seen.to_string(),
        p.access.first_seen.to_string(),
        String::new(),
    ]);
    t.row(vec![
        "               median days to first contact".into(),
        days(c.access.median_days_to_first_contact),
        days(p.access.median_days_to_first_contact),
        String::new(),
    ]);
    let srs = |e: &crate::domain::value::Experience| match e.srs_mean {
        Some(m) => format!("{m:.1} (n={})", e.srs_count),
        None => "n/a".to_string(),
    };
    t.row(vec![
        "Experience     SRS mean (alliance)".into(),
        srs(&c.experience),
        srs(&p.experience),
        String::new(),
    ]);
    t.row(vec![
        "Follow-up      acute events".into(),
        c.post_discharge.events.to_string(),
        p.post_discharge.events.to_string(),
        String::new(),
    ]);
    t
}
