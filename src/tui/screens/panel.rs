//! The panel: clients in priority order with what needs attention. Only the visible rows are
//! built, so a 100,000-client panel draws as fast as a small one.

use super::super::app::App;
use super::super::layout;
use super::super::theme::Role;
use super::{days_since, flag_label, flag_spans, score_cell, severity_marker, severity_style};
use crate::domain::Instrument;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let p = &app.view.panel;
    let layout::PanelAreas {
        filter: filter_area,
        table: table_area,
    } = layout::panel(area);

    let mut bar = vec![Span::styled(" Panel", t.style(Role::title))];
    let whose = if app.viewer.sees_everyone() {
        match p.clinician {
            Some(id) => format!(" · {}", app.clinician_name(Some(id))),
            None => " · everyone".into(),
        }
    } else {
        format!(" · {}", crate::domain::text::sanitize(&app.viewer.name))
    };
    bar.push(Span::styled(whose, t.style(Role::muted)));
    bar.push(Span::styled(
        if p.show_all {
            " · all statuses"
        } else {
            " · active"
        },
        t.style(Role::muted),
    ));
    bar.push(Span::styled(
        format!(" · by {}", p.sort.label()),
        t.style(Role::muted),
    ));
    if let Some(kind) = p.flag_filter {
        bar.push(Span::styled(
            format!(" · flag: {}", flag_label(kind)),
            t.style(Role::accent),
        ));
    }
    if p.filtering || !p.filter.is_empty() {
        bar.push(Span::styled("  / ", t.style(Role::key)));
        let before: usize = bar.iter().map(Span::width).sum();
        let room = (filter_area.width as usize).saturating_sub(before);
        let (shown, column) = p.filter.window(room);
        if p.filtering && room > 0 {
            frame.set_cursor_position((filter_area.x + before as u16 + column, filter_area.y));
        }
        bar.push(Span::styled(
            app.display_typed(&shown),
            t.style(if p.filtering {
                Role::input_focus
            } else {
                Role::input
            }),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(bar)), filter_area);

    // Narrow terminals keep the name and flags readable: the clinician column goes below 110
    // columns (the `v` filter still shows one clinician's panel), GAD-7 and this month's
    // minutes below 90 (the status line sums the minutes; the client screen has each
    // client's). The next appointment stays at every width, beside the last contact.
    let several = app.shows_several_clinicians() && table_area.width >= 110;
    let wide = table_area.width >= 90;
    // With `a` (all statuses) a status column says who is discharged or on hold: the dimmed
    // row alone would not say which, nor reach a screen without colour.
    let statuses = p.show_all;
    let mut header = vec!["", "client", "tier"];
    if statuses {
        header.push("status");
    }
    if several {
        header.push("clinician");
    }
    header.extend(["contact", "next", "measured", "PHQ-9"]);
    if wide {
        header.push("GAD-7");
    }
    header.push("flags");
    if wide {
        header.push("minutes");
    }
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Length(4),
    ];
    if statuses {
        widths.push(Constraint::Length(10));
    }
    if several {
        widths.push(Constraint::Length(9));
    }
    widths.extend([
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(11),
    ]);
    if wide {
        widths.push(Constraint::Length(11));
    }
    widths.push(Constraint::Fill(5));
    if wide {
        widths.push(Constraint::Length(7));
    }
    // The flags column's width, as the table will lay it out, so labels that do not fit
    // become "+N" rather than being cut mid-word.
    let columns = Layout::horizontal(widths.clone())
        .spacing(1)
        .split(table_area);
    let flags_width = columns[columns.len() - if wide { 2 } else { 1 }].width as usize;
    // A long name ends in "…" rather than reading as a shorter, different name.
    let name_width = columns[1].width as usize;
    let page = layout::panel_rows(app.size.1).min(layout::table_rows(table_area.height));
    // Only the loaded rows exist in the model; `update` loads the drawn ones before a frame.
    let visible = (p.offset..(p.offset + page).min(p.total))
        .filter_map(|row| p.entry_at(row).map(|e| (row, e)));
    let rows: Vec<Row> = visible
        .map(|(row_index, e)| {
            let selected = row_index == p.selected;
            // On the selected row the selection style alone colours the text, so a red flag
            // never sits on a blue bar unreadably.
            let styled = |line: Line<'static>| -> Cell<'static> {
                if selected {
                    Cell::from(Line::from(
                        line.spans
                            .into_iter()
                            .map(|s| Span::raw(s.content))
                            .collect::<Vec<_>>(),
                    ))
                } else {
                    Cell::from(line)
                }
            };
            let worst = e.worst();
            let marker_style = worst.map_or(t.style(Role::text), |s| severity_style(app, s));
            let mut cells = vec![
                styled(Line::from(Span::styled(
                    severity_marker(worst),
                    marker_style,
                ))),
                Cell::from(crate::domain::text::ellipsize(
                    &app.display_name(&e.client.name),
                    name_width,
                )),
                Cell::from(match e.client.tier {
                    crate::domain::Tier::High => "high",
                    crate::domain::Tier::Moderate => "mod",
                    crate::domain::Tier::Low => "low",
                }),
            ];
            if statuses {
                cells.push(Cell::from(e.client.status.to_string()));
            }
            if several {
                let name = app.clinician_name(e.client.clinician_id);
                cells.push(Cell::from(
                    name.split_whitespace().next().unwrap_or("").to_string(),
                ));
            }
            let wants = p.needs_booking_at(row_index);
            cells.extend([
                Cell::from(days_since(app.today, e.last_contact)),
                styled(next_cell(app, e.next_appointment, wants)),
                Cell::from(days_since(app.today, e.last_measured)),
                styled(Line::from(score_cell(
                    app,
                    Instrument::Phq9,
                    e.phq9.as_ref(),
                ))),
            ]);
            if wide {
                cells.push(styled(Line::from(score_cell(
                    app,
                    Instrument::Gad7,
                    e.gad7.as_ref(),
                ))));
            }
            cells.push(styled(Line::from(flag_spans(app, &e.flags, flags_width))));
            if wide {
                cells.push(Cell::from(
                    Line::from(e.minutes_this_month.to_string()).right_aligned(),
                ));
            }
            let inactive = e.client.status != crate::domain::ClientStatus::Active;
            let style = match (selected, inactive) {
                (true, _) => t.style(Role::selected),
                (false, true) => t.style(Role::muted),
                (false, false) => t.style(Role::text),
            };
            Row::new(cells).style(style)
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(rows, widths.clone())
        .header(Row::new(header).style(t.style(Role::header)))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if empty {
        let message = empty_message(app);
        // Wrapped: the first steps must read whole at 80 columns too.
        let area = Rect::new(
            table_area.x + 2,
            table_area.y + 2,
            table_area.width.saturating_sub(4),
            table_area.height.saturating_sub(2).min(4),
        );
        frame.render_widget(
            Paragraph::new(message)
                .style(t.style(Role::muted))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }
}

/// What an empty panel says to do first: with nobody on it, add a client (`n`), and for a
/// practice with no clinician yet, add yourself first (logging needs a clinician).
fn empty_message(app: &App) -> &'static str {
    let p = &app.view.panel;
    if p.any_on_panel {
        "No client matches the filter (Esc clears it)."
    } else if p.show_all || p.clinician.is_some() {
        "No clients on this panel yet: press n to add one."
    } else if app.clinicians.is_empty() {
        "A new practice. First add yourself: caseload clinician add \"Your Name\" --hourly-cost 95 (and a contract: caseload contract add); then press n here to add your first client. To look around first: caseload --demo."
    } else {
        "No clients yet. Press n to add your first client: name, tier, clinician and contract. To look around first: caseload --demo."
    }
}

/// "today", "in 3d", "in 2mo": the next booked appointment, compact like the other date
/// columns; "—" in the warning role when something is due and nothing is booked.
fn next_cell(app: &App, next: Option<chrono::NaiveDate>, wants_booking: bool) -> Line<'static> {
    let Some(day) = next else {
        return if wants_booking {
            Line::styled("—", app.theme.style(Role::warning))
        } else {
            Line::raw("")
        };
    };
    Line::raw(days_until(app.today, day))
}

/// "today", "in 3d" up to 99 days, then "in 4mo".
pub fn days_until(today: chrono::NaiveDate, day: chrono::NaiveDate) -> String {
    match (day - today).num_days() {
        n if n <= 0 => "today".into(),
        n if n < 100 => format!("in {n}d"),
        n => format!("in {}mo", n / 30),
    }
}

/// The status line: the selected client's worst flag in full (its reason, sanitised and cut
/// with … to leave room for the count and minutes); for a client without flags, counts by
/// flag kind over the clients shown, and the month's minutes — over the whole window (the
/// store's counts), not only the loaded rows.
pub fn summary(app: &App) -> Line<'static> {
    let t = &app.theme;
    let p = &app.view.panel;
    use crate::tui::app::Counting;
    let clients = match p.counting {
        Some(Counting::Count) => "counting clients…".to_string(),
        _ => crate::domain::text::count(p.total, "client", "clients"),
    };
    let minutes = match p.counting {
        Some(_) => "counting minutes…".to_string(),
        None => format!("{} min this month", p.counts.minutes),
    };
    let worst = app
        .view
        .panel
        .selected_entry()
        .and_then(|e| crate::domain::flags::worst_flag(&e.flags));
    if let Some(flag) = worst {
        let tail = format!(" · {clients} · {minutes}");
        let text = format!(
            " {} {}: {}",
            super::severity_marker(Some(flag.severity)),
            flag.kind.label(),
            crate::domain::text::sanitize(&flag.reason)
        );
        // The reason comes first: the counts follow only when the whole reason fits.
        let width = app.size.0 as usize;
        let used = unicode_width::UnicodeWidthStr::width(text.as_str());
        let tail = if used + tail.chars().count() <= width {
            tail
        } else {
            String::new()
        };
        return Line::from(vec![
            Span::styled(
                crate::domain::text::ellipsize(&text, width),
                severity_style(app, flag.severity),
            ),
            Span::styled(tail, t.style(Role::muted)),
        ]);
    }
    let mut spans = vec![Span::styled(format!(" {clients}"), t.style(Role::text))];
    if p.counting == Some(Counting::Count) {
        return Line::from(spans);
    }
    spans.push(Span::styled(
        format!(" · {minutes} ·"),
        t.style(Role::muted),
    ));
    for &(kind, n) in &p.counts.by_kind {
        if n > 0 {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!("{} {n}", flag_label(kind)),
                severity_style(app, kind.severity()),
            ));
        }
    }
    Line::from(spans)
}
