//! The facts the flag rules need (SPEC section 4), for a whole panel in ONE statement: for each
//! client, a handful of correlated index seeks (first/last contact, latest measurement, PHQ-9
//! and GAD-7 baseline/latest/previous, the two latest contact-kind encounters, the latest acute
//! event and the first contact after it, this month's minutes). Each seek reads a few index
//! entries whatever the length of the history, so the cost grows with the number of clients,
//! not with years of encounters. One client's facts come from the same statement.
//!
//! Records dated after "today" are left out, so `--today` shows the practice as of that day.
//! No rule is computed here; `domain::flags::evaluate` does that.

use super::clients;
use crate::domain::flags::{AcuteEvent, ClientFacts, ContactAttempt, ScoreTrend};
use crate::domain::{Client, ClientId, ClinicianId, EncounterKind, Month};
use crate::error::Result;
use crate::store::db::{Connection, Row};
use chrono::NaiveDate;
use rusqlite::types::ToSql;

/// Which clients to compute facts for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactsFilter {
    /// Only clients whose primary clinician this is.
    pub clinician: Option<ClinicianId>,
    /// Only this client.
    pub client: Option<ClientId>,
    /// Only active clients (the only ones that carry flags).
    pub active_only: bool,
    /// Only the clients the maintained windows wait to recompute (`store::windows`).
    pub dirty_only: bool,
}

/// One client with the facts about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactsRow {
    pub client: Client,
    pub facts: ClientFacts,
    /// Σ minutes of the client's encounters dated in today's calendar month (all kinds and
    /// statuses, the whole month).
    pub minutes_this_month: i64,
    /// The latest PHQ-9 by today: what a safety or remission review is made for.
    pub phq9_latest_id: Option<i64>,
}

use super::row::is_contact as contact;
use super::row::opt_date;

/// The WHERE clause on `clients c` for a filter (`listed`: only the ids in `:ids`, a JSON
/// array).
fn filter_sql(filter: &FactsFilter, listed: bool) -> String {
    let mut conditions = Vec::new();
    if filter.active_only {
        conditions.push("c.status = 'active'");
    }
    if filter.clinician.is_some() {
        conditions.push("c.clinician_id = :clinician");
    }
    if filter.client.is_some() {
        conditions.push("c.id = :client");
    }
    if filter.dirty_only {
        conditions.push("c.id IN (SELECT client_id FROM flag_dirty)");
    }
    if listed {
        conditions.push("c.id IN (SELECT value FROM json_each(:ids))");
    }
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

/// The same columns read from the maintained facts (`store::windows`), which hold for `today`
/// when `windows::is_current` says so: one row read per client instead of a dozen seeks.
fn stored_statement(filter: &FactsFilter, listed: bool) -> String {
    format!(
        "SELECT base.*, {columns} FROM ({select} {filter_sql}) base
         JOIN flag_facts ff ON ff.client_id = base.id",
        columns = super::windows::stored_columns(super::windows::MINUTES_OF_BASE),
        select = clients::SELECT,
        filter_sql = filter_sql(filter, listed),
    )
}

/// The statement for a filter. Every value is a bound parameter; only the choice of WHERE
/// fragments varies, so there are at most eight distinct statements to cache.
fn statement(filter: &FactsFilter, listed: bool) -> String {
    let contact_e = contact("e");
    let kinds = EncounterKind::CONTACT_KINDS_SQL;
    let filter_sql = filter_sql(filter, listed);
    let latest = |instrument: &str, order: &str, offset: u8| {
        format!(
            "(SELECT m.id FROM live_measurements m
              WHERE m.client_id = base.id AND m.instrument = '{instrument}' AND m.date <= :today
              ORDER BY m.date {order}, m.id {order} LIMIT 1 OFFSET {offset})"
        )
    };
    format!(
        "SELECT base.*,
            x.first_contact, x.last_contact, x.last_measured,
            pb.date, pb.total, pl.date, pl.total, pl.items, pp.total,
            gb.date, gb.total, gl.date, gl.total, gp.total,
            a1.date, a1.status, a2.date, a2.status,
            ev.date, ev.kind,
            CASE WHEN ev.id IS NOT NULL THEN
                (SELECT min(e.date) FROM live_encounters e
                 WHERE e.client_id = base.id AND {contact_e} AND e.date > ev.date AND e.date <= :today)
            END,
            (SELECT coalesce(sum(e.minutes), 0) FROM live_encounters e
             WHERE e.client_id = base.id AND e.date BETWEEN :month_start AND :month_end),
            pl.id
         FROM ({select} {filter_sql}) base
         JOIN (
            SELECT c.id AS cid,
                (SELECT min(e.date) FROM live_encounters e
                 WHERE e.client_id = c.id AND {contact_e} AND e.date <= :today) AS first_contact,
                (SELECT max(e.date) FROM live_encounters e
                 WHERE e.client_id = c.id AND {contact_e} AND e.date <= :today) AS last_contact,
                (SELECT max(m.date) FROM live_measurements m
                 WHERE m.client_id = c.id AND m.date <= :today) AS last_measured,
                (SELECT v.id FROM live_events v WHERE v.client_id = c.id AND v.date <= :today
                 ORDER BY v.date DESC, v.id DESC LIMIT 1) AS ev,
                (SELECT e.id FROM live_encounters e
                 WHERE e.client_id = c.id AND e.kind IN {kinds} AND e.date <= :today
                 ORDER BY e.date DESC, e.id DESC LIMIT 1) AS a1
            FROM clients c {filter_sql}
         ) x ON x.cid = base.id
         LEFT JOIN live_measurements pb ON pb.id = {pb}
         LEFT JOIN live_measurements pl ON pl.id = {pl}
         LEFT JOIN live_measurements pp ON pp.id = CASE WHEN pl.id <> pb.id THEN {pp} END
         LEFT JOIN live_measurements gb ON gb.id = {gb}
         LEFT JOIN live_measurements gl ON gl.id = {gl}
         LEFT JOIN live_measurements gp ON gp.id = CASE WHEN gl.id <> gb.id THEN {gp} END
         LEFT JOIN live_encounters a1 ON a1.id = x.a1
         LEFT JOIN live_encounters a2 ON a2.id = CASE WHEN a1.status <> 'completed' THEN
                (SELECT e.id FROM live_encounters e
                 WHERE e.client_id = base.id AND e.kind IN {kinds} AND e.date <= :today
                 ORDER BY e.date DESC, e.id DESC LIMIT 1 OFFSET 1)
            END
         LEFT JOIN live_events ev ON ev.id = x.ev",
        select = clients::SELECT,
        pb = latest("phq9", "ASC", 0),
        pl = latest("phq9", "DESC", 0),
        pp = latest("phq9", "DESC", 1),
        gb = latest("gad7", "ASC", 0),
        gl = latest("gad7", "DESC", 0),
        gp = latest("gad7", "DESC", 1),
    )
}

/// How many columns the statement adds after the client's own.
pub(super) const FACT_COLUMNS: usize = 23;

/// The facts for every client the filter selects, in no particular order: from the
/// maintained facts when they hold for `today`, else computed.
pub fn load(conn: &Connection, filter: &FactsFilter, today: NaiveDate) -> Result<Vec<FactsRow>> {
    load_listed(conn, filter, today, None)
}

/// The facts for the clients `ids` (the rows a window shows), in no particular order.
pub fn load_ids(conn: &Connection, ids: &[ClientId], today: NaiveDate) -> Result<Vec<FactsRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::row::id_list(ids)?;
    load_listed(conn, &FactsFilter::default(), today, Some(&list))
}

fn load_listed(
    conn: &Connection,
    filter: &FactsFilter,
    today: NaiveDate,
    ids: Option<&str>,
) -> Result<Vec<FactsRow>> {
    let month = Month::of(today);
    let (start, end) = (month.first_day(), month.last_day());
    let clinician = filter.clinician;
    let client = filter.client;
    let month_key = super::windows::month_key(today);
    let mut params: Vec<(&str, &dyn ToSql)> = Vec::new();
    if let Some(c) = &clinician {
        params.push((":clinician", c));
    }
    if let Some(c) = &client {
        params.push((":client", c));
    }
    if let Some(list) = &ids {
        params.push((":ids", list));
    }
    // One client's facts are a dozen seeks either way; the maintained rows pay off for many.
    let stored = client.is_none() && !filter.dirty_only && super::windows::is_current(conn, today)?;
    let sql = if stored {
        params.push((":month", &month_key));
        stored_statement(filter, ids.is_some())
    } else {
        params.push((":today", &today));
        params.push((":month_start", &start));
        params.push((":month_end", &end));
        statement(filter, ids.is_some())
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    // The facts are the last columns, after the client's.
    let rows = stmt.query_map(params.as_slice(), |r| {
        from_row(r, r.column_count() - FACT_COLUMNS)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The facts for one client (the same statement as the panel's).
pub fn for_client(conn: &Connection, id: ClientId, today: NaiveDate) -> Result<FactsRow> {
    let filter = FactsFilter {
        client: Some(id),
        ..FactsFilter::default()
    };
    load(conn, &filter, today)?
        .pop()
        .ok_or_else(|| crate::error::Error::no_id("client", id))
}

fn trend(
    r: &Row,
    baseline: usize,
    latest: usize,
    previous: usize,
) -> rusqlite::Result<Option<ScoreTrend>> {
    let (Some(baseline_date), Some(latest_date)) = (opt_date(r, baseline)?, opt_date(r, latest)?)
    else {
        return Ok(None);
    };
    Ok(Some(ScoreTrend {
        latest: r.get(latest + 1)?,
        latest_date,
        previous: r.get(previous)?,
        baseline: r.get(baseline + 1)?,
        baseline_date,
    }))
}

pub(super) fn from_row(r: &Row, at: usize) -> rusqlite::Result<FactsRow> {
    let client = clients::from_row(r)?;
    let mut recent_attempts = Vec::with_capacity(2);
    for i in [at + 14, at + 16] {
        if let Some(on) = opt_date(r, i)? {
            recent_attempts.push(ContactAttempt {
                date: on,
                status: r.get(i + 1)?,
            });
        }
    }
    let acute_event = match opt_date(r, at + 18)? {
        Some(on) => Some(AcuteEvent {
            kind: r.get(at + 19)?,
            date: on,
            first_contact_after: opt_date(r, at + 20)?,
        }),
        None => None,
    };
    let facts = ClientFacts {
        status: client.status,
        tier: client.tier,
        since: client.since,
        first_contact: opt_date(r, at)?,
        last_contact: opt_date(r, at + 1)?,
        last_measured: opt_date(r, at + 2)?,
        phq9: trend(r, at + 3, at + 5, at + 8)?,
        gad7: trend(r, at + 9, at + 11, at + 13)?,
        phq9_latest_items: r
            .get::<_, Option<String>>(at + 7)?
            .as_deref()
            .and_then(super::measurements::decode_items),
        recent_attempts,
        acute_event,
    };
    Ok(FactsRow {
        client,
        facts,
        minutes_this_month: r.get(at + 21)?,
        phq9_latest_id: r.get(at + 22)?,
    })
}

/// `EXPLAIN QUERY PLAN` of the panel statement, for checking that every seek uses an index.
pub fn query_plan(conn: &Connection, filter: &FactsFilter) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", statement(filter, false)))?;
    let mut params: Vec<(&str, &dyn ToSql)> = vec![
        (":today", &"2026-01-01"),
        (":month_start", &"2026-01-01"),
        (":month_end", &"2026-01-31"),
    ];
    if filter.clinician.is_some() {
        params.push((":clinician", &0));
    }
    if filter.client.is_some() {
        params.push((":client", &0));
    }
    let rows = stmt.query_map(params.as_slice(), |r| r.get::<_, String>(3))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::history::facts_from_history;
    use crate::domain::{
        ClientStatus, EncounterStatus, EventKind, Instrument, Money, Role, Tier, parse_date,
    };
    use crate::store::{
        Store, Tx, clients as client_store, clinicians, encounters, events, measurements, record,
    };

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    /// Every client's facts from the statement equal the facts computed from their records.
    fn assert_agrees_with_history(store: &Store, today: NaiveDate) {
        let conn = store.conn();
        let rows = load(conn, &FactsFilter::default(), today).unwrap();
        assert_eq!(rows.len() as i64, client_store::count(conn).unwrap());
        for row in rows {
            let rec = record::load(conn, row.client.id).unwrap();
            let expected = facts_from_history(
                &rec.client,
                &rec.encounters,
                &rec.measurements,
                &rec.events,
                today,
            );
            assert_eq!(row.facts, expected, "client {}", row.client.id);
            assert_eq!(row.client, rec.client);
            let month = Month::of(today);
            let minutes: i64 = rec
                .encounters
                .iter()
                .filter(|e| Month::of(e.date) == month)
                .map(|e| e.minutes)
                .sum();
            assert_eq!(row.minutes_this_month, minutes, "client {}", row.client.id);
        }
    }

    #[test]
    fn the_statement_agrees_with_each_clients_history_on_a_demo_practice() {
        let mut store = Store::open_in_memory().unwrap();
        let today = d("2026-11-23");
        crate::demo::generate(&mut store, 150, 11, today, &mut |_, _| {}).unwrap();
        assert_agrees_with_history(&store, today);
        // As of an earlier day, later records are left out.
        assert_agrees_with_history(&store, d("2026-08-15"));
    }

    fn client(tx: &Tx, name: &str) -> ClientId {
        client_store::insert(
            tx,
            &client_store::NewClient {
                external_id: None,
                name: name.into(),
                dob: None,
                tier: Tier::High,
                since: d("2026-01-01"),
                diagnosis: None,
                clinician_id: None,
            },
        )
        .unwrap()
    }

    fn log(tx: &Tx, id: ClientId, on: &str, kind: EncounterKind, status: EncounterStatus) {
        let who = clinicians::by_name(tx, "Dana").unwrap().id;
        encounters::insert(
            tx,
            &encounters::NewEncounter {
                client_id: id,
                clinician_id: who,
                date: d(on),
                kind,
                status,
                minutes: 30,
                note: None,
            },
        )
        .unwrap();
    }

    fn measure(tx: &Tx, id: ClientId, on: &str, total: i64, items: Option<Vec<i64>>) {
        measurements::insert(
            tx,
            &measurements::NewMeasurement {
                client_id: id,
                date: d(on),
                instrument: Instrument::Phq9,
                total,
                items,
            },
        )
        .unwrap();
    }

    #[test]
    fn ties_score_only_measurements_outreach_and_future_records() {
        use EncounterKind::*;
        use EncounterStatus::*;
        let mut store = Store::open_in_memory().unwrap();
        let (ann, bo) = store
            .write(|tx| {
                clinicians::insert(tx, "Dana", Role::Clinician, Money(0))?;
                let ann = client(tx, "Ann");
                let bo = client(tx, "Bo");
                log(tx, ann, "2026-03-01", Intake, Completed);
                log(tx, ann, "2026-03-10", Session, Completed);
                // Same day: the no-show was recorded last, so it is the more recent.
                log(tx, ann, "2026-03-10", Session, NoShow);
                log(tx, ann, "2026-03-12", Outreach, Completed);
                log(tx, ann, "2026-03-14", Telehealth, Cancelled);
                log(tx, ann, "2026-04-01", Session, Completed); // after today
                measure(
                    tx,
                    ann,
                    "2026-03-01",
                    20,
                    Some(vec![3, 3, 3, 3, 3, 3, 1, 0, 1]),
                );
                measure(tx, ann, "2026-03-10", 15, None);
                measure(tx, ann, "2026-03-10", 14, None); // recorded last: the latest
                events::insert(tx, ann, EventKind::EdVisit, d("2026-03-05"))?;
                // Bo: only outreach, an item-9-positive PHQ-9, then a score-only one.
                log(tx, bo, "2026-03-02", Outreach, Completed);
                log(tx, bo, "2026-03-03", Coordination, Completed);
                measure(
                    tx,
                    bo,
                    "2026-03-02",
                    12,
                    Some(vec![2, 2, 2, 2, 1, 1, 0, 0, 2]),
                );
                measure(tx, bo, "2026-03-09", 11, None);
                events::insert(tx, bo, EventKind::InpatientDischarge, d("2026-03-04"))?;
                Ok((ann, bo))
            })
            .unwrap();
        let today = d("2026-03-15");
        let ann = for_client(store.conn(), ann, today).unwrap().facts;
        assert_eq!(ann.first_contact, Some(d("2026-03-01")));
        assert_eq!(ann.last_contact, Some(d("2026-03-10")));
        assert_eq!(
            ann.recent_attempts,
            vec![
                ContactAttempt {
                    date: d("2026-03-14"),
                    status: Cancelled
                },
                ContactAttempt {
                    date: d("2026-03-10"),
                    status: NoShow
                },
            ]
        );
        let phq9 = ann.phq9.unwrap();
        assert_eq!(
            (phq9.baseline, phq9.latest, phq9.previous),
            (20, 14, Some(15))
        );
        assert_eq!(ann.phq9_latest_items, None);
        assert_eq!(
            ann.acute_event.unwrap().first_contact_after,
            Some(d("2026-03-10"))
        );

        let bo = for_client(store.conn(), bo, today).unwrap().facts;
        assert_eq!(bo.first_contact, None, "outreach is not a contact");
        assert_eq!(bo.last_contact, None);
        assert_eq!(bo.recent_attempts, vec![]);
        assert_eq!(
            bo.phq9_latest_items, None,
            "the latest PHQ-9 was score-only"
        );
        assert_eq!(bo.last_measured, Some(d("2026-03-09")));
        assert_eq!(bo.acute_event.unwrap().first_contact_after, None);
        assert_agrees_with_history(&store, today);
    }

    #[test]
    fn filters_select_by_status_clinician_and_client() {
        let mut store = Store::open_in_memory().unwrap();
        let today = d("2026-11-23");
        crate::demo::generate(&mut store, 60, 5, today, &mut |_, _| {}).unwrap();
        let conn = store.conn();
        let all = load(conn, &FactsFilter::default(), today).unwrap();
        let active = load(
            conn,
            &FactsFilter {
                active_only: true,
                ..FactsFilter::default()
            },
            today,
        )
        .unwrap();
        assert!(active.len() < all.len());
        assert!(
            active
                .iter()
                .all(|r| r.client.status == ClientStatus::Active)
        );
        let dana = clinicians::by_name(conn, "Dana Reyes").unwrap().id;
        let mine = load(
            conn,
            &FactsFilter {
                clinician: Some(dana),
                active_only: true,
                client: None,
                dirty_only: false,
            },
            today,
        )
        .unwrap();
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|r| r.client.clinician_id == Some(dana)));
        let one = &all[7];
        assert_eq!(&for_client(conn, one.client.id, today).unwrap(), one);
        assert!(for_client(conn, ClientId(9999), today).is_err());
    }

    #[test]
    fn every_seek_uses_an_index() {
        let store = Store::open_in_memory().unwrap();
        for filter in [
            FactsFilter::default(),
            FactsFilter {
                active_only: true,
                ..FactsFilter::default()
            },
            FactsFilter {
                clinician: Some(ClinicianId(1)),
                active_only: true,
                client: None,
                dirty_only: false,
            },
            FactsFilter {
                client: Some(ClientId(1)),
                ..FactsFilter::default()
            },
        ] {
            let plan = query_plan(store.conn(), &filter).unwrap();
            for line in &plan {
                assert!(
                    !line.contains("TEMP B-TREE"),
                    "{filter:?} sorts: {line}\n{plan:#?}"
                );
                if line.starts_with("SCAN") {
                    assert!(
                        filter == FactsFilter::default() && line.starts_with("SCAN c"),
                        "{filter:?} scans a table: {line}\n{plan:#?}"
                    );
                }
            }
            assert!(
                plan.iter()
                    .filter(|l| l.starts_with("SEARCH measurements ") && !l.contains("PRIMARY KEY"))
                    .all(|l| l.contains("INDEX")),
                "{plan:#?}"
            );
            // Every encounter seek is answered from an index alone (migration 4): the five over
            // contact kinds (first and last contact, the two latest attempts in (date, id)
            // order, the contact after an acute event) and this month's minutes.
            let seeks = |index: &str| {
                let wanted = format!("SEARCH encounters USING COVERING INDEX {index} (");
                plan.iter().filter(|l| l.starts_with(&wanted)).count()
            };
            let all = plan
                .iter()
                .filter(|l| l.starts_with("SEARCH encounters USING") && !l.contains("PRIMARY KEY"))
                .count();
            assert_eq!(
                seeks("encounters_contact_kinds"),
                5,
                "{filter:?}\n{plan:#?}"
            );
            assert_eq!(seeks("encounters_by_client"), 1, "{filter:?}\n{plan:#?}");
            assert_eq!(all, 6, "{filter:?}\n{plan:#?}");
        }
    }
}
