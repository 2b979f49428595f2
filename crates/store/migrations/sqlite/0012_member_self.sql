-- A member's own account: correction requests for identity fields that staff approve; person and
-- membership ids that are never reused; a merge trail that outlives the surviving record.
-- Kept in step with ../postgres/0012_member_self.sql.
--
-- SQLite hands out max(rowid) + 1 for a plain `integer primary key`, so deleting the newest
-- person let the next insert take its id, and the audit trail, the search change log and the
-- merge trail, which name people by id, would then point at someone else. AUTOINCREMENT never
-- reuses an id; adding it needs a rebuild of the table. Foreign keys stay on during migrations,
-- so the rebuild goes in an order that never leaves a violation behind: the rows are copied aside,
-- the old table is dropped (with `defer_foreign_keys`, the rows that referenced it count as
-- pending violations instead of failing), the new table takes the old name, and the rows copied
-- back settle every pending violation before the commit checks them.
-- Every index is recreated exactly as before (a test compares sqlite_master before and after).
pragma defer_foreign_keys = on;

create table person_copy as select * from person;
create table person_rebuilt (
    person_id integer primary key autoincrement,
    org_id integer not null references org (org_id),
    name text not null,
    name_pinyin text not null,
    initials text not null,
    gender text,
    birth_date text,
    ethnicity text,
    id_number_enc blob,
    id_number_hash text,
    id_number_mask text,
    mobile_enc blob,
    mobile_hash text,
    mobile_mask text,
    email text,
    employer_org_id integer references org (org_id),
    employer text,
    department text,
    post text,
    title text,
    education text,
    degree text,
    discipline text,
    political_status text,
    grassroots integer not null default 0,
    serving_official integer not null default 0,
    retired_official integer not null default 0,
    tags text,
    notes text,
    created_at bigint not null,
    updated_at bigint not null
);
drop table person;
alter table person_rebuilt rename to person;
insert into person (person_id, org_id, name, name_pinyin, initials, gender, birth_date,
    ethnicity, id_number_enc, id_number_hash, id_number_mask, mobile_enc, mobile_hash, mobile_mask,
    email, employer_org_id, employer, department, post, title, education, degree, discipline,
    political_status, grassroots, serving_official, retired_official, tags, notes, created_at,
    updated_at)
select person_id, org_id, name, name_pinyin, initials, gender, birth_date,
    ethnicity, id_number_enc, id_number_hash, id_number_mask, mobile_enc, mobile_hash, mobile_mask,
    email, employer_org_id, employer, department, post, title, education, degree, discipline,
    political_status, grassroots, serving_official, retired_official, tags, notes, created_at,
    updated_at
from person_copy;
drop table person_copy;
create unique index person_id_number_hash on person (id_number_hash);
create index person_mobile_hash on person (mobile_hash);
create index person_pinyin on person (name_pinyin);
create index person_name_birth on person (name, birth_date);
create index person_org on person (org_id, grassroots);

-- Memberships are named by id in the audit trail too.
create table membership_copy as select * from membership;
create table membership_rebuilt (
    membership_id integer primary key autoincrement,
    person_id integer not null references person (person_id),
    org_id integer not null references org (org_id),
    number text,
    member_type text not null,
    status text not null default 'active',
    joined text,
    expires text,
    created_at bigint not null,
    updated_at bigint not null,
    left_on text
);
drop table membership;
alter table membership_rebuilt rename to membership;
insert into membership (membership_id, person_id, org_id, number, member_type, status,
    joined, expires, created_at, updated_at, left_on)
select membership_id, person_id, org_id, number, member_type, status,
    joined, expires, created_at, updated_at, left_on
from membership_copy;
drop table membership_copy;
create index membership_org on membership (org_id, status);
create index membership_person on membership (person_id);
create unique index membership_number on membership (org_id, number);
create index membership_org_joined on membership (org_id, joined);

-- The merge trail names the survivor by id, like the merged record, without a foreign key:
-- deleting the survivor later (PIPL art. 47) keeps the masked trail of what was merged.
create table person_merge_copy as select * from person_merge;
create table person_merge_rebuilt (
    person_merge_id integer primary key autoincrement,
    merged_person_id bigint not null,
    survivor_person_id integer not null,
    at bigint not null,
    account text not null,
    snapshot text not null
);
drop table person_merge;
alter table person_merge_rebuilt rename to person_merge;
insert into person_merge (person_merge_id, merged_person_id, survivor_person_id, at,
    account, snapshot)
select person_merge_id, merged_person_id, survivor_person_id, at, account, snapshot
from person_merge_copy;
drop table person_merge_copy;

-- A person deleted before this migration may have been the newest: start the sequence after
-- every person id the search feed and the merge trail have ever named, so none is given again.
insert into sqlite_sequence (name, seq)
select 'person', 0 where not exists (select 1 from sqlite_sequence where name = 'person');
update sqlite_sequence set seq = max(seq,
    (select coalesce(max(last_id), 0) from search_change where entity = 'person'),
    (select coalesce(max(merged_person_id), 0) from person_merge))
where name = 'person';

-- A member's request to correct an identity field of their own record, decided by staff of an
-- organisation that keeps or counts the person. Only the fields asked for are set; a new ID
-- number is kept encrypted with its mask, like the person's own.
create table correction_request (
    correction_request_id integer primary key autoincrement,
    person_id integer not null references person (person_id),
    account text not null,
    requested_at bigint not null,
    name text,
    gender text,
    birth_date text,
    ethnicity text,
    id_number_enc blob,
    id_number_mask text,
    note text,
    status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    decided_at bigint,
    decided_by text,
    reason text
);
create index correction_request_person on correction_request (person_id);
create index correction_request_status on correction_request (status, requested_at);

-- The body that issued a finding or sanction (a ministry, a university's ethics committee), when
-- it is not the recording organisation itself.
alter table integrity_record add column issuer text;
