-- Activities (活动记录) of organisations, which feed `branch.inactive` (seeds/002 item 4), and
-- the society annual reports (学会年报, seeds/002 item 7) a society has published.
-- Kept in step with ../postgres/0009_activities.sql.

-- An activity held by an organisation: the day, a title, a kind (stable English codes), how
-- many took part and free notes.
create table activity (
    activity_id integer primary key,
    org_id integer not null references org (org_id),
    held_on text not null,
    title text not null,
    kind text not null check (kind in ('academic_exchange', 'popularisation', 'training',
        'consultation', 'meeting', 'other')),
    participants integer not null default 0,
    notes text,
    account text not null,
    created_at bigint not null
);
create index activity_org on activity (org_id, held_on);

-- A published annual report: the report as it was when published (JSON, office-holders' names
-- and figures only), shown without sign-in at /public/orgs/{id}/annual/{year}. Unpublishing
-- deletes the row.
create table annual_report (
    annual_report_id integer primary key,
    org_id integer not null references org (org_id),
    year integer not null,
    report text not null,
    account text not null,
    published_at bigint not null
);
create unique index annual_report_year on annual_report (org_id, year);
