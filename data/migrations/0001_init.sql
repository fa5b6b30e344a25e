-- The first schema: reference lists, datasets and their observations.

CREATE TABLE countries (
    iso3          TEXT PRIMARY KEY,
    iso2          TEXT NOT NULL DEFAULT '',
    m49           INTEGER NOT NULL,
    comtrade_code INTEGER NOT NULL,
    name          TEXT NOT NULL,
    aggregate     INTEGER NOT NULL DEFAULT 0 CHECK (aggregate IN (0, 1))
) STRICT;

CREATE TABLE products (
    id                    INTEGER PRIMARY KEY,
    classification        TEXT NOT NULL CHECK (classification IN ('TOTAL', 'HS-section', 'HS', 'sector')),
    code                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    parent_classification TEXT NOT NULL DEFAULT '',
    parent_code           TEXT NOT NULL DEFAULT '',
    UNIQUE (classification, code)
) STRICT;

-- AUTOINCREMENT: a deleted dataset's id is never given to another, so a
-- saved link such as /bilateral?dataset=3 cannot silently show other data.
CREATE TABLE datasets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL CHECK (name <> ''),
    source        TEXT NOT NULL DEFAULT '',
    licence       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    format        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    row_count     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per figure as its source stated it. Periods are stored as their
-- first and last month (YYYYMM); their kind and label are derived.
CREATE TABLE observations (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    reporter     TEXT NOT NULL REFERENCES countries (iso3),
    partner      TEXT NOT NULL REFERENCES countries (iso3),
    period_start INTEGER NOT NULL CHECK (period_start BETWEEN 190001 AND 220012),
    period_end   INTEGER NOT NULL CHECK (period_end >= period_start),
    flow         TEXT NOT NULL CHECK (flow IN ('export', 'import', 're-export', 're-import', 'turnover')),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    value_usd    REAL NOT NULL,
    bound        TEXT NOT NULL DEFAULT 'exact' CHECK (bound IN ('exact', 'at_least', 'at_most')),
    quantity     REAL,
    qty_unit     TEXT NOT NULL DEFAULT '',
    source_ref   TEXT NOT NULL DEFAULT '',
    source_quote TEXT NOT NULL DEFAULT '',
    CHECK (reporter <> partner)
) STRICT;

CREATE INDEX observations_pair ON observations (reporter, partner, period_start, flow);
CREATE INDEX observations_partner ON observations (partner, reporter, period_start);
CREATE INDEX observations_dataset ON observations (dataset_id);
