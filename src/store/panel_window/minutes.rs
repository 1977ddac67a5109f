//! The panel's "most minutes this month" order (part of `panel_window`): the clients with
//! minutes off the month's summary, most first, then those without off the priority index.
//! Only statements; the order's definition is `panel_window::reference`.

use super::{PRIORITY, Sql};
use crate::domain::ClientId;
use crate::error::Result;
use crate::store::db::Connection;

/// The ids of a page in the minutes order: the clients with minutes this month, most first
/// (off `month_minutes_order`; SQLite sorts only each run of clients tied on the same minutes
/// into priority order), then those without, in priority order (off the priority index). Two
/// statements read one after the other, each only as far as the page needs, so no count of
/// either part is needed first; `backwards` reads the same order from its far end.
pub(super) fn page(
    conn: &Connection,
    sql: &Sql,
    skip: usize,
    limit: usize,
    backwards: bool,
) -> Result<Vec<ClientId>> {
    let [with, without] = parts(sql, backwards);
    let (first, second) = if backwards {
        (without, with)
    } else {
        (with, without)
    };
    let mut ids = Vec::with_capacity(limit);
    let mut skipped = 0;
    for (rows, order) in [first, second] {
        if ids.len() >= limit {
            break;
        }
        let (want, from) = ((limit - ids.len()) as i64, (skip - skipped) as i64);
        let mut params = sql.params(true);
        params.push((":limit", &want));
        params.push((":offset", &from));
        let mut stmt = conn.prepare_cached(&format!(
            "{rows} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ))?;
        let found = stmt
            .query_map(params.as_slice(), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<ClientId>>>()?;
        if found.is_empty() && from > 0 {
            // The whole part lies before the page: skip as many rows as it has.
            let mut count = conn.prepare_cached(&format!("SELECT count(*) FROM ({rows})"))?;
            let n: i64 = count.query_row(sql.params(true).as_slice(), |r| r.get(0))?;
            skipped += (n as usize).min(skip - skipped);
        } else {
            skipped = skip;
        }
        ids.extend(found);
    }
    Ok(ids)
}

/// The minutes order's two parts, each its rows and their order: the clients with minutes
/// this month, and those without.
pub(super) fn parts(sql: &Sql, backwards: bool) -> [(String, String); 2] {
    let dir = |t: &str, desc: bool| {
        if desc != backwards {
            format!("{t} DESC")
        } else {
            t.to_string()
        }
    };
    let priority: Vec<String> = PRIORITY.iter().map(|t| dir(t, false)).collect();
    let with = format!(
        "SELECT s.client_id FROM month_minutes mm INDEXED BY month_minutes_order
         JOIN {} s ON s.client_id = mm.client_id
         WHERE mm.month = :month AND mm.minutes > 0 AND {}",
        sql.table, sql.conditions
    );
    let without = format!(
        "SELECT s.client_id FROM {} WHERE {} AND NOT EXISTS (SELECT 1 FROM month_minutes mm
             WHERE mm.month = :month AND mm.client_id = s.client_id AND mm.minutes > 0)",
        sql.source, sql.conditions
    );
    [
        (
            with,
            format!("{}, {}", dir("mm.minutes", true), priority.join(", ")),
        ),
        (without, priority.join(", ")),
    ]
}
