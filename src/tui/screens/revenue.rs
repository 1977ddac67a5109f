//! The revenue tab: the last 12 months of capitation and case-rate revenue against the cost of
//! the time spent (SPEC section 5), a chart of net revenue against cost, and the break-even
//! line per contract.

use super::super::app::App;
use super::super::theme::Role;
use super::patterns::{COST_FILL, NET_SAMPLE, shade_second_bars};
use crate::domain::Money;
use crate::domain::text::sanitize;
use crate::store::revenue::{RevenueReport, RevenueRow};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Cell, Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(report) = &app.view.revenue else {
        frame.render_widget(
            Paragraph::new(super::not_loaded(app, crate::tui::loader::Kind::Revenue))
                .style(t.style(Role::muted)),
            area,
        );
        return;
    };
    let note = crate::report::revenue::to_date_note(report);
    // The break-even pane shows whole (a heading, three rows per contract, the withhold and
    // the months under water); the table gives way instead, and scrolls with j/k.
    let pane = (report.break_even.len() as u16 * 3 + 3).max(5);
    let table_height = (report.rows.len() as u16 + 3)
        .min(
            area.height
                .saturating_sub(1 + u16::from(note.is_some()) + pane),
        )
        .max(4);
    let [title, table, note_area, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(table_height),
        Constraint::Length(u16::from(note.is_some())),
        Constraint::Min(pane),
    ])
    .areas(area);
    let whose = if app.viewer.sees_everyone() {
        "the whole practice".to_string()
    } else {
        format!("{}'s share", sanitize(&app.viewer.name))
    };
    let width = title.width as usize;
    frame.render_widget(
        Paragraph::new(super::cut_line(
            Line::from(vec![
                Span::styled(" Revenue", t.style(Role::title)),
                Span::styled(
                    format!(
                        " · {} to {} · {whose}{}",
                        report.from,
                        report.to,
                        if area.width < 100 {
                            " · whole dollars (widen for cents)"
                        } else {
                            ""
                        }
                    ),
                    t.style(Role::muted),
                ),
            ]),
            width,
        )),
        title,
    );
    draw_table(frame, app, report, table);
    if let Some(note) = note {
        // The mark on the month's row, explained: its margin is not a whole month's.
        let text = crate::domain::text::ellipsize(
            &format!(" {TO_DATE_MARK} {note}"),
            note_area.width as usize,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(text, t.style(Role::muted))),
            note_area,
        );
    }
    let [chart, side] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    draw_chart(frame, app, report, chart);
    draw_break_even(frame, app, report, side);
}

/// Marks the month to date's row (its figures run through today), explained under the table.
const TO_DATE_MARK: &str = "*";

/// A row's key, marked when its figures are to date.
fn key(row: &RevenueRow) -> String {
    if row.to_date {
        format!("{}{TO_DATE_MARK}", row.key)
    } else {
        row.key.clone()
    }
}

/// Exact cents, as the report computes them (the total row is the sum of the rows above it
/// to the cent); on narrow terminals whole dollars, so no figure is ever cut.
fn money(m: Money, wide: bool) -> String {
    if wide {
        return m.to_string();
    }
    m.to_whole_dollars()
        .to_string()
        .trim_end_matches(".00")
        .to_string()
}

/// The cells of one row; on narrow terminals the withhold column is left out.
fn row_cells(row: &RevenueRow, with_withhold: bool) -> Vec<Cell<'static>> {
    let money = |m: Money| money(m, with_withhold);
    let right = |s: String| Cell::from(Line::from(s).right_aligned());
    let mut cells = vec![
        Cell::from(key(row)),
        right(format!("{:.1}", row.member_months)),
        right(money(row.gross)),
    ];
    if with_withhold {
        cells.push(right(money(row.withhold)));
    }
    cells.extend([
        right(money(row.net)),
        right(row.minutes.to_string()),
        right(money(row.cost)),
        right(money(row.margin)),
        right(row.effective_hourly.map_or("—".to_string(), money)),
    ]);
    cells
}

fn draw_table(frame: &mut Frame, app: &App, report: &RevenueReport, area: Rect) {
    let t = &app.theme;
    // Below 100 columns the withhold column gives way so every figure keeps its cents.
    let with_withhold = area.width >= 100;
    let visible = area.height.saturating_sub(2) as usize;
    let skip = app
        .view
        .revenue_scroll
        .min(report.rows.len().saturating_sub(visible));
    let mut rows: Vec<Row> = report
        .rows
        .iter()
        .skip(skip)
        .take(visible)
        .map(|r| {
            let style = if r.under_water() {
                t.style(Role::warning)
            } else {
                t.style(Role::text)
            };
            Row::new(row_cells(r, with_withhold)).style(style)
        })
        .collect();
    rows.push(Row::new(row_cells(&report.total, with_withhold)).style(t.style(Role::title)));
    let mut header = vec!["month", "member-mo", "gross"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    if with_withhold {
        header.push("withhold");
        widths.push(Constraint::Fill(1));
    }
    header.extend(["net", "minutes", "cost", "margin", "$/hour"]);
    widths.extend([
        Constraint::Fill(1),
        Constraint::Length(7),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(10),
    ]);
    let table = Table::new(rows, widths)
        .header(
            Row::new(
                header
                    .into_iter()
                    .map(|h| Cell::from(Line::from(h).right_aligned()))
                    .collect::<Vec<_>>(),
            )
            .style(t.style(Role::header)),
        )
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// Net revenue against cost, month by month, in whole dollars.
fn draw_chart(frame: &mut Frame, app: &App, report: &RevenueReport, area: Rect) {
    let t = &app.theme;
    let groups: Vec<BarGroup> = report
        .rows
        .iter()
        .map(|r| {
            let dollars = |m: Money| (m.cents().max(0) / 100) as u64;
            let label = key(r).get(5..).unwrap_or(&r.key).to_string();
            BarGroup::default().label(Line::from(label)).bars(&[
                Bar::default()
                    .value(dollars(r.net))
                    .style(t.style(Role::bar_revenue))
                    .text_value(String::new()),
                Bar::default()
                    .value(dollars(r.cost))
                    .style(t.style(Role::bar_cost))
                    .text_value(String::new()),
            ])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Line::from(vec![
            Span::styled(format!(" net {NET_SAMPLE} "), t.style(Role::bar_revenue)),
            Span::styled("vs ", t.style(Role::muted)),
            Span::styled(format!("cost {COST_FILL} "), t.style(Role::bar_cost)),
        ]));
    let inner_width = area.width.saturating_sub(2) as usize;
    let per_group = (inner_width / report.rows.len().max(1)).max(3);
    let bar_width = ((per_group.saturating_sub(1)) / 2).clamp(1, 3) as u16;
    let mut chart = BarChart::default()
        .block(block)
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(1);
    let count = groups.len();
    for group in groups {
        chart = chart.data(group);
    }
    frame.render_widget(chart, area);
    // Cost bars shaded, so net and cost differ without colour too.
    shade_second_bars(
        frame.buffer_mut(),
        area.inner(Margin::new(1, 1)),
        count,
        bar_width,
        1,
    );
}

fn draw_break_even(frame: &mut Frame, app: &App, report: &RevenueReport, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        " Break-even (minutes per member month)",
        t.style(Role::header),
    )];
    for be in &report.break_even {
        let actual = be.actual_minutes_per_member_month;
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} ", sanitize(&be.contract)),
                t.style(Role::accent),
            ),
            Span::styled(format!("at {} PMPM", be.pmpm), t.style(Role::muted)),
        ]));
        let affordable: Vec<String> = be
            .per_clinician
            .iter()
            .map(|(name, _, minutes)| format!("{} {:.0}", first_name(name), minutes))
            .collect();
        let worst = be
            .per_clinician
            .iter()
            .map(|(_, _, m)| *m)
            .fold(f64::INFINITY, f64::min);
        let style = match actual {
            Some(a) if a > worst => t.style(Role::warning),
            _ => t.style(Role::good),
        };
        lines.push(Line::from(vec![Span::styled(
            format!("   affordable: {}", affordable.join(", ")),
            t.style(Role::text),
        )]));
        lines.push(Line::styled(
            format!(
                "   actual: {}",
                actual.map_or("no member months".to_string(), |a| format!("{a:.0}"))
            ),
            style,
        ));
    }
    lines.push(Line::from(vec![
        Span::styled(" Withhold held back to date ", t.style(Role::text)),
        Span::styled(report.withhold_to_date.to_string(), t.style(Role::accent)),
    ]));
    let under = report.rows.iter().filter(|r| r.under_water()).count();
    lines.push(Line::styled(
        format!(
            " {under} of {} months under water (cost above net)",
            report.rows.len()
        ),
        if under > 0 {
            t.style(Role::warning)
        } else {
            t.style(Role::good)
        },
    ));
    // Each line cut with "…" to the pane, never mid-figure at its edge.
    let width = area.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| super::cut_line(l, width))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn first_name(name: &str) -> String {
    sanitize(name.split_whitespace().next().unwrap_or(name))
}
