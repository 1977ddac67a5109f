-- caseload schema, version 13: each client's history in one row, for the value measures
-- (issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- The value measures and the fairness self-audit (SPEC section 7) count, per client, what
-- happened inside periods of any length: contacts, attempts, minutes, measurements, PHQ-9s,
-- SRS totals, acute events. Read from the record tables that is a few index rows per client
-- per month, for every client (seconds at 100,000 clients). `client_histories` keeps each
-- client's live records as one compact row (`store::value::histories` has the layout), written
-- in the same transaction as every write that marks the client in `flag_dirty`
-- (`store::windows::refresh_dirty`), so a report reads one row per client. A client still
-- marked, or without a row, is read from the record tables instead.

CREATE TABLE client_histories (
    client_id  INTEGER PRIMARY KEY,
    history    BLOB NOT NULL
) STRICT;

-- Everyone is computed below (with the flag windows, by the same code that keeps both).
INSERT OR IGNORE INTO flag_dirty (client_id) SELECT id FROM clients;
-- caseload: compute flag windows, due dates and histories --
