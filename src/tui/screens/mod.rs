//! One file per screen. Each draws from the model and shares the small formatting helpers
//! below (flag labels, score cells, day counts).

pub mod agenda;
pub mod client;
pub mod contracts;
pub mod form;
pub mod help;
pub mod lock;
pub mod panel;
pub mod patterns;
pub mod record;
pub mod revenue;
pub mod today;
pub mod value;

use super::app::App;
use super::theme::Role;
use crate::domain::flags::{FlagKind, Severity};
use crate::domain::{Instrument, Month};
use crate::store::panel::ScoreTrend;
use chrono::NaiveDate;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The short label a flag has in tight columns (the help and client screen use the long one).
pub fn flag_label(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Safety => "SAFETY",
        FlagKind::PostDischarge => "post-dc",
        FlagKind::NeverSeen => "unseen",
        FlagKind::ContactOverdue => "contact",
        FlagKind::NoBaseline => "no-base",
        FlagKind::MeasureOverdue => "measure",
        FlagKind::NotImproving => "stalled",
        FlagKind::Disengaged => "no-shows",
        FlagKind::Remission => "remit",
    }
}

pub fn severity_style(app: &App, severity: Severity) -> Style {
    app.theme.style(match severity {
        Severity::Critical => Role::critical,
        Severity::Warning => Role::warning,
        Severity::Info => Role::info,
    })
}

/// A marker for the worst severity: ● critical, ▲ warning, ○ info.
pub fn severity_marker(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical) => "●",
        Some(Severity::Warning) => "▲",
        Some(Severity::Info) => "○",
        None => " ",
    }
}

/// As many flag labels as fit in `width` columns, then "+N" for the rest.
pub fn flag_spans(
    app: &App,
    flags: &[crate::domain::flags::Flag],
    width: usize,
) -> Vec<Span<'static>> {
    // One label per kind: a PHQ-9 and a GAD-7 "not improving" read as one "stalled" here
    // (the client screen lists both with their reasons).
    let mut kinds: Vec<&crate::domain::flags::Flag> = Vec::new();
    for f in flags {
        if !kinds.iter().any(|k| k.kind == f.kind) {
            kinds.push(f);
        }
    }
    let flags = kinds;
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, f) in flags.iter().enumerate() {
        let label = flag_label(f.kind);
        let rest = flags.len() - i - 1;
        let reserve = if rest > 0 { 4 } else { 0 };
        if used + label.len() + reserve > width && i > 0 {
            spans.push(Span::styled(
                format!("+{}", flags.len() - i),
                app.theme.style(Role::muted),
            ));
            break;
        }
        spans.push(Span::styled(label, severity_style(app, f.severity)));
        spans.push(Span::raw(" "));
        used += label.len() + 1;
    }
    spans
}

/// A line of several spans cut to `width` columns with the shared "…" cut
/// (`domain::text::ellipsize`): the spans that fit stay whole, the one that crosses the edge is
/// cut at a word, the rest dropped — so a line never runs over a border or stops mid-figure.
pub fn cut_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.width();
        if used + w < width {
            used += w;
            spans.push(span);
            continue;
        }
        let cut = crate::domain::text::ellipsize(&span.content, width - used);
        spans.push(Span::styled(cut, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// "12d", "today", "never".
pub fn days_since(today: NaiveDate, date: Option<NaiveDate>) -> String {
    match date {
        None => "never".into(),
        Some(d) => match (today - d).num_days() {
            0 => "today".into(),
            n => format!("{n}d"),
        },
    }
}

/// A band's label for a narrow column ("mod-sev").
pub fn band_short(label: &str) -> &str {
    match label {
        "minimal" => "min",
        "moderate" => "mod",
        "moderately severe" => "mod-sev",
        "severe" => "sev",
        "below threshold" => "below",
        "probable PTSD" => "PTSD",
        "negative screen" => "negative",
        "positive screen" => "positive",
        "positive for women" => "pos (w)",
        "clinical range" => "clinical",
        "non-clinical" => "non-clin",
        "alliance concern" => "concern",
        "good alliance" => "good",
        other => other,
    }
}

/// "14 mod ↓": the latest score, its band and which way it went since the one before.
pub fn score_cell(app: &App, instrument: Instrument, trend: Option<&ScoreTrend>) -> Span<'static> {
    let Some(t) = trend else {
        return Span::styled("—", app.theme.style(Role::muted));
    };
    let def = instrument.def();
    let (arrow, role) = match t.previous.map(|p| def.improvement(p, t.latest)) {
        Some(x) if x > 0 => ("↓", Role::good),
        Some(x) if x < 0 => ("↑", Role::warning),
        Some(_) => ("→", Role::text),
        None => (" ", Role::text),
    };
    let text = format!(
        "{:>2} {} {arrow}",
        t.latest,
        band_short(def.band_label(t.latest))
    );
    Span::styled(text, app.theme.style(role))
}

/// The status line when there is no notice: what the current screen is summing up.
pub fn status_line(app: &App) -> Line<'static> {
    // One row: whatever it says is cut with "…" at the terminal's edge.
    cut_line(status_text(app), app.size.0 as usize)
}

fn status_text(app: &App) -> Line<'static> {
    use super::action::Tab;
    let t = &app.theme;
    let muted = |text: String| Line::styled(format!(" {text}"), t.style(Role::muted));
    if let Some(view) = &app.view.client {
        return client::status(app, view);
    }
    match app.view.tab {
        Tab::Panel => panel::summary(app),
        Tab::Today if app.loading.computing(crate::tui::loader::Kind::Today) => {
            muted("Computing the check-in in the background · l logs for anyone".into())
        }
        Tab::Today => muted(format!(
            "{} you · l logs for anyone · Enter opens the selected client",
            crate::domain::text::count(app.day_count(), "client needs", "clients need")
        )),
        Tab::Agenda => agenda::status(app),
        Tab::Revenue if app.view.show_contracts => {
            muted("Earn-back: withhold × weights met ÷ weights that apply · j/k scroll".into())
        }
        Tab::Revenue => match &app.view.revenue {
            Some(r) => muted(format!(
                "{} of {} months under water · withhold held back to date {}",
                r.rows.iter().filter(|row| row.under_water()).count(),
                r.rows.len(),
                r.withhold_to_date
            )),
            None => muted(Month::of(app.today).to_string()),
        },
        Tab::Value => match app
            .view
            .value
            .as_ref()
            .map(|v| v.fairness.warning.is_some())
        {
            Some(true) => Line::styled(
                " ⚠ The most severe clients got less time per member month than the mildest: see Fairness",
                t.style(Role::warning),
            ),
            _ => muted(
                "Rates are n of N; the period is the 90 days ending today · j/k scroll".into(),
            ),
        },
    }
}

/// What a tab shows before its figures are in: that they are being computed in the background
/// (and over how many clients), or, computed here and failed, that they are not loaded.
pub fn not_loaded(app: &App, kind: crate::tui::loader::Kind) -> String {
    if app.loading.computing(kind) {
        let clients =
            crate::domain::text::count(app.view.panel.counts.clients, "client", "clients");
        format!(" Computing… ({clients})")
    } else {
        " Loading…".to_string()
    }
}
