-- caseload schema, version 7: closing the loop (SPEC sections 10 and 11). Appointments booked
-- ahead, whose state (booked, kept, no-show, unlogged) is computed from the encounters and never
-- stored; and reviews of flags: a safety assessment or step-down decision signed off for the
-- PHQ-9 that raised it, or a warning snoozed until a date.
-- Append-only: never edit a released migration; add the next one.

CREATE TABLE appointments (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients (id),
    clinician_id  INTEGER NOT NULL REFERENCES clinicians (id),
    date          TEXT NOT NULL,
    -- Local wall-clock HH:MM, or NULL for a day without a set time.
    time          TEXT CHECK (time IS NULL OR (length(time) = 5 AND substr(time, 3, 1) = ':')),
    kind          TEXT NOT NULL CHECK (kind IN ('intake', 'session', 'telehealth', 'phone',
                      'group', 'family', 'crisis')),
    minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
    -- The first appointment of the series this one was booked with (itself for the first).
    series_id     INTEGER,
    cancelled_at  TEXT,
    cancel_reason TEXT
) STRICT;
-- The agenda: a range of days in order.
CREATE INDEX appointments_by_date ON appointments (date, time);
-- A client's next booked appointment.
CREATE INDEX appointments_by_client ON appointments (client_id, date) WHERE cancelled_at IS NULL;
-- One clinician cannot be in two places at once.
CREATE UNIQUE INDEX appointments_one_at_a_time ON appointments (clinician_id, date, time)
    WHERE cancelled_at IS NULL AND time IS NOT NULL;

CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES clients (id),
    flag           TEXT NOT NULL CHECK (flag IN ('safety', 'never_seen', 'contact_overdue',
                       'no_baseline', 'measure_overdue', 'not_improving', 'disengaged',
                       'remission')),
    date           TEXT NOT NULL,
    -- A snooze's last silent day; NULL for a sign-off (safety, remission).
    until          TEXT,
    -- The PHQ-9 a sign-off is for (the latest on or before the review date).
    measurement_id INTEGER REFERENCES measurements (id),
    clinician      TEXT NOT NULL,
    note           TEXT NOT NULL
) STRICT;
CREATE INDEX reviews_by_client ON reviews (client_id, flag, date);
