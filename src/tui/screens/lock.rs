//! The lock screen: the clinicians who can unlock and a passphrase field, and nothing else —
//! no client name, count or figure is drawn while the screen is locked.

use super::super::app::{App, LockScreen};
use super::super::keymap::{self, Layer};
use super::super::layout;
use super::super::theme::Role;
use crate::domain::text::sanitize;
use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

const WIDTH: u16 = 84;
const PROMPT: &str = "passphrase ";

pub fn draw(frame: &mut Frame, app: &App, lock: &LockScreen) {
    let t = &app.theme;
    let mut lines = vec![
        Line::styled("caseload is locked", t.style(Role::title)),
        Line::styled(
            "Choose your name (↑/↓), type your passphrase, press Enter.",
            t.style(Role::muted),
        ),
        Line::raw(""),
    ];
    if lock.names.is_empty() {
        lines.push(Line::styled(
            "No clinician has a passphrase.",
            t.style(Role::warning),
        ));
    }
    for (i, (_, name)) in lock.names.iter().enumerate() {
        let style = if i == lock.selected {
            t.style(Role::selected)
        } else {
            t.style(Role::text)
        };
        lines.push(Line::styled(format!("  {}  ", sanitize(name)), style));
    }
    lines.push(Line::styled(
        "Not listed? An admin sets your passphrase: caseload clinician passphrase NAME",
        t.style(Role::muted),
    ));
    lines.push(Line::raw(""));
    // Dots only, never a character of the passphrase; the cursor sits among them.
    let width = WIDTH.min(frame.area().width) as usize;
    let (dots, column) = lock
        .passphrase
        .masked_window(width.saturating_sub(2 + PROMPT.len() + 2));
    let passphrase_line = lines.len();
    lines.push(Line::from(vec![
        Span::styled(PROMPT, t.style(Role::accent)),
        Span::styled(format!(" {dots} "), t.style(Role::input_focus)),
    ]));
    lines.push(Line::raw(""));
    match &lock.message {
        Some(m) => lines.push(Line::styled(m.clone(), t.style(Role::error))),
        None => lines.push(Line::raw("")),
    }
    let mut hints = Vec::new();
    for b in keymap::bindings(Layer::Lock).filter(|b| !b.hint.is_empty()) {
        hints.push(Span::styled(keymap::keys_label(b), t.style(Role::key)));
        hints.push(Span::styled(format!(" {}  ", b.hint), t.style(Role::muted)));
    }
    lines.push(Line::from(hints));
    let height = lines.len() as u16 + 2;
    let area = layout::centered(frame.area(), WIDTH, height);
    let at = Position::new(
        area.x + 1 + PROMPT.len() as u16 + 1 + column,
        area.y + 1 + passphrase_line as u16,
    );
    if area.contains(at) {
        frame.set_cursor_position(at);
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
