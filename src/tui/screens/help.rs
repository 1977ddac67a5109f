//! The help overlay: every key of the current screen, generated from the keymap, then a
//! legend of the short labels and marks the screens use (generated from the same functions
//! that draw them, so the legend cannot drift from the panel).

use super::super::app::App;
use super::super::keymap::{self, Layer};
use super::super::theme::Role;
use super::super::ui::popup;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The overlay's size: 64 × 30, or the terminal if smaller.
const WIDTH: u16 = 64;
const HEIGHT: u16 = 30;

/// Every line of the overlay: the keys of each layer under it, then the legend.
pub fn lines(app: &App) -> Vec<Line<'static>> {
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
    lines.extend(legend(app));
    lines
}

/// The furthest the overlay scrolls on this terminal: its last line at the bottom.
pub fn max_scroll(app: &App) -> usize {
    let area = crate::tui::layout::centered(
        ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1),
        WIDTH,
        HEIGHT,
    );
    lines(app)
        .len()
        .saturating_sub(area.height.saturating_sub(2) as usize)
}

pub fn draw(frame: &mut Frame, app: &App, scroll: usize) {
    let t = &app.theme;
    let lines = lines(app);
    let area = popup(frame, WIDTH, HEIGHT);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(Role::border))
        .title(Span::styled(
            " Keys — Esc or ? closes · j/k scroll ",
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

/// What the panel's marks and short labels mean: the severity markers, each flag's short label
/// with its full name and severity, and the score arrows.
pub fn legend(app: &App) -> Vec<Line<'static>> {
    use super::{flag_label, severity_marker, severity_style};
    use crate::domain::flags::{FlagKind, Severity};
    let t = &app.theme;
    let mut lines = vec![Line::styled("Legend", t.style(Role::header))];
    let row = |mark: String, style, text: String| {
        Line::from(vec![
            Span::styled(format!("  {mark:<16}"), style),
            Span::styled(text, t.style(Role::text)),
        ])
    };
    for (severity, word) in [
        (Severity::Critical, "critical: act today"),
        (Severity::Warning, "warning: overdue or worth a look"),
        (
            Severity::Info,
            "information (remission: consider step-down)",
        ),
    ] {
        lines.push(row(
            severity_marker(Some(severity)).to_string(),
            severity_style(app, severity),
            word.to_string(),
        ));
    }
    for kind in FlagKind::ALL {
        lines.push(row(
            flag_label(kind).to_string(),
            severity_style(app, kind.severity()),
            kind.label().to_string(),
        ));
    }
    for (arrow, text) in [
        ("↓", "better than the score before"),
        ("↑", "worse than the score before"),
        ("→", "unchanged"),
    ] {
        lines.push(row(
            format!("14 mod {arrow}"),
            t.style(Role::key),
            format!("PHQ-9/GAD-7: latest score, band, {text}"),
        ));
    }
    lines.push(row(
        "+N".into(),
        t.style(Role::muted),
        "N more flags than fit (the client screen lists them)".into(),
    ));
    lines.push(row(
        "—".into(),
        t.style(Role::warning),
        "next: something falls due and nothing is booked".into(),
    ));
    lines
}
