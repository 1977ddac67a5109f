//! The maintained flag windows (migrations 0010 and 0011, issue 19): per client, the facts
//! the rules read, the client's priority key for every stretch of days from their latest record on (and
//! a row per live flag kind of each stretch, for flag filters), and their next due dates.
//! `refresh_dirty` recomputes the clients the triggers marked, inside the write transaction
//! that marked them (`Store::write` calls it before committing), with the one pure rule
//! function (`domain::flags::windows::segments`). Readers ask `is_current` first: only then do
//! the stored rows equal what the rules would compute from scratch for that day. No rule is
//! decided here.

use super::facts::{self, FactsFilter, FactsRow};
use super::{measurements, reviews, settings};
use crate::domain::ClientStatus;
use crate::domain::flags::reviews::Review;
use crate::domain::flags::windows::segments;
use crate::error::Result;
use crate::store::db::{Connection, params};
use chrono::NaiveDate;
use rusqlite::types::ToSql;

/// The `valid_until` and `due_key` of "no end" and "nothing overdue": after every real day.
pub const OPEN_END: &str = "9999-12-31";

fn open_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The day before any record: a client with none holds their facts from then on.
fn before_everything() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Whether the stored windows answer for `today`: no client waits to be recomputed, and no
/// client has a record dated after `today` (looking back past a record needs the facts as of
/// that day, which only the from-scratch statement computes). Two index probes.
pub fn is_current(conn: &Connection, today: NaiveDate) -> Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT NOT EXISTS (SELECT 1 FROM flag_dirty)
            AND NOT EXISTS (SELECT 1 FROM flag_facts WHERE through > ?1)",
    )?;
    Ok(stmt.query_row([today], |r| r.get(0))?)
}

/// How many clients wait to be recomputed.
pub fn dirty_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM flag_dirty", [], |r| r.get(0))?)
}

/// Recomputes every client the triggers marked, then clears the marks. Returns how many.
/// Called inside the write transaction that marked them, so readers never see them stale.
pub fn refresh_dirty(conn: &Connection) -> Result<usize> {
    let dirty = dirty_count(conn)?;
    if dirty == 0 {
        return Ok(0);
    }
    let intervals = settings::intervals(conn)?;
    let far = open_end();
    let filter = FactsFilter {
        dirty_only: true,
        ..FactsFilter::default()
    };
    let rows = facts::load(conn, &filter, far)?;
    // One client (the usual write): only their reviews.
    let only = match rows.as_slice() {
        [one] => Some(one.client.id),
        _ => None,
    };
    let reviews = reviews::by_client(conn, far, only)?;
    for table in ["flag_facts", "panel_segments", "panel_kinds"] {
        conn.execute(
            &format!("DELETE FROM {table} WHERE client_id IN (SELECT client_id FROM flag_dirty)"),
            [],
        )?;
    }
    let mut put_facts = conn.prepare_cached(
        "INSERT INTO flag_facts VALUES
            (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
             ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    )?;
    super::due::forget_dirty(conn)?;
    let mut put_due = super::due::put_statement(conn)?;
    let mut put_segment = conn.prepare_cached(
        "INSERT INTO panel_segments VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut put_kind = conn.prepare_cached(
        "INSERT INTO panel_kinds VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for row in &rows {
        let client_reviews = reviews.get(&row.client.id).map_or(&[][..], Vec::as_slice);
        let through = through(row, client_reviews);
        store_facts(&mut put_facts, row, through)?;
        super::due::put(&mut put_due, row.client.id, &row.facts, &intervals)?;
        let active = row.client.status == ClientStatus::Active;
        let name_folded = row.client.name.to_lowercase();
        for s in segments(
            &row.facts,
            &intervals,
            client_reviews,
            row.phq9_latest_id,
            through,
        ) {
            let last_contact = row
                .facts
                .last_contact
                .map_or(String::new(), |d| d.to_string());
            let until = s.until.unwrap_or(far);
            let due_key = s.key.overdue_since.unwrap_or(far);
            let segment: [&dyn ToSql; 11] = [
                &row.client.id,
                &s.from,
                &until,
                &active,
                &row.client.clinician_id,
                &s.key.rank,
                &due_key,
                &s.key.kinds,
                &name_folded,
                &row.client.name,
                &last_contact,
            ];
            put_segment.execute(&segment[..])?;
            // The same row once per live kind, the kind first.
            for kind in (0..u16::BITS).filter(|b| s.key.kinds & (1 << b) != 0) {
                let with_kind: Vec<&dyn ToSql> = std::iter::once(&kind as &dyn ToSql)
                    .chain(segment.iter().copied())
                    .collect();
                put_kind.execute(with_kind.as_slice())?;
            }
        }
    }
    super::value::histories::refresh_dirty(conn)?;
    conn.execute("DELETE FROM flag_dirty", [])?;
    Ok(rows.len())
}

/// The latest day of anything the facts read: the latest contact-kind encounter of any status
/// (every contact is one), the latest measurement, the latest acute event, the latest review.
fn through(row: &FactsRow, reviews: &[Review]) -> NaiveDate {
    let f = &row.facts;
    [
        f.recent_attempts.first().map(|a| a.date),
        f.last_contact,
        f.last_measured,
        f.acute_event.map(|e| e.date),
        reviews.iter().map(|r| r.date).max(),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or_else(before_everything)
}

fn store_facts(
    stmt: &mut crate::store::db::Statement,
    row: &FactsRow,
    through: NaiveDate,
) -> Result<()> {
    let f = &row.facts;
    let attempt = |i: usize| f.recent_attempts.get(i);
    stmt.execute(params![
        row.client.id,
        through,
        f.first_contact,
        f.last_contact,
        f.last_measured,
        f.phq9.map(|t| t.baseline_date),
        f.phq9.map(|t| t.baseline),
        f.phq9.map(|t| t.latest_date),
        f.phq9.map(|t| t.latest),
        f.phq9_latest_items
            .as_deref()
            .map(measurements::encode_items),
        f.phq9.and_then(|t| t.previous),
        f.gad7.map(|t| t.baseline_date),
        f.gad7.map(|t| t.baseline),
        f.gad7.map(|t| t.latest_date),
        f.gad7.map(|t| t.latest),
        f.gad7.and_then(|t| t.previous),
        attempt(0).map(|a| a.date),
        attempt(0).map(|a| a.status),
        attempt(1).map(|a| a.date),
        attempt(1).map(|a| a.status),
        f.acute_event.map(|e| e.date),
        f.acute_event.map(|e| e.kind),
        f.acute_event.and_then(|e| e.first_contact_after),
        row.phq9_latest_id,
    ])?;
    Ok(())
}

/// The stored facts in the panel statement's column order (`facts::from_row` reads both),
/// with `minutes` as this month's minutes (an expression on `base.id`, or `0` for a listing
/// that does not show them).
pub(super) fn stored_columns(minutes: &str) -> String {
    format!(
        "ff.first_contact, ff.last_contact, ff.last_measured,
        ff.phq9_base_date, ff.phq9_base_total, ff.phq9_last_date, ff.phq9_last_total,
        ff.phq9_last_items, ff.phq9_prev_total,
        ff.gad7_base_date, ff.gad7_base_total, ff.gad7_last_date, ff.gad7_last_total,
        ff.gad7_prev_total,
        ff.attempt1_date, ff.attempt1_status, ff.attempt2_date, ff.attempt2_status,
        ff.event_date, ff.event_kind, ff.event_contact_after,
        {minutes},
        ff.phq9_last_id"
    )
}

/// This month's minutes of the client `base.id` (`:month` is `YYYY-MM`), from the summary
/// maintained on write.
pub(super) const MINUTES_OF_BASE: &str = "coalesce((SELECT mm.minutes FROM month_minutes mm
    WHERE mm.month = :month AND mm.client_id = base.id), 0)";

/// `YYYY-MM`: how `month_minutes` names the month of `day`.
pub(super) fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}
