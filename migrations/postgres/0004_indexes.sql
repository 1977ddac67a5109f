-- caseload schema, version 4: the PostgreSQL form of migrations/0004_indexes.sql (encounter
-- indexes that answer the panel facts and the revenue report from the index alone).
-- Append-only: never edit a released migration; add the next one.
--
-- The same names and the same columns in the same order as SQLite's, all of them key columns:
-- a B-tree on them gives the same orders, and an index-only scan reads every column it holds.

-- Every encounter of a client by date, carrying who logged it and the minutes. It replaces
-- version 1's (client_id, date) under the same name.
DROP INDEX encounters_by_client;
CREATE INDEX encounters_by_client ON encounters (client_id, date, clinician_id, minutes);

-- Contact-kind encounters of any status in (date, id) order, carrying kind and status. It
-- replaces version 1's (client_id, date, status) and `encounters_contacts`.
DROP INDEX encounters_contact_kinds;
DROP INDEX encounters_contacts;
CREATE INDEX encounters_contact_kinds ON encounters (client_id, date, id, kind, status)
    WHERE kind IN ('intake','session','telehealth','phone','group','family','crisis');
