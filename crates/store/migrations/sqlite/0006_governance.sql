-- Society governance (学会治理): governing bodies, their terms (届) and the posts people hold in
-- them; the governance rule sets as versioned data; the checks made against them.
-- Kept in step with ../postgres/0006_governance.sql.

-- A governing body of an organisation: congress, council, standing_council, supervisory_board,
-- secretariat, party_organisation, youth_committee or branch.
create table governing_body (
    governing_body_id integer primary key,
    org_id integer not null references org (org_id),
    kind text not null check (kind in ('congress', 'council', 'standing_council',
        'supervisory_board', 'secretariat', 'party_organisation', 'youth_committee', 'branch')),
    name text not null,
    created_at bigint not null
);
create unique index governing_body_name on governing_body (org_id, kind, name);

-- A term (届) of a body: its number, start, planned end and, once renewed, its actual end.
create table term (
    term_id integer primary key,
    governing_body_id integer not null references governing_body (governing_body_id),
    number integer not null,
    start_on text not null,
    planned_end text not null,
    actual_end text,
    created_at bigint not null
);
create unique index term_number on term (governing_body_id, number);

-- A person's post in a term, with how it was filled (elected, council_on_president_nomination,
-- other) and whether it is held full time.
create table post (
    post_id integer primary key,
    term_id integer not null references term (term_id),
    person_id integer not null references person (person_id),
    position text not null,
    appointment text not null default 'elected',
    full_time integer not null default 0,
    ended_on text,
    created_at bigint not null
);
create index post_term on post (term_id);
create index post_person on post (person_id);

-- The governance thresholds as data (kexie_domain::governance::RuleSet as JSON). Rows are never
-- changed: an edit is a new version. org_id is the provincial or national 科协 whose subtree the
-- version applies to (null: everywhere).
create table rule_set (
    rule_set_id integer primary key,
    org_id integer references org (org_id),
    version text not null,
    valid_from text not null,
    rules text not null,
    account text not null,
    created_at bigint not null
);
create unique index rule_set_version on rule_set (coalesce(org_id, 0), version);

-- A check made (a slate pre-review): the report as it was, naming the rule-set version used.
create table governance_check (
    governance_check_id integer primary key,
    org_id integer not null references org (org_id),
    kind text not null,
    rule_set_version text not null,
    as_of text not null,
    ok integer not null,
    report text not null,
    account text not null,
    created_at bigint not null
);
create index governance_check_org on governance_check (org_id, created_at);
