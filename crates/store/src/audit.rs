//! The audit trail: one record for every sign-in, failure, lock, role change, create, update,
//! delete, import, export, unmasking and configuration change (GB/T 22239-2019 8.1.4.3).
//!
//! Records are append-only (the database refuses updates, and deletes of records younger than
//! the retention period) and chained: each carries a keyed SM3 MAC over its content and the
//! previous record's MAC, so an edit anywhere breaks the chain from that record on.
//! `verify_audit` walks the chain and names the first broken record.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::Sql;
use crate::{now_ms, Actor, Backend, Store, StoreError, StoreResult};

/// The hash before the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// A record as the audit page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub audit_id: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub account: String,
    pub client: String,
    pub action: String,
    pub object: String,
    pub result: String,
    pub detail: String,
}

/// What `kexie audit verify` reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditVerification {
    pub ok: bool,
    pub records: i64,
    /// The first record whose hash does not match its content and predecessor.
    pub first_broken: Option<i64>,
    pub reason: Option<String>,
}

/// Filters of the audit page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub account: Option<String>,
    pub action: Option<String>,
    /// Inclusive lower bound, milliseconds.
    pub from: Option<i64>,
    /// Exclusive upper bound, milliseconds.
    pub to: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

struct Content<'a> {
    at: i64,
    account: &'a str,
    client: &'a str,
    action: &'a str,
    object: &'a str,
    result: &'a str,
    detail: &'a str,
}

/// The hash of one record: a keyed SM3 MAC over its predecessor's hash and its content.
fn chain_hash(cipher: &crate::FieldCipher, prev: &str, c: &Content<'_>) -> String {
    let at = c.at.to_string();
    cipher.mac(&[
        b"kexie-audit-v1",
        prev.as_bytes(),
        at.as_bytes(),
        &[0x1f],
        c.account.as_bytes(),
        &[0x1f],
        c.client.as_bytes(),
        &[0x1f],
        c.action.as_bytes(),
        &[0x1f],
        c.object.as_bytes(),
        &[0x1f],
        c.result.as_bytes(),
        &[0x1f],
        c.detail.as_bytes(),
    ])
}

/// Whether the newest record of a trail (read from a database the store has not opened, such
/// as a backup snapshot) was written with `cipher`'s key: a wrong key breaks every link.
pub(crate) async fn newest_record_fits(
    conn: &mut AnyConnection,
    cipher: &crate::FieldCipher,
) -> StoreResult<bool> {
    let row = sqlx::query(
        "select at, account, client, action, object, result, detail, prev_hash, hash \
         from audit_log order by audit_id desc limit 1",
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(true) };
    let text = |name: &str| -> StoreResult<String> { Ok(row.try_get::<String, _>(name)?) };
    let (account, client, action, object, result, detail) = (
        text("account")?,
        text("client")?,
        text("action")?,
        text("object")?,
        text("result")?,
        text("detail")?,
    );
    let content = Content {
        at: row.try_get("at")?,
        account: &account,
        client: &client,
        action: &action,
        object: &object,
        result: &result,
        detail: &detail,
    };
    Ok(chain_hash(cipher, &text("prev_hash")?, &content) == text("hash")?)
}

impl Store {
    fn chain_hash(&self, prev: &str, c: &Content<'_>) -> String {
        chain_hash(self.cipher(), prev, c)
    }

    /// Appends a record inside the caller's transaction, so that the action and its record are
    /// committed together or not at all.
    pub(crate) async fn audit_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        action: &str,
        object: &str,
        outcome: Outcome,
        detail: &str,
    ) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            // Several nodes may append at once: serialise the chain.
            sqlx::query("select pg_advisory_xact_lock(727275)")
                .execute(&mut *conn)
                .await?;
        }
        let prev: Option<String> =
            sqlx::query("select hash from audit_log order by audit_id desc limit 1")
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get("hash"))
                .transpose()?;
        let prev = prev.unwrap_or_else(|| GENESIS.to_string());
        let content = Content {
            at: now_ms(),
            account: &actor.username,
            client: &actor.client,
            action,
            object,
            result: outcome.code(),
            detail,
        };
        let hash = self.chain_hash(&prev, &content);
        sqlx::query(
            "insert into audit_log (at, account, client, action, object, result, detail, \
             prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(content.at)
        .bind(content.account)
        .bind(content.client)
        .bind(action)
        .bind(object)
        .bind(outcome.code())
        .bind(detail)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Appends a record on its own. If it cannot be written, the caller must not go on with the
    /// action it describes.
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        object: &str,
        outcome: Outcome,
        detail: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        self.audit_in(&mut tx, actor, action, object, outcome, detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks the whole chain in order and names the first record that does not verify.
    pub async fn verify_audit(&self) -> StoreResult<AuditVerification> {
        let mut prev = GENESIS.to_string();
        let mut records = 0;
        let mut last_id = 0i64;
        loop {
            let rows = sqlx::query(
                "select audit_id, at, account, client, action, object, result, detail, prev_hash, \
                 hash from audit_log where audit_id > $1 order by audit_id limit 5000",
            )
            .bind(last_id)
            .fetch_all(&self.read)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let record = record_from_row(row)?;
                let stored_prev: String = row.try_get("prev_hash")?;
                let stored_hash: String = row.try_get("hash")?;
                // The first record left after a purge starts from its stored predecessor.
                if records == 0 && stored_prev != GENESIS {
                    prev = stored_prev.clone();
                }
                let broken = |reason: &str| AuditVerification {
                    ok: false,
                    records: records + 1,
                    first_broken: Some(record.audit_id),
                    reason: Some(reason.to_string()),
                };
                if stored_prev != prev {
                    return Ok(broken("链接断开：前一条记录的散列不符 / chain link broken"));
                }
                let content = Content {
                    at: record.at,
                    account: &record.account,
                    client: &record.client,
                    action: &record.action,
                    object: &record.object,
                    result: &record.result,
                    detail: &record.detail,
                };
                if self.chain_hash(&prev, &content) != stored_hash {
                    return Ok(broken("内容被改动：记录散列不符 / record content altered"));
                }
                prev = stored_hash;
                records += 1;
                last_id = record.audit_id;
            }
        }
        Ok(AuditVerification {
            ok: true,
            records,
            first_broken: None,
            reason: None,
        })
    }

    /// A page of the trail, newest first. Only the audit administrator's pages call this.
    pub async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<(Vec<AuditRecord>, i64)> {
        let build = |sql: &mut Sql| {
            if let Some(a) = filter.account.as_deref().filter(|a| !a.is_empty()) {
                sql.push(" and account = ").bind_text(a);
            }
            if let Some(a) = filter.action.as_deref().filter(|a| !a.is_empty()) {
                sql.push(" and action like ")
                    .bind_text(format!("{}%", crate::divisions::escape_like(a)))
                    .push(" escape '\\'");
            }
            if let Some(from) = filter.from {
                sql.push(" and at >= ").bind_int(from);
            }
            if let Some(to) = filter.to {
                sql.push(" and at < ").bind_int(to);
            }
        };
        let mut count = Sql::new("select count(*) as n from audit_log where 1 = 1");
        build(&mut count);
        let total: i64 = count.query().fetch_one(&self.read).await?.try_get("n")?;
        let mut sql = Sql::new(
            "select audit_id, at, account, client, action, object, result, detail from audit_log \
             where 1 = 1",
        );
        build(&mut sql);
        sql.push(" order by audit_id desc limit ")
            .bind_int(filter.limit.clamp(1, 100_000))
            .push(" offset ")
            .bind_int(filter.offset.max(0));
        let rows = sql.query().fetch_all(&self.read).await?;
        let list = rows
            .iter()
            .map(record_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((list, total))
    }

    /// Deletes records older than `before` (milliseconds). The database itself refuses records
    /// younger than the retention period.
    pub async fn purge_audit(&self, actor: &Actor, before: i64) -> StoreResult<u64> {
        let mut tx = self.write.begin().await?;
        let deleted = sqlx::query("delete from audit_log where at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.message().contains("180 days") => {
                    StoreError::Invalid(
                        "审计记录至少保存 180 天，不能清除更新的记录 / audit records younger than 180 days cannot be purged".into(),
                    )
                }
                _ => StoreError::Database(e),
            })?
            .rows_affected();
        self.audit_in(
            &mut tx,
            actor,
            "audit.purge",
            "audit_log",
            Outcome::Ok,
            &format!("deleted={deleted} before={before}"),
        )
        .await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

fn record_from_row(row: &AnyRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        audit_id: row.try_get("audit_id")?,
        at: row.try_get("at")?,
        account: row.try_get("account")?,
        client: row.try_get("client")?,
        action: row.try_get("action")?,
        object: row.try_get("object")?,
        result: row.try_get("result")?,
        detail: row.try_get("detail")?,
    })
}
