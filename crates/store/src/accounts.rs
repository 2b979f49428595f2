//! Accounts, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with argon2id. Sessions and tokens are random 256-bit values of which
//! only an SM3 hash is stored. Consecutive failures lock an account; failures per client address
//! are counted so the web tier can slow a guesser down. Everything that matters is audited.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use kexie_domain::role::Role;
use serde::Serialize;
use sm3::Digest;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::Outcome;
use crate::sql::{Sql, Value};
use crate::{now_ms, Actor, Scope, Store, StoreError, StoreResult};

/// Sign-in and session rules (configurable; defaults from the security issue).
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub lock_threshold: i64,
    pub lock_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
}

impl Default for LoginPolicy {
    fn default() -> LoginPolicy {
        LoginPolicy {
            lock_threshold: 5,
            lock_minutes: 15,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub account_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    #[serde(skip)]
    pub org_path: Option<String>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub locked_until: Option<i64>,
    pub disabled: bool,
}

impl Account {
    /// The scope this account acts in, acting as itself from `client`.
    pub fn scope(&self, client: &str) -> Scope {
        let base = match (self.role, &self.org_path, self.person_id) {
            (role, Some(path), _) if role.is_org_role() => {
                Scope::subtree(path.clone(), role.can_write(), role.can_unmask())
            }
            (Role::Member, _, Some(person)) => Scope::own_person(person),
            _ => Scope::nothing(),
        };
        base.acting_as(self.actor(client))
    }

    pub fn actor(&self, client: &str) -> Actor {
        Actor {
            account_id: Some(self.account_id),
            username: self.username.clone(),
            client: client.to_string(),
        }
    }
}

/// An account to create. The password has passed the policy (`domain::password`).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub org_id: Option<i64>,
    pub person_id: Option<i64>,
    pub password: String,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    Success(Box<Account>),
    BadCredentials,
    /// Locked until this time (milliseconds), even for the right password.
    Locked {
        until: i64,
    },
    Disabled,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub account: Account,
    pub csrf_token: String,
    pub totp_pending: bool,
    pub created_at: i64,
}

pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.account_id, a.username, a.display_name, a.role, a.org_id, \
    o.name as org_name, o.path as org_path, a.person_id, a.must_change_password, a.totp_enabled, \
    a.locked_until, a.disabled";

pub(crate) fn account_from_row(row: &AnyRow) -> StoreResult<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        account_id: row.try_get("account_id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Other(format!("unknown role in database: {role}")))?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        org_path: row.try_get("org_path")?,
        person_id: row.try_get("person_id")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        totp_enabled: row.try_get::<i64, _>("totp_enabled")? != 0,
        locked_until: row.try_get("locked_until")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// A fresh random secret as hex (sessions, tokens, CSRF).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("the operating system's random source");
    hex::encode(buf)
}

/// The stored form of a session id or token.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(sm3::Sm3::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> StoreResult<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Other(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("password hashing: {e}")))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Usernames: letters, digits and `_ . -`, 3 to 32 characters.
fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl Store {
    /// Creates an account. Organisation roles need an organisation in the creator's scope; a
    /// member account needs a person; administrator accounts belong to no organisation.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_account(&self, scope: &Scope, new: &NewAccount) -> StoreResult<Account> {
        if !valid_username(&new.username) {
            return Err(StoreError::Invalid(
                "用户名须为 3 到 32 个字母、数字或 _ . - / username: 3 to 32 letters, digits, _ . -".into(),
            ));
        }
        match (new.role.is_org_role(), new.org_id, new.role, new.person_id) {
            (true, Some(org), _, _) => {
                self.org(scope, org).await?;
            }
            (true, None, _, _) => {
                return Err(StoreError::Invalid(
                    "组织角色必须指定所属组织 / an organisation role needs an organisation".into(),
                ))
            }
            (false, _, Role::Member, Some(person)) => {
                self.person(scope, person).await?;
            }
            (false, _, Role::Member, None) => {
                return Err(StoreError::Invalid(
                    "会员账号必须关联人员 / a member account needs a person".into(),
                ))
            }
            (false, Some(_), _, _) => {
                return Err(StoreError::Invalid(
                    "管理员账号不属于任何组织 / administrator accounts belong to no organisation"
                        .into(),
                ))
            }
            _ if !scope.is_everything() => return Err(StoreError::Forbidden),
            _ => {}
        }
        let hash = hash_password(&new.password)?;
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "insert into account (username, display_name, password_hash, must_change_password, \
             role, org_id, person_id, password_changed_at, created_at, updated_at) values \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning account_id",
        )
        .bind(new.username.clone())
        .bind(new.display_name.clone())
        .bind(hash)
        .bind(i64::from(new.must_change_password))
        .bind(new.role.code())
        .bind(new.org_id)
        .bind(new.person_id)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                format!("用户名 {} 已存在 / username taken", new.username),
            )
        })?;
        let account_id: i64 = row.try_get("account_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "account.create",
            &format!("account:{}", new.username),
            Outcome::Ok,
            &format!("role={} org={:?}", new.role.code(), new.org_id),
        )
        .await?;
        tx.commit().await?;
        self.account(account_id).await
    }

    pub async fn account(&self, account_id: i64) -> StoreResult<Account> {
        self.account_where("a.account_id", Value::Int(account_id))
            .await
    }

    pub async fn account_by_username(&self, username: &str) -> StoreResult<Account> {
        self.account_where("a.username", Value::Text(username.to_string()))
            .await
    }

    /// The one account whose `column` equals `value`.
    async fn account_where(&self, column: &str, value: Value) -> StoreResult<Account> {
        let mut sql = Sql::new("select ");
        sql.push(ACCOUNT_COLUMNS)
            .push(" from account a left join org o on o.org_id = a.org_id where ")
            .push(column)
            .push(" = ")
            .bind(value);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        account_from_row(&row)
    }

    /// Checks a username and password from `client`, counting failures and locking the account
    /// after `policy.lock_threshold` consecutive ones. Every outcome is audited.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
        policy: &LoginPolicy,
    ) -> StoreResult<LoginOutcome> {
        let now = now_ms();
        let actor = Actor {
            account_id: None,
            username: username.chars().take(64).collect(),
            client: client.to_string(),
        };
        let row = sqlx::query(
            "select account_id, password_hash, failed_count, locked_until, disabled from account \
             where username = $1",
        )
        .bind(username)
        .fetch_optional(&self.write)
        .await?;
        let Some(row) = row else {
            // Spend the same time as for a real account, so timing does not reveal usernames.
            let _ = verify_password(DUMMY_HASH, password);
            self.record_client_failure(client).await?;
            self.audit(
                &actor,
                "login.failure",
                "account:?",
                Outcome::Denied,
                "unknown username",
            )
            .await?;
            return Ok(LoginOutcome::BadCredentials);
        };
        let account_id: i64 = row.try_get("account_id")?;
        let hash: String = row.try_get("password_hash")?;
        let failed: i64 = row.try_get("failed_count")?;
        let locked_until: Option<i64> = row.try_get("locked_until")?;
        let object = format!("account:{username}");
        if row.try_get::<i64, _>("disabled")? != 0 {
            self.audit(
                &actor,
                "login.failure",
                &object,
                Outcome::Denied,
                "disabled",
            )
            .await?;
            return Ok(LoginOutcome::Disabled);
        }
        if let Some(until) = locked_until.filter(|u| *u > now) {
            let _ = verify_password(&hash, password);
            self.audit(&actor, "login.refused", &object, Outcome::Denied, "locked")
                .await?;
            return Ok(LoginOutcome::Locked { until });
        }
        if !verify_password(&hash, password) {
            self.record_client_failure(client).await?;
            let failed = failed + 1;
            let lock = failed >= policy.lock_threshold;
            let until = now + policy.lock_minutes * 60_000;
            let mut tx = self.write.begin().await?;
            sqlx::query(
                "update account set failed_count = $1, locked_until = $2 where account_id = $3",
            )
            .bind(if lock { 0 } else { failed })
            .bind(if lock { Some(until) } else { None })
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            self.audit_in(
                &mut tx,
                &actor,
                "login.failure",
                &object,
                Outcome::Denied,
                &format!("consecutive={failed}"),
            )
            .await?;
            if lock {
                self.audit_in(
                    &mut tx,
                    &actor,
                    "account.locked",
                    &object,
                    Outcome::Ok,
                    &format!("minutes={}", policy.lock_minutes),
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(if lock {
                LoginOutcome::Locked { until }
            } else {
                LoginOutcome::BadCredentials
            });
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update account set failed_count = 0, locked_until = null where account_id = $1",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from login_throttle where client = $1")
            .bind(client)
            .execute(&mut *tx)
            .await?;
        let actor = Actor {
            account_id: Some(account_id),
            ..actor
        };
        self.audit_in(&mut tx, &actor, "login.success", &object, Outcome::Ok, "")
            .await?;
        tx.commit().await?;
        Ok(LoginOutcome::Success(Box::new(
            self.account(account_id).await?,
        )))
    }

    /// Counts a failed sign-in from `client` within a 15-minute window.
    async fn record_client_failure(&self, client: &str) -> StoreResult<()> {
        let now = now_ms();
        let window = now - 15 * 60_000;
        sqlx::query(
            "insert into login_throttle (client, failures, window_start) values ($1, 1, $2) \
             on conflict (client) do update set \
             failures = case when login_throttle.window_start < $3 then 1 else login_throttle.failures + 1 end, \
             window_start = case when login_throttle.window_start < $3 then $2 else login_throttle.window_start end",
        )
        .bind(client)
        .bind(now)
        .bind(window)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Recent failed sign-ins from `client` (the web tier delays its next attempt accordingly).
    pub async fn client_failures(&self, client: &str) -> StoreResult<i64> {
        let window = now_ms() - 15 * 60_000;
        let row = sqlx::query(
            "select failures from login_throttle where client = $1 and window_start >= $2",
        )
        .bind(client)
        .bind(window)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| r.try_get("failures")).transpose()?.unwrap_or(0))
    }

    /// Checks a password of an account (for changing it).
    pub async fn check_password(&self, account_id: i64, password: &str) -> StoreResult<bool> {
        let row = sqlx::query("select password_hash from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash: String = row.try_get("password_hash")?;
        Ok(verify_password(&hash, password))
    }
}

/// An argon2id hash of a random password, verified against when the username is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3J8vG0b0oNn3G1Vv0Yg1q5Yp8c3Kq9e0mJcXr2bTtW8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("Kexie-Correct-Horse-42").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "Kexie-Correct-Horse-42"));
        assert!(!verify_password(&hash, "Kexie-Correct-Horse-43"));
        assert!(!verify_password("not a hash", "x"));
        // The dummy hash parses, so an unknown username costs a real verification.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn usernames_are_checked() {
        assert!(valid_username("county.staff_1"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("张三"));
        assert!(!valid_username("a b c"));
    }
}
