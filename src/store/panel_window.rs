//! The panel as a window (issue 19): the rows a screen shows, a count, and the figures of its
//! status line, for a filter and an order, without handing the caller every client. The TUI
//! keeps only the visible rows (plus a margin) and asks again when it scrolls, sorts or
//! filters. When the maintained flag windows are current for `today` (`store::windows`),
//! priority order comes from their index; otherwise every figure is computed from scratch
//! with the pure rules, exactly as `panel::load` does. Both give the same rows: a test says so.
//! Nothing here decides a flag; `domain::flags` does.

use super::panel::{self, PanelEntry, PanelQuery};
use crate::domain::ClientId;
use crate::domain::flags::{FlagKind, count_by_kind};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::Connection;

/// How the rows are ordered. Every order breaks its ties by priority order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PanelOrder {
    /// Worst severity, then most days overdue, then name (SPEC section 4).
    #[default]
    Priority,
    /// Name, case folded.
    Name,
    /// Longest since the last contact first (never contacted first of all).
    LastContact,
    /// Most minutes this month first.
    Minutes,
}

/// Which rows, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelWindow {
    pub panel: PanelQuery,
    pub order: PanelOrder,
    /// Only clients carrying a flag of this kind.
    pub flag: Option<FlagKind>,
    /// Only clients whose lower-cased name contains this (already lower-cased); empty: all.
    pub name: String,
}

/// The status line's figures over every row of the window, not only the loaded ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelCounts {
    /// How many rows the window has.
    pub clients: usize,
    /// Σ minutes this month over those rows.
    pub minutes: i64,
    /// How many of those rows carry a flag of each kind, in `FlagKind::ALL` order, kinds with
    /// none left out.
    pub by_kind: Vec<(FlagKind, usize)>,
}

/// The rows `offset .. offset + limit` of the window.
pub fn page(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
    offset: usize,
    limit: usize,
) -> Result<Vec<PanelEntry>> {
    Ok(reference(conn, window, today)?
        .into_iter()
        .skip(offset)
        .take(limit)
        .collect())
}

/// The window's count, minutes and flag counts.
pub fn counts(conn: &Connection, window: &PanelWindow, today: NaiveDate) -> Result<PanelCounts> {
    let rows = reference(conn, window, today)?;
    Ok(PanelCounts {
        clients: rows.len(),
        minutes: rows.iter().map(|e| e.minutes_this_month).sum(),
        by_kind: count_by_kind(rows.iter().flat_map(|e| &e.flags)),
    })
}

/// Where `client` stands in the window (to keep the selection on them), if they are in it.
pub fn position(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
    client: ClientId,
) -> Result<Option<usize>> {
    Ok(reference(conn, window, today)?
        .iter()
        .position(|e| e.client.id == client))
}

/// The picker's matches: clients of `panel` whose lower-cased name contains every one of
/// `words` (already lower-cased), in priority order, at most `limit`. No words, no matches.
pub fn matching(
    conn: &Connection,
    panel: &PanelQuery,
    today: NaiveDate,
    words: &[String],
    limit: usize,
) -> Result<Vec<PanelEntry>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    Ok(panel::load(conn, panel, today)?
        .into_iter()
        .filter(|e| {
            let name = e.client.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .take(limit)
        .collect())
}

/// The window computed from scratch: the whole panel, filtered and sorted in memory. The
/// definition the indexed path must agree with.
pub(crate) fn reference(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
) -> Result<Vec<PanelEntry>> {
    let mut rows: Vec<PanelEntry> = panel::load(conn, &window.panel, today)?
        .into_iter()
        .filter(|e| window.name.is_empty() || e.client.name.to_lowercase().contains(&window.name))
        .filter(|e| window.flag.is_none_or(|k| e.flags.iter().any(|f| f.kind == k)))
        .collect();
    // Stable sorts: ties keep priority order.
    match window.order {
        PanelOrder::Priority => {}
        PanelOrder::Name => rows.sort_by_cached_key(|e| e.client.name.to_lowercase()),
        PanelOrder::LastContact => rows.sort_by_key(|e| e.last_contact),
        PanelOrder::Minutes => rows.sort_by_key(|e| std::cmp::Reverse(e.minutes_this_month)),
    }
    Ok(rows)
}
