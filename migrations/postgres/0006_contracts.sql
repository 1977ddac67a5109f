-- caseload schema, version 6: the PostgreSQL form of migrations/0006_contracts.sql (contracts
-- as payers write them, SPEC section 12): the `mid-month` proration, case rates by diagnosis
-- prefix, an episode's diagnosis, and quality targets.
-- Append-only: never edit a released migration; add the next one.

-- SQLite rebuilds `contracts` and `contract_rates` to change a CHECK constraint and a primary
-- key; PostgreSQL changes them in place, to the same end schema (columns in the same order).
ALTER TABLE contracts DROP CONSTRAINT contracts_proration_check;
ALTER TABLE contracts ADD CONSTRAINT contracts_proration_check
    CHECK (proration IN ('first-of-month', 'daily', 'mid-month'));

-- A rate now belongs to a diagnosis prefix ('' for the contract's own rate, which every
-- contract has from 0001-01-01): ICD-10 without the dot, upper case ('F322', 'F33').
ALTER TABLE contract_rates ADD COLUMN diagnosis_prefix TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contract_rates DROP CONSTRAINT contract_rates_pkey;
ALTER TABLE contract_rates ADD CONSTRAINT contract_rates_pkey
    PRIMARY KEY (contract_id, diagnosis_prefix, effective_from);

-- An episode's diagnosis (ICD-10 as entered): what a diagnosis rate is chosen by.
ALTER TABLE attributions ADD COLUMN diagnosis TEXT COLLATE "C";
-- SQLite expands a view's `*` each time it is read; PostgreSQL when the view is made, so the
-- view is made again to carry the new column (as SQLite's does).
CREATE OR REPLACE VIEW live_attributions AS SELECT * FROM attributions WHERE voided_at IS NULL;

-- Quality targets: a measure the payer wants at or above a percentage, with a weight in the
-- earn-back of the withhold.
CREATE TABLE contract_targets (
    contract_id   BIGINT NOT NULL REFERENCES contracts (id),
    measure       TEXT COLLATE "C" NOT NULL CHECK (measure IN ('seen_within_14', 'show_rate',
                      'contacted', 'measured', 'response', 'remission', 'reliable_improvement',
                      'followed_7', 'followed_30')),
    at_least_bp   BIGINT NOT NULL CHECK (at_least_bp BETWEEN 0 AND 10000),
    weight        BIGINT NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (contract_id, measure)
);
