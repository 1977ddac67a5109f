-- caseload schema, version 2: the PostgreSQL form of migrations/0002_shared_terminals.sql
-- (shared terminals, issue 7). Passphrases, login throttling, and a hash-chained audit trail
-- whose head lives in its own guarded table.
-- Append-only: never edit a released migration; add the next one.
--
-- The file runs in two parts inside one transaction. Between them the migrator seals the audit
-- rows written by version 1 into the hash chain (the hashes are BLAKE2 and computed in Rust);
-- the marker line below separates the parts.

-- The argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash); NULL = no passphrase.
ALTER TABLE clinicians ADD COLUMN passphrase TEXT COLLATE "C";
ALTER TABLE clinicians ADD COLUMN passphrase_set_at TEXT COLLATE "C";

-- Failed logins in a row per clinician, so the growing delay survives a restart and holds across
-- every process on this database. A successful login resets it.
CREATE TABLE login_throttle (
    clinician_id    BIGINT PRIMARY KEY REFERENCES clinicians (id),
    failures        BIGINT NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure_at TEXT COLLATE "C"
);

-- The chain: each row's hash covers its own fields and the previous row's hash.
ALTER TABLE audit ADD COLUMN hash TEXT COLLATE "C";

-- The chain head: the last sequence number and hash, one row, moved only forward by the
-- trigger below in the same transaction as the audit row. Deleting rows from `audit` (a
-- truncated tail) cannot reach it, so `audit verify` sees the missing rows.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT COLLATE "C" NOT NULL
);

-- Version 1's triggers go while the legacy rows are sealed, and come back below.
DROP TRIGGER audit_no_update ON audit;
DROP TRIGGER audit_no_delete ON audit;

INSERT INTO settings (key, value) VALUES ('lock-minutes', '5') ON CONFLICT DO NOTHING;

-- caseload: seal legacy audit rows --

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- A new row must carry a hash and extend the chain by exactly one. The head row is locked
-- while it is read, so two machines appending at once take turns and the chain stays one.
CREATE FUNCTION audit_extends_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq BIGINT;
BEGIN
    SELECT h.seq INTO head_seq FROM audit_head h WHERE h.id = 1 FOR UPDATE;
    IF NEW.hash IS NULL OR NEW.seq IS DISTINCT FROM head_seq + 1 THEN
        RAISE EXCEPTION 'audit rows must extend the hash chain';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_extends_chain BEFORE INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_extends_chain();

CREATE FUNCTION audit_moves_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_moves_head AFTER INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_moves_head();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain head only moves forward';
END
$$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
    FOR EACH ROW WHEN (NEW.seq <= OLD.seq OR NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION audit_head_forward_only();

CREATE FUNCTION audit_head_one_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_head) THEN
        RAISE EXCEPTION 'the audit chain has one head';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_head_one_row BEFORE INSERT ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_one_row();

CREATE FUNCTION audit_head_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain head cannot be removed';
END
$$;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_kept();
-- PostgreSQL only: TRUNCATE skips row triggers, so it is refused on its own (SQLite has none).
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_kept();
