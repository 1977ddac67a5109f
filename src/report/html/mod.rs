//! `report value --html FILE`: the value report as one self-contained page to hand a payer —
//! inline CSS and SVG, no script, no request of any kind (no font, image or style from
//! elsewhere), a print stylesheet for A4 and Letter. It formats the figures the text report
//! and the Value tab show (`store::value`); it computes none of them.

mod chart;

use crate::domain::coding::Coding;
use crate::domain::fairness::{Care, Fairness};
use crate::domain::quality::Measure;
use crate::domain::text::{initials, sanitize};
use crate::domain::value::{Rate, ValueMeasures};
use crate::report::value::{Change, Figure, measure_rows};
use chrono::NaiveDate;
use std::fmt::Write;

/// Everything the page shows: the period, the one before it, the twelve months up to today,
/// and the period's fairness and coding self-audits.
pub struct ValuePage<'a> {
    pub current: &'a ValueMeasures,
    pub previous: &'a ValueMeasures,
    pub monthly: &'a [ValueMeasures],
    pub fairness: &'a Fairness,
    pub coding: &'a Coding,
    /// Whose panel: `None` for the whole practice.
    pub whose: Option<&'a str>,
    /// The day the report is made (today).
    pub made_on: NaiveDate,
    /// Privacy: initials instead of full names.
    pub initials: bool,
}

/// Text made safe inside HTML (and free of control characters).
pub fn escape(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = r#"
:root { --ink: #1d2430; --muted: #5b6575; --line: #d6dbe3; --accent: #1f5f8b; --good: #2e7d4f; --warn: #a4501b; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 2.5rem auto; max-width: 60rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; color: var(--accent); border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
p.lede { color: var(--muted); margin: 0 0 1.2rem; }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; break-inside: avoid; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.section { color: var(--accent); font-weight: 600; }
.up { color: var(--good); } .down { color: var(--warn); }
svg.trend polyline { fill: none; stroke: var(--accent); stroke-width: 1.6; }
svg.trend circle { fill: var(--accent); }
svg.trend line.axis { stroke: var(--line); stroke-width: 1; }
.note { color: var(--muted); font-size: .9rem; }
.warning { border-left: 4px solid var(--warn); padding: .4rem .8rem; background: #fbf3ee; }
dl dt { font-weight: 600; margin-top: .6rem; } dl dd { margin: .1rem 0 0 0; color: var(--muted); }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; }
@page { size: A4; margin: 16mm; }
@page letter { size: Letter; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, dl, .warning { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn rate(r: Rate) -> String {
    match r.percent() {
        None => "n/a".into(),
        Some(p) => format!("{} of {} <span class=\"note\">({p:.0}%)</span>", r.n, r.of),
    }
}

fn change(c: Change) -> String {
    match c {
        Change::Up(_) => format!("<span class=\"up\">{}</span>", c.text()),
        Change::Down(_) => format!("<span class=\"down\">{}</span>", c.text()),
        other => other.text(),
    }
}

fn figure(f: Figure) -> String {
    match f {
        Figure::Rate(r) => rate(r),
        Figure::Mean { mean: Some(m), n } => format!("{m:.1} <span class=\"note\">(n={n})</span>"),
        other => escape(&other.text()),
    }
}

fn measures(out: &mut String, o: &ValuePage) {
    out.push_str("<h2>The measures</h2>\n<table>\n<thead><tr><th></th><th>measure</th><th class=\"num\">this period</th><th class=\"num\">previous period</th><th class=\"num\">change</th><th>12 months</th></tr></thead>\n<tbody>\n");
    for row in measure_rows(o.current, o.previous, o.monthly) {
        let trend = row.trend.as_deref().map_or(String::new(), |t| {
            chart::trend(t, &format!("{} by month, last 12 months", row.label))
        });
        let _ = writeln!(
            out,
            "<tr><td class=\"section\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{trend}</td></tr>",
            row.section,
            row.label,
            figure(row.now),
            figure(row.before),
            change(row.change),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn care_row(out: &mut String, label: &str, c: &Care) {
    let per =
        |v: Option<f64>, digits: usize| v.map_or("n/a".to_string(), |v| format!("{v:.digits$}"));
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        escape(label),
        c.clients,
        c.member_months,
        per(c.minutes_per_member_month, 1),
        per(c.contacts_per_member_month, 2),
        rate(c.contacted),
        rate(c.discharged),
        rate(c.disengaged)
    );
}

fn fairness(out: &mut String, f: &Fairness) {
    let _ = writeln!(
        out,
        "<h2>Fairness self-audit</h2>\n<p class=\"note\">Care per member month (MM) of capitation cover, {} to {}: does the time follow the need?</p>",
        f.from, f.to
    );
    out.push_str("<table>\n<thead><tr><th>baseline PHQ-9 / tier</th><th class=\"num\">clients</th><th class=\"num\">member months</th><th class=\"num\">min/MM</th><th class=\"num\">contacts/MM</th><th class=\"num\">contacted</th><th class=\"num\">discharged</th><th class=\"num\">disengaged</th></tr></thead>\n<tbody>\n");
    for b in &f.by_band {
        care_row(out, b.band.label(), &b.care);
    }
    for t in &f.by_tier {
        care_row(out, &format!("{} tier", t.tier), &t.care);
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(summary) = f.not_capitated.summary() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&summary));
    }
    if let Some(w) = &f.warning {
        let _ = writeln!(out, "<p class=\"warning\">{}</p>", escape(w));
    }
}

fn coding(out: &mut String, c: &Coding, hide_names: bool) {
    out.push_str("<h2>Coding self-audit</h2>\n<p class=\"note\">Case-rate episodes that began in the period by coded severity (ICD-10 F32/F33), beside the previous period.</p>\n");
    let counts = |label: &str, n: &crate::domain::coding::Counts| {
        format!(
            "<tr><td>{label}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            n.mild, n.moderate, n.severe, n.other
        )
    };
    out.push_str("<table>\n<thead><tr><th></th><th class=\"num\">mild</th><th class=\"num\">moderate</th><th class=\"num\">severe</th><th class=\"num\">other</th></tr></thead>\n<tbody>\n");
    out.push_str(&counts("this period", &c.episodes));
    out.push_str(&counts("previous period", &c.previous));
    out.push_str("</tbody>\n</table>\n");
    if c.mismatches.is_empty() {
        out.push_str("<p class=\"note\">Every coded severity agrees with the baseline PHQ-9 where there is one.</p>\n");
        return;
    }
    out.push_str("<p>Worth a second look — the baseline PHQ-9 (the first within 30 days of the episode's start) is lower than the coded severity usually shows (severe below 15, moderate below 10):</p>\n<ul>\n");
    for m in &c.mismatches {
        let who = if hide_names {
            initials(&m.name)
        } else {
            m.name.clone()
        };
        let _ = writeln!(
            out,
            "<li>{} — {}, baseline PHQ-9 {}</li>",
            escape(&who),
            escape(&m.diagnosis),
            m.baseline_phq9
        );
    }
    out.push_str("</ul>\n");
}

fn definitions(out: &mut String) {
    out.push_str("<h2>What the measures mean</h2>\n<dl>\n");
    for m in Measure::ALL {
        let _ = writeln!(
            out,
            "<dt>{} — {}</dt><dd>{}</dd>",
            m.section(),
            m.label(),
            m.definition()
        );
    }
    out.push_str("<dt>Experience — SRS mean</dt><dd>The mean Session Rating Scale total (0–40, higher is a stronger alliance) of the SRS forms completed in the period.</dd>\n");
    out.push_str("<dt>Active clients</dt><dd>Clients with status active who had joined the panel by the period's end. Every rate is given as its numerator and denominator; n/a means no one to count.</dd>\n");
    out.push_str("</dl>\n");
}

/// The whole page.
pub fn value_report(page: &ValuePage) -> String {
    let o = page;
    let whose = match page.whose {
        Some(name) if page.initials => initials(name),
        Some(name) => name.to_string(),
        None => "the whole practice".to_string(),
    };
    let mut out = String::with_capacity(32 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No request of any kind may leave the page, even by accident.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    let _ = writeln!(
        out,
        "<title>Value report, {} to {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        o.current.from, o.current.to
    );
    let _ = writeln!(
        out,
        "<header><h1>Value report</h1><p class=\"lede\">{}: {} to {} ({} days), beside {} to {}.</p></header>",
        escape(&whose),
        o.current.from,
        o.current.to,
        (o.current.to - o.current.from).num_days() + 1,
        o.previous.from,
        o.previous.to
    );
    measures(&mut out, o);
    fairness(&mut out, o.fairness);
    coding(&mut out, page.coding, page.initials);
    definitions(&mut out);
    let _ = writeln!(
        out,
        "<footer>Made with caseload on {} from the practice's own records. Trends: the last 12 calendar months, the current one to date.</footer>\n</body>\n</html>",
        page.made_on
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markup_and_control_characters_out() {
        assert_eq!(
            escape("<b>Ann & \"Bo\"</b>"),
            "&lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;"
        );
        assert!(!escape("a\u{1b}[31mb").contains('\u{1b}'));
    }
}
