//! The Today tab: the end-of-day check-in — what was logged today and what it cost against
//! today's share of capitation, who is critical, and who comes due in the next week. The same
//! summary `caseload today` prints (`store::today::load`); clients listed on the right can be
//! opened, and `l` logs for anyone with a quick picker.

use super::super::app::App;
use super::super::theme::Role;
use super::{flag_spans, severity_marker};
use crate::domain::flags::Severity;
use crate::domain::text::count;
use crate::domain::today::{DaySummary, DueItem};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(day) = &app.view.day else {
        frame.render_widget(
            Paragraph::new(super::not_loaded(app, crate::tui::loader::Kind::Today))
                .style(t.style(Role::muted)),
            area,
        );
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    draw_head(frame, app, day, head);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    draw_logged(frame, app, day, left);
    draw_needs(frame, app, day, right);
}

fn draw_head(frame: &mut Frame, app: &App, day: &DaySummary, area: Rect) {
    let t = &app.theme;
    let balance = day.balance();
    let (word, role) = if balance.cents() < 0 {
        ("short", Role::warning)
    } else {
        ("ahead", Role::good)
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(" Today", t.style(Role::title)),
            Span::styled(
                format!(" · {}", day.date.format("%A %-d %B %Y")),
                t.style(Role::muted),
            ),
        ]),
        Line::from(vec![
            Span::styled(
                format!(
                    " {}, {} min · cost {} · capitation {} · ",
                    count(day.encounters, "encounter", "encounters"),
                    day.minutes,
                    day.cost,
                    day.capitation_today
                ),
                t.style(Role::text),
            ),
            Span::styled(format!("{word} {}", balance.abs()), t.style(role)),
        ]),
        Line::styled(
            format!(
                " Measures: {} overdue · {} never · {} due this week · {} others with warnings",
                day.measurements.overdue,
                day.measurements.no_baseline,
                day.measurements.due_this_week(),
                day.clients_with_warnings
            ),
            t.style(Role::muted),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_logged(frame: &mut Frame, app: &App, day: &DaySummary, area: Rect) {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::TOP | Borders::RIGHT)
        .border_style(t.style(Role::border))
        .title(Span::styled(" Logged today ", t.style(Role::title)));
    let mut lines = Vec::new();
    if day.logged.is_empty() {
        lines.push(Line::styled(
            " Nothing logged yet today; l logs for a client.",
            t.style(Role::muted),
        ));
    }
    let room = area.height.saturating_sub(1) as usize;
    let fits = if day.logged.len() > room {
        room.saturating_sub(1)
    } else {
        room
    };
    for l in day.logged.iter().take(fits) {
        let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    " {} ",
                    crate::domain::text::fit(&app.display_name(&l.name), 20)
                ),
                t.style(Role::text),
            ),
            Span::styled(format!("{:>4} min ", l.minutes), t.style(Role::accent)),
            // What is left of the row inside the border: "case-management" is never cut bare.
            Span::styled(
                truncate(&kinds.join(", "), (area.width as usize).saturating_sub(32)),
                t.style(Role::muted),
            ),
        ]));
    }
    if day.logged.len() > fits {
        lines.push(Line::styled(
            format!(
                " and {} more",
                count(day.logged.len() - fits, "client", "clients")
            ),
            t.style(Role::muted),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Critical clients and who comes due, one selectable list (Enter opens the client).
fn draw_needs(frame: &mut Frame, app: &App, day: &DaySummary, area: Rect) {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style(Role::border))
        .title(Span::styled(" Needs you ", t.style(Role::title)));
    let items = app.day_items();
    let selected = items.get(app.view.day_selected).map(|(id, _)| *id);
    let mut lines: Vec<Line> = Vec::new();
    let row_style = |id| {
        if Some(id) == selected {
            t.style(Role::selected)
        } else {
            t.style(Role::text)
        }
    };
    let mut shown: Vec<crate::domain::ClientId> = Vec::new();
    // The line the selected client is on, so the list can scroll to it.
    let mut selected_line = 0;
    lines.push(Line::styled(
        format!(" Critical ({})", day.critical.len()),
        t.style(Role::header),
    ));
    if day.critical.is_empty() {
        lines.push(Line::styled("  none", t.style(Role::good)));
    }
    for c in &day.critical {
        shown.push(c.client_id);
        if Some(c.client_id) == selected {
            selected_line = lines.len();
        }
        let mut spans = vec![Span::styled(
            format!(
                " {} {:<20} ",
                severity_marker(Some(Severity::Critical)),
                truncate(&app.display_name(&c.name), 20)
            ),
            row_style(c.client_id),
        )];
        spans.extend(flag_spans(app, &c.flags, 30));
        lines.push(Line::from(spans));
    }
    let mut section =
        |title: &str, due: &[DueItem], lines: &mut Vec<Line>, selected_line: &mut usize| {
            lines.push(Line::styled(
                format!(" {title} ({})", due.len()),
                t.style(Role::header),
            ));
            for d in due {
                let repeat = shown.contains(&d.client_id);
                shown.push(d.client_id);
                if !repeat && Some(d.client_id) == selected {
                    *selected_line = lines.len();
                }
                let style = if repeat {
                    t.style(Role::muted)
                } else {
                    row_style(d.client_id)
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("   {:<20} ", truncate(&app.display_name(&d.name), 20)),
                        style,
                    ),
                    Span::styled(
                        format!(
                            "{} {}",
                            d.kind.label(),
                            if d.days_until > 1 {
                                d.due.format("%a %-d").to_string()
                            } else {
                                String::new()
                            }
                        ),
                        t.style(Role::muted),
                    ),
                ]));
            }
        };
    section("Due today", &day.due_today, &mut lines, &mut selected_line);
    section(
        "Due tomorrow",
        &day.due_tomorrow,
        &mut lines,
        &mut selected_line,
    );
    section(
        "Due in 2–7 days",
        &day.due_in_2_to_7_days,
        &mut lines,
        &mut selected_line,
    );
    let height = area.height.saturating_sub(1) as usize;
    let scroll = selected_line.saturating_sub(height.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        area,
    );
}

/// The one shared cut (`domain::text::ellipsize`): display width, "…" at a word.
fn truncate(text: &str, width: usize) -> String {
    crate::domain::text::ellipsize(text, width)
}
