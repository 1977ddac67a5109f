-- caseload schema, version 8: the PostgreSQL form of migrations/0008_x12.sql (rosters read
-- from X12 834 enrollment files, SPEC section 13).
-- Append-only: never edit a released migration; add the next one.

-- An import read from an 834 notes which file it was: BGN02 (the file's reference number),
-- BGN03 (the date the payer made it) and whether it was a full roster or a change file. All
-- three are NULL for a CSV roster. A change file's members (roster_members) are the whole
-- roster after it, so reconciliation reads an 834 import exactly as it reads a CSV one.
ALTER TABLE roster_imports ADD COLUMN x12_reference TEXT COLLATE "C";
ALTER TABLE roster_imports ADD COLUMN x12_date TEXT COLLATE "C";
ALTER TABLE roster_imports ADD COLUMN x12_kind TEXT COLLATE "C"
    CHECK (x12_kind IN ('full', 'change'));
