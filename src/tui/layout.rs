//! Screen geometry shared by `update` (which must know the page height to scroll) and the
//! screens (which draw into it), so the two never disagree.

use super::action::Tab;
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

/// The panel's parts: a line with its scope and the filter, then the table (a header row,
/// then one row per client).
pub struct PanelAreas {
    pub filter: Rect,
    pub table: Rect,
}

pub fn panel(body: Rect) -> PanelAreas {
    let [filter, table] =
        Layout::vertical([Constraint::Length(PANEL_FILTER_ROWS), Constraint::Min(1)]).areas(body);
    PanelAreas { filter, table }
}

/// Rows of clients visible on the panel in a terminal of this height: the body, less the
/// filter line and the table's header (the same constants the panel screen draws with).
pub fn panel_rows(height: u16) -> usize {
    let body = frame(Rect::new(0, 0, MIN_WIDTH, height)).body;
    table_rows(panel(body).table.height).max(1)
}

/// Which of the panel's drawn client rows (0 = the first drawn) the cell (`x`, `y`) of a
/// terminal of this size is on, if any: the header and the lines around the table are none.
pub fn panel_row_at(size: (u16, u16), x: u16, y: u16) -> Option<usize> {
    let table = panel(frame(Rect::new(0, 0, size.0, size.1)).body).table;
    let rows = Rect {
        y: table.y + TABLE_HEADER_ROWS,
        height: table.height.saturating_sub(TABLE_HEADER_ROWS),
        ..table
    };
    rows.contains((x, y).into())
        .then(|| usize::from(y - rows.y))
        .filter(|row| *row < panel_rows(size.1))
}

/// Where each tab's label sits in the tab bar, whether the bar starts with the program's
/// name and which words it shows on the right. The tabs always show whole; on a narrow
/// terminal the name gives way first, then the right-hand words, form by form.
pub struct TabBar {
    pub brand: bool,
    /// Which of the right-hand forms is shown (an index into `right`), if any fits.
    pub right: Option<usize>,
    /// Each tab's cells, in `Tab::ALL` order.
    pub tabs: Vec<(Tab, Rect)>,
}

/// A tab's label in the bar.
pub fn tab_label(index: usize, tab: Tab) -> String {
    format!(" {} {} ", index + 1, tab.title())
}

/// The program's name at the start of the bar (a space follows it).
pub const BRAND: &str = " caseload ";

/// The tab bar in `area`; `right` holds the forms the right-hand words can take, fullest
/// first (each a list of words joined with " · ").
pub fn tab_bar(area: Rect, right: &[Vec<String>]) -> TabBar {
    let labels: Vec<u16> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| tab_label(i, *t).chars().count() as u16)
        .collect();
    // Each label is followed by a space.
    let tabs_width: usize = labels.iter().map(|w| *w as usize + 1).sum();
    let fits = |brand: bool, words: Option<&Vec<String>>| {
        let right: usize = words
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .map(|p| p.chars().count() + 3)
            .sum();
        (if brand { BRAND.len() + 1 } else { 1 }) + tabs_width + right <= area.width as usize
    };
    let (brand, shown) = std::iter::once((true, Some(0)))
        .chain((0..right.len()).map(|i| (false, Some(i))))
        .chain(std::iter::once((false, None)))
        .find(|(brand, i)| fits(*brand, i.and_then(|i| right.get(i))))
        .unwrap_or((false, None));
    let mut x = area.x + if brand { BRAND.len() as u16 + 1 } else { 1 };
    let mut tabs = Vec::new();
    for (tab, width) in Tab::ALL.iter().zip(labels) {
        let width = width.min((area.x + area.width).saturating_sub(x));
        tabs.push((*tab, Rect::new(x, area.y, width, 1)));
        x = x.saturating_add(width + 1);
    }
    TabBar {
        brand,
        right: shown.filter(|i| *i < right.len()),
        tabs,
    }
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
