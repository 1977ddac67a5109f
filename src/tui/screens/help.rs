//! The help overlay: every key of the current screen, generated from the keymap.

use super::super::app::App;
use super::super::keymap::{self, Layer};
use super::super::theme::Role;
use super::super::ui::popup;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, app: &App, scroll: usize) {
    let t = &app.theme;
    // The layers under the help overlay itself: the screen and everything global.
    let layers: Vec<Layer> = app
        .layers()
        .into_iter()
        .filter(|l| *l != Layer::Help)
        .rev()
        .collect();
    let mut lines = Vec::new();
    for layer in layers {
        lines.push(Line::styled(layer.title(), t.style(Role::header)));
        for b in keymap::bindings(layer) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", keymap::keys_label(b)),
                    t.style(Role::key),
                ),
                Span::styled(b.desc, t.style(Role::text)),
            ]));
        }
        lines.push(Line::raw(""));
    }
    let area = popup(frame, 64, 30);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Span::styled(
            " Keys — Esc or ? closes ",
            t.style(Role::title),
        ));
    let max_scroll = lines
        .len()
        .saturating_sub(area.height.saturating_sub(2) as usize);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll) as u16, 0)),
        area,
    );
}
