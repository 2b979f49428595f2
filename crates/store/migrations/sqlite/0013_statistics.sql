-- Fresh statistics for the query planner. Migration 0012 rebuilt person and membership, and a
-- rebuilt table has none: without them SQLite planned a province's ledger total (2,000,000
-- memberships) ten times slower than with them. Later table rebuilds end with their own ANALYZE.
analyze;
