-- Following up work plans (issue 7): reminder e-mail, attachments on progress reports, editing
-- and cancelling tasks with their history.
-- Kept in step with ../postgres/0010_plan_followup.sql.

-- Where an account's reminders go by e-mail (none: in-app only).
alter table account add column email text;

-- One row per reminder and account that a mail was sent (or is being sent) for: a node claims
-- the row before sending, so a restart or a second node does not send it again; `sent_at` stays
-- null until the server took the mail, and a failed send deletes the claim to retry next round.
create table notification_mail (
    notification_id integer not null references notification (notification_id),
    account_id integer not null references account (account_id),
    claimed_at bigint not null,
    sent_at bigint,
    primary key (notification_id, account_id)
);

-- Files carried by a progress report, kept in the database so that every node serves them and
-- backups hold them.
create table report_attachment (
    report_attachment_id integer primary key,
    progress_report_id integer not null references progress_report (progress_report_id),
    position integer not null,
    file_name text not null,
    media_type text not null,
    size bigint not null,
    content blob not null,
    created_at bigint not null
);
create index report_attachment_report on report_attachment (progress_report_id, position);

-- Why a task was cancelled.
alter table task add column cancel_reason text;

-- Every change of a task by its issuer: `changes` is a JSON object of field → [old, new].
create table task_change (
    task_change_id integer primary key,
    task_id integer not null references task (task_id),
    changed_at bigint not null,
    account text not null,
    changes text not null
);
create index task_change_task on task_change (task_id, task_change_id);
