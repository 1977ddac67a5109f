//! The audit trail's hash chain as a pure function: a row's hash covers its fields and the hash
//! of the row before it, so editing, removing or inserting a row breaks every later link.
//! Nothing here reads the database; the store feeds rows in and keeps the chain head.
//!
//! # Keyed segments
//!
//! In an encrypted practice the chain is a MAC: from the `audit.keyed` row that `encrypt`
//! appends (naming the key by its id, never the key), every row's link is BLAKE2b keyed with a
//! key derived from the practice key, so only someone who can open the practice can extend or
//! rewrite it. `decrypt` ends the segment with an `audit.unkeyed` row that discloses that MAC key
//! (the practice key is discarded then, and the plaintext file protects nothing the key could),
//! so the old segment stays verifiable by anyone afterwards. A chain checked with the current
//! key must end in a segment sealed with it: recomputing the whole chain unkeyed is a break.

use super::keyslot::{ChainKey, mac};
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// The action of the row that starts a keyed segment; its detail names the key id.
pub const KEYED: &str = "audit.keyed";
/// The action of the row that ends a keyed segment; its detail discloses the MAC key.
pub const UNKEYED: &str = "audit.unkeyed";

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

/// The link of a row in a keyed segment: BLAKE2b-256 keyed with the chain key, over the same
/// length-prefixed fields as [`row_hash`] under another domain tag.
pub fn row_mac(key: &ChainKey, previous: &str, row: &ChainFields) -> String {
    let seq = row.seq.to_string();
    let clinician = optional(row.clinician_id);
    let client = optional(row.client_id);
    hex(&mac(
        &key.0,
        &[
            b"caseload-audit-mac-v1",
            previous.as_bytes(),
            seq.as_bytes(),
            row.at.as_bytes(),
            clinician.as_bytes(),
            row.actor.as_bytes(),
            row.action.as_bytes(),
            client.as_bytes(),
            row.detail.as_bytes(),
        ],
    ))
}

/// The link of a row: keyed when `key` is given.
pub fn link(key: Option<&ChainKey>, previous: &str, row: &ChainFields) -> String {
    match key {
        Some(key) => row_mac(key, previous, row),
        None => row_hash(previous, row),
    }
}

/// The detail of the row that starts a keyed segment.
pub fn keyed_detail(key: &ChainKey) -> String {
    format!(
        "the audit chain is sealed from here on with the practice key (key id {})",
        key.id()
    )
}

/// The detail of the row that ends a keyed segment, disclosing its key.
pub fn unkeyed_detail(key: &ChainKey) -> String {
    format!(
        "the practice was decrypted; the audit chain is unkeyed from here on (the previous segment's key, now disclosed: {})",
        key.hex()
    )
}

/// The key id named in an `audit.keyed` detail.
fn named_key_id(detail: &str) -> Option<&str> {
    detail.rsplit_once("(key id ")?.1.strip_suffix(')')
}

/// The key disclosed in an `audit.unkeyed` detail.
pub fn disclosed_key(detail: &str) -> Option<ChainKey> {
    ChainKey::from_hex(detail.rsplit_once("now disclosed: ")?.1.strip_suffix(')')?)
}

/// The head recorded outside the database, authenticated with the chain key.
pub fn head_mac(key: &ChainKey, seq: i64, hash: &str) -> String {
    hex(&mac(
        &key.0,
        &[
            b"caseload-audit-head-v1",
            seq.to_string().as_bytes(),
            hash.as_bytes(),
        ],
    ))
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
    /// A keyed segment names a key that is neither the practice's nor disclosed.
    UnknownKey { seq: i64 },
    /// The practice is encrypted but the chain does not end sealed with its key (rewritten
    /// without it).
    NotSealed,
    /// The chain no longer holds a head seen before (recorded beside the database, or given
    /// with `--expect`): rolled back or truncated from `seq`, or rewritten there.
    RolledBack { seq: i64 },
    /// A clinician's row (name, role or passphrase) differs from what the last audit row about
    /// them recorded: it was changed outside caseload.
    Unexplained { clinician: i64 },
}

impl Break {
    /// The first bad sequence number, when there is one.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Break::Altered { seq }
            | Break::Missing { seq }
            | Break::Truncated { seq }
            | Break::HeadMismatch { seq }
            | Break::UnknownKey { seq }
            | Break::RolledBack { seq } => Some(*seq),
            Break::NoHead | Break::NotSealed | Break::Unexplained { .. } => None,
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
            Break::UnknownKey { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: it is sealed with a key that is not the practice's"
            ),
            Break::NotSealed => write!(
                f,
                "the audit trail is broken: the practice is encrypted but its chain is not sealed with the practice key (it was rewritten)"
            ),
            Break::Unexplained { clinician } => write!(
                f,
                "the audit trail does not explain clinician {clinician}'s row: its name, role or passphrase was changed outside caseload"
            ),
            Break::RolledBack { seq } => write!(
                f,
                "the audit trail is broken at sequence {seq}: a head seen before is no longer in the chain (the file was rolled back, truncated or rewritten)"
            ),
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
    /// Keys that may seal a segment: the practice's (first) and those disclosed.
    keys: Vec<ChainKey>,
    /// The practice's own key, when it is encrypted: the chain must end sealed with it.
    current: Option<ChainKey>,
    /// The key of the segment being walked (`None`: unkeyed).
    segment: Option<ChainKey>,
    /// Every (seq, hash) the caller wants checked as contained in the chain.
    expected: Vec<(i64, String)>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::with_keys(None, Vec::new())
    }
}

impl Verifier {
    /// A verifier for a practice whose key is `current` (when encrypted), knowing the keys
    /// disclosed by earlier decryptions.
    pub fn with_keys(current: Option<ChainKey>, disclosed: Vec<ChainKey>) -> Verifier {
        let mut keys: Vec<ChainKey> = current.iter().cloned().collect();
        keys.extend(disclosed);
        Verifier {
            expected_seq: 1,
            previous: GENESIS.to_string(),
            rows: 0,
            broken: None,
            keys,
            current,
            segment: None,
            expected: Vec::new(),
        }
    }

    /// Also checks that the chain holds row `seq` with link `hash` (a head written down before).
    pub fn expect(&mut self, seq: i64, hash: &str) {
        self.expected.push((seq, hash.to_string()));
    }

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
        if row.action == KEYED {
            let id = named_key_id(row.detail);
            match self.keys.iter().find(|k| Some(k.id().as_str()) == id) {
                Some(key) => self.segment = Some(key.clone()),
                None => {
                    self.broken = Some(Break::UnknownKey { seq: row.seq });
                    return false;
                }
            }
        }
        let hash = link(self.segment.as_ref(), &self.previous, row);
        if stored_hash != Some(hash.as_str()) {
            self.broken = Some(Break::Altered { seq: row.seq });
            return false;
        }
        if row.action == UNKEYED && self.segment.is_some() {
            self.segment = None;
        }
        if let Some(i) = self.expected.iter().position(|(s, _)| *s == row.seq) {
            if self.expected[i].1 != hash {
                self.broken = Some(Break::RolledBack { seq: row.seq });
                return false;
            }
            self.expected.remove(i);
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
        if let Some(seq) = self.expected.iter().map(|(s, _)| *s).min() {
            return Err(Break::RolledBack {
                seq: seq.min(last + 1),
            });
        }
        if self.current.is_some() && self.segment != self.current {
            return Err(Break::NotSealed);
        }
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

    #[test]
    fn a_keyed_segment_needs_its_key_and_an_encrypted_chain_must_end_sealed() {
        use crate::domain::keyslot::PracticeKey;
        let key = PracticeKey([3; 32]).chain_key();
        let marker = keyed_detail(&key);
        let closing = unkeyed_detail(&key);
        let mut rows: Vec<(ChainFields, String)> = Vec::new();
        let mut prev = GENESIS.to_string();
        let mut segment = None;
        for (seq, action, detail) in [
            (1, "client.view", ""),
            (2, KEYED, marker.as_str()),
            (3, "client.view", ""),
        ] {
            let mut r = row(seq, detail);
            r.action = action;
            if action == KEYED {
                segment = Some(key.clone());
            }
            prev = link(segment.as_ref(), &prev, &r);
            rows.push((r, prev.clone()));
        }
        let run = |rows: &[(ChainFields, String)], current: Option<ChainKey>, disclosed| {
            let mut v = Verifier::with_keys(current, disclosed);
            for (r, h) in rows {
                v.push(r, Some(h));
            }
            let head = rows.last().map(|(r, h)| (r.seq, h.as_str()));
            v.finish(head)
        };
        assert_eq!(run(&rows, Some(key.clone()), vec![]), Ok(3));
        assert_eq!(run(&rows, None, vec![]), Err(Break::UnknownKey { seq: 2 }));
        assert_eq!(
            run(&rows[..1], Some(key.clone()), vec![]),
            Err(Break::NotSealed)
        );
        // Closed and disclosed: anyone can check it, and it need not end sealed.
        let mut closed = row(4, &closing);
        closed.action = UNKEYED;
        let h = row_mac(&key, &prev, &closed);
        rows.push((closed, h));
        assert_eq!(disclosed_key(&closing), Some(key.clone()));
        assert_eq!(run(&rows, None, vec![key.clone()]), Ok(4));
        // An unkeyed hash where the MAC belongs is an alteration.
        let mut forged = rows.clone();
        forged[2].1 = row_hash(&forged[1].1, &forged[2].0);
        assert_eq!(
            run(&forged, Some(key.clone()), vec![]),
            Err(Break::Altered { seq: 3 })
        );
        let mut v = Verifier::with_keys(Some(key), vec![]);
        v.expect(9, "x");
        for (r, h) in &rows[..3] {
            v.push(r, Some(h));
        }
        assert_eq!(
            v.finish(Some((3, &rows[2].1))),
            Err(Break::RolledBack { seq: 4 })
        );
    }
}
