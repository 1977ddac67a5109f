//! The audit trail's hash chain as a pure function: a row's hash covers its fields and the hash
//! of the row before it, so editing, removing or inserting a row breaks every later link.
//! Nothing here reads the database; the store feeds rows in and keeps the chain head.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// The "previous hash" of the first row: 32 zero bytes, in hex.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one audit row that the chain covers (all of them but the hash itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub clinician_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub client_id: Option<i64>,
    pub detail: &'a str,
}

/// BLAKE2b-256 over a domain tag, the previous hash and each field length-prefixed (so no two
/// different rows encode alike), as 64 lower-case hex digits.
pub fn row_hash(previous: &str, row: &ChainFields) -> String {
    let mut h = Blake2b::<U32>::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(b"caseload-audit-v1");
    field(previous.as_bytes());
    field(row.seq.to_string().as_bytes());
    field(row.at.as_bytes());
    field(optional(row.clinician_id).as_bytes());
    field(row.actor.as_bytes());
    field(row.action.as_bytes());
    field(optional(row.client_id).as_bytes());
    field(row.detail.as_bytes());
    hex(&h.finalize())
}

fn optional(value: Option<i64>) -> String {
    value.map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is wrong with a chain, at the first bad sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The row's hash does not match its fields and the previous hash: edited (or inserted).
    Altered { seq: i64 },
    /// Sequence numbers jump: rows `seq`… are missing from the middle (or the start).
    Missing { seq: i64 },
    /// The head says the chain is longer than the table: the tail from `seq` was removed.
    Truncated { seq: i64 },
    /// The last row does not match the head's hash.
    HeadMismatch { seq: i64 },
    /// The chain head itself is gone.
    NoHead,
}

impl Break {
    /// The first bad sequence number, when there is one.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Break::Altered { seq }
            | Break::Missing { seq }
            | Break::Truncated { seq }
            | Break::HeadMismatch { seq } => Some(*seq),
            Break::NoHead => None,
        }
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: the row was altered (its hash does not match)"
            ),
            Break::Missing { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: the row is missing (deleted)"
            ),
            Break::Truncated { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: the rows from here on were removed (the chain head is further on)"
            ),
            Break::HeadMismatch { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: the last row does not match the chain head"
            ),
            Break::NoHead => write!(f, "the audit trail is broken: its chain head is missing"),
        }
    }
}

/// Walks a chain row by row (in sequence order) and reports the first break.
#[derive(Debug, Clone)]
pub struct Verifier {
    expected_seq: i64,
    previous: String,
    rows: u64,
    broken: Option<Break>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            previous: GENESIS.to_string(),
            rows: 0,
            broken: None,
        }
    }
}

impl Verifier {
    /// Feeds the next row with the hash stored beside it. Returns false once broken.
    pub fn push(&mut self, row: &ChainFields, stored_hash: Option<&str>) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if row.seq != self.expected_seq {
            self.broken = Some(Break::Missing {
                seq: self.expected_seq,
            });
            return false;
        }
        let hash = row_hash(&self.previous, row);
        if stored_hash != Some(hash.as_str()) {
            self.broken = Some(Break::Altered { seq: row.seq });
            return false;
        }
        self.previous = hash;
        self.expected_seq += 1;
        self.rows += 1;
        true
    }

    /// Checks the end of the table against the head (last seq and hash), if there is one.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, Break> {
        if let Some(b) = self.broken {
            return Err(b);
        }
        let last = self.expected_seq - 1;
        match head {
            None => Err(Break::NoHead),
            Some((seq, _)) if seq > last => Err(Break::Truncated { seq: last + 1 }),
            Some((seq, _)) if seq < last => Err(Break::HeadMismatch { seq: seq + 1 }),
            Some((_, hash)) if hash != self.previous => Err(Break::HeadMismatch { seq: last }),
            Some(_) => Ok(self.rows),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, detail: &str) -> ChainFields<'_> {
        ChainFields {
            seq,
            at: "2026-03-01T10:00:00.000Z",
            clinician_id: Some(1),
            actor: "Dana",
            action: "client.view",
            client_id: Some(7),
            detail,
        }
    }

    fn chain(details: &[&'static str]) -> Vec<(ChainFields<'static>, String)> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for (i, d) in details.iter().enumerate() {
            let r = row(i as i64 + 1, d);
            prev = row_hash(&prev, &r);
            out.push((r, prev.clone()));
        }
        out
    }

    fn verify(rows: &[(ChainFields, String)], head: Option<(i64, &str)>) -> Result<u64, Break> {
        let mut v = Verifier::default();
        for (r, h) in rows {
            v.push(r, Some(h));
        }
        v.finish(head)
    }

    #[test]
    fn hashes_are_stable_and_cover_every_field() {
        let base = row(1, "x");
        let h = row_hash(GENESIS, &base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, row_hash(GENESIS, &base));
        let variants = [
            ChainFields { seq: 2, ..base },
            ChainFields {
                at: "2026-03-01T10:00:00.001Z",
                ..base
            },
            ChainFields {
                clinician_id: None,
                ..base
            },
            ChainFields {
                actor: "Sam",
                ..base
            },
            ChainFields {
                action: "client.add",
                ..base
            },
            ChainFields {
                client_id: Some(8),
                ..base
            },
            ChainFields {
                detail: "y",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(row_hash(GENESIS, &v), h, "{v:?}");
        }
        assert_ne!(row_hash(&"1".repeat(64), &base), h);
        // Length prefixes: moving a character between fields changes the hash.
        let a = ChainFields {
            actor: "ab",
            action: "c",
            ..base
        };
        let b = ChainFields {
            actor: "a",
            action: "bc",
            ..base
        };
        assert_ne!(row_hash(GENESIS, &a), row_hash(GENESIS, &b));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(&["a", "b", "c"]);
        let head = rows[2].1.clone();
        assert_eq!(verify(&rows, Some((3, &head))), Ok(3));
        assert_eq!(verify(&[], Some((0, GENESIS))), Ok(0));
    }

    #[test]
    fn edits_deletions_and_truncation_name_the_first_bad_sequence() {
        let rows = chain(&["a", "b", "c", "d"]);
        let head = rows[3].1.clone();
        let head = Some((4, head.as_str()));

        let mut edited = rows.clone();
        edited[1].0.detail = "B";
        assert_eq!(verify(&edited, head), Err(Break::Altered { seq: 2 }));

        let mut deleted = rows.clone();
        deleted.remove(2);
        assert_eq!(verify(&deleted, head), Err(Break::Missing { seq: 3 }));

        let mut first_gone = rows.clone();
        first_gone.remove(0);
        assert_eq!(verify(&first_gone, head), Err(Break::Missing { seq: 1 }));

        let truncated = &rows[..2];
        assert_eq!(verify(truncated, head), Err(Break::Truncated { seq: 3 }));

        assert_eq!(verify(&rows, None), Err(Break::NoHead));
        assert_eq!(
            verify(&rows, Some((4, GENESIS))),
            Err(Break::HeadMismatch { seq: 4 })
        );
        assert_eq!(Break::Truncated { seq: 3 }.seq(), Some(3));
    }
}
