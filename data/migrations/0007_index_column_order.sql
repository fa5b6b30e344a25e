-- The observations' two search indexes lead with the column that tells
-- rows apart soonest, for the same searches: every query on them gives
-- both the reporter and the partner, or the reporter and the products,
-- as equalities (data/queryplan_test.go checks each query's plan), so
-- the order of those columns does not change what a search reads.
-- What it changes is the cost of building the index, which a large
-- import does again after its load: SQLite's sorter compares the first
-- column first, and a file usually has one reporter or a few, but many
-- partners and products. On a generated 1,000,000-row table of one
-- reporter, 200 partners and 1,250 products, the pair index built in
-- 2.0-2.5 s instead of 2.5-2.9 s and the product index in 1.3-1.7 s
-- instead of 1.6-2.1 s (docs/benchmarks.md).
--
-- On an existing database this rebuilds both indexes once, at the first
-- start of this version: 5.5 s for 1,000,000 observations on the
-- project's 2-core machine, in temporary files (docs/operations.md).
DROP INDEX observations_pair;
CREATE INDEX observations_pair ON observations (partner, reporter, period_start, flow);
DROP INDEX observations_product;
CREATE INDEX observations_product ON observations (product_id, reporter, flow);
