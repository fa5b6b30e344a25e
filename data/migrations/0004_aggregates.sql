-- Pre-aggregated tables, so that the views read a few hundred rows where
-- they would otherwise scan a country's or a dataset's observations. Both
-- are kept in step by Import (data/aggregate.go) in the import's own
-- transaction, and emptied with their dataset by ON DELETE CASCADE in the
-- delete's transaction. Derived data only: rebuilding them from
-- observations gives the same rows (data/aggregate_test.go checks it).

-- The all-goods figures (products.classification = 'TOTAL'), one row per
-- observation with its id, so that every figure read from here still
-- names the observation it came from. Bilateral totals, partner rankings,
-- partner series and period lists read only these rows.
CREATE TABLE all_goods (
    observation_id INTEGER PRIMARY KEY, -- observations.id; goes with its dataset
    dataset_id     INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    reporter       TEXT NOT NULL,
    partner        TEXT NOT NULL,
    period_start   INTEGER NOT NULL,
    period_end     INTEGER NOT NULL,
    flow           TEXT NOT NULL,
    value_usd      REAL NOT NULL,
    bound          TEXT NOT NULL,
    source_ref     TEXT NOT NULL,
    source_quote   TEXT NOT NULL
) STRICT;

CREATE INDEX all_goods_pair ON all_goods (reporter, partner, period_start);
CREATE INDEX all_goods_dataset ON all_goods (dataset_id, reporter, period_start, period_end);

-- What each dataset holds on each (reporter, partner): the home page's
-- list of pairs and the datasets page's coverage.
CREATE TABLE dataset_pairs (
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    reporter     TEXT NOT NULL,
    partner      TEXT NOT NULL,
    observations INTEGER NOT NULL CHECK (observations > 0),
    totals       INTEGER NOT NULL, -- all-goods observations among them
    abs_value    REAL NOT NULL,    -- sum of |value_usd|, for ordering pairs by size
    first_start  INTEGER NOT NULL,
    last_end     INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, reporter, partner)
) STRICT, WITHOUT ROWID;

-- What each dataset holds on each (reporter, partner) in each period and flow: the
-- periods with sector figures (observations > totals) that the bilateral
-- and compare views offer, without reading the pair's observations.
CREATE TABLE pair_periods (
    reporter     TEXT NOT NULL,
    partner      TEXT NOT NULL,
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    flow         TEXT NOT NULL,
    observations INTEGER NOT NULL CHECK (observations > 0),
    totals       INTEGER NOT NULL, -- all-goods observations among them
    PRIMARY KEY (reporter, partner, dataset_id, period_start, period_end, flow)
) STRICT, WITHOUT ROWID;

CREATE INDEX pair_periods_dataset ON pair_periods (dataset_id);

-- The sectors view asks for one product across a reporter's partners.
CREATE INDEX observations_product ON observations (reporter, product_id, flow);

INSERT INTO all_goods (observation_id, dataset_id, reporter, partner, period_start, period_end, flow, value_usd, bound, source_ref, source_quote)
SELECT o.id, o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow, o.value_usd, o.bound, o.source_ref, o.source_quote
FROM observations o JOIN products p ON p.id = o.product_id
WHERE p.classification = 'TOTAL';

INSERT INTO dataset_pairs (dataset_id, reporter, partner, observations, totals, abs_value, first_start, last_end)
SELECT o.dataset_id, o.reporter, o.partner, count(*), sum(p.classification = 'TOTAL'), sum(abs(o.value_usd)), min(o.period_start), max(o.period_end)
FROM observations o JOIN products p ON p.id = o.product_id
GROUP BY o.dataset_id, o.reporter, o.partner;

INSERT INTO pair_periods (reporter, partner, dataset_id, period_start, period_end, flow, observations, totals)
SELECT o.reporter, o.partner, o.dataset_id, o.period_start, o.period_end, o.flow, count(*), sum(p.classification = 'TOTAL')
FROM observations o JOIN products p ON p.id = o.product_id
GROUP BY o.dataset_id, o.reporter, o.partner, o.period_start, o.period_end, o.flow;
