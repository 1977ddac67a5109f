//! The case-rate episodes behind the coding self-audit (`domain::coding`): each episode
//! starting in the span with its diagnosis. The case-rate contracts come first, so only their
//! episodes in the span are read (by `attributions_by_contract`), never every attribution.
//! Each episode's baseline PHQ-9 (the client's first PHQ-9 within 30 days either side of the
//! start) is found by the value pass in the client's kept history.

use crate::domain::coding::Episode;
use crate::domain::value::Period;
use crate::error::Result;
use crate::store::db::{Connection, params};

pub fn episodes(conn: &Connection, span: Period, clinician: Option<i64>) -> Result<Vec<Episode>> {
    let sql = "SELECT a.client_id, a.start_date, a.diagnosis, c.name
         FROM contracts k CROSS JOIN live_attributions a CROSS JOIN clients c
         WHERE a.contract_id = k.id AND c.id = a.client_id
           AND k.model = 'case-rate' AND a.start_date >= ?1 AND a.start_date <= ?2
           AND (?3 IS NULL OR c.clinician_id = ?3)";
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![span.from, span.to, clinician], |r| {
        Ok(Episode {
            client_id: r.get(0)?,
            start: crate::store::row::date(r, 1)?,
            diagnosis: r.get(2)?,
            name: r.get(3)?,
            baseline_phq9: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
