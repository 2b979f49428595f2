//! Active sanctions (诚信档案, seeds/002 item 15): flagged wherever a person is nominated or
//! appointed, so that whoever fills a post sees them before deciding.

use std::collections::HashSet;

use sqlx::Row;

use crate::sql::Sql;
use crate::{Scope, Store, StoreError, StoreResult};

impl Store {
    /// Which of `person_ids` have a sanction in force on `as_of` (YYYY-MM-DD): recorded on or
    /// before that day and not expired. Only the flag is told, never the record; staff scopes
    /// only (a member's own account sees no one else's).
    pub async fn persons_with_active_sanctions(
        &self,
        scope: &Scope,
        person_ids: &[i64],
        as_of: &str,
    ) -> StoreResult<HashSet<i64>> {
        if scope.person_id().is_some() {
            return Err(StoreError::Forbidden);
        }
        let mut found = HashSet::new();
        for chunk in person_ids.chunks(500) {
            let mut sql = Sql::new(
                "select distinct person_id from integrity_record where kind = 'sanction' \
                 and recorded_on <= ",
            );
            sql.bind_text(as_of)
                .push(" and (expires_on is null or expires_on >= ")
                .bind_text(as_of)
                .push(") and person_id in (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_int(*id);
            }
            sql.push(")");
            for row in sql.query().fetch_all(&self.read).await? {
                found.insert(row.try_get("person_id")?);
            }
        }
        Ok(found)
    }
}
