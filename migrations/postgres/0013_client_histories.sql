-- caseload schema, version 13: the PostgreSQL form of migrations/0013_client_histories.sql
-- (each client's history in one row, for the value measures; issue 19).
-- Append-only: never edit a released migration; add the next one.
--
-- `client_histories` keeps each client's live records as one compact row
-- (`store::value::histories` has the layout), written in the same transaction as every write
-- that marks the client in `flag_dirty`. A client still marked, or without a row, is read from
-- the record tables instead.

CREATE TABLE client_histories (
    client_id  BIGINT PRIMARY KEY,
    history    BYTEA NOT NULL
);

-- Everyone is computed below (with the flag windows, by the same code that keeps both).
INSERT INTO flag_dirty (client_id) SELECT id FROM clients ON CONFLICT DO NOTHING;
-- caseload: compute flag windows, due dates and histories --
