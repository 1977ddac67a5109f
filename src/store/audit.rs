//! The audit trail: one appended row per view, change, export, login, failed login, lock,
//! unlock and denial, recording who, when (UTC), what and which client — never client names
//! or notes. The table refuses UPDATE and DELETE (triggers) and is hash-chained.
//!
//! # Where the chain head lives, and why
//!
//! The last sequence number and hash are kept in `audit_head`, a one-row table in the same
//! database, moved forward by an `AFTER INSERT` trigger on `audit` inside the very transaction
//! that appends the row. Deleting rows from `audit` — a truncated tail — does not touch it, so
//! `audit verify` sees the head further on than the table and names the first missing sequence.
//! Its own triggers refuse deleting it, adding a second head, or moving it backwards.
//!
//! A sidecar file beside the database was the alternative, and is worse here: it is written
//! after the commit, so a crash between the two, or two processes committing at once, leaves it
//! behind or ahead of the table (false alarms, or a stale head that hides a truncation), and a
//! copy of the database file leaves it behind. The table is atomic with every append, shared
//! correctly by every process, and travels with the database.
//!
//! Neither resists someone who can rewrite the whole file and recompute every hash; for that,
//! `audit verify` prints the head's hash so the practice can record it somewhere else and
//! compare later.

use super::{Actor, Tx};
use crate::domain::audit_chain::{self, Break, ChainFields, Verifier};
use crate::domain::keyslot::ChainKey;
use crate::domain::{ClientId, ClinicianId};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One audit row as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub clinician_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub client_id: Option<i64>,
    pub detail: String,
    pub hash: Option<String>,
}

impl AuditRow {
    fn fields(&self) -> ChainFields<'_> {
        ChainFields {
            seq: self.seq,
            at: &self.at,
            clinician_id: self.clinician_id,
            actor: &self.actor,
            action: &self.action,
            client_id: self.client_id,
            detail: &self.detail,
        }
    }
}

/// The audit columns in `AuditRow` order (the copy reads them from PostgreSQL too).
pub(crate) const COLUMNS: &str = "seq, at, clinician_id, actor, action, client_id, detail, hash";

fn from_row(r: &crate::store::db::Row) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        clinician_id: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        client_id: r.get(5)?,
        detail: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// Audit times: UTC to the millisecond, so they sort as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Tx<'_> {
    /// Appends one audit row for the acting clinician, now. `detail` must not repeat client
    /// data (names, notes): the client is identified by id only.
    pub fn audit(&self, action: &str, client: Option<ClientId>, detail: &str) -> Result<()> {
        self.audit_as(self.actor(), Utc::now(), action, client, detail)
    }

    /// Appends one audit row for `actor` at `at` (logins, where the actor is the clinician
    /// trying, and callers with an injected clock).
    pub fn audit_as(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        action: &str,
        client: Option<ClientId>,
        detail: &str,
    ) -> Result<()> {
        append(self, self.chain_key(), actor, at, action, client, detail)
    }
}

/// Appends one audit row on `conn`, linked with `chain` (keyed) or unkeyed. Every append goes
/// through here: `Tx::audit_as`, migrations, and `encrypt`/`decrypt` on their new file.
pub(super) fn append(
    conn: &Connection,
    chain: Option<&ChainKey>,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    client: Option<ClientId>,
    detail: &str,
) -> Result<()> {
    let Some((last, previous)) = head(conn)? else {
        return Err(crate::error::Error::Database(
            "the audit trail's chain head is missing, so nothing can be recorded; run `caseload audit verify`".into(),
        ));
    };
    let at = timestamp(at);
    let fields = ChainFields {
        seq: last + 1,
        at: &at,
        clinician_id: actor.clinician_id.map(|c| c.0),
        actor: &actor.name,
        action,
        client_id: client.map(|c| c.0),
        detail,
    };
    let hash = audit_chain::link(chain, &previous, &fields);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, clinician_id, actor, action, client_id, detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        fields.seq,
        fields.at,
        fields.clinician_id,
        fields.actor,
        fields.action,
        fields.client_id,
        fields.detail,
        hash
    ])?;
    Ok(())
}

/// The chain head: last sequence number and hash (`None` when the head row is gone).
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Migration 2: chains the rows written before the chain existed, in sequence order, and
/// starts the head. Runs while the append-only triggers are lifted, inside the migration.
pub(super) fn seal_legacy_rows(tx: &crate::store::db::Connection) -> Result<()> {
    let rows: Vec<AuditRow> = {
        let mut stmt = tx.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
        stmt.query_map([], from_row)?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut previous = audit_chain::GENESIS.to_string();
    let mut last = 0;
    let mut update = tx.prepare("UPDATE audit SET hash = ?1 WHERE seq = ?2")?;
    for row in &rows {
        previous = audit_chain::row_hash(&previous, &row.fields());
        update.execute(params![previous, row.seq])?;
        last = row.seq;
    }
    tx.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)",
        params![last, previous],
    )?;
    Ok(())
}

/// The outcome of `audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub rows: u64,
    pub head_seq: i64,
    pub head_hash: String,
}

/// Walks the whole chain and compares its end with the head. `Ok(Err(break))` names the
/// first bad sequence number; `Err` is a database failure. For a plaintext practice.
pub fn verify(conn: &Connection) -> Result<std::result::Result<Verified, Break>> {
    verify_with(conn, None, &[])
}

/// [`verify`] with the practice's chain key (an encrypted practice: the chain must end sealed
/// with it) and heads seen before that the chain must still hold (`--expect`, the key file's).
/// From schema 9 on it also checks that an audit row explains every clinician's row.
pub fn verify_with(
    conn: &Connection,
    chain: Option<&ChainKey>,
    expected: &[(i64, String)],
) -> Result<std::result::Result<Verified, Break>> {
    let disclosed: Vec<ChainKey> = {
        let mut stmt = conn.prepare("SELECT detail FROM audit WHERE action = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([audit_chain::UNKEYED], |r| r.get::<_, String>(0))?;
        rows.filter_map(|d| d.ok().and_then(|d| audit_chain::disclosed_key(&d)))
            .collect()
    };
    let mut verifier = Verifier::with_keys(chain.cloned(), disclosed);
    for (seq, hash) in expected {
        verifier.expect(*seq, hash);
    }
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut next = || -> Result<Option<AuditRow>> {
        Ok(match rows.next()? {
            Some(r) => Some(from_row(&r)?),
            None => None,
        })
    };
    let outcome = walk_chain(verifier, &mut next, head(conn)?)?;
    if outcome.is_ok() {
        let version = conn.schema_version()?;
        if version >= super::clinician_audit::SINCE_SCHEMA
            && let Some(clinician) = super::clinician_audit::unexplained(conn)?.first()
        {
            return Ok(Err(Break::Unexplained {
                clinician: *clinician,
            }));
        }
    }
    Ok(outcome)
}

/// Walks the rows `next` gives, in sequence order, and compares the chain's end with `head`:
/// the one check of a chain, whichever engine the rows come from.
pub(crate) fn walk_chain(
    mut verifier: Verifier,
    next: &mut dyn FnMut() -> Result<Option<AuditRow>>,
    head: Option<(i64, String)>,
) -> Result<std::result::Result<Verified, Break>> {
    while let Some(row) = next()? {
        if !verifier.push(&row.fields(), row.hash.as_deref()) {
            break;
        }
    }
    Ok(verifier
        .finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
        .map(|rows| {
            let (head_seq, head_hash) = head.unwrap_or_default();
            Verified {
                rows,
                head_seq,
                head_hash,
            }
        }))
}

/// A plaintext practice's verifier, given the details of its `UNKEYED` rows (the keys a
/// decrypted practice disclosed for its earlier rows).
pub(crate) fn plaintext_verifier(unkeyed_details: &[String]) -> Verifier {
    let disclosed = unkeyed_details
        .iter()
        .filter_map(|d| audit_chain::disclosed_key(d))
        .collect();
    Verifier::with_keys(None, disclosed)
}

/// Which rows `audit report` shows; every part optional. Dates are UTC days, inclusive.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub clinician: Option<ClinicianId>,
    pub client: Option<ClientId>,
}

/// Audit rows matching the filter, oldest first.
pub fn report(conn: &Connection, filter: &ReportFilter) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit
         WHERE (?1 IS NULL OR substr(at, 1, 10) >= ?1)
           AND (?2 IS NULL OR substr(at, 1, 10) <= ?2)
           AND (?3 IS NULL OR clinician_id = ?3)
           AND (?4 IS NULL OR client_id = ?4)
         ORDER BY seq"
    ))?;
    let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let rows = stmt.query_map(
        params![
            day(filter.from),
            day(filter.to),
            filter.clinician,
            filter.client
        ],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The most recent audit rows, newest last.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM (SELECT * FROM audit ORDER BY seq DESC LIMIT ?1) ORDER BY seq"
    ))?;
    let rows = stmt.query_map([limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store_with(n: usize) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        for i in 0..n {
            store
                .write(|tx| tx.audit("test", Some(ClientId(i as i64 % 3)), &format!("row {i}")))
                .unwrap();
        }
        store
    }

    /// Lifts the append-only triggers, as someone tampering with the file would.
    fn lift_triggers(store: &Store) {
        store
            .conn()
            .execute_batch(
                "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
                 DROP TRIGGER audit_extends_chain;",
            )
            .unwrap();
    }

    fn broken_at(store: &Store) -> Break {
        verify(store.conn()).unwrap().expect_err("must be broken")
    }

    #[test]
    fn audit_rows_cannot_be_edited_or_deleted() {
        let mut store = store_with(1);
        let rows = recent(store.conn(), 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, "test");
        assert!(
            store
                .conn()
                .execute("UPDATE audit SET detail = 'x'", [])
                .is_err()
        );
        assert!(store.conn().execute("DELETE FROM audit", []).is_err());
        assert_eq!(recent(store.conn(), 10).unwrap()[0].detail, "row 0");
        // Nor can the head be removed, doubled or moved back.
        let c = store.conn();
        assert!(c.execute("DELETE FROM audit_head", []).is_err());
        assert!(c.execute("UPDATE audit_head SET seq = 0", []).is_err());
        assert!(
            c.execute("INSERT OR REPLACE INTO audit_head VALUES (1, 9, 'x')", [])
                .is_err()
        );
        // And a row that does not extend the chain is refused.
        assert!(
            c.execute(
                "INSERT INTO audit (seq, at, actor, action, detail, hash)
                 VALUES (7, 'x', 'x', 'x', '', 'x')",
                []
            )
            .is_err()
        );
        store.write(|tx| tx.audit("test", None, "two")).unwrap();
        assert_eq!(verify(store.conn()).unwrap().unwrap().rows, 2);
    }

    #[test]
    fn an_untouched_trail_verifies_and_the_head_follows_every_append() {
        let store = store_with(5);
        let ok = verify(store.conn()).unwrap().unwrap();
        assert_eq!(ok.rows, 5);
        assert_eq!(ok.head_seq, 5);
        assert_eq!(Some(ok.head_hash), recent(store.conn(), 1).unwrap()[0].hash);
    }

    #[test]
    fn an_edited_row_is_named() {
        let store = store_with(6);
        lift_triggers(&store);
        store
            .conn()
            .execute(
                "UPDATE audit SET detail = 'nothing to see' WHERE seq = 4",
                [],
            )
            .unwrap();
        assert_eq!(broken_at(&store), Break::Altered { seq: 4 });
    }

    #[test]
    fn an_edited_row_with_a_recomputed_hash_breaks_the_next_link() {
        let store = store_with(6);
        lift_triggers(&store);
        let row = &report(store.conn(), &ReportFilter::default()).unwrap()[2];
        let prev = report(store.conn(), &ReportFilter::default()).unwrap()[1]
            .hash
            .clone()
            .unwrap();
        let forged = AuditRow {
            detail: "forged".into(),
            ..row.clone()
        };
        let hash = audit_chain::row_hash(&prev, &forged.fields());
        store
            .conn()
            .execute(
                "UPDATE audit SET detail = 'forged', hash = ?1 WHERE seq = 3",
                [hash],
            )
            .unwrap();
        assert_eq!(broken_at(&store), Break::Altered { seq: 4 });
    }

    #[test]
    fn a_deleted_middle_row_is_named() {
        let store = store_with(6);
        lift_triggers(&store);
        store
            .conn()
            .execute("DELETE FROM audit WHERE seq = 3", [])
            .unwrap();
        assert_eq!(broken_at(&store), Break::Missing { seq: 3 });
    }

    #[test]
    fn a_truncated_tail_is_named_and_new_rows_do_not_hide_it() {
        let mut store = store_with(6);
        lift_triggers(&store);
        store
            .conn()
            .execute("DELETE FROM audit WHERE seq >= 5", [])
            .unwrap();
        assert_eq!(broken_at(&store), Break::Truncated { seq: 5 });
        // The practice keeps working after tampering; the gap stays visible.
        store.write(|tx| tx.audit("test", None, "after")).unwrap();
        assert_eq!(recent(store.conn(), 1).unwrap()[0].seq, 7);
        assert_eq!(broken_at(&store), Break::Missing { seq: 5 });
    }

    #[test]
    fn report_filters_by_day_clinician_and_client() {
        let mut store = Store::open_in_memory().unwrap();
        let dana = Actor {
            clinician_id: Some(ClinicianId(1)),
            name: "Dana".into(),
        };
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        store
            .write(|tx| {
                tx.audit_as(
                    &dana,
                    t("2026-03-01T23:59:59Z"),
                    "client.view",
                    Some(ClientId(5)),
                    "",
                )?;
                tx.audit_as(
                    &dana,
                    t("2026-03-02T00:00:00Z"),
                    "client.view",
                    Some(ClientId(6)),
                    "",
                )?;
                tx.audit_as(
                    &Actor::unnamed(),
                    t("2026-03-03T08:00:00Z"),
                    "login",
                    None,
                    "",
                )
            })
            .unwrap();
        let day = |s: &str| crate::domain::parse_date(s).unwrap();
        let seqs = |f: ReportFilter| -> Vec<i64> {
            report(store.conn(), &f)
                .unwrap()
                .iter()
                .map(|r| r.seq)
                .collect()
        };
        assert_eq!(seqs(ReportFilter::default()), [1, 2, 3]);
        assert_eq!(
            seqs(ReportFilter {
                from: Some(day("2026-03-02")),
                ..Default::default()
            }),
            [2, 3]
        );
        assert_eq!(
            seqs(ReportFilter {
                to: Some(day("2026-03-01")),
                ..Default::default()
            }),
            [1]
        );
        assert_eq!(
            seqs(ReportFilter {
                clinician: Some(ClinicianId(1)),
                ..Default::default()
            }),
            [1, 2]
        );
        assert_eq!(
            seqs(ReportFilter {
                client: Some(ClientId(6)),
                ..Default::default()
            }),
            [2]
        );
    }
}
