//! Each client's live records as one compact row (`client_histories`, migration 0013), for the
//! value pass: read from the record tables for the clients a write marked (`flag_dirty`) and
//! written in the same transaction (`refresh_dirty`, called by `store::windows`), or read the
//! same way for a client whose row is missing or stale. Only what the value measures and the
//! fairness audit read is kept; no rule is computed here.
//!
//! Layout (little-endian): a version byte; the encounters (count u32, then per encounter in
//! (date, id) order: day key u32, contact-kind bit u8, status u8, minutes u32); the
//! measurements (count u32, then in (date, id) order: day key u32, instrument u8, total i32);
//! the events (count u32, then each day key u32 in date order).

use crate::domain::{EncounterStatus, Instrument};
use crate::error::{Error, Result};
use crate::store::db::Connection;
use crate::store::row::key;
use std::collections::HashMap;

const VERSION: u8 = 1;
const ENCOUNTER_BYTES: usize = 10;
const MEASUREMENT_BYTES: usize = 9;

/// A live encounter as the value measures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encounter {
    pub day: u32,
    /// Of a contact kind (SPEC section 2), whatever its status.
    pub contact_kind: bool,
    pub status: EncounterStatus,
    pub minutes: i64,
}

impl Encounter {
    /// A contact: a completed encounter of a contact kind.
    pub fn is_contact(&self) -> bool {
        self.contact_kind && self.status == EncounterStatus::Completed
    }
}

/// A live measurement as the value measures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measurement {
    pub day: u32,
    pub instrument: Instrument,
    pub total: i64,
}

/// One client's live records, each list in (date, id) order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub encounters: Vec<Encounter>,
    pub measurements: Vec<Measurement>,
    /// The days of the client's live acute events.
    pub events: Vec<u32>,
}

impl History {
    fn clear(&mut self) {
        self.encounters.clear();
        self.measurements.clear();
        self.events.clear();
    }

    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(
            13 + self.encounters.len() * ENCOUNTER_BYTES
                + self.measurements.len() * MEASUREMENT_BYTES
                + self.events.len() * 4,
        );
        out.push(VERSION);
        out.extend(count(self.encounters.len())?);
        for e in &self.encounters {
            out.extend(e.day.to_le_bytes());
            out.push(u8::from(e.contact_kind));
            out.push(status_code(e.status));
            let minutes = u32::try_from(e.minutes).map_err(|_| too_large())?;
            out.extend(minutes.to_le_bytes());
        }
        out.extend(count(self.measurements.len())?);
        for m in &self.measurements {
            out.extend(m.day.to_le_bytes());
            out.push(instrument_code(m.instrument));
            let total = i32::try_from(m.total).map_err(|_| too_large())?;
            out.extend(total.to_le_bytes());
        }
        out.extend(count(self.events.len())?);
        for day in &self.events {
            out.extend(day.to_le_bytes());
        }
        Ok(out)
    }

    /// Reads a row written by [`History::encode`] into `self` (its lists are reused).
    pub fn decode_into(&mut self, bytes: &[u8]) -> Result<()> {
        self.clear();
        let mut r = Reader(bytes);
        if r.take(1)?[0] != VERSION {
            return Err(corrupt());
        }
        for _ in 0..r.u32()? {
            let b = r.take(ENCOUNTER_BYTES)?;
            self.encounters.push(Encounter {
                day: u32_at(b, 0),
                contact_kind: b[4] != 0,
                status: *EncounterStatus::ALL
                    .get(b[5] as usize)
                    .ok_or_else(corrupt)?,
                minutes: i64::from(u32_at(b, 6)),
            });
        }
        for _ in 0..r.u32()? {
            let b = r.take(MEASUREMENT_BYTES)?;
            self.measurements.push(Measurement {
                day: u32_at(b, 0),
                instrument: *Instrument::ALL.get(b[4] as usize).ok_or_else(corrupt)?,
                total: i64::from(u32_at(b, 5) as i32),
            });
        }
        for _ in 0..r.u32()? {
            self.events.push(r.u32()?);
        }
        if r.0.is_empty() {
            Ok(())
        } else {
            Err(corrupt())
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(corrupt());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32_at(self.take(4)?, 0))
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn count(n: usize) -> Result<[u8; 4]> {
    Ok(u32::try_from(n).map_err(|_| too_large())?.to_le_bytes())
}

fn status_code(status: EncounterStatus) -> u8 {
    EncounterStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0) as u8
}

fn instrument_code(instrument: Instrument) -> u8 {
    Instrument::ALL
        .iter()
        .position(|i| *i == instrument)
        .unwrap_or(0) as u8
}

fn corrupt() -> Error {
    Error::Database("a kept client history is unreadable; run any write to recompute it".into())
}

fn too_large() -> Error {
    Error::Database("a client's history does not fit its kept row".into())
}

fn encounters_sql() -> String {
    format!(
        "SELECT e.client_id, e.date, e.kind IN {kinds}, e.status, e.minutes
         FROM json_each(?1) j CROSS JOIN live_encounters e
         WHERE e.client_id = j.value ORDER BY e.client_id, e.date, e.id",
        kinds = crate::domain::EncounterKind::CONTACT_KINDS_SQL
    )
}

const MEASUREMENTS_SQL: &str = "SELECT m.client_id, m.date, m.instrument, m.total
     FROM json_each(?1) j CROSS JOIN live_measurements m
     WHERE m.client_id = j.value ORDER BY m.client_id, m.date, m.id";

const EVENTS_SQL: &str = "SELECT v.client_id, v.date FROM json_each(?1) j
     CROSS JOIN live_events v WHERE v.client_id = j.value ORDER BY v.client_id, v.date, v.id";

/// The histories of the clients `ids` (a JSON array), read from the record tables: three
/// client-ordered statements, each through an index that starts with the client.
pub fn from_records(conn: &Connection, ids: &str) -> Result<HashMap<i64, History>> {
    let mut all: HashMap<i64, History> = HashMap::new();
    let mut stmt = conn.prepare_cached(&encounters_sql())?;
    let mut rows = stmt.query([ids])?;
    while let Some(r) = rows.next()? {
        all.entry(r.get(0)?)
            .or_default()
            .encounters
            .push(Encounter {
                day: key(&r, 1)?,
                contact_kind: r.get(2)?,
                status: r.get(3)?,
                minutes: r.get(4)?,
            });
    }
    let mut stmt = conn.prepare_cached(MEASUREMENTS_SQL)?;
    let mut rows = stmt.query([ids])?;
    while let Some(r) = rows.next()? {
        all.entry(r.get(0)?)
            .or_default()
            .measurements
            .push(Measurement {
                day: key(&r, 1)?,
                instrument: r.get(2)?,
                total: r.get(3)?,
            });
    }
    let mut stmt = conn.prepare_cached(EVENTS_SQL)?;
    let mut rows = stmt.query([ids])?;
    while let Some(r) = rows.next()? {
        all.entry(r.get(0)?).or_default().events.push(key(&r, 1)?);
    }
    Ok(all)
}

/// The marked clients still in `clients`, as a JSON array: the marks first (a write marks a
/// few of 100,000), never a probe of the marks for every client.
const MARKED_SQL: &str = "SELECT json_group_array(d.client_id) FROM flag_dirty d
     CROSS JOIN clients c WHERE c.id = d.client_id";

/// Rewrites the kept history of every client marked in `flag_dirty` (a client no longer in
/// `clients` loses theirs), inside the caller's write transaction, before the marks go.
pub(crate) fn refresh_dirty(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM client_histories WHERE client_id IN (SELECT client_id FROM flag_dirty)",
        [],
    )?;
    let ids: String = conn.query_row(MARKED_SQL, [], |r| r.get(0))?;
    let found = from_records(conn, &ids)?;
    let mut put =
        conn.prepare_cached("INSERT INTO client_histories (client_id, history) VALUES (?1, ?2)")?;
    let ids: Vec<i64> = serde_json::from_str(&ids).map_err(|e| Error::Database(e.to_string()))?;
    let empty = History::default();
    for id in ids {
        let history = found.get(&id).unwrap_or(&empty);
        put.execute(crate::store::db::params![id, history.encode()?])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write's refresh reads only the marked clients' rows: each statement starts from the
    /// marks (or the list made of them) and seeks by client, never walks a whole table.
    #[test]
    fn a_refresh_reads_only_the_marked_clients() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        for sql in [
            MARKED_SQL.to_string(),
            encounters_sql(),
            MEASUREMENTS_SQL.to_string(),
            EVENTS_SQL.to_string(),
        ] {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let params: Vec<&str> = (0..stmt.parameter_count()).map(|_| "[1]").collect();
            let plan: Vec<String> = stmt
                .query_map(crate::store::db::params_from_iter(params), |r| {
                    r.get::<_, String>(3)
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let text = plan.join("\n");
            let walks = plan.iter().any(|l| {
                l.starts_with("SCAN") && !l.starts_with("SCAN d") && !l.starts_with("SCAN j")
            });
            assert!(!walks && !text.contains("IN-OPERATOR"), "{sql}:\n{text}");
        }
    }

    #[test]
    fn a_history_reads_back_as_it_was_written() {
        let history = History {
            encounters: vec![
                Encounter {
                    day: 20_260_101,
                    contact_kind: true,
                    status: EncounterStatus::NoShow,
                    minutes: 0,
                },
                Encounter {
                    day: 20_260_102,
                    contact_kind: false,
                    status: EncounterStatus::Completed,
                    minutes: 90,
                },
            ],
            measurements: vec![Measurement {
                day: 20_260_103,
                instrument: Instrument::Srs,
                total: 38,
            }],
            events: vec![20_251_231],
        };
        let bytes = history.encode().unwrap();
        let mut back = History::default();
        back.decode_into(&bytes).unwrap();
        assert_eq!(back, history);
        // A cut row or trailing bytes are refused, never misread.
        assert!(back.decode_into(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(back.decode_into(&longer).is_err());
        assert!(back.decode_into(&[]).is_err());
    }
}
