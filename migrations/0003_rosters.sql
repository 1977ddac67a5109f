-- caseload schema, version 3: payer roster imports (issue 8).
-- Append-only: never edit a released migration; add the next one.

-- One row per applied roster: which contract, the date it describes, when it was loaded and a
-- digest of the file. An import that would change nothing is not recorded again.
CREATE TABLE roster_imports (
    id          INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    as_of       TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    members     INTEGER NOT NULL CHECK (members >= 0)
) STRICT;
CREATE INDEX roster_imports_by_contract ON roster_imports (contract_id, as_of, id);

-- The members each roster listed, with the dates exactly as the payer gave them (NULL: none
-- given). Reconciliation compares the member months these imply with the practice's own.
CREATE TABLE roster_members (
    import_id  INTEGER NOT NULL REFERENCES roster_imports (id),
    member_id  TEXT NOT NULL,
    start_date TEXT,
    end_date   TEXT,
    PRIMARY KEY (import_id, member_id)
) STRICT, WITHOUT ROWID;
