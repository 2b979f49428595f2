-- The search index's feed (issue 5): one row per write that changes what search finds, written
-- in the same transaction as the write. Each server node keeps its own index and applies the rows
-- after its own high-water mark; `kexie search reindex` rebuilds from the tables themselves.
-- Kept in step with ../postgres/0007_search.sql.

create table search_change (
    search_change_id integer primary key,
    -- person: people with ids first_id..last_id; org: organisations with those ids;
    -- org_tree: the organisation first_id moved, with everything and everyone below it.
    entity text not null check (entity in ('person', 'org', 'org_tree')),
    first_id bigint not null,
    last_id bigint not null,
    at bigint not null
);

-- Names this database for the index: an index built from another database is rebuilt.
insert into kexie_meta (key, value) values ('search.epoch', lower(hex(randomblob(16))));
