-- observations_partner (partner, reporter, period_start) served the views
-- that read a partner's figures from observations; since 0004 those read
-- all_goods, and no query on observations leads with the partner any
-- more (data/queryplan_test.go checks each query's plan). Countries are
-- never deleted, so no foreign-key check needs it either. Every import
-- built it again over the whole table: about a quarter of the index
-- building time of a 1,000,000-row import (docs/benchmarks.md).
DROP INDEX IF EXISTS observations_partner;
