//! The client screen: who they are, what is flagged and why, how their scores have moved (a
//! chart with the band thresholds), their encounters, and what they bring in and take.

use super::super::app::{App, ClientView};
use super::super::theme::Role;
use super::{severity_marker, severity_style};
use crate::domain::{Instrument, text::sanitize};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap,
};

pub fn draw(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let flags = view.entry.as_ref().map_or(0, |e| e.flags.len()).clamp(1, 4) as u16;
    let [head, flag_area, middle, history] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(flags + 1),
        Constraint::Length(10),
        Constraint::Min(4),
    ])
    .areas(area);
    draw_header(frame, app, view, head);
    draw_flags(frame, app, view, flag_area);
    let [chart, side] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(middle);
    draw_chart(frame, app, view, chart);
    draw_side(frame, app, view, side);
    draw_history(frame, app, view, history);
}

fn draw_header(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let c = &view.record.client;
    let mut first = vec![
        Span::styled(
            format!(" {}", app.display_name(&c.name)),
            t.style(Role::title),
        ),
        Span::styled(format!("  #{}", c.id), t.style(Role::muted)),
    ];
    if let Some(ext) = &c.external_id {
        first.push(Span::styled(
            format!(" · {}", sanitize(ext)),
            t.style(Role::muted),
        ));
    }
    first.push(Span::styled(
        format!(" · {} tier", c.tier),
        t.style(Role::text),
    ));
    first.push(Span::styled(
        format!(" · {}", app.clinician_name(c.clinician_id)),
        t.style(Role::text),
    ));
    first.push(Span::styled(
        format!(" · since {}", c.since),
        t.style(Role::text),
    ));
    let status = match c.discharged_on {
        Some(on) => format!(" · {} {on}", c.status),
        None => format!(" · {}", c.status),
    };
    first.push(Span::styled(status, t.style(Role::accent)));
    let contracts: Vec<String> = view
        .record
        .live_attributions()
        .map(|a| {
            let end = a.end.map_or("open".to_string(), |e| e.to_string());
            format!("{} {}–{end}", sanitize(&a.contract), a.start)
        })
        .collect();
    let mut second = format!(
        " contracts: {}",
        if contracts.is_empty() {
            "none".to_string()
        } else {
            contracts.join(", ")
        }
    );
    if let (Some(dx), false) = (&c.diagnosis, app.privacy) {
        second.push_str(&format!(" · dx {}", sanitize(dx)));
    }
    // The latest acute events matter for follow-up; older ones are in `client show`.
    for e in view.record.live_events().rev().take(2) {
        second.push_str(&format!(" · {} {}", e.kind, e.date));
    }
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(first),
            Line::styled(second, t.style(Role::muted)),
        ]),
        area,
    );
}

fn draw_flags(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(" Flags", t.style(Role::header))];
    match view.entry.as_ref().map(|e| e.flags.as_slice()) {
        Some(flags) if !flags.is_empty() => {
            // Flags come worst first. When they outnumber the rows, the last row names the
            // rest, so no flag is ever silently left off the record.
            let rows = area.height.saturating_sub(1).max(1) as usize;
            let shown = if flags.len() > rows { rows - 1 } else { rows };
            for f in flags.iter().take(shown) {
                let style = severity_style(app, f.severity);
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            " {} {:<25}",
                            severity_marker(Some(f.severity)),
                            f.kind.label()
                        ),
                        style,
                    ),
                    Span::styled(sanitize(&f.reason), t.style(Role::text)),
                ]));
            }
            if let Some(rest) = flags.get(shown..).filter(|rest| !rest.is_empty()) {
                let worst = rest.iter().map(|f| f.severity).min();
                let kinds: Vec<&str> = rest.iter().map(|f| f.kind.label()).collect();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            " {} {:<25}",
                            severity_marker(worst),
                            format!("+{} more", rest.len())
                        ),
                        worst.map_or(t.style(Role::text), |s| severity_style(app, s)),
                    ),
                    Span::styled(kinds.join(", "), t.style(Role::text)),
                ]));
            }
        }
        Some(_) => lines.push(Line::styled(
            " Nothing needs attention.",
            t.style(Role::good),
        )),
        None => lines.push(Line::styled(
            " Not on the active panel; no flags.",
            t.style(Role::muted),
        )),
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// PHQ-9 and GAD-7 over time, with the PHQ-9 band thresholds drawn as faint lines.
fn draw_chart(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Line::from(vec![
            Span::styled(" PHQ-9 ", t.style(Role::chart_phq9)),
            Span::styled("GAD-7 ", t.style(Role::chart_gad7)),
            Span::styled("· dots: PHQ-9 bands 5 10 15 20 ", t.style(Role::muted)),
        ]));
    let ms = &view.record.live_measurements();
    let series = |inst: Instrument| -> Vec<(f64, f64)> {
        ms.iter()
            .filter(|m| m.instrument == inst)
            .map(|m| ((m.date - app.today).num_days() as f64, m.total as f64))
            .collect()
    };
    let phq = series(Instrument::Phq9);
    let gad = series(Instrument::Gad7);
    if phq.is_empty() && gad.is_empty() {
        frame.render_widget(
            Paragraph::new(" No PHQ-9 or GAD-7 yet — press m to record one.")
                .style(t.style(Role::muted))
                .block(block),
            area,
        );
        return;
    }
    let start = phq
        .iter()
        .chain(gad.iter())
        .map(|p| p.0)
        .fold(0.0f64, f64::min)
        .min(-30.0);
    // Band thresholds as sparse dotted lines, so the scores stay readable over them.
    let step = (-start / 40.0).max(1.0);
    let thresholds: Vec<Vec<(f64, f64)>> = Instrument::Phq9
        .def()
        .bands
        .iter()
        .skip(1)
        .map(|b| {
            let count = (-start / step) as usize;
            (0..=count)
                .map(|i| (start + i as f64 * step, b.min as f64))
                .collect()
        })
        .collect();
    let mut datasets: Vec<Dataset> = thresholds
        .iter()
        .map(|line| {
            Dataset::default()
                .data(line)
                .graph_type(GraphType::Scatter)
                .marker(Marker::Dot)
                .style(t.style(Role::chart_band))
        })
        .collect();
    datasets.push(
        Dataset::default()
            .data(&gad)
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(t.style(Role::chart_gad7)),
    );
    datasets.push(
        Dataset::default()
            .data(&phq)
            .graph_type(GraphType::Line)
            .marker(Marker::Braille)
            .style(t.style(Role::chart_phq9)),
    );
    let first = app.today + chrono::Duration::days(start as i64);
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([start, 0.0])
                .labels([
                    Span::raw(first.format("%b %Y").to_string()),
                    Span::raw("today"),
                ])
                .style(t.style(Role::muted)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, 30.0])
                .labels(["0", "10", "20", "30"].map(Span::raw))
                .style(t.style(Role::muted)),
        );
    frame.render_widget(chart, area);
}

/// Latest scores per instrument and this client's time.
fn draw_side(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        " Scores (baseline → latest)",
        t.style(Role::header),
    )];
    for inst in Instrument::ALL {
        let live = view.record.live_measurements();
        let of: Vec<_> = live.iter().filter(|m| m.instrument == inst).collect();
        let (Some(first), Some(last)) = (of.first(), of.last()) else {
            continue;
        };
        let def = inst.def();
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<7}", def.name), t.style(Role::text)),
            Span::styled(
                format!("{:>2} → {:>2} ", first.total, last.total),
                t.style(Role::accent),
            ),
            Span::styled(def.band_label(last.total).to_string(), t.style(Role::muted)),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Time and money, 12 months",
        t.style(Role::header),
    ));
    // One short figure per line, so that even the 30 columns of an 80-column terminal show
    // every figure whole (cut to the width, "$174.17" read "$1"); wider figures wrap.
    if let Some(report) = &view.revenue {
        // Minutes come from the same report as the money beside them (SPEC 5: all kinds and
        // statuses, by calendar month), not from a second sum here.
        let r = &report.total;
        let this_month = report.rows.last().map_or(0, |m| m.minutes);
        lines.push(Line::styled(
            format!(" {} min ({this_month} this month)", r.minutes),
            t.style(Role::text),
        ));
        lines.push(Line::styled(
            format!(" {:.1} member months", r.member_months),
            t.style(Role::text),
        ));
        lines.push(Line::styled(
            format!(" net {} · cost {}", r.net, r.cost),
            t.style(Role::text),
        ));
        let (word, role) = if r.under_water() {
            ("short", Role::warning)
        } else {
            ("margin", Role::good)
        };
        let amount = crate::domain::Money(r.margin.cents().abs());
        lines.push(Line::styled(format!(" {word} {amount}"), t.style(role)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_history(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let all = &view.record.encounters;
    let height = area.height.saturating_sub(3) as usize;
    let rows: Vec<Row> = all
        .iter()
        .skip(view.scroll)
        .take(height)
        .map(|e| {
            let status_style = match e.status {
                crate::domain::EncounterStatus::Completed => t.style(Role::text),
                _ => t.style(Role::warning),
            };
            Row::new(vec![
                Cell::from(e.date.to_string()),
                Cell::from(e.kind.as_str()),
                Cell::from(e.status.as_str()).style(status_style),
                Cell::from(Line::from(e.minutes.to_string()).right_aligned()),
                Cell::from(sanitize(&e.clinician)),
                Cell::from(if app.privacy {
                    String::new()
                } else {
                    sanitize(e.note.as_deref().unwrap_or(""))
                }),
            ])
            .style(t.style(Role::text))
        })
        .collect();
    let shown_to = (view.scroll + height).min(all.len());
    let title = format!(
        " Encounters {}–{} of {} ",
        if all.is_empty() { 0 } else { view.scroll + 1 },
        shown_to,
        all.len()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(15),
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(16),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec!["date", "kind", "status", "min", "clinician", "note"])
            .style(t.style(Role::header)),
    )
    .block(
        Block::default()
            .borders(Borders::TOP)
            .border_style(t.style(Role::border))
            .title(Span::styled(title, t.style(Role::title))),
    )
    .column_spacing(1);
    frame.render_widget(table, area);
}
