//! An account's e-mail address: where its reminders go when the server sends mail. The address
//! is checked by `kexie_domain::email` before it arrives here; the audit trail records that it
//! changed, not what it is.

use kexie_domain::email::Email;
use sqlx::Row;

use crate::audit::Outcome;
use crate::{now_ms, Actor, Store, StoreError, StoreResult};

impl Store {
    /// The account's e-mail address, if it has one.
    pub async fn account_email(&self, account_id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query("select email from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("email")?)
    }

    /// Sets (or with `None` clears) the account's e-mail address.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set_account_email(
        &self,
        account_id: i64,
        email: Option<&Email>,
        actor: &Actor,
    ) -> StoreResult<()> {
        let account = self.account(account_id).await?;
        let mut tx = self.write.begin().await?;
        sqlx::query("update account set email = $1, updated_at = $2 where account_id = $3")
            .bind(email.map(|e| e.as_str().to_string()))
            .bind(now_ms())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            actor,
            "account.email",
            &format!("account:{}", account.username),
            Outcome::Ok,
            if email.is_some() { "set" } else { "cleared" },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
