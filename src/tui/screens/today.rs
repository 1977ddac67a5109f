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

/// One line of the "needs you" list, before it is formatted: at 100,000 clients the list runs
/// to tens of thousands of lines, of which only the screenful shown is formatted.
#[derive(Clone, Copy)]
enum Need<'a> {
    Heading(&'a str, usize),
    NoneCritical,
    Critical(&'a crate::domain::today::CriticalClient),
    /// A client due, and whether they are listed above already (then muted, not selectable).
    Due(&'a DueItem, bool),
}

/// Critical clients and who comes due, one selectable list (Enter opens the client).
fn draw_needs(frame: &mut Frame, app: &App, day: &DaySummary, area: Rect) {
    let t = &app.theme;
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style(Role::border))
        .title(Span::styled(" Needs you ", t.style(Role::title)));
    let selected = app
        .day_entries()
        .nth(app.view.day_selected)
        .map(|(id, _)| id);
    let mut needs: Vec<Need> = vec![Need::Heading("Critical", day.critical.len())];
    if day.critical.is_empty() {
        needs.push(Need::NoneCritical);
    }
    let mut shown = std::collections::HashSet::new();
    // The line the selected client is on, so the list can scroll to it.
    let mut selected_line = 0;
    let mut found = selected.is_none();
    let height = area.height.saturating_sub(1) as usize;
    // The screen ends at most a screenful below the selected line: nothing further is needed.
    let past_screen = |lines: usize, found: bool, at: usize| found && lines >= at + height;
    for c in &day.critical {
        shown.insert(c.client_id);
        if Some(c.client_id) == selected {
            (selected_line, found) = (needs.len(), true);
        }
        needs.push(Need::Critical(c));
    }
    'sections: for (title, due) in [
        ("Due today", &day.due_today),
        ("Due tomorrow", &day.due_tomorrow),
        ("Due in 2–7 days", &day.due_in_2_to_7_days),
    ] {
        needs.push(Need::Heading(title, due.len()));
        for d in due {
            if past_screen(needs.len(), found, selected_line) {
                break 'sections;
            }
            let repeat = !shown.insert(d.client_id);
            if !repeat && Some(d.client_id) == selected {
                (selected_line, found) = (needs.len(), true);
            }
            needs.push(Need::Due(d, repeat));
        }
    }
    let scroll = selected_line.saturating_sub(height.saturating_sub(2));
    let row_style = |id| {
        if Some(id) == selected {
            t.style(Role::selected)
        } else {
            t.style(Role::text)
        }
    };
    let lines: Vec<Line> = needs
        .iter()
        .skip(scroll)
        .take(height)
        .map(|need| match *need {
            Need::Heading(title, n) => {
                Line::styled(format!(" {title} ({n})"), t.style(Role::header))
            }
            Need::NoneCritical => Line::styled("  none", t.style(Role::good)),
            Need::Critical(c) => {
                let mut spans = vec![Span::styled(
                    format!(
                        " {} {:<20} ",
                        severity_marker(Some(Severity::Critical)),
                        truncate(&app.display_name(&c.name), 20)
                    ),
                    row_style(c.client_id),
                )];
                spans.extend(flag_spans(app, &c.flags, 30));
                Line::from(spans)
            }
            Need::Due(d, repeat) => {
                let style = if repeat {
                    t.style(Role::muted)
                } else {
                    row_style(d.client_id)
                };
                Line::from(vec![
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
                ])
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The one shared cut (`domain::text::ellipsize`): display width, "…" at a word.
fn truncate(text: &str, width: usize) -> String {
    crate::domain::text::ellipsize(text, width)
}
