//! Screen geometry shared by `update` (which must know the page height to scroll) and the
//! screens (which draw into it), so the two never disagree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the UI shows only a request to enlarge the terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// The frame: tab bar, body, status line, key hints.
pub struct Frame {
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
}

pub fn frame(area: Rect) -> Frame {
    let [tabs, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Frame {
        tabs,
        body,
        status,
        hints,
    }
}

/// Rows of clients visible on the panel in a terminal of this height (the table has a header
/// line and the body a filter line).
pub fn panel_rows(height: u16) -> usize {
    let body = frame(Rect::new(0, 0, MIN_WIDTH, height)).body.height;
    body.saturating_sub(2).max(1) as usize
}

/// Encounter rows visible on the client screen.
pub fn client_history_rows(height: u16) -> usize {
    let body = frame(Rect::new(0, 0, MIN_WIDTH, height)).body.height;
    // Header 4, flags up to 5, chart 10, table header and borders 3.
    body.saturating_sub(22).max(3) as usize
}

/// A centred box of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
