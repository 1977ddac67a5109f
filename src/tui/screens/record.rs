//! The record details overlay of the client screen (Enter on a row): a measurement's item
//! responses, an encounter's whole note, and who voided the record, when and why. Reads the
//! open client's record only.

use super::super::app::App;
use super::super::keymap::{self, Layer};
use super::super::theme::Role;
use super::super::ui::popup;
use crate::domain::corrections::RecordKind;
use crate::domain::text::sanitize;
use crate::domain::{Measurement, Voided};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

const WIDTH: u16 = 64;

/// Items per line of the overlay.
const ITEMS_PER_LINE: usize = 5;

fn field(app: &App, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label:>10}  "), app.theme.style(Role::muted)),
        Span::styled(value, app.theme.style(Role::text)),
    ])
}

fn items(app: &App, m: &Measurement) -> Vec<Line<'static>> {
    let Some(items) = &m.items else {
        return vec![field(app, "items", "not recorded (total only)".into())];
    };
    items
        .chunks(ITEMS_PER_LINE)
        .enumerate()
        .map(|(i, chunk)| {
            let first = i * ITEMS_PER_LINE + 1;
            let label = format!("items {first}–{}", first + chunk.len() - 1);
            let values: Vec<String> = chunk.iter().map(|v| format!("{v:>2}")).collect();
            field(app, &label, values.join(" "))
        })
        .collect()
}

fn voided(app: &App, v: &Voided) -> Vec<Line<'static>> {
    let reason = if app.view.privacy {
        "hidden (privacy)".to_string()
    } else {
        sanitize(&v.reason)
    };
    vec![
        Line::raw(""),
        Line::styled(
            format!(
                " Voided on {} by {}: it counts for nothing.",
                v.at.get(..10).unwrap_or(&v.at),
                sanitize(&v.by)
            ),
            app.theme.style(Role::warning),
        ),
        field(app, "reason", reason),
    ]
}

pub fn draw(frame: &mut Frame, app: &App, kind: RecordKind, id: i64) {
    let t = &app.theme;
    let Some(view) = &app.view.client else {
        return;
    };
    let r = &view.record;
    let (title, mut lines) = match kind {
        RecordKind::Encounter => {
            let Some(e) = r.encounters.iter().find(|e| e.id.0 == id) else {
                return;
            };
            let note = match (&e.note, app.view.privacy) {
                (_, true) => "hidden (privacy)".to_string(),
                (Some(n), false) => sanitize(n),
                (None, false) => "—".to_string(),
            };
            let mut lines = vec![
                field(app, "date", e.date.to_string()),
                field(app, "kind", e.kind.to_string()),
                field(app, "status", e.status.to_string()),
                field(app, "minutes", e.minutes.to_string()),
                field(app, "clinician", sanitize(&e.clinician)),
                field(app, "note", note),
            ];
            if let Some(v) = &e.voided {
                lines.extend(voided(app, v));
            }
            (format!(" Encounter {id} "), lines)
        }
        RecordKind::Measurement => {
            let Some(m) = r.measurements.iter().find(|m| m.id.0 == id) else {
                return;
            };
            let def = m.instrument.def();
            let mut lines = vec![
                field(app, "date", m.date.to_string()),
                field(
                    app,
                    "total",
                    format!(
                        "{} of {} · {}",
                        m.total,
                        def.total_max,
                        def.band_label(m.total)
                    ),
                ),
            ];
            lines.extend(items(app, m));
            if let Some(v) = &m.voided {
                lines.extend(voided(app, v));
            }
            (format!(" {} measurement {id} ", def.name), lines)
        }
        RecordKind::Event | RecordKind::Attribution => return,
    };
    lines.push(Line::raw(""));
    let mut hint = vec![Span::raw(" ")];
    for b in keymap::bindings(Layer::Details) {
        hint.push(Span::styled(keymap::keys_label(b), t.style(Role::key)));
        hint.push(Span::styled(format!(" {}  ", b.desc), t.style(Role::muted)));
    }
    lines.push(Line::from(hint));
    // A long note wraps: make room for it (word wrapping may take a line more).
    let inner = (WIDTH - 2) as usize;
    let wrapped: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let extra = usize::from(wrapped > lines.len());
    let area = popup(frame, WIDTH, (wrapped + extra) as u16 + 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Span::styled(title, t.style(Role::title)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
