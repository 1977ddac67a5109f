//! The today tab (built out in its own issue).

use super::super::app::App;
use super::super::theme::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    frame.render_widget(
        Paragraph::new(" Coming in this build.").style(app.theme.style(Role::muted)),
        area,
    );
}
