//! Sessions, API tokens and the second factor: random 256-bit secrets of which only an SM3 hash
//! is stored, so a copy of these tables signs nobody in.

use sqlx::Row;

use crate::accounts::{random_hex, secret_hash};
use crate::audit::Outcome;
use crate::sql::Sql;
use crate::{now_ms, Account, Actor, LoginPolicy, SessionInfo, Store, StoreError, StoreResult};

impl Store {
    /// Opens a session: returns the session id (for the cookie) and its CSRF token.
    pub async fn create_session(
        &self,
        account_id: i64,
        totp_pending: bool,
    ) -> StoreResult<(String, String)> {
        let id = random_hex(32);
        let csrf = random_hex(32);
        let now = now_ms();
        sqlx::query(
            "insert into session (session_hash, account_id, csrf_token, totp_pending, created_at, \
             last_seen_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(secret_hash(&id))
        .bind(account_id)
        .bind(&csrf)
        .bind(i64::from(totp_pending))
        .bind(now)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok((id, csrf))
    }

    /// The live session with this id, or none when unknown, idle too long or too old (an
    /// expired session is deleted).
    pub async fn session(
        &self,
        id: &str,
        policy: &LoginPolicy,
    ) -> StoreResult<Option<SessionInfo>> {
        let hash = secret_hash(id);
        let Some(row) = sqlx::query(
            "select account_id, csrf_token, totp_pending, created_at, last_seen_at from session \
             where session_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let now = now_ms();
        let created_at: i64 = row.try_get("created_at")?;
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if now - last_seen > policy.session_idle_minutes * 60_000
            || now - created_at > policy.session_absolute_hours * 3_600_000
        {
            sqlx::query("delete from session where session_hash = $1")
                .bind(&hash)
                .execute(&self.write)
                .await?;
            return Ok(None);
        }
        let account = self.account(row.try_get("account_id")?).await?;
        if account.disabled {
            return Ok(None);
        }
        // Touch at most once a minute: reads stay reads.
        if now - last_seen > 60_000 {
            sqlx::query("update session set last_seen_at = $1 where session_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(SessionInfo {
            account,
            csrf_token: row.try_get("csrf_token")?,
            totp_pending: row.try_get::<i64, _>("totp_pending")? != 0,
            created_at,
        }))
    }

    /// Ends one session (sign-out).
    pub async fn end_session(&self, id: &str, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("delete from session where session_hash = $1")
            .bind(secret_hash(id))
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            actor,
            "logout",
            &format!("account:{}", actor.username),
            Outcome::Ok,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the second factor as passed for a session.
    pub async fn complete_session_totp(&self, id: &str) -> StoreResult<()> {
        sqlx::query("update session set totp_pending = 0 where session_hash = $1")
            .bind(secret_hash(id))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Issues a bearer token for API use; only its hash is kept.
    pub async fn create_token(
        &self,
        account_id: i64,
        label: &str,
        days: i64,
        actor: &Actor,
    ) -> StoreResult<(i64, String)> {
        let token = format!("kx_{}", random_hex(32));
        let now = now_ms();
        let account = self.account(account_id).await?;
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "insert into api_token (account_id, token_hash, label, created_at, expires_at) values \
             ($1, $2, $3, $4, $5) returning token_id",
        )
        .bind(account_id)
        .bind(secret_hash(&token))
        .bind(label)
        .bind(now)
        .bind(now + days.clamp(1, 3650) * 86_400_000)
        .fetch_one(&mut *tx)
        .await?;
        let token_id: i64 = row.try_get("token_id")?;
        self.audit_in(
            &mut tx,
            actor,
            "token.create",
            &format!("account:{}", account.username),
            Outcome::Ok,
            &format!("token_id={token_id} label={label} days={days}"),
        )
        .await?;
        tx.commit().await?;
        Ok((token_id, token))
    }

    /// The account a live bearer token belongs to.
    pub async fn token_account(&self, token: &str) -> StoreResult<Option<Account>> {
        Ok(self.token_caller(token).await?.map(|(account, _)| account))
    }

    /// The account a live bearer token belongs to, and the data's generation when asked: it
    /// runs on every API request, so the answer is remembered until something is written
    /// (revoking a token, disabling an account, changing a role are all writes) or the token
    /// expires. Give the generation to the request's scope (`Scope::at_generation`).
    pub async fn token_caller(&self, token: &str) -> StoreResult<Option<(Account, i64)>> {
        let generation = self.generation().await?;
        let hash = secret_hash(token);
        let now = now_ms();
        let remembered = self.remembered.tokens.get(&hash, generation);
        if let Some((_, account)) = remembered.filter(|(expires, _)| *expires > now) {
            return Ok(Some((account, generation)));
        }
        let mut sql = Sql::new("select t.expires_at as token_expires_at, ");
        sql.push(crate::accounts::ACCOUNT_COLUMNS)
            .push(
                " from api_token t join account a on a.account_id = t.account_id \
                 left join org o on o.org_id = a.org_id where t.token_hash = ",
            )
            .bind_text(hash.clone())
            .push(" and t.revoked_at is null and t.expires_at > ")
            .bind_int(now);
        let Some(row) = sql.query().fetch_optional(&self.read).await? else {
            return Ok(None);
        };
        let account = crate::accounts::account_from_row(&row)?;
        if account.disabled {
            return Ok(None);
        }
        let expires: i64 = row.try_get("token_expires_at")?;
        self.remembered
            .tokens
            .put(hash, generation, (expires, account.clone()));
        Ok(Some((account, generation)))
    }

    /// Revokes a token by its id, or the token itself when given in full.
    pub async fn revoke_token(&self, token_or_id: &str, actor: &Actor) -> StoreResult<()> {
        let mut sql = Sql::new("update api_token set revoked_at = ");
        sql.bind_int(now_ms())
            .push(" where revoked_at is null and ");
        match token_or_id.parse::<i64>() {
            Ok(id) => sql.push("token_id = ").bind_int(id),
            Err(_) => sql
                .push("token_hash = ")
                .bind_text(secret_hash(token_or_id)),
        };
        let mut tx = self.write.begin().await?;
        let done = sql.query().execute(&mut *tx).await?.rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit_in(&mut tx, actor, "token.revoke", "api_token", Outcome::Ok, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a (new) TOTP secret, encrypted, not yet enabled.
    pub async fn set_totp_secret(&self, account_id: i64, secret: &[u8]) -> StoreResult<()> {
        let sealed = self.cipher().encrypt("account.totp", &hex::encode(secret));
        sqlx::query(
            "update account set totp_secret_enc = $1, totp_enabled = 0 where account_id = $2",
        )
        .bind(sealed)
        .bind(account_id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn totp_secret(&self, account_id: i64) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("select totp_secret_enc from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let sealed: Option<Vec<u8>> = row.try_get("totp_secret_enc")?;
        sealed
            .map(|s| {
                self.cipher()
                    .decrypt("account.totp", &s)
                    .ok()
                    .and_then(|h| hex::decode(h).ok())
                    .ok_or_else(|| StoreError::Other("TOTP secret unreadable".into()))
            })
            .transpose()
    }

    /// Records a used TOTP time step (a code is accepted once) and, when `enable`, turns the
    /// second factor on. Returns false when the step was already used.
    pub async fn use_totp_step(
        &self,
        account_id: i64,
        step: i64,
        enable: bool,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update account set totp_last_step = $1, totp_enabled = case when $2 = 1 then 1 else totp_enabled end \
             where account_id = $3 and (totp_last_step is null or totp_last_step < $1)",
        )
        .bind(step)
        .bind(i64::from(enable))
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done > 0 && enable {
            self.audit_in(
                &mut tx,
                actor,
                "account.totp_enabled",
                &format!("account:{}", actor.username),
                Outcome::Ok,
                "",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done > 0)
    }
}
