//! Changing organisations: edit, move (with the whole subtree), dissolve, and the history that
//! records each change with its old and new values.

use kexie_domain::mask;
use kexie_domain::org::{OrgKind, OrgStatus};
use kexie_domain::pinyin;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::{AnyConnection, Row};

use crate::audit::Outcome;
use crate::clean;
use crate::search_feed::Changed;
use crate::sql::{subtree_range, Sql, Value as Bind};
use crate::{now_ms, Org, Scope, Store, StoreError, StoreResult};

/// Changes to an organisation. `None` leaves a field alone; for optional text fields an empty
/// string clears it. Values are already parsed by the caller (`OrgKind`, `DivisionCode`,
/// `CreditCode`, dates).
#[derive(Debug, Clone, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub kind: Option<OrgKind>,
    pub division_code: Option<String>,
    pub parent_id: Option<i64>,
    pub credit_code: Option<String>,
    pub established: Option<String>,
    pub status: Option<OrgStatus>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

/// One entry of an organisation's history.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgHistoryEntry {
    pub at: i64,
    pub account: String,
    pub action: String,
    /// `{"field": [old, new]}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub changes: Value,
}

/// A group membership (团体会员).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMembership {
    pub group_membership_id: i64,
    pub member_org_id: i64,
    pub member_name: String,
    pub host_org_id: i64,
    pub host_name: String,
    pub joined: Option<String>,
    pub left_on: Option<String>,
}

impl Store {
    pub(crate) async fn record_history(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        org_id: i64,
        action: &str,
        changes: &Value,
    ) -> StoreResult<()> {
        sqlx::query(
            "insert into org_history (org_id, at, account, action, changes) values ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(now_ms())
        .bind(scope.actor().username.clone())
        .bind(action)
        .bind(changes.to_string())
        .execute(&mut *conn)
        .await?;
        self.audit_in(
            conn,
            scope.actor(),
            &format!("org.{action}"),
            &format!("org:{org_id}"),
            Outcome::Ok,
            &changes
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>().join(","))
                .unwrap_or_default(),
        )
        .await
    }

    /// Applies a patch to an organisation in scope; a new parent moves the whole subtree.
    #[tracing::instrument(skip_all, err)]
    pub async fn update_org(
        &self,
        scope: &Scope,
        org_id: i64,
        patch: &OrgPatch,
    ) -> StoreResult<Org> {
        let old = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        if let Some(parent) = patch.parent_id.filter(|p| Some(*p) != old.parent_id) {
            self.move_org(scope, org_id, parent).await?;
        }
        let mut changes = Map::new();
        let mut sets: Vec<(&str, Bind)> = Vec::new();
        let mut text = |field: &'static str,
                        old: &Option<String>,
                        new: &Option<String>,
                        sets: &mut Vec<(&str, Bind)>| {
            if let Some(new) = new {
                let new = clean(new);
                if &new != old {
                    changes.insert(field.into(), json!([old, new]));
                    sets.push((field, Bind::OptText(new)));
                }
            }
        };
        if let Some(name) = &patch.name {
            let name = name.trim();
            if name.is_empty() {
                return Err(StoreError::Invalid(
                    "名称不能为空 / the name is required".into(),
                ));
            }
            if name != old.name {
                text(
                    "name",
                    &Some(old.name.clone()),
                    &Some(name.to_string()),
                    &mut sets,
                );
                sets.push(("name_pinyin", Bind::Text(pinyin::sort_key(name))));
                sets.push(("initials", Bind::Text(pinyin::initials_variants(name))));
            }
        }
        text("short_name", &old.short_name, &patch.short_name, &mut sets);
        text(
            "division_code",
            &old.division_code,
            &patch.division_code,
            &mut sets,
        );
        text(
            "credit_code",
            &old.credit_code,
            &patch.credit_code,
            &mut sets,
        );
        text(
            "established",
            &old.established,
            &patch.established,
            &mut sets,
        );
        text("address", &old.address, &patch.address, &mut sets);
        text(
            "contact_name",
            &old.contact_name,
            &patch.contact_name,
            &mut sets,
        );
        text("notes", &old.notes, &patch.notes, &mut sets);
        if let Some(kind) = patch.kind.filter(|k| k.code() != old.kind) {
            changes.insert("kind".into(), json!([old.kind, kind.code()]));
            sets.push(("kind", Bind::Text(kind.code().into())));
        }
        if let Some(status) = patch.status.filter(|s| s.code() != old.status) {
            changes.insert("status".into(), json!([old.status, status.code()]));
            sets.push(("status", Bind::Text(status.code().into())));
        }
        if let Some(phone) = &patch.contact_phone {
            let phone = clean(phone);
            let masked = phone.as_deref().map(mask::mask_phone);
            if masked != old.contact_phone {
                // The history keeps masks only: it is read more widely than the record.
                changes.insert("contact_phone".into(), json!([old.contact_phone, masked]));
                sets.push((
                    "contact_phone_enc",
                    Bind::Bytes(
                        phone
                            .as_deref()
                            .map(|p| self.cipher().encrypt("org.contact_phone", p)),
                    ),
                ));
                sets.push(("contact_phone_mask", Bind::OptText(masked)));
            }
        }
        if sets.is_empty() {
            return self.org(scope, org_id).await;
        }
        let mut sql = Sql::new("update org set updated_at = ");
        sql.bind_int(now_ms());
        for (column, value) in sets {
            sql.push(", ").push(column).push(" = ").bind(value);
        }
        sql.push(" where org_id = ").bind_int(org_id);
        let mut tx = self.write.begin().await?;
        sql.query().execute(&mut *tx).await?;
        self.log_search_change(&mut tx, Changed::Org, org_id, org_id)
            .await?;
        self.record_history(&mut tx, scope, org_id, "update", &Value::Object(changes))
            .await?;
        tx.commit().await?;
        self.org(scope, org_id).await
    }

    /// Moves an organisation and everything below it under a new parent. Both must be in scope;
    /// a move under its own subtree is refused.
    #[tracing::instrument(skip_all, err)]
    pub async fn move_org(
        &self,
        scope: &Scope,
        org_id: i64,
        new_parent_id: i64,
    ) -> StoreResult<Org> {
        let org = self.org(scope, org_id).await?;
        let parent = self.org(scope, new_parent_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        if parent.path.starts_with(&org.path) {
            return Err(StoreError::Invalid(
                "不能把组织移到它自己或它的下级之下 / cannot move an organisation under itself"
                    .into(),
            ));
        }
        let new_path = format!("{}{}/", parent.path, org.org_id);
        let delta = parent.depth + 1 - org.depth;
        let (lo, hi) = subtree_range(&org.path);
        let mut tx = self.write.begin().await?;
        let moved = sqlx::query(
            "update org set path = $1 || substr(path, cast($2 as integer)), depth = depth + $3, updated_at = $4 \
             where path >= $5 and path < $6",
        )
        .bind(&new_path)
        .bind(org.path.len() as i64 + 1)
        .bind(delta)
        .bind(now_ms())
        .bind(&lo)
        .bind(&hi)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("update org set parent_id = $1 where org_id = $2")
            .bind(new_parent_id)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        self.log_search_change(&mut tx, Changed::OrgTree, org_id, org_id)
            .await?;
        self.record_history(
            &mut tx,
            scope,
            org_id,
            "move",
            &json!({"parent_id": [org.parent_id, new_parent_id], "subtree": moved}),
        )
        .await?;
        tx.commit().await?;
        self.org(scope, org_id).await
    }

    /// Dissolves an organisation (status `dissolved`, history kept). Refused while it still has
    /// organisations below it that are not dissolved.
    pub async fn dissolve_org(&self, scope: &Scope, org_id: i64) -> StoreResult<Org> {
        let org = self.org(scope, org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let live_children: i64 = sqlx::query(
            "select count(*) as n from org where parent_id = $1 and status <> 'dissolved'",
        )
        .bind(org_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        if live_children > 0 {
            return Err(StoreError::Conflict(format!(
                "还有 {live_children} 个下级组织未撤销，请先移走或撤销它们 / {live_children} organisations below are not dissolved"
            )));
        }
        if org.status == "dissolved" {
            return Ok(org);
        }
        let mut tx = self.write.begin().await?;
        sqlx::query("update org set status = 'dissolved', updated_at = $1 where org_id = $2")
            .bind(now_ms())
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        self.log_search_change(&mut tx, Changed::Org, org_id, org_id)
            .await?;
        self.record_history(
            &mut tx,
            scope,
            org_id,
            "dissolve",
            &json!({"status": [org.status, "dissolved"]}),
        )
        .await?;
        tx.commit().await?;
        self.org(scope, org_id).await
    }

    /// An organisation's history, newest first.
    pub async fn org_history(
        &self,
        scope: &Scope,
        org_id: i64,
    ) -> StoreResult<Vec<OrgHistoryEntry>> {
        self.org(scope, org_id).await?;
        let rows = sqlx::query(
            "select at, account, action, changes from org_history where org_id = $1 \
             order by org_history_id desc limit 200",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let changes: String = r.try_get("changes")?;
                Ok(OrgHistoryEntry {
                    at: r.try_get("at")?,
                    account: r.try_get("account")?,
                    action: r.try_get("action")?,
                    changes: serde_json::from_str(&changes).unwrap_or(Value::Null),
                })
            })
            .collect()
    }

    /// Records that `member_org` joined `host_org` (a 科协 or society) as a group member.
    pub async fn add_group_membership(
        &self,
        scope: &Scope,
        member_org: i64,
        host_org: i64,
        joined: Option<&str>,
    ) -> StoreResult<i64> {
        self.org(scope, member_org).await?;
        let host = self.org(scope, host_org).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        if !matches!(host.kind.as_str(), "kexie" | "society") {
            return Err(StoreError::Invalid(
                "团体会员只能加入科协或学会 / group members join a 科协 or a society".into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "insert into group_membership (member_org_id, host_org_id, joined, created_at) \
             values ($1, $2, $3, $4) returning group_membership_id",
        )
        .bind(member_org)
        .bind(host_org)
        .bind(joined.map(str::to_string))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?
        .try_get("group_membership_id")?;
        self.record_history(
            &mut tx,
            scope,
            member_org,
            "group_join",
            &json!({"host": [Value::Null, host_org], "joined": joined}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Group memberships where the organisation is the member or the host, within scope.
    pub async fn group_memberships(
        &self,
        scope: &Scope,
        org_id: i64,
    ) -> StoreResult<Vec<GroupMembership>> {
        self.org(scope, org_id).await?;
        let mut sql = Sql::new(
            "select g.group_membership_id, g.member_org_id, m.name as member_name, g.host_org_id, \
             h.name as host_name, g.joined, g.left_on from group_membership g \
             join org m on m.org_id = g.member_org_id join org h on h.org_id = g.host_org_id \
             where (g.member_org_id = ",
        );
        sql.bind_int(org_id)
            .push(" or g.host_org_id = ")
            .bind_int(org_id)
            .push(")");
        // Both ends must be visible: a membership does not reveal an organisation out of scope.
        scope.filter_org(&mut sql, "m.path");
        scope.filter_org(&mut sql, "h.path");
        sql.push(" order by g.group_membership_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(GroupMembership {
                    group_membership_id: r.try_get("group_membership_id")?,
                    member_org_id: r.try_get("member_org_id")?,
                    member_name: r.try_get("member_name")?,
                    host_org_id: r.try_get("host_org_id")?,
                    host_name: r.try_get("host_name")?,
                    joined: r.try_get("joined")?,
                    left_on: r.try_get("left_on")?,
                })
            })
            .collect()
    }
}
