//! The agenda tab (SPEC section 10): one week, Monday to Sunday, each day with its appointments
//! — time, client, kind, length, and the state each is in (booked, kept, no-show, unlogged,
//! cancelled) as `store::appointments` computes it. Today is marked; the selected appointment
//! is kept in view. Reads the model only.

use super::super::app::{AgendaView, App};
use super::super::theme::Role;
use crate::domain::appointments::{Appointment, AppointmentState};
use crate::domain::text::sanitize;
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn state_role(state: AppointmentState) -> Role {
    match state {
        AppointmentState::Booked => Role::info,
        AppointmentState::Kept => Role::good,
        AppointmentState::NoShow | AppointmentState::Unlogged => Role::warning,
        AppointmentState::Cancelled => Role::muted,
    }
}

/// How a state reads in the list; an unlogged one asks the question it stands for.
fn state_text(state: AppointmentState, wide: bool) -> &'static str {
    match state {
        AppointmentState::Unlogged if wide => "unlogged — did it happen?",
        other => other.as_str(),
    }
}

/// The one shared cut, padded to the column (`domain::text::fit`).
fn fit(text: &str, width: usize) -> String {
    crate::domain::text::fit(text, width)
}

/// How many appointments of the week are in `state`.
pub fn count(week: &AgendaView, state: AppointmentState) -> usize {
    week.loaded().iter().filter(|a| a.state == state).count()
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let week = &app.view.agenda;
    let Some(all) = &week.appointments else {
        frame.render_widget(
            Paragraph::new(" Loading…").style(t.style(Role::muted)),
            area,
        );
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let whose = if app.viewer.sees_everyone() {
        match app.view.panel.clinician {
            Some(id) => app.clinician_name(Some(id)),
            None => "everyone".to_string(),
        }
    } else {
        sanitize(&app.viewer.name)
    };
    let same_month = week.monday.month() == week.sunday().month();
    let range = format!(
        "{} – {}",
        week.monday
            .format(if same_month { "%a %-d" } else { "%a %-d %b" }),
        week.sunday().format("%a %-d %b %Y")
    );
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Agenda", t.style(Role::title)),
            Span::styled(format!(" · {range} · {whose}"), t.style(Role::muted)),
        ])),
        head,
    );
    // The week's tally sits on the rule under the title.
    let mut tally = vec![Span::styled(
        format!(
            " {}",
            crate::domain::text::count(all.len(), "appointment", "appointments")
        ),
        t.style(Role::text),
    )];
    for state in [
        AppointmentState::Kept,
        AppointmentState::NoShow,
        AppointmentState::Unlogged,
        AppointmentState::Cancelled,
    ] {
        let n = count(week, state);
        if n > 0 {
            tally.push(Span::styled(" · ", t.style(Role::muted)));
            tally.push(Span::styled(
                format!("{n} {state}"),
                t.style(state_role(state)),
            ));
        }
    }
    tally.push(Span::raw(" "));
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.style(Role::border))
        .title(Line::from(tally));
    let inner = block.inner(body);
    let (lines, selected_line) = day_lines(app, week, all, inner.width);
    let height = inner.height as usize;
    // The selected appointment stays in view, with its day's heading when there is room.
    let scroll = if selected_line + 1 < height {
        0
    } else {
        selected_line + 2 - height
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        body,
    );
}

/// The week's lines, day by day, and the line the selected appointment is on.
fn day_lines(
    app: &App,
    week: &AgendaView,
    all: &[Appointment],
    width: u16,
) -> (Vec<Line<'static>>, usize) {
    let t = &app.theme;
    let wide = width >= 100;
    let several = app.shows_several_clinicians();
    // time, client, kind, minutes, clinician, state.
    let name_width = if wide { 28 } else { 22 };
    let mut lines = Vec::new();
    let mut selected_line = 0;
    for day in week.days() {
        let today = day == app.today;
        let mut heading = vec![Span::styled(
            format!(" {}", day.format("%a %-d %b")),
            t.style(if today { Role::accent } else { Role::header }),
        )];
        if today {
            heading.push(Span::styled(" ◀ today", t.style(Role::accent)));
        }
        let of_day: Vec<(usize, &Appointment)> = all
            .iter()
            .enumerate()
            .filter(|(_, a)| a.date == day)
            .collect();
        if of_day.is_empty() {
            heading.push(Span::styled("   nothing booked", t.style(Role::muted)));
        }
        lines.push(Line::from(heading));
        for (i, a) in of_day {
            let selected = i == week.selected;
            if selected {
                selected_line = lines.len();
            }
            let plain = if selected {
                t.style(Role::selected)
            } else if a.state == AppointmentState::Cancelled {
                t.style(Role::muted)
            } else {
                t.style(Role::text)
            };
            // On the selected row the selection style alone colours the text.
            let role = |role: Role| -> Style { if selected { plain } else { t.style(role) } };
            let mut spans = vec![
                Span::styled(
                    format!("   {:<5}  ", a.time.as_deref().unwrap_or("  —")),
                    plain,
                ),
                Span::styled(fit(&app.display_name(&a.name), name_width), plain),
                Span::styled(format!("  {:<10}", a.kind.as_str()), plain),
                Span::styled(format!("{:>4} min  ", a.minutes), plain),
            ];
            if several {
                let first = sanitize(a.clinician.split_whitespace().next().unwrap_or(""));
                spans.push(Span::styled(fit(&first, 8), plain));
                spans.push(Span::styled("  ", plain));
            }
            spans.push(Span::styled(
                format!("{} ", state_text(a.state, wide)),
                role(state_role(a.state)),
            ));
            // The selection bar runs the width of the list, as in the other lists.
            let line = Line::from(spans);
            lines.push(if selected { line.style(plain) } else { line });
        }
    }
    if all.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            " No appointments this week. Book one from a client's screen with b; [ and ] move by week.",
            t.style(Role::muted),
        ));
    }
    (lines, selected_line)
}

/// The status line under the agenda.
pub fn status(app: &App) -> Line<'static> {
    let t = &app.theme;
    let week = &app.view.agenda;
    let unlogged = count(week, AppointmentState::Unlogged);
    if unlogged > 0 {
        return Line::styled(
            format!(
                " {unlogged} unlogged this week: did they happen? Select one and press l to log it"
            ),
            t.style(Role::warning),
        );
    }
    Line::styled(
        " ↑↓ select · Enter opens the client · l logs a past appointment as kept · b books from a client",
        t.style(Role::muted),
    )
}
