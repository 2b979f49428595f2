-- Fresh statistics for the planner after the migrations before it (SQLite needed them after a
-- table rebuild; on PostgreSQL autovacuum would catch up, this only makes it immediate).
analyze;
