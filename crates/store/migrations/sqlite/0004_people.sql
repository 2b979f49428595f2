-- People and membership: membership types per organisation, membership history, integrity
-- records (诚信档案, seeds/002 item 15), and the trail of merged duplicates.
-- Kept in step with ../postgres/0004_people.sql.

-- Membership types: rows without an organisation are the defaults every organisation offers.
create table membership_type (
    membership_type_id integer primary key,
    org_id integer references org (org_id),
    name text not null,
    created_at bigint not null
);
create unique index membership_type_name on membership_type (coalesce(org_id, 0), name);
insert into membership_type (org_id, name, created_at) values
    (null, '普通会员', 0), (null, '学生会员', 0), (null, '青年会员', 0),
    (null, '资深会员', 0), (null, '外籍会员', 0), (null, '荣誉会员', 0);

alter table membership add column left_on text;
create index membership_org_joined on membership (org_id, joined);

-- Every change of a membership: joining, status changes, type changes.
create table membership_event (
    membership_event_id integer primary key,
    membership_id integer not null references membership (membership_id),
    at bigint not null,
    account text not null,
    action text not null,
    from_value text,
    to_value text,
    note text
);
create index membership_event_membership on membership_event (membership_id);

create table integrity_record (
    integrity_record_id integer primary key,
    person_id integer not null references person (person_id),
    org_id integer not null references org (org_id),
    kind text not null check (kind in ('finding', 'sanction')),
    recorded_on text not null,
    description text not null,
    expires_on text,
    created_at bigint not null
);
create index integrity_record_person on integrity_record (person_id);

-- A duplicate merged into the surviving record: what it was (masked) and where it went.
create table person_merge (
    person_merge_id integer primary key,
    merged_person_id bigint not null,
    survivor_person_id integer not null references person (person_id),
    at bigint not null,
    account text not null,
    snapshot text not null
);

create index person_name_birth on person (name, birth_date);
