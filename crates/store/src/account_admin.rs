//! Administering accounts: passwords, disabling, unlocking, roles. Each change ends the
//! account's sessions where it must and is audited in the same transaction.

use kexie_domain::role::Role;
use sqlx::AnyConnection;

use crate::accounts::{account_from_row, hash_password, ACCOUNT_COLUMNS};
use crate::audit::Outcome;
use crate::sql::Sql;
use crate::{now_ms, Account, Actor, Store, StoreError, StoreResult};

impl Store {
    /// One audit record about an account.
    async fn audit_account(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        action: &str,
        username: &str,
        detail: &str,
    ) -> StoreResult<()> {
        self.audit_in(
            tx,
            actor,
            action,
            &format!("account:{username}"),
            Outcome::Ok,
            detail,
        )
        .await
    }

    /// Sets a new password (already checked against the policy) and ends every session and
    /// token of the account.
    pub async fn set_password(
        &self,
        account_id: i64,
        password: &str,
        actor: &Actor,
        must_change: bool,
    ) -> StoreResult<()> {
        let hash = hash_password(password)?;
        let now = now_ms();
        let account = self.account(account_id).await?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update account set password_hash = $1, must_change_password = $2, \
             password_changed_at = $3, updated_at = $3, failed_count = 0, locked_until = null \
             where account_id = $4",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from session where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "update api_token set revoked_at = $1 where account_id = $2 and revoked_at is null",
        )
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        self.audit_account(
            &mut tx,
            actor,
            "account.password",
            &account.username,
            if must_change { "reset" } else { "changed" },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Accounts a manager may see: everyone for the command line and the system administrator
    /// (`None`), or those of organisations under `path`.
    pub async fn list_accounts(&self, under_path: Option<&str>) -> StoreResult<Vec<Account>> {
        let mut sql = Sql::new("select ");
        sql.push(ACCOUNT_COLUMNS)
            .push(" from account a left join org o on o.org_id = a.org_id where 1 = 1");
        if let Some(path) = under_path {
            let (lo, hi) = crate::sql::subtree_range(path);
            sql.push(" and o.path >= ")
                .bind_text(lo)
                .push(" and o.path < ")
                .bind_text(hi);
        }
        sql.push(" order by a.username");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Disables or re-enables an account; disabling ends its sessions.
    pub async fn set_account_disabled(
        &self,
        account_id: i64,
        disabled: bool,
        actor: &Actor,
    ) -> StoreResult<()> {
        let account = self.account(account_id).await?;
        let mut tx = self.write.begin().await?;
        sqlx::query("update account set disabled = $1, updated_at = $2 where account_id = $3")
            .bind(i64::from(disabled))
            .bind(now_ms())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("delete from session where account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        self.audit_account(
            &mut tx,
            actor,
            if disabled {
                "account.disable"
            } else {
                "account.enable"
            },
            &account.username,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lock before it runs out.
    pub async fn unlock_account(&self, account_id: i64, actor: &Actor) -> StoreResult<()> {
        let account = self.account(account_id).await?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update account set failed_count = 0, locked_until = null where account_id = $1",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        self.audit_account(&mut tx, actor, "account.unlock", &account.username, "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes an account's role (the security administrator's job). Moving between an
    /// organisation role and an administrator role is refused: create a new account instead, so
    /// that no account ever carries rights of both kinds.
    pub async fn set_role(&self, account_id: i64, role: Role, actor: &Actor) -> StoreResult<()> {
        let account = self.account(account_id).await?;
        if account.role.is_org_role() != role.is_org_role()
            || account.role.is_administrator() != role.is_administrator()
        {
            return Err(StoreError::Invalid(
                "组织角色与管理员角色之间不能互换，请另建账号 / cannot switch between organisation and administrator roles".into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("update account set role = $1, updated_at = $2 where account_id = $3")
            .bind(role.code())
            .bind(now_ms())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from session where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        self.audit_account(
            &mut tx,
            actor,
            "account.role",
            &account.username,
            &format!("from={} to={}", account.role.code(), role.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
