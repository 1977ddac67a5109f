//! The panel as a window (issue 19): the rows a screen shows, a count, and the figures of its
//! status line, for a filter and an order, without handing the caller every client. The TUI
//! keeps only the visible rows (plus a margin) and asks again when it scrolls, sorts or
//! filters. When the maintained flag windows are current for `today` (`store::windows`),
//! priority order comes from their index; otherwise every figure is computed from scratch
//! with the pure rules, exactly as `panel::load` does. Both give the same rows: a test says so.
//! Nothing here decides a flag; `domain::flags` does.

use super::panel::{self, PanelEntry, PanelQuery};
use super::windows;
use crate::domain::ClientId;
use crate::domain::flags::FlagKind;
use crate::domain::flags::windows::kind_bit;
use crate::error::Result;
use crate::store::db::Connection;
use chrono::NaiveDate;
use rusqlite::types::ToSql;

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
    page_of(conn, window, today, offset, limit, None)
}

/// [`page`] of a window known to hold `total` rows (from [`counts`]): read from whichever end
/// is nearer, so the last page (`G`) costs what the first does.
pub fn page_of(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
    offset: usize,
    limit: usize,
    total: Option<usize>,
) -> Result<Vec<PanelEntry>> {
    if !windows::is_current(conn, today)? {
        return Ok(reference(conn, window, today)?
            .into_iter()
            .skip(offset)
            .take(limit)
            .collect());
    }
    let sql = Sql::new(window, today);
    // From the end: the same rows in reverse order, turned round after.
    let from_end = total.filter(|t| offset > t / 2).map(|t| {
        let end = (offset + limit).min(t);
        (end.saturating_sub(offset), t - end)
    });
    if window.order == PanelOrder::Minutes {
        let ids = match from_end {
            Some((limit, skip)) => {
                let mut ids = minutes::page(conn, &sql, skip, limit, true)?;
                ids.reverse();
                ids
            }
            None => minutes::page(conn, &sql, offset, limit, false)?,
        };
        return panel::entries_for(conn, &ids, today);
    }
    let (order, limit, offset) = match from_end {
        Some((limit, skip)) => (
            sql.order
                .iter()
                .map(|t| format!("{t} DESC"))
                .collect::<Vec<_>>(),
            limit,
            skip,
        ),
        None => (sql.order.clone(), limit, offset),
    };
    let statement = page_statement(&sql, &order);
    let (limit, offset) = (limit as i64, offset as i64);
    let mut params = sql.params(sql.uses_month);
    params.push((":limit", &limit));
    params.push((":offset", &offset));
    let mut stmt = conn.prepare_cached(&statement)?;
    let mut ids = stmt
        .query_map(params.as_slice(), |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<ClientId>>>()?;
    if from_end.is_some() {
        ids.reverse();
    }
    panel::entries_for(conn, &ids, today)
}

/// Priority order's terms over `panel_segments s` (SPEC section 4), ties broken by id.
const PRIORITY: [&str; 5] = [
    "s.rank",
    "s.due_key",
    "s.name_folded",
    "s.name",
    "s.client_id",
];

/// A page's statement: the window's rows in `order`, `:limit` of them from `:offset`.
fn page_statement(sql: &Sql, order: &[String]) -> String {
    format!(
        "SELECT s.client_id FROM {} WHERE {} ORDER BY {} LIMIT :limit OFFSET :offset",
        sql.source,
        sql.conditions,
        order.join(", ")
    )
}

/// A window's clients grouped by the flag kinds they carry (the set of kinds, as a bitmask,
/// and how many clients carry exactly that set): what a flag filter's count and flag counts
/// follow from, without reading the window again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindGroups(Vec<(u16, usize)>);

impl KindGroups {
    /// The counts of the same window filtered to clients carrying `kind`, but for the minutes
    /// (0: they need the rows).
    pub fn counts_for(&self, kind: FlagKind) -> PanelCounts {
        let bit = kind_bit(kind);
        KindGroups(
            self.0
                .iter()
                .copied()
                .filter(|(k, _)| k & bit != 0)
                .collect(),
        )
        .counts(0)
    }

    fn counts(&self, minutes: i64) -> PanelCounts {
        let by_kind = FlagKind::ALL
            .iter()
            .map(|k| {
                let n = self
                    .0
                    .iter()
                    .filter(|(bits, _)| bits & kind_bit(*k) != 0)
                    .map(|(_, n)| *n)
                    .sum::<usize>();
                (*k, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        PanelCounts {
            clients: self.0.iter().map(|(_, n)| *n).sum(),
            minutes,
            by_kind,
        }
    }
}

/// The window's count, minutes and flag counts.
pub fn counts(conn: &Connection, window: &PanelWindow, today: NaiveDate) -> Result<PanelCounts> {
    Ok(counts_and_groups(conn, window, today)?.0)
}

/// [`counts`], and the window's [`KindGroups`].
pub fn counts_and_groups(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
) -> Result<(PanelCounts, KindGroups)> {
    if !windows::is_current(conn, today)? {
        let rows = reference(conn, window, today)?;
        let mut groups: Vec<(u16, usize)> = Vec::new();
        for e in &rows {
            let bits = e.flags.iter().fold(0, |b, f| b | kind_bit(f.kind));
            match groups.iter_mut().find(|(k, _)| *k == bits) {
                Some((_, n)) => *n += 1,
                None => groups.push((bits, 1)),
            }
        }
        let counts = PanelCounts {
            clients: rows.len(),
            minutes: rows.iter().map(|e| e.minutes_this_month).sum(),
            by_kind: clients_by_kind(&rows),
        };
        return Ok((counts, KindGroups(groups)));
    }
    let sql = Sql::new(window, today);
    let params = sql.params(false);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.kinds, count(*) FROM {} WHERE {} GROUP BY s.kinds",
        sql.counting, sql.conditions
    ))?;
    let groups = KindGroups(
        stmt.query_map(params.as_slice(), |r| {
            Ok((r.get::<_, u16>(0)?, r.get::<_, i64>(1)? as usize))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    let minutes = if window.flag.is_none() && window.name.is_empty() {
        // The whole scope: a handful of rows of the per-scope summary.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT coalesce(sum(minutes), 0) FROM month_minutes_by_scope
             WHERE month = :month {} {}",
            if window.panel.include_inactive {
                ""
            } else {
                "AND active = 1"
            },
            if window.panel.clinician.is_some() {
                "AND clinician_id = :clinician"
            } else {
                ""
            },
        ))?;
        let mut params: Vec<(&str, &dyn ToSql)> = vec![(":month", &sql.month)];
        if let Some(c) = &sql.clinician {
            params.push((":clinician", c));
        }
        stmt.query_row(params.as_slice(), |r| r.get(0))?
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT coalesce(sum(mm.minutes), 0) FROM {}
             JOIN month_minutes mm ON mm.month = :month AND mm.client_id = s.client_id
             WHERE {}",
            sql.counting, sql.conditions
        ))?;
        stmt.query_row(sql.params(true).as_slice(), |r| r.get(0))?
    };
    Ok((groups.counts(minutes), groups))
}

/// Where `client` stands in the window (to keep the selection on them), if they are in it.
pub fn position(
    conn: &Connection,
    window: &PanelWindow,
    today: NaiveDate,
    client: ClientId,
) -> Result<Option<usize>> {
    if !windows::is_current(conn, today)? {
        return Ok(reference(conn, window, today)?
            .iter()
            .position(|e| e.client.id == client));
    }
    let sql = Sql::new(window, today);
    // The client's own row (if the window holds them), then how many rows sort before it.
    let mut params = sql.params(sql.uses_month);
    params.push((":client", &client));
    let mut stmt = conn.prepare_cached(&format!(
        "WITH me AS (SELECT {order} FROM {table} s WHERE {conditions} AND s.client_id = :client)
         SELECT (SELECT count(*) FROM me),
                (SELECT count(*) FROM {source}
                  WHERE {conditions} AND ({order}) < (SELECT * FROM me))",
        conditions = sql.conditions,
        source = sql.source,
        table = sql.table,
        order = sql.order.join(", "),
    ))?;
    let (found, before): (i64, i64) =
        stmt.query_row(params.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((found > 0).then_some(before as usize))
}

/// How many of `rows` carry a flag of each kind (a client with two not-improving flags, PHQ-9
/// and GAD-7, counts once).
fn clients_by_kind(rows: &[PanelEntry]) -> Vec<(FlagKind, usize)> {
    FlagKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                rows.iter()
                    .filter(|e| e.flags.iter().any(|f| f.kind == *k))
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// This month's minutes of the segment's client (for the minutes order and the status line),
/// from the summary maintained on write.
const MINUTES: &str = "coalesce((SELECT mm.minutes FROM month_minutes mm
    WHERE mm.month = :month AND mm.client_id = s.client_id), 0)";

/// The WHERE clause and ORDER BY terms of a window over `panel_segments s` (or, for a flag
/// filter, over that kind's rows of `panel_kinds s`, which has the same columns), and its
/// values.
struct Sql {
    /// `panel_segments` or `panel_kinds`.
    table: &'static str,
    /// `{table} s`, with the index to read for the order.
    source: &'static str,
    /// The same for counting: the narrow counts index unless the name filter needs the names.
    counting: &'static str,
    conditions: String,
    /// ORDER BY terms, all ascending (the minutes order sorts on minus the minutes), so the
    /// same list serves a row-value comparison.
    order: Vec<String>,
    today: NaiveDate,
    /// `YYYY-MM` of today.
    month: String,
    clinician: Option<crate::domain::ClinicianId>,
    bit: Option<u16>,
    /// The flag filter's kind, as `panel_kinds` numbers it (its bit's position).
    kind: Option<i64>,
    name: Option<String>,
    uses_month: bool,
}

impl Sql {
    fn new(window: &PanelWindow, today: NaiveDate) -> Sql {
        let mut conditions = vec!["s.valid_from <= :today AND s.valid_until >= :today".to_string()];
        if !window.panel.include_inactive {
            conditions.push("s.active = 1".into());
        }
        if window.panel.clinician.is_some() {
            conditions.push("s.clinician_id = :clinician".into());
        }
        if window.flag.is_some() {
            conditions.push("s.kind = :kind AND (s.kinds & :bit) <> 0".into());
        }
        if !window.name.is_empty() {
            conditions.push("instr(s.name_folded, :name) > 0".into());
        }
        let priority = PRIORITY;
        let lead: Vec<String> = match window.order {
            PanelOrder::Priority => Vec::new(),
            PanelOrder::Name => vec!["s.name_folded".into()],
            PanelOrder::LastContact => vec!["s.last_contact".into()],
            PanelOrder::Minutes => vec![format!("-{MINUTES}")],
        };
        let order: Vec<String> = lead
            .iter()
            .cloned()
            // A term already leading is not repeated: the index for the name order is
            // (name_folded, rank, due_key, name, client_id), and a repeat would leave SQLite
            // sorting the tail of every page.
            .chain(
                priority
                    .iter()
                    .filter(|t| !lead.iter().any(|l| l == *t))
                    .map(|t| t.to_string()),
            )
            .collect();
        Sql {
            // The index that gives the order, named: the LIMIT is a bound value, so SQLite
            // cannot see that a few rows will do and would rather take the counts index for
            // the day's range, look every row up and sort them (hundreds of ms at 100,000).
            // No index sorts by this month's minutes: every row of the day is read from the
            // narrowest index holding every column the order and filters name.
            // A flag filter reads that kind's rows only: a rare kind's few clients are not
            // looked for through the whole panel.
            table: if window.flag.is_some() {
                "panel_kinds"
            } else {
                "panel_segments"
            },
            source: match (window.order, window.panel.clinician.is_some(), window.flag) {
                (PanelOrder::Priority | PanelOrder::Minutes, _, Some(_)) => {
                    "panel_kinds s INDEXED BY panel_kinds_priority"
                }
                (PanelOrder::Name, _, Some(_)) => "panel_kinds s INDEXED BY panel_kinds_by_name",
                (PanelOrder::LastContact, _, Some(_)) => {
                    "panel_kinds s INDEXED BY panel_kinds_by_last_contact"
                }
                (PanelOrder::Priority | PanelOrder::Minutes, true, None) => {
                    "panel_segments s INDEXED BY panel_priority_by_clinician"
                }
                (PanelOrder::Priority | PanelOrder::Minutes, false, None) => {
                    "panel_segments s INDEXED BY panel_priority"
                }
                (PanelOrder::Name, _, None) => "panel_segments s INDEXED BY panel_by_name",
                (PanelOrder::LastContact, _, None) => {
                    "panel_segments s INDEXED BY panel_by_last_contact"
                }
            },
            counting: match (window.flag, window.name.is_empty()) {
                (Some(_), _) => "panel_kinds s INDEXED BY panel_kinds_priority",
                (None, true) => "panel_segments s",
                (None, false) => "panel_segments s INDEXED BY panel_priority",
            },
            conditions: conditions.join(" AND "),
            order,
            today,
            month: windows::month_key(today),
            clinician: window.panel.clinician,
            bit: window.flag.map(kind_bit),
            kind: window.flag.map(|k| k as i64),
            name: (!window.name.is_empty()).then(|| window.name.clone()),
            uses_month: window.order == PanelOrder::Minutes,
        }
    }

    /// The values the conditions name, and the month's bounds when the statement reads this
    /// month's minutes (`month`).
    fn params(&self, month: bool) -> Vec<(&'static str, &dyn ToSql)> {
        let mut params: Vec<(&'static str, &dyn ToSql)> = vec![(":today", &self.today)];
        if let Some(c) = &self.clinician {
            params.push((":clinician", c));
        }
        if let Some(b) = &self.bit {
            params.push((":bit", b));
        }
        if let Some(k) = &self.kind {
            params.push((":kind", k));
        }
        if let Some(n) = &self.name {
            params.push((":name", n));
        }
        if month {
            params.push((":month", &self.month));
        }
        params
    }
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
    if !windows::is_current(conn, today)? {
        return Ok(panel::load(conn, panel, today)?
            .into_iter()
            .filter(|e| {
                let name = e.client.name.to_lowercase();
                words.iter().all(|w| name.contains(w.as_str()))
            })
            .take(limit)
            .collect());
    }
    let window = PanelWindow {
        panel: *panel,
        ..PanelWindow::default()
    };
    let sql = Sql::new(&window, today);
    let words_sql: String = (0..words.len())
        .map(|i| format!(" AND instr(s.name_folded, :word{i}) > 0"))
        .collect();
    let statement = format!(
        "SELECT s.client_id FROM {} WHERE {}{words_sql} ORDER BY {} LIMIT {}",
        sql.source,
        sql.conditions,
        sql.order.join(", "),
        limit
    );
    let mut stmt = conn.prepare_cached(&statement)?;
    let word_names: Vec<String> = (0..words.len()).map(|i| format!(":word{i}")).collect();
    let mut named: Vec<(&str, &dyn ToSql)> = Vec::new();
    for (name, w) in word_names.iter().zip(words) {
        named.push((name, w));
    }
    for (name, value) in sql.params(false) {
        named.push((name, value));
    }
    // The statement holds the names its conditions use.
    named.retain(|(name, _)| stmt.has_parameter(name));
    let mut rows = stmt.query(named.as_slice())?;
    let mut ids: Vec<ClientId> = Vec::new();
    while let Some(row) = rows.next()? {
        ids.push(row.get(0)?);
    }
    panel::entries_for(conn, &ids, today)
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
        .filter(|e| {
            window
                .flag
                .is_none_or(|k| e.flags.iter().any(|f| f.kind == k))
        })
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

mod minutes;
#[cfg(test)]
mod tests;
