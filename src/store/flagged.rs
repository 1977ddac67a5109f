//! The flagged clients one at a time, in priority order (`flags --json`, issue 19): with the
//! maintained windows current for `today`, one statement walks the priority index for that
//! day and hands each row's stored facts to the rules, so the first client is out before the
//! last is read and nothing holds the whole panel; otherwise the panel is computed from scratch
//! (`panel::load`) and walked the same way. The rules decide the flags either way.

use super::facts::{self, FactsRow};
use super::panel::{self, PanelEntry, PanelQuery, Plans};
use super::{clients, settings, windows};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::ToSql;

/// Calls `each` for every active client of `query` with at least one flag calling for
/// attention, in priority order; returns how many. This month's minutes are not read (0).
pub fn each(
    conn: &Connection,
    query: &PanelQuery,
    today: NaiveDate,
    mut each: impl FnMut(PanelEntry) -> Result<()>,
) -> Result<usize> {
    let active = PanelQuery {
        include_inactive: false,
        ..*query
    };
    if !windows::is_current(conn, today)? {
        let mut n = 0;
        for mut entry in panel::load(conn, &active, today)? {
            entry.minutes_this_month = 0;
            if !entry.flags.is_empty() {
                each(entry)?;
                n += 1;
            }
        }
        return Ok(n);
    }
    walk(conn, &active, today, each)
}

/// Walks the priority index for `today` (the caller has checked `windows::is_current`) over
/// the flagged rows (an index range that stops before "no flag"; this month's minutes not
/// read) and hands each row's entry to `each`, in priority order; returns how many.
///
/// Only for a listing that must start before it ends: the index order costs a random seek
/// per row into the clients and facts, so a whole panel (`panel::load`) reads the facts in
/// their own order and sorts instead, which is faster.
fn walk(
    conn: &Connection,
    query: &PanelQuery,
    today: NaiveDate,
    mut each: impl FnMut(PanelEntry) -> Result<()>,
) -> Result<usize> {
    let intervals = settings::intervals(conn)?;
    let plans = Plans::load(conn, today, None)?;
    let mut conditions = vec!["s.valid_from <= :today AND s.valid_until >= :today"];
    if !query.include_inactive {
        conditions.push("s.active = 1");
    }
    if query.clinician.is_some() {
        conditions.push("s.clinician_id = :clinician");
    }
    // Rank 3 is "no flag".
    conditions.push("s.rank < 3");
    let sql = format!(
        "SELECT base.*, {columns}
         FROM panel_segments s INDEXED BY {index}
         JOIN ({select}) base ON base.id = s.client_id
         JOIN flag_facts ff ON ff.client_id = s.client_id
         WHERE {conditions}
         ORDER BY s.rank, s.due_key, s.name_folded, s.name, s.client_id",
        columns = windows::stored_columns("0"),
        select = clients::SELECT,
        // The index that gives the order (SQLite might rather sort the day's range).
        index = if query.clinician.is_some() {
            "panel_priority_by_clinician"
        } else {
            "panel_priority"
        },
        conditions = conditions.join(" AND "),
    );
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today)];
    if let Some(c) = &query.clinician {
        params.push((":clinician", c));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let at = stmt.column_count() - facts::FACT_COLUMNS;
    let mut found = stmt.query(params.as_slice())?;
    let mut n = 0;
    while let Some(row) = found.next()? {
        let facts: FactsRow = facts::from_row(row, at)?;
        let entry = PanelEntry::new(facts, &intervals, &plans, today);
        // A segment says "flagged" exactly when the rules do; checked, not assumed.
        if !entry.flags.is_empty() {
            each(entry)?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;
    use crate::store::Store;

    fn walked(conn: &Connection, query: &PanelQuery, today: NaiveDate) -> Vec<PanelEntry> {
        let mut out = Vec::new();
        let n = each(conn, query, today, |e| {
            out.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, out.len());
        out
    }

    #[test]
    fn the_walk_lists_the_flagged_panel_in_priority_order_on_either_path() {
        let mut store = Store::open_in_memory().unwrap();
        let today = parse_date("2026-11-23").unwrap();
        crate::demo::generate(&mut store, 150, 5, today, &mut |_, _| {}).unwrap();
        let conn = store.conn();
        // On the demo's day and after it the windows answer; months before, the rules do.
        for (day, current) in [
            (today, true),
            (parse_date("2027-02-01").unwrap(), true),
            (parse_date("2026-07-01").unwrap(), false),
        ] {
            assert_eq!(windows::is_current(conn, day).unwrap(), current, "{day}");
            for clinician in [None, Some(crate::domain::ClinicianId(2))] {
                let query = PanelQuery {
                    clinician,
                    include_inactive: false,
                };
                // From scratch: a client marked dirty (rolled back) keeps the windows out.
                let scratch = conn.unchecked_transaction().unwrap();
                scratch
                    .execute("INSERT INTO flag_dirty (client_id) VALUES (-1)", [])
                    .unwrap();
                let whole = panel::load(&scratch, &query, day).unwrap();
                scratch.rollback().unwrap();
                if current {
                    // The stored facts give the same panel as the rules from scratch.
                    assert_eq!(panel::load(conn, &query, day).unwrap(), whole);
                }
                let expected: Vec<PanelEntry> = whole
                    .into_iter()
                    .filter(|e| !e.flags.is_empty())
                    .map(|mut e| {
                        e.minutes_this_month = 0;
                        e
                    })
                    .collect();
                assert!(!expected.is_empty(), "{day}");
                assert_eq!(walked(conn, &query, day), expected, "{day} {clinician:?}");
            }
        }
    }
}
