//! The audit trail: one appended row per change, recording who, when, what and which client.
//! The table refuses UPDATE and DELETE (triggers in the schema).

use super::Tx;
use crate::domain::ClientId;
use crate::error::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// One audit row as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub client_id: Option<i64>,
    pub detail: String,
}

impl Tx<'_> {
    /// Appends one audit row for the acting clinician. `detail` must not repeat client data
    /// (names, notes): the client is identified by id only.
    pub fn audit(&self, action: &str, client: Option<ClientId>, detail: &str) -> Result<()> {
        let at = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        self.prepare_cached(
            "INSERT INTO audit (at, clinician_id, actor, action, client_id, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            at,
            self.actor().clinician_id.map(|c| c.0),
            self.actor().name,
            action,
            client.map(|c| c.0),
            detail
        ])?;
        Ok(())
    }
}

/// The most recent audit rows, newest last.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, actor, action, client_id, detail FROM
           (SELECT * FROM audit ORDER BY seq DESC LIMIT ?1) ORDER BY seq",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            client_id: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn audit_rows_cannot_be_edited_or_deleted() {
        let mut store = Store::open_in_memory().unwrap();
        store.write(|tx| tx.audit("test", None, "one")).unwrap();
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
        assert_eq!(recent(store.conn(), 10).unwrap()[0].detail, "one");
    }
}
