-- Foundation: divisions, organisations, people, memberships.
-- Kept in step with ../postgres/0001_foundation.sql: same tables, same columns, same meaning.

create table kexie_meta (
    key text primary key,
    value text not null
);

-- The official division tree (NBS 12-digit codes), loaded from data/divisions at migration time.
create table division (
    code text primary key,
    name text not null,
    level integer not null,
    parent_code text references division (code),
    name_pinyin text not null,
    initials text not null
);
create index division_parent on division (parent_code);

-- Organisations. `path` is the materialised path of organisation ids ("/1/7/42/"), so a subtree
-- is one index range scan; it is rewritten for the whole subtree when an organisation moves.
create table org (
    org_id integer primary key,
    code text not null unique,
    name text not null,
    short_name text,
    kind text not null,
    division_code text references division (code),
    parent_id integer references org (org_id),
    path text not null,
    depth integer not null,
    credit_code text,
    established text,
    status text not null default 'active',
    address text,
    contact_name text,
    contact_phone_enc blob,
    contact_phone_mask text,
    notes text,
    name_pinyin text not null,
    initials text not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index org_path on org (path);
create index org_parent on org (parent_id);
create index org_division on org (division_code);

-- Science and technology workers. ID number and mobile are stored encrypted (…_enc), found by a
-- keyed hash (…_hash) and shown masked (…_mask); the plaintext never reaches the database.
create table person (
    person_id integer primary key,
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
create index person_org on person (org_id);
create unique index person_id_number_hash on person (id_number_hash);
create index person_mobile_hash on person (mobile_hash);
create index person_pinyin on person (name_pinyin);

create table membership (
    membership_id integer primary key,
    person_id integer not null references person (person_id),
    org_id integer not null references org (org_id),
    number text,
    member_type text not null,
    status text not null default 'active',
    joined text,
    expires text,
    created_at bigint not null,
    updated_at bigint not null
);
create index membership_org on membership (org_id, status);
create index membership_person on membership (person_id);
create unique index membership_number on membership (org_id, number);
