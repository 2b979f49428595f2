-- Posts (任职) in organisations, with key persons (四长), and pilot programmes (试点) with their
-- units, progress and leading group (seeds/004, 锡科协发〔2018〕61号).
-- Kept in step with ../postgres/0011_posts_pilots.sql.

create table org_post (
    org_post_id integer primary key,
    org_id integer not null references org (org_id),
    person_id integer not null references person (person_id),
    role text not null check (role in ('chair', 'vice_chair', 'secretary_general',
        'committee_member', 'representative', 'contact')),
    mode text check (mode in ('full_time', 'part_time', 'seconded')),
    key_kind text check (key_kind in ('hospital_director', 'school_principal',
        'agri_station_head', 'tech_entrepreneur')),
    started_on text,
    ended_on text,
    created_at bigint not null,
    updated_at bigint not null
);
create index org_post_org on org_post (org_id, ended_on);
create index org_post_person on org_post (person_id);

create table pilot (
    pilot_id integer primary key,
    -- The issuing organisation: the pilot is in the scope of whoever sees it.
    org_id integer not null references org (org_id),
    name text not null,
    doc_number text,
    issued_on text,
    created_at bigint not null,
    updated_at bigint not null
);
create index pilot_org on pilot (org_id);

create table pilot_category (
    pilot_category_id integer primary key,
    pilot_id integer not null references pilot (pilot_id),
    name text not null,
    position integer not null
);
create unique index pilot_category_name on pilot_category (pilot_id, name);

create table pilot_unit (
    pilot_unit_id integer primary key,
    pilot_category_id integer not null references pilot_category (pilot_category_id),
    -- An organisation of the registry, or none when the unit is named in free text.
    org_id integer references org (org_id),
    name text not null,
    contact_name text,
    contact_phone_enc blob,
    contact_phone_mask text,
    status text not null check (status in ('not_started', 'in_progress', 'done')),
    status_on text,
    note text,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index pilot_unit_name on pilot_unit (pilot_category_id, name);

-- Every progress report of a unit, oldest first: the unit row holds the latest.
create table pilot_progress (
    pilot_progress_id integer primary key,
    pilot_unit_id integer not null references pilot_unit (pilot_unit_id),
    status text not null,
    noted_on text not null,
    note text,
    account text not null,
    at bigint not null
);
create index pilot_progress_unit on pilot_progress (pilot_unit_id);

create table pilot_group_member (
    pilot_group_member_id integer primary key,
    pilot_id integer not null references pilot (pilot_id),
    role text not null check (role in ('leader', 'deputy', 'member', 'office')),
    person_id integer references person (person_id),
    name text not null,
    title text,
    created_at bigint not null
);
create index pilot_group_member_pilot on pilot_group_member (pilot_id);
