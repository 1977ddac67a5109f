//! The flagged clients one at a time, in priority order (`flags --json`, issue 19): with the
//! maintained windows current for `today`, one statement walks the priority index for that
//! day and hands each row's stored facts to the rules, so the first client is out before the
//! last is read and nothing holds the whole panel; otherwise the panel is computed from scratch
//! (`panel::load`) and walked the same way. The rules decide the flags either way. The order
//! can be cut at a client ([`split_point`]) and its two parts walked apart, side by side on
//! two connections (`flags --json` of a large centre); the parts together are the whole walk.

use super::facts::{self, FactsRow};
use super::panel::{self, PanelEntry, PanelQuery, Plans};
use super::{clients, settings, windows};
use crate::error::Result;
use crate::store::db::Connection;
use chrono::NaiveDate;
use rusqlite::types::ToSql;

/// Where the priority order of the flagged clients is cut: the sort key of the first client of
/// the second part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitKey {
    rank: i64,
    due_key: String,
    name_folded: String,
    name: String,
    client_id: i64,
}

/// Which part of the priority order a walk covers.
#[derive(Debug, Clone, Copy)]
pub enum Part<'k> {
    Whole,
    /// The clients before the key (with the windows not current: the whole list, which the
    /// rules compute from scratch).
    Before(&'k SplitKey),
    /// The key's client and those after it (with the windows not current: nobody).
    From(&'k SplitKey),
}

/// Calls `each` for every active client of `query` with at least one flag calling for
/// attention, in priority order, within `part`; returns how many. This month's minutes are not
/// read (0). `Part::Before(k)` then `Part::From(k)` on one state walk what `Part::Whole` does.
pub fn each(
    conn: &Connection,
    query: &PanelQuery,
    today: NaiveDate,
    part: Part,
    mut each: impl FnMut(PanelEntry) -> Result<()>,
) -> Result<usize> {
    let active = PanelQuery {
        include_inactive: false,
        ..*query
    };
    if !windows::is_current(conn, today)? {
        if matches!(part, Part::From(_)) {
            return Ok(0);
        }
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
    walk(conn, &active, today, part, each)
}

/// The key that cuts the flagged clients of `query` on `today` into two parts of about the same
/// size (from the priority index alone); `None` when there is nothing to cut or the windows are
/// not current. Any key cuts correctly: this one only balances the parts.
pub fn split_point(
    conn: &Connection,
    query: &PanelQuery,
    today: NaiveDate,
) -> Result<Option<SplitKey>> {
    let active = PanelQuery {
        include_inactive: false,
        ..*query
    };
    if !windows::is_current(conn, today)? {
        return Ok(None);
    }
    let (index, conditions) = range(&active, Part::Whole);
    let from = |select: &str, tail: &str| {
        format!(
            "SELECT {select} FROM panel_segments s INDEXED BY {index} WHERE {conditions} {tail}"
        )
    };
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today)];
    if let Some(c) = &active.clinician {
        params.push((":clinician", c));
    }
    let count: i64 = conn
        .prepare_cached(&from("count(*)", ""))?
        .query_row(params.as_slice(), |r| r.get(0))?;
    if count < 2 {
        return Ok(None);
    }
    let half = count / 2;
    params.push((":half", &half));
    let mut stmt = conn.prepare_cached(&from(
        "s.rank, s.due_key, s.name_folded, s.name, s.client_id",
        &format!("ORDER BY {ORDER} LIMIT 1 OFFSET :half"),
    ))?;
    let mut rows = stmt.query(params.as_slice())?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(SplitKey {
        rank: r.get(0)?,
        due_key: r.get(1)?,
        name_folded: r.get(2)?,
        name: r.get(3)?,
        client_id: r.get(4)?,
    }))
}

/// The priority order, as the priority indexes hold it.
const ORDER: &str = "s.rank, s.due_key, s.name_folded, s.name, s.client_id";

/// A segment before the split key, and one at it or after it (row values in [`ORDER`]).
const BEFORE_KEY: &str = "(s.rank, s.due_key, s.name_folded, s.name, s.client_id)
    < (:rank, :due_key, :name_folded, :name, :client_id)";
const FROM_KEY: &str = "(s.rank, s.due_key, s.name_folded, s.name, s.client_id)
    >= (:rank, :due_key, :name_folded, :name, :client_id)";

/// The index that gives the order for `query` (SQLite might rather sort the day's range), and
/// the conditions on the segments `s` of the flagged clients of `query` within `part`.
fn range(query: &PanelQuery, part: Part) -> (&'static str, String) {
    let mut conditions = vec!["s.valid_from <= :today AND s.valid_until >= :today"];
    if !query.include_inactive {
        conditions.push("s.active = 1");
    }
    if query.clinician.is_some() {
        conditions.push("s.clinician_id = :clinician");
    }
    // Rank 3 is "no flag". The key is a flagged client's, so what sorts before it is flagged
    // too: then the key alone bounds the index range.
    match part {
        Part::Whole => conditions.push("s.rank < 3"),
        Part::Before(_) => conditions.push(BEFORE_KEY),
        Part::From(_) => conditions.extend(["s.rank < 3", FROM_KEY]),
    }
    let index = if query.clinician.is_some() {
        "panel_priority_by_clinician"
    } else {
        "panel_priority"
    };
    (index, conditions.join(" AND "))
}

/// Walks the priority index for `today` (the caller has checked `windows::is_current`) over
/// the flagged rows of `part` (an index range that stops before "no flag"; this month's minutes
/// not read) and hands each row's entry to `each`, in priority order; returns how many.
///
/// Only for a listing that must start before it ends: the index order costs a random seek
/// per row into the clients and facts, so a whole panel (`panel::load`) reads the facts in
/// their own order and sorts instead, which is faster.
fn walk(
    conn: &Connection,
    query: &PanelQuery,
    today: NaiveDate,
    part: Part,
    mut each: impl FnMut(PanelEntry) -> Result<()>,
) -> Result<usize> {
    let intervals = settings::intervals(conn)?;
    let plans = Plans::load(conn, today, None)?;
    let sql = walk_sql(query, part);
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":today", &today)];
    if let Some(c) = &query.clinician {
        params.push((":clinician", c));
    }
    if let Part::Before(k) | Part::From(k) = part {
        params.extend([
            (":rank", &k.rank as &dyn ToSql),
            (":due_key", &k.due_key),
            (":name_folded", &k.name_folded),
            (":name", &k.name),
            (":client_id", &k.client_id),
        ]);
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query(params.as_slice())?;
    let mut n = 0;
    while let Some(row) = found.next()? {
        let at = row.column_count() - facts::FACT_COLUMNS;
        let facts: FactsRow = facts::from_row(&row, at)?;
        let entry = PanelEntry::new(facts, &intervals, &plans, today);
        // A segment says "flagged" exactly when the rules do; checked, not assumed.
        if !entry.flags.is_empty() {
            each(entry)?;
            n += 1;
        }
    }
    Ok(n)
}

/// [`walk`]'s statement: the priority index's range, a seek per row into the clients and facts.
fn walk_sql(query: &PanelQuery, part: Part) -> String {
    let (index, conditions) = range(query, part);
    format!(
        "SELECT base.*, {columns}
         FROM panel_segments s INDEXED BY {index}
         JOIN ({select}) base ON base.id = s.client_id
         JOIN flag_facts ff ON ff.client_id = s.client_id
         WHERE {conditions}
         ORDER BY {ORDER}",
        columns = windows::stored_columns("0"),
        select = clients::SELECT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_date;
    use crate::store::Store;

    fn walked(
        conn: &Connection,
        query: &PanelQuery,
        today: NaiveDate,
        part: Part,
    ) -> Vec<PanelEntry> {
        let mut out = Vec::new();
        let n = each(conn, query, today, part, |e| {
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
                let scratch = conn.begin(false).unwrap();
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
                assert_eq!(
                    walked(conn, &query, day, Part::Whole),
                    expected,
                    "{day} {clinician:?}"
                );
                // Cut in two, the parts are the whole walk, the first about half of it.
                let split = split_point(conn, &query, day).unwrap();
                assert_eq!(split.is_some(), current, "{day}");
                let key = split.unwrap_or(SplitKey {
                    rank: 0,
                    due_key: String::new(),
                    name_folded: String::new(),
                    name: String::new(),
                    client_id: 0,
                });
                let mut parts = walked(conn, &query, day, Part::Before(&key));
                let first = parts.len();
                parts.extend(walked(conn, &query, day, Part::From(&key)));
                assert_eq!(parts, expected, "{day} {clinician:?}");
                if current {
                    assert!(first.abs_diff(expected.len() / 2) <= 1, "{first}");
                }
            }
        }
    }

    /// Each part is a range of the priority index, in its order (no sort, no scan).
    #[test]
    fn each_part_is_a_range_of_the_priority_index() {
        let store = Store::open_in_memory().unwrap();
        let key = SplitKey {
            rank: 1,
            due_key: "2026-11-01".into(),
            name_folded: "m".into(),
            name: "M".into(),
            client_id: 5,
        };
        for clinician in [None, Some(crate::domain::ClinicianId(2))] {
            let query = PanelQuery {
                clinician,
                include_inactive: false,
            };
            for part in [Part::Whole, Part::Before(&key), Part::From(&key)] {
                let text = crate::store::db::explain(store.conn(), &walk_sql(&query, part), "1");
                assert!(
                    text.contains("SEARCH s USING COVERING INDEX panel_priority"),
                    "{text}"
                );
                assert!(!text.contains("TEMP B-TREE"), "{text}");
                if !matches!(part, Part::Whole) {
                    assert!(
                        text.contains("(rank,due_key,name_folded,name,client_id)"),
                        "{text}"
                    );
                }
            }
        }
    }
}
