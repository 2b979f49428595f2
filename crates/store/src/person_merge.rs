//! Merging a duplicate into the record that stays. The trail (`person_merge`) names both by id
//! and keeps a masked snapshot of the merged record; ids are never reused (migration 0012), so the
//! trail stays true after either record is deleted.

use serde_json::json;

use crate::audit::Outcome;
use crate::people_changes::PERSON_REFERENCES;
use crate::search_feed::Changed;
use crate::{now_ms, PersonRow, Scope, Store, StoreError, StoreResult};

impl Store {
    /// Merges `duplicate` into `survivor`: memberships (unless the survivor already belongs to
    /// that organisation) and every other row naming the duplicate (`PERSON_REFERENCES`:
    /// integrity records, account, corrections, posts, pilot groups) move over, a masked snapshot of the duplicate is
    /// kept in `person_merge`, and the duplicate is deleted.
    pub async fn merge_persons(
        &self,
        scope: &Scope,
        survivor: i64,
        duplicate: i64,
    ) -> StoreResult<PersonRow> {
        self.person(scope, survivor).await?;
        let gone = self.person(scope, duplicate).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        if survivor == duplicate {
            return Err(StoreError::Invalid(
                "不能与自己合并 / cannot merge a record with itself".into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "update membership set person_id = $1 where person_id = $2 and org_id not in \
             (select org_id from membership where person_id = $1)",
        )
        .bind(survivor)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
        for (table, _) in PERSON_REFERENCES {
            sqlx::query(&format!(
                "update {table} set person_id = $1 where person_id = $2"
            ))
            .bind(survivor)
            .bind(duplicate)
            .execute(&mut *tx)
            .await?;
        }
        for sql in [
            "delete from membership_event where membership_id in (select membership_id from membership where person_id = $1)",
            "delete from membership where person_id = $1",
            "delete from person where person_id = $1",
        ] {
            sqlx::query(sql).bind(duplicate).execute(&mut *tx).await?;
        }
        self.log_search_change(&mut tx, Changed::Person, duplicate, duplicate)
            .await?;
        let snapshot = json!({"name": gone.name, "org_id": gone.org_id, "id_number": gone.id_number,
            "mobile": gone.mobile, "birth_date": gone.birth_date, "employer": gone.employer});
        sqlx::query(
            "insert into person_merge (merged_person_id, survivor_person_id, at, account, snapshot) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(duplicate)
        .bind(survivor)
        .bind(now_ms())
        .bind(scope.actor().username.clone())
        .bind(snapshot.to_string())
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "person.merge",
            &format!("person:{survivor}"),
            Outcome::Ok,
            &format!("merged=person:{duplicate}"),
        )
        .await?;
        tx.commit().await?;
        self.person(scope, survivor).await
    }
}
