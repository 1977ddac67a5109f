//! The client screen: who they are, what is flagged and why, how their scores have moved (a
//! chart with the band thresholds), what they bring in and take, and their encounters and
//! measurements as two selectable lists (voided records dimmed and struck through). Reads the
//! model only: the lists' selection and scroll are `update`'s.

use super::super::app::{App, ClientView, ListFocus};
use super::super::layout;
use super::super::theme::Role;
use super::patterns::{GAD7_MARKER, GAD7_SAMPLE, PHQ9_MARKER, PHQ9_SAMPLE};
use super::{band_short, severity_marker, severity_style};
use crate::domain::Instrument;
use crate::domain::text::{count, sanitize};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState, Wrap,
};

pub fn draw(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let flags = view.entry.as_ref().map_or(0, |e| e.flags.len());
    let areas = layout::client(area, flags);
    draw_header(frame, app, view, areas.head);
    draw_flags(frame, app, view, areas.flags);
    draw_chart(frame, app, view, areas.chart);
    draw_side(frame, app, view, areas.side);
    draw_encounters(frame, app, view, areas.encounters);
    draw_measurements(frame, app, view, areas.measurements);
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
    if let Some(ext) = app.display_external_id(c.external_id.as_deref()) {
        first.push(Span::styled(format!(" · {ext}"), t.style(Role::muted)));
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
    if let (Some(dx), false) = (&c.diagnosis, app.view.privacy) {
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
    let mut heading = vec![Span::styled(" Flags", t.style(Role::header))];
    if let Some(entry) = &view.entry {
        // What is planned, beside what is flagged: the next booking, or that there is none.
        heading.push(match entry.next_appointment {
            Some(day) => Span::styled(
                format!(" · next appointment {}", day.format("%a %-d %b %Y")),
                t.style(Role::muted),
            ),
            None if !entry.flags.is_empty() => {
                Span::styled(" · nothing booked (b books)", t.style(Role::warning))
            }
            None => Span::styled(" · nothing booked", t.style(Role::muted)),
        });
        // Reviewed flags are silent; the heading says which, so none seems to vanish.
        let mut reviewed: Vec<&str> = Vec::new();
        for (f, _) in &entry.reviewed {
            if !reviewed.contains(&f.kind.label()) {
                reviewed.push(f.kind.label());
            }
        }
        if !reviewed.is_empty() {
            heading.push(Span::styled(
                format!(" · reviewed: {}", reviewed.join(", ")),
                t.style(Role::muted),
            ));
        }
        if !entry.flags.is_empty() {
            heading.push(Span::styled(" · r reviews one", t.style(Role::muted)));
        }
    }
    let mut lines = vec![Line::from(heading)];
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
                    // The reason gets the rest of the row, cut with "…" at a word: a reason
                    // cut bare ("(total 25") reads as a different figure.
                    Span::styled(
                        crate::domain::text::ellipsize(
                            &sanitize(&f.reason),
                            (area.width as usize).saturating_sub(28),
                        ),
                        t.style(Role::text),
                    ),
                ]));
            }
            if let Some(rest) = flags.get(shown..).filter(|rest| !rest.is_empty()) {
                let worst = crate::domain::flags::worst(rest);
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
                    Span::styled(
                        crate::domain::text::ellipsize(
                            &kinds.join(", "),
                            (area.width as usize).saturating_sub(28),
                        ),
                        t.style(Role::text),
                    ),
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
            Span::styled(format!(" PHQ-9 {PHQ9_SAMPLE} "), t.style(Role::chart_phq9)),
            Span::styled(format!("GAD-7 {GAD7_SAMPLE} "), t.style(Role::chart_gad7)),
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
            .marker(GAD7_MARKER)
            .style(t.style(Role::chart_gad7)),
    );
    datasets.push(
        Dataset::default()
            .data(&phq)
            .graph_type(GraphType::Line)
            .marker(PHQ9_MARKER)
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
    // The current month is counted to date (its capitation through today), so say so.
    let to_date = view.revenue.as_ref().is_some_and(|r| r.to_date.is_some());
    lines.push(Line::styled(
        if to_date {
            " Time and money to date"
        } else {
            " Time and money, 12 months"
        },
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
        let amount = r.margin.abs();
        lines.push(Line::styled(format!(" {word} {amount}"), t.style(role)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The status line under the client screen: who voided the selected record, when and why;
/// otherwise how many records there are and how to move among them.
pub fn status(app: &App, view: &ClientView) -> Line<'static> {
    let t = &app.theme;
    if let Some(selected) = view.selected()
        && let Some(v) = selected.voided()
    {
        // A reason is free text a clinician typed: like notes, it stays off a private screen.
        let reason = if app.view.privacy {
            "reason hidden (privacy)".to_string()
        } else {
            sanitize(&v.reason)
        };
        return Line::from(vec![
            Span::styled(
                format!(
                    " Voided {} by {}: ",
                    v.at.get(..10).unwrap_or(&v.at),
                    sanitize(&v.by)
                ),
                t.style(Role::warning),
            ),
            Span::styled(reason, t.style(Role::text)),
            Span::styled(" · x unvoids", t.style(Role::muted)),
        ]);
    }
    let r = &view.record;
    Line::styled(
        format!(
            " {} · {} · ↑↓ select · [ ] switch list · Enter opens",
            count(r.encounters.len(), "encounter", "encounters"),
            count(r.measurements.len(), "measurement", "measurements")
        ),
        t.style(Role::muted),
    )
}

/// How a voided record is drawn: dimmed and struck through, still readable.
pub fn voided_style(app: &App) -> Style {
    app.theme
        .style(Role::muted)
        .add_modifier(Modifier::CROSSED_OUT)
}

/// A list's title line: " Encounters 4–6 of 12 ", bright when the list has the selection.
fn list_block(
    app: &App,
    name: &str,
    state: &TableState,
    shown: usize,
    all: usize,
    focused: bool,
) -> Block<'static> {
    let t = &app.theme;
    let first = state.offset().min(all);
    let title = format!(
        " {name} {}–{} of {all} ",
        if all == 0 { 0 } else { first + 1 },
        (first + shown).min(all)
    );
    Block::default()
        .borders(Borders::TOP)
        .border_style(t.style(Role::border))
        .title(Span::styled(
            title,
            t.style(if focused { Role::title } else { Role::muted }),
        ))
}

/// The state to draw a list with: the unfocused list shows no selection.
fn drawn_state(state: &TableState, focused: bool) -> TableState {
    let mut state = *state;
    if !focused {
        state.select(None);
    }
    state
}

fn draw_encounters(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let all = &view.record.encounters;
    // Beside the measurement list an 80-column screen has room for the essentials; the
    // clinician column comes with width.
    let wide = area.width >= 64;
    let mut rows: Vec<Row> = all
        .iter()
        .map(|e| {
            let voided = e.voided.is_some();
            let status_style = match e.status {
                _ if voided => voided_style(app),
                crate::domain::EncounterStatus::Completed => t.style(Role::text),
                _ => t.style(Role::warning),
            };
            let note = if app.view.privacy {
                String::new()
            } else {
                sanitize(e.note.as_deref().unwrap_or(""))
            };
            let note = match (voided, note.is_empty()) {
                (false, _) => note,
                (true, true) => "voided".to_string(),
                (true, false) => format!("voided · {note}"),
            };
            let mut cells = vec![
                Cell::from(e.date.to_string()),
                Cell::from(e.kind.as_str()),
                Cell::from(e.status.as_str()).style(status_style),
                Cell::from(Line::from(e.minutes.to_string()).right_aligned()),
            ];
            if wide {
                cells.push(Cell::from(sanitize(&e.clinician)));
            }
            cells.push(Cell::from(note));
            Row::new(cells).style(if voided {
                voided_style(app)
            } else {
                t.style(Role::text)
            })
        })
        .collect();
    if rows.is_empty() {
        rows.push(
            Row::new(vec![Cell::from("none yet · c logs a contact")]).style(t.style(Role::muted)),
        );
    }
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(if wide { 15 } else { 12 }),
        Constraint::Length(9),
        Constraint::Length(4),
    ];
    let mut header = vec!["date", "kind", "status", "min"];
    if wide {
        widths.push(Constraint::Length(16));
        header.push("clinician");
    }
    widths.push(Constraint::Fill(1));
    header.push("note");
    let focused = view.focus == ListFocus::Encounters;
    let shown = layout::list_rows(area.height);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.style(Role::header)))
        .block(list_block(
            app,
            "Encounters",
            &view.encounters,
            shown,
            all.len(),
            focused,
        ))
        .row_highlight_style(t.style(Role::selected))
        .column_spacing(1);
    let mut state = drawn_state(&view.encounters, focused);
    frame.render_stateful_widget(table, area, &mut state);
}

fn draw_measurements(frame: &mut Frame, app: &App, view: &ClientView, area: Rect) {
    let t = &app.theme;
    let wide = area.width >= 40;
    let mut rows: Vec<Row> = view
        .measurement_rows()
        .map(|m| {
            let def = m.instrument.def();
            let band = def.band_label(m.total);
            let band = match (m.voided.is_some(), wide) {
                (true, _) => "voided",
                (false, true) => band,
                (false, false) => band_short(band),
            };
            Row::new(vec![
                Cell::from(m.date.to_string()),
                Cell::from(def.name),
                Cell::from(Line::from(m.total.to_string()).right_aligned()),
                Cell::from(band),
            ])
            .style(if m.voided.is_some() {
                voided_style(app)
            } else {
                t.style(Role::text)
            })
        })
        .collect();
    let count = rows.len();
    if rows.is_empty() {
        rows.push(
            Row::new(vec![Cell::from("none yet · m records one")]).style(t.style(Role::muted)),
        );
    }
    let focused = view.focus == ListFocus::Measurements;
    let shown = layout::list_rows(area.height);
    let table = Table::new(
        rows,
        [
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(vec!["date", "measure", "total", "band"]).style(t.style(Role::header)))
    .block(list_block(
        app,
        "Measurements",
        &view.measurements,
        shown,
        count,
        focused,
    ))
    .row_highlight_style(t.style(Role::selected))
    .column_spacing(1);
    let mut state = drawn_state(&view.measurements, focused);
    frame.render_stateful_widget(table, area, &mut state);
}
