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

/// The panel's filter line, above its table.
pub const PANEL_FILTER_ROWS: u16 = 1;
/// A table's header row.
pub const TABLE_HEADER_ROWS: u16 = 1;
/// A client record list's title line (its block's top border), above its header.
pub const LIST_TITLE_ROWS: u16 = 1;

/// Rows of a table drawn in `height` rows, under its header.
pub fn table_rows(height: u16) -> usize {
    height.saturating_sub(TABLE_HEADER_ROWS) as usize
}

/// Rows of a client record list drawn in `height` rows, under its title and header.
pub fn list_rows(height: u16) -> usize {
    height.saturating_sub(LIST_TITLE_ROWS + TABLE_HEADER_ROWS) as usize
}

/// Rows of clients visible on the panel in a terminal of this height: the body, less the
/// filter line and the table's header (the same constants the panel screen draws with).
pub fn panel_rows(height: u16) -> usize {
    let body = frame(Rect::new(0, 0, MIN_WIDTH, height)).body.height;
    table_rows(body.saturating_sub(PANEL_FILTER_ROWS)).max(1)
}

/// The client screen's parts: header, flags, chart beside the scores and money, and the two
/// record lists side by side (encounters, then measurements).
pub struct ClientAreas {
    pub head: Rect,
    pub flags: Rect,
    pub chart: Rect,
    pub side: Rect,
    pub encounters: Rect,
    pub measurements: Rect,
}

/// Flag lines the client screen has room for; more are summed up on the last one.
pub const CLIENT_FLAG_LINES: usize = 4;

/// Splits the client screen's body; `flags` is how many flags the client has.
pub fn client(body: Rect, flags: usize) -> ClientAreas {
    let flag_lines = flags.clamp(1, CLIENT_FLAG_LINES) as u16;
    let [head, flag_area, middle, lists] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(flag_lines + 1),
        Constraint::Length(10),
        Constraint::Min(4),
    ])
    .areas(body);
    let [chart, side] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(middle);
    // The measurement list needs date, instrument, total and band; at 110 columns and more
    // the band reads in full.
    let measure_width = if body.width >= 110 { 42 } else { 33 };
    let [encounters, _, measurements] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(measure_width),
    ])
    .areas(lists);
    ClientAreas {
        head,
        flags: flag_area,
        chart,
        side,
        encounters,
        measurements,
    }
}

/// Record rows each list of the client screen shows at once, in a terminal of this size, for
/// a client with this many flags (the lists have a title line and a header row).
pub fn client_list_rows(size: (u16, u16), flags: usize) -> usize {
    let body = frame(Rect::new(0, 0, size.0, size.1)).body;
    list_rows(client(body, flags).encounters.height).max(1)
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
