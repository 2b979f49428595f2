-- The organisation network: history of every change, and group membership (团体会员).
-- Kept in step with ../postgres/0003_org_network.sql.

create table org_history (
    org_history_id integer primary key,
    org_id integer not null references org (org_id),
    at bigint not null,
    account text not null,
    action text not null,
    changes text not null
);
create index org_history_org on org_history (org_id, at);

-- An organisation that is a group member of a 科协 or society, with dates.
create table group_membership (
    group_membership_id integer primary key,
    member_org_id integer not null references org (org_id),
    host_org_id integer not null references org (org_id),
    joined text,
    left_on text,
    notes text,
    created_at bigint not null
);
create index group_membership_host on group_membership (host_org_id);
create index group_membership_member on group_membership (member_org_id);

create index org_kind_division on org (division_code, kind);
