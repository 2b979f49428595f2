//! Exporting an organisation's subtree as the import sheet reads it back.

use serde::Serialize;
use sqlx::Row;

use crate::sql::Sql;
use crate::{Scope, Store, StoreError, StoreResult};

/// An organisation as the export sheet holds it: codes instead of ids, phone masked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OrgExport {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent_code: Option<String>,
    pub division_code: Option<String>,
    pub credit_code: Option<String>,
    pub established: Option<String>,
    pub status: String,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub notes: Option<String>,
}

impl Store {
    /// An organisation and everything below it, parents before children, for export. The
    /// organisation at the top keeps its parent's code only if that parent is in scope too.
    /// Phone numbers are masked unless `unmask` (allowed by the scope; audited).
    pub async fn export_orgs(
        &self,
        scope: &Scope,
        org_id: i64,
        unmask: bool,
    ) -> StoreResult<Vec<OrgExport>> {
        let top = self.org(scope, org_id).await?;
        if unmask && !scope.can_unmask() {
            return Err(StoreError::Forbidden);
        }
        let (lo, hi) = crate::sql::subtree_range(&top.path);
        let mut sql = Sql::new(
            "select o.code, o.name, o.short_name, o.kind, p.code as parent_code, p.path as parent_path, \
             o.division_code, o.credit_code, o.established, o.status, o.address, o.contact_name, \
             o.contact_phone_mask, o.contact_phone_enc, o.notes from org o left join org p on p.org_id = o.parent_id \
             where o.path >= ",
        );
        sql.bind_text(lo).push(" and o.path < ").bind_text(hi);
        scope.filter_org(&mut sql, "o.path");
        sql.push(" order by o.depth, o.name_pinyin, o.org_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        self.audit(
            scope.actor(),
            "export.orgs",
            &format!("org:{org_id}"),
            crate::Outcome::Ok,
            &format!("rows={} unmasked={unmask}", rows.len()),
        )
        .await?;
        rows.iter()
            .map(|r| {
                let phone = if unmask {
                    self.open_field("org.contact_phone", r.try_get("contact_phone_enc")?)?
                } else {
                    r.try_get("contact_phone_mask")?
                };
                let parent_path: Option<String> = r.try_get("parent_path")?;
                let parent_visible = parent_path
                    .as_deref()
                    .is_some_and(|p| scope.contains_path(p));
                Ok(OrgExport {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    short_name: r.try_get("short_name")?,
                    kind: r.try_get("kind")?,
                    parent_code: if parent_visible {
                        r.try_get("parent_code")?
                    } else {
                        None
                    },
                    division_code: r.try_get("division_code")?,
                    credit_code: r.try_get("credit_code")?,
                    established: r.try_get("established")?,
                    status: r.try_get("status")?,
                    address: r.try_get("address")?,
                    contact_name: r.try_get("contact_name")?,
                    contact_phone: phone,
                    notes: r.try_get("notes")?,
                })
            })
            .collect()
    }
}
