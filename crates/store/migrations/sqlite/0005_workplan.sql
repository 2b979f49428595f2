-- Work-plan supervision (督查督办): plans, their sections and numbered tasks, who answers for
-- each task, progress reports, and in-app reminders.
-- Kept in step with ../postgres/0005_workplan.sql.

-- A plan belongs to its issuing organisation. `implements_plan_id` names the higher plan that a
-- lower organisation's plan carries out (cascading: city → district → street).
create table plan (
    plan_id integer primary key,
    org_id integer not null references org (org_id),
    title text not null,
    doc_number text,
    issued_on text,
    year integer not null,
    implements_plan_id integer references plan (plan_id),
    created_at bigint not null,
    updated_at bigint not null
);
create index plan_org on plan (org_id);
create index plan_implements on plan (implements_plan_id);

-- Sections ("一、", "(一)", "1.") form a tree; `level` is 0, 1 or 2 as the heading is numbered.
create table plan_section (
    plan_section_id integer primary key,
    plan_id integer not null references plan (plan_id),
    parent_id integer references plan_section (plan_section_id),
    level integer not null,
    position integer not null,
    title text not null
);
create index plan_section_plan on plan_section (plan_id, position);

-- A numbered task. `measures` and `co_departments` are JSON arrays of text; `deadline` is the
-- domain's Deadline JSON and `first_due` its earliest due date or milestone ('YYYY-MM-DD'), so
-- "has a date passed" is one indexed comparison. `implements_task_id` links a lower plan's task
-- to the higher task it carries out.
create table task (
    task_id integer primary key,
    plan_id integer not null references plan (plan_id),
    plan_section_id integer references plan_section (plan_section_id),
    position integer not null,
    number text not null,
    text text not null,
    measures text not null,
    deadline text not null,
    deadline_inherited integer not null default 0,
    first_due text,
    leader text,
    department text,
    co_departments text not null,
    status text not null default 'not_started' check (status in ('not_started', 'in_progress',
        'at_risk', 'overdue', 'done', 'cancelled')),
    percent integer not null default 0 check (percent between 0 and 100),
    last_report_on text,
    implements_task_id integer references task (task_id),
    created_at bigint not null,
    updated_at bigint not null
);
create index task_plan on task (plan_id, position);
create index task_implements on task (implements_task_id);
create index task_status_due on task (status, first_due);

-- Responsible units (责任单位) as written; `org_id` when the name is an organisation in the
-- issuer's subtree. Those organisations see the task and report on it.
create table task_unit (
    task_unit_id integer primary key,
    task_id integer not null references task (task_id),
    position integer not null,
    name text not null,
    org_id integer references org (org_id)
);
create index task_unit_task on task_unit (task_id);
create index task_unit_org on task_unit (org_id);

-- Progress reports, on behalf of `org_id` (the issuer or a responsible unit).
create table progress_report (
    progress_report_id integer primary key,
    task_id integer not null references task (task_id),
    org_id integer not null references org (org_id),
    reported_on text not null,
    author text not null,
    text text not null,
    percent integer not null check (percent between 0 and 100),
    status text,
    account text not null,
    created_at bigint not null
);
create index progress_report_task on progress_report (task_id, reported_on);

-- In-app reminders for an organisation's accounts, at most one per task, kind and date.
create table notification (
    notification_id integer primary key,
    org_id integer not null references org (org_id),
    task_id integer not null references task (task_id),
    kind text not null,
    due_on text not null,
    message text not null,
    created_at bigint not null
);
create unique index notification_once on notification (org_id, task_id, kind, due_on);
create index notification_org on notification (org_id, created_at);

create table notification_read (
    notification_id integer not null references notification (notification_id),
    account_id integer not null references account (account_id),
    read_at bigint not null,
    primary key (notification_id, account_id)
);
