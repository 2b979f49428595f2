-- Security core: accounts, sessions, API tokens, sign-in throttling, the audit chain.
-- Kept in step with ../postgres/0002_security.sql.

-- One role per account, so no account can hold two of the three administrator roles (三员分立).
create table account (
    account_id integer primary key,
    username text not null unique,
    display_name text,
    password_hash text not null,
    must_change_password integer not null default 1,
    role text not null check (role in ('org_admin', 'org_staff', 'org_viewer', 'member',
        'system_admin', 'security_admin', 'audit_admin')),
    org_id integer references org (org_id),
    person_id integer references person (person_id),
    totp_secret_enc blob,
    totp_enabled integer not null default 0,
    totp_last_step bigint,
    failed_count integer not null default 0,
    locked_until bigint,
    disabled integer not null default 0,
    password_changed_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- Sessions live in the database so that several web nodes can share them. Only a hash of the
-- session id is stored: a copy of this table does not let anyone sign in.
create table session (
    session_hash text primary key,
    account_id integer not null references account (account_id),
    csrf_token text not null,
    totp_pending integer not null default 0,
    created_at bigint not null,
    last_seen_at bigint not null
);
create index session_account on session (account_id);

create table api_token (
    token_id integer primary key,
    account_id integer not null references account (account_id),
    token_hash text not null unique,
    label text not null,
    created_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint
);
create index api_token_account on api_token (account_id);

-- Failed sign-ins per client address, to slow down guessing from one place.
create table login_throttle (
    client text primary key,
    failures integer not null,
    window_start bigint not null
);

-- The audit trail: append-only and hash-chained. Each record's `hash` is a keyed SM3 MAC over
-- its content and the previous record's hash.
create table audit_log (
    audit_id integer primary key,
    at bigint not null,
    account text not null,
    client text not null,
    action text not null,
    object text not null,
    result text not null,
    detail text not null,
    prev_hash text not null,
    hash text not null
);
create index audit_log_at on audit_log (at);
create index audit_log_action on audit_log (action);

create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

-- Records may be purged only once older than the retention period (180 days, GB/T 22239-2019
-- 8.1.4.3 c: audit records kept at least six months).
create trigger audit_log_retention before delete on audit_log
when old.at > (cast(strftime('%s', 'now') as integer) * 1000 - 180 * 86400000)
begin
    select raise(abort, 'audit records younger than 180 days cannot be purged');
end;
