-- caseload schema, version 2: shared terminals (issue 7). Passphrases, login throttling, and a
-- hash-chained audit trail whose head lives in its own guarded table.
-- Append-only: never edit a released migration; add the next one.
--
-- The file runs in two parts inside one transaction. Between them the migrator seals the audit
-- rows written by version 1 into the hash chain (the hashes are BLAKE2 and computed in Rust);
-- the marker line below separates the parts.

-- The argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash); NULL = no passphrase.
ALTER TABLE clinicians ADD COLUMN passphrase TEXT;
ALTER TABLE clinicians ADD COLUMN passphrase_set_at TEXT;

-- Failed logins in a row per clinician, so the growing delay survives a restart and holds across
-- every process on this database. A successful login resets it.
CREATE TABLE login_throttle (
    clinician_id    INTEGER PRIMARY KEY REFERENCES clinicians (id),
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure_at TEXT
) STRICT;

-- The chain: each row's hash covers its own fields and the previous row's hash.
ALTER TABLE audit ADD COLUMN hash TEXT;

-- The chain head: the last sequence number and hash, one row, moved only forward by the
-- trigger below in the same transaction as the audit row. Deleting rows from `audit` (a
-- truncated tail) cannot reach it, so `audit verify` sees the missing rows.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- Version 1's triggers go while the legacy rows are sealed, and come back below.
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;

INSERT OR IGNORE INTO settings (key, value) VALUES ('lock-minutes', '5');

-- caseload: seal legacy audit rows --

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
-- A new row must carry a hash and extend the chain by exactly one.
CREATE TRIGGER audit_extends_chain BEFORE INSERT ON audit
WHEN NEW.hash IS NULL OR NEW.seq IS NOT (SELECT seq FROM audit_head WHERE id = 1) + 1
BEGIN
    SELECT RAISE(ABORT, 'audit rows must extend the hash chain');
END;
CREATE TRIGGER audit_moves_head AFTER INSERT ON audit
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.seq <= OLD.seq OR NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head only moves forward');
END;
CREATE TRIGGER audit_head_one_row BEFORE INSERT ON audit_head
WHEN EXISTS (SELECT 1 FROM audit_head)
BEGIN
    SELECT RAISE(ABORT, 'the audit chain has one head');
END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head cannot be removed');
END;
