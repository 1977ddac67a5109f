//! The facts behind the value measures, gathered for a whole period with a few aggregate
//! queries over indexes (never a query per client), then handed to `domain::value`.

use crate::domain::value::{self, Period, Rate, ValueMeasures};
use crate::domain::{ClinicianId, EncounterKind};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// Restricts the measures to one clinician's panel (clients whose primary clinician they are).
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueQuery {
    pub clinician: Option<ClinicianId>,
}

fn date(text: String) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

/// The five measures for one period.
pub fn measures(conn: &Connection, period: Period, query: ValueQuery) -> Result<ValueMeasures> {
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let who = query.clinician.map(|c| c.0);
    let contact = format!(
        "e.status = 'completed' AND e.kind IN {}",
        EncounterKind::CONTACT_KINDS_SQL
    );
    let contact_kind = format!("e.kind IN {}", EncounterKind::CONTACT_KINDS_SQL);

    // Access: first contact ever per client, kept when it falls in the period.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.since, f.first FROM
           (SELECT e.client_id, MIN(e.date) AS first FROM encounters e WHERE {contact} GROUP BY e.client_id) f
         JOIN clients c ON c.id = f.client_id
         WHERE f.first BETWEEN ?1 AND ?2 AND (?3 IS NULL OR c.clinician_id = ?3)"
    ))?;
    let firsts: Vec<(NaiveDate, NaiveDate)> = stmt
        .query_map(params![from, to, who], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(s, f)| Some((date(s)?, date(f)?)))
        .collect();

    // Show rate: contact-kind encounters dated in the period, by status.
    let (completed, all): (i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT COALESCE(SUM(e.status = 'completed'), 0), COUNT(*) FROM encounters e
             JOIN clients c ON c.id = e.client_id
             WHERE {contact_kind} AND e.date BETWEEN ?1 AND ?2 AND (?3 IS NULL OR c.clinician_id = ?3)"
        ))?
        .query_row(params![from, to, who], |r| Ok((r.get(0)?, r.get(1)?)))?;

    // Active clients, those contacted and those measured in the period.
    let (active, contacted, measured): (i64, i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*),
                    COALESCE(SUM(EXISTS (SELECT 1 FROM encounters e WHERE e.client_id = c.id AND {contact}
                                           AND e.date BETWEEN ?1 AND ?2)), 0),
                    COALESCE(SUM(EXISTS (SELECT 1 FROM measurements m WHERE m.client_id = c.id
                                           AND m.date BETWEEN ?1 AND ?2)), 0)
             FROM clients c
             WHERE c.status = 'active' AND c.since <= ?2 AND (?3 IS NULL OR c.clinician_id = ?3)"
        ))?
        .query_row(params![from, to, who], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;

    // Outcomes: PHQ-9 baseline (earliest) and the latest on or before the period's end, for
    // active clients with at least two PHQ-9s by then.
    let mut stmt = conn.prepare_cached(
        "WITH ranked AS (
           SELECT m.client_id, m.total,
                  ROW_NUMBER() OVER (PARTITION BY m.client_id ORDER BY m.date, m.id) AS first_rank,
                  ROW_NUMBER() OVER (PARTITION BY m.client_id ORDER BY m.date DESC, m.id DESC) AS last_rank,
                  COUNT(*) OVER (PARTITION BY m.client_id) AS n
           FROM measurements m JOIN clients c ON c.id = m.client_id
           WHERE m.instrument = 'phq9' AND m.date <= ?1 AND c.status = 'active' AND c.since <= ?1
             AND (?2 IS NULL OR c.clinician_id = ?2))
         SELECT b.total, l.total FROM ranked b JOIN ranked l ON l.client_id = b.client_id
         WHERE b.first_rank = 1 AND l.last_rank = 1 AND b.n >= 2",
    )?;
    let pairs: Vec<(i64, i64)> = stmt
        .query_map(params![to, who], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;

    // Experience: SRS totals dated in the period.
    let mut stmt = conn.prepare_cached(
        "SELECT m.total FROM measurements m JOIN clients c ON c.id = m.client_id
         WHERE m.instrument = 'srs' AND m.date BETWEEN ?1 AND ?2 AND (?3 IS NULL OR c.clinician_id = ?3)",
    )?;
    let srs: Vec<i64> = stmt
        .query_map(params![from, to, who], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;

    // Post-discharge: each event in the period and the first contact dated after it.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT v.date, (SELECT MIN(e.date) FROM encounters e
                         WHERE e.client_id = v.client_id AND {contact} AND e.date > v.date)
         FROM events v JOIN clients c ON c.id = v.client_id
         WHERE v.date BETWEEN ?1 AND ?2 AND (?3 IS NULL OR c.clinician_id = ?3)"
    ))?;
    let events: Vec<(NaiveDate, Option<NaiveDate>)> = stmt
        .query_map(params![from, to, who], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(d, next)| Some((date(d)?, next.and_then(date))))
        .collect();

    Ok(ValueMeasures {
        from: period.from,
        to: period.to,
        access: value::access(&firsts),
        engagement: value::Engagement {
            show_rate: Rate::new(completed, all),
            contacted: Rate::new(contacted, active),
        },
        outcomes: value::outcomes(Rate::new(measured, active), &pairs),
        experience: value::experience(&srs),
        post_discharge: value::post_discharge(&events),
    })
}

/// The five measures for each of the last 12 calendar months up to today (the current month
/// up to today), oldest first: the value tab's sparklines.
pub fn monthly(
    conn: &Connection,
    today: NaiveDate,
    query: ValueQuery,
) -> Result<Vec<ValueMeasures>> {
    let (first, last) = crate::domain::economics::last_twelve_months(today);
    first
        .through(last)
        .into_iter()
        .map(|m| {
            measures(
                conn,
                Period {
                    from: m.first_day(),
                    to: m.last_day().min(today),
                },
                query,
            )
        })
        .collect()
}
