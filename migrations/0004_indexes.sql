-- caseload schema, version 4: encounter indexes that answer the panel facts and the revenue
-- report from the index alone. Measured on a 100,000-client demo (1.9 million encounters);
-- the figures are in the commit that added this file.
-- Append-only: never edit a released migration; add the next one.

-- Every encounter of a client by date, now carrying who logged it and the minutes: minutes per
-- attribution, per client and this month per client are summed without reading the table.
-- It replaces version 1's (client_id, date) under the same name; a client's history still
-- comes from it in date order (only ties within a day are sorted by id, a handful of rows).
DROP INDEX encounters_by_client;
CREATE INDEX encounters_by_client ON encounters (client_id, date, clinician_id, minutes);

-- Contact-kind encounters of any status in (date, id) order, carrying kind and status so no
-- seek reads the table: the two latest attempts ("disengaged", ties by the order recorded),
-- first and last contact (the completed ones), the first contact after an acute event, the
-- show rate and first contacts of the value report. The implicit rowid would sort ties too,
-- but only as the last column; `id` is named so (date, id) comes before kind and status.
-- It replaces version 1's (client_id, date, status), which could not sort by date then id,
-- and `encounters_contacts`, whose seeks each read a table row to check kind and status.
DROP INDEX encounters_contact_kinds;
DROP INDEX encounters_contacts;
CREATE INDEX encounters_contact_kinds ON encounters (client_id, date, id, kind, status)
    WHERE kind IN ('intake','session','telehealth','phone','group','family','crisis');
