//! `caseload report revenue`: parses the period and grouping, asks the store for the report and
//! prints it as a table, JSON (SPEC section 6) or CSV. No figure is computed here.

use super::Context;
use super::args::RevenueArgs;
use super::table::Table;
use crate::domain::economics::{last_twelve_months, twelve_months_ending};
use crate::domain::{Month, parse_month, text::sanitize};
use crate::error::{Error, Result};
use crate::store::clinicians;
use crate::store::revenue::{self, BreakEven, GroupBy, RevenueQuery, RevenueReport, RevenueRow};
use serde::ser::{Serialize, SerializeMap, Serializer};

fn month_option(flag: &str, text: Option<&str>) -> Result<Option<Month>> {
    text.map(|t| parse_month(t).map_err(|e| Error::invalid(format!("{flag}: {e}"))))
        .transpose()
}

/// `caseload report revenue`. A clinician sees their own share; a supervisor or admin the
/// whole practice, or one clinician's share with `--clinician`.
pub fn run(ctx: &mut Context, args: RevenueArgs) -> Result<()> {
    let by: GroupBy = args.by.parse()?;
    let from = month_option("--from", args.from.as_deref())?;
    let to = month_option("--to", args.to.as_deref())?;
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (None, Some(to)) => twelve_months_ending(to),
        (Some(from), None) => (from, last_twelve_months(ctx.today).1),
        (None, None) => last_twelve_months(ctx.today),
    };
    if from > to {
        let to = match args.to {
            Some(_) => format!("--to {to}"),
            None => format!("this month ({to}); give --to as well"),
        };
        return Err(Error::invalid(format!("--from {from} is after {to}")));
    }
    let requested = args
        .clinician
        .as_deref()
        .map(|name| ctx.store.read(|c| clinicians::by_name(c, name)))
        .transpose()?;
    let mut query = RevenueQuery::new(from, to, by).through(ctx.today);
    query.clinician = ctx.visible_clinician(requested.as_ref())?;
    let report = ctx.store.read(|c| revenue::report(c, &query))?;
    let whose = query
        .clinician
        .map_or("the practice".to_string(), |id| format!("clinician {id}"));
    ctx.store.write(|tx| {
        tx.audit(
            "report.revenue",
            None,
            &format!("{from} to {to} by {by}, {whose}"),
        )
    })?;
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&ReportJson(&report))
            .map_err(|e| Error::invalid(format!("could not write JSON: {e}")))?;
        json.push('\n');
        json
    } else if args.csv {
        render_csv(&report)?
    } else {
        render_table(&report)
    };
    out!("{text}");
    Ok(())
}

/// A row as SPEC section 6 writes it: the grouping's key, then the figures in cents.
struct RowJson<'a> {
    key: Option<&'static str>,
    row: &'a RevenueRow,
}

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let r = self.row;
        let mut map = s.serialize_map(None)?;
        if let Some(key) = self.key {
            map.serialize_entry(key, &r.key)?;
        }
        if let Some(id) = r.client_id {
            map.serialize_entry("client_id", &id.0)?;
        }
        map.serialize_entry("member_months", &r.member_months)?;
        map.serialize_entry("gross_cents", &r.gross.cents())?;
        map.serialize_entry("withhold_cents", &r.withhold.cents())?;
        map.serialize_entry("net_cents", &r.net.cents())?;
        map.serialize_entry("minutes", &r.minutes)?;
        map.serialize_entry("cost_cents", &r.cost.cents())?;
        map.serialize_entry("margin_cents", &r.margin.cents())?;
        map.serialize_entry(
            "effective_hourly_cents",
            &r.effective_hourly.map(|m| m.cents()),
        )?;
        // The month to date: its capitation through today, not the month's (see ToDate).
        map.serialize_entry("to_date", &r.to_date)?;
        map.end()
    }
}

struct BreakEvenJson<'a>(&'a BreakEven);

impl Serialize for BreakEvenJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct At<'a> {
            clinician: &'a str,
            hourly_cost_cents: i64,
            affordable_minutes_per_member_month: f64,
        }
        let b = self.0;
        let at: Vec<At> = b
            .per_clinician
            .iter()
            .map(|(name, cost, minutes)| At {
                clinician: name,
                hourly_cost_cents: cost.cents(),
                affordable_minutes_per_member_month: *minutes,
            })
            .collect();
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("contract", &b.contract)?;
        map.serialize_entry("pmpm_cents", &b.pmpm.cents())?;
        map.serialize_entry("clinicians", &at)?;
        map.serialize_entry("member_months", &b.member_months)?;
        map.serialize_entry("minutes", &b.minutes)?;
        map.serialize_entry(
            "actual_minutes_per_member_month",
            &b.actual_minutes_per_member_month,
        )?;
        map.end()
    }
}

/// `{"from","to","by","rows":[…],"total":{…}}`, plus the break-even and the withhold to date.
struct ReportJson<'a>(&'a RevenueReport);

impl Serialize for ReportJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let r = self.0;
        let key = Some(r.by.as_str());
        let rows: Vec<RowJson> = r.rows.iter().map(|row| RowJson { key, row }).collect();
        let break_even: Vec<BreakEvenJson> = r.break_even.iter().map(BreakEvenJson).collect();
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("from", &r.from)?;
        map.serialize_entry("to", &r.to)?;
        map.serialize_entry("by", r.by.as_str())?;
        map.serialize_entry("rows", &rows)?;
        map.serialize_entry(
            "total",
            &RowJson {
                key: None,
                row: &r.total,
            },
        )?;
        map.serialize_entry("break_even", &break_even)?;
        map.serialize_entry("withhold_to_date_cents", &r.withhold_to_date.cents())?;
        if let Some(d) = r.to_date {
            #[derive(serde::Serialize)]
            struct Through {
                month: String,
                days: i64,
                of: i64,
            }
            map.serialize_entry(
                "month_to_date",
                &Through {
                    month: d.month.to_string(),
                    days: d.days,
                    of: d.of,
                },
            )?;
        }
        map.end()
    }
}

/// The rows (not the total: it is their sum) with the JSON's column names.
fn render_csv(report: &RevenueReport) -> Result<String> {
    let failed = |e: csv::Error| Error::invalid(format!("could not write CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    let by_client = report.by == GroupBy::Client;
    let mut header = vec![report.by.as_str()];
    if by_client {
        header.push("client_id");
    }
    header.extend([
        "member_months",
        "gross_cents",
        "withhold_cents",
        "net_cents",
        "minutes",
        "cost_cents",
        "margin_cents",
        "effective_hourly_cents",
        "to_date",
    ]);
    out.write_record(&header).map_err(failed)?;
    for r in &report.rows {
        let mut record = vec![crate::domain::csvfile::printable_cell(&r.key)];
        if by_client {
            record.push(r.client_id.map(|c| c.to_string()).unwrap_or_default());
        }
        record.extend([
            r.member_months.to_string(),
            r.gross.cents().to_string(),
            r.withhold.cents().to_string(),
            r.net.cents().to_string(),
            r.minutes.to_string(),
            r.cost.cents().to_string(),
            r.margin.cents().to_string(),
            r.effective_hourly
                .map(|m| m.cents().to_string())
                .unwrap_or_default(),
            r.to_date.to_string(),
        ]);
        out.write_record(&record).map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::invalid(format!("could not write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid(format!("could not write CSV: {e}")))
}

fn cells(r: &RevenueRow) -> Vec<String> {
    vec![
        r.key.clone(),
        format!("{:.2}", r.member_months),
        r.gross.to_string(),
        r.withhold.to_string(),
        r.net.to_string(),
        format!("{:.1}", r.minutes as f64 / 60.0),
        r.cost.to_string(),
        r.margin.to_string(),
        r.effective_hourly
            .map_or("—".to_string(), |m| m.to_string()),
        crate::report::revenue::row_notes(r).join(", "),
    ]
}

/// The readable report: the table with its total, which rows are under water, the break-even
/// per capitation contract and the withhold held back.
pub fn render_table(report: &RevenueReport) -> String {
    let mut table = Table::new(&[
        report.by.as_str(),
        ">member months",
        ">gross",
        ">withhold",
        ">net",
        ">hours",
        ">cost",
        ">margin",
        ">gross/hour",
        "",
    ]);
    for r in &report.rows {
        table.row(cells(r));
    }
    table.row(cells(&report.total));
    // A rule above the total row: the same rule the table draws under its header.
    let text = table.render();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = format!(
        "Revenue by {}, {} to {}\n\n",
        report.by, report.from, report.to
    );
    if let Some((total, body)) = lines.split_last() {
        for line in body {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(rule) = lines.get(1) {
            out.push_str(rule);
            out.push('\n');
        }
        out.push_str(total);
        out.push('\n');
    }

    if let Some(note) = crate::report::revenue::to_date_note(report) {
        out.push_str(&format!("\n{note}\n"));
    }
    let under: Vec<&RevenueRow> = report.rows.iter().filter(|r| r.under_water()).collect();
    if !under.is_empty() {
        let (one, many) = match report.by {
            GroupBy::Month => ("month", "months"),
            GroupBy::Contract => ("contract", "contracts"),
            GroupBy::Clinician => ("clinician", "clinicians"),
            GroupBy::Client => ("client", "clients"),
        };
        let names = if under.len() <= 12 {
            let keys: Vec<&str> = under.iter().map(|r| r.key.as_str()).collect();
            format!(": {}", keys.join(", "))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n{} of {} under water (time cost more than the net){names}\n",
            under.len(),
            crate::domain::text::count(report.rows.len(), one, many)
        ));
    }

    if !report.break_even.is_empty() {
        out.push_str(&format!(
            "\nBreak-even minutes per member month (PMPM in effect on {}):\n",
            report.to.first_day()
        ));
        for b in &report.break_even {
            out.push_str(&format!("  {}\n", break_even_line(b)));
        }
    }
    out.push_str(&format!(
        "\nWithhold held back to date (through {}): {}\n",
        report.to, report.withhold_to_date
    ));
    out
}

fn break_even_line(b: &BreakEven) -> String {
    let affords: Vec<String> = b
        .per_clinician
        .iter()
        .map(|(name, cost, minutes)| format!("{minutes:.1} min at {} ({cost}/h)", sanitize(name)))
        .collect();
    let affords = if affords.is_empty() {
        "no clinician has an hourly cost set".to_string()
    } else {
        format!("pays for {}", affords.join(", "))
    };
    let actual = match b.actual_minutes_per_member_month {
        Some(actual) => format!("actual {actual:.1} min per member month"),
        None => "no member months in the period".to_string(),
    };
    format!(
        "{}: {} PMPM {affords}; {actual}",
        sanitize(&b.contract),
        b.pmpm
    )
}
