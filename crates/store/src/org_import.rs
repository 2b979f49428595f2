//! Importing organisations: the whole file in one transaction or nothing.
//!
//! Rows arrive parsed and validated by `office` (parents defined in the file come first). Here
//! the checks that need the database run: codes already registered, divisions that exist,
//! parents that exist and are in the caller's scope, or a parent inferred from the division.
//! A dry run does everything and rolls back, so its report is exactly what a real run would do.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::progress::Track;
use crate::search_feed::Changed;
use crate::{ImportPhase, ImportProgress, NewOrg, Scope, Store, StoreError, StoreResult};

/// Where an organisation sits: id, materialised path, depth.
type Placed = (i64, String, i64);

/// One row to import: the organisation, its parent's code (from the file or the database),
/// and its spreadsheet row number for the report.
#[derive(Debug, Clone)]
pub struct ImportOrg {
    pub row: usize,
    pub org: NewOrg,
    pub parent_code: Option<String>,
}

/// A problem found against the database, named like the file's own errors.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub column: &'static str,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Organisations written (0 on a dry run or when there are problems).
    pub created: usize,
    pub problems: Vec<ImportProblem>,
}

impl Store {
    /// Imports organisations. With problems, or when `dry_run`, nothing is written.
    #[tracing::instrument(skip_all, fields(rows = rows.len(), dry_run), err)]
    pub async fn import_orgs(
        &self,
        scope: &Scope,
        rows: &[ImportOrg],
        dry_run: bool,
        progress: Option<&ImportProgress>,
    ) -> StoreResult<ImportOutcome> {
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        // Each row is checked, then written inside the transaction kept open until the end.
        progress.begin(ImportPhase::Checking, rows.len());
        let mut problems = Vec::new();
        // Organisations created so far, by code, and the 科协 among them by division: rows may
        // refer to them, and the transaction's rows are not visible to other connections.
        let mut created: HashMap<String, Placed> = HashMap::new();
        let mut kexie_by_division: HashMap<String, Placed> = HashMap::new();
        // Codes of the rows already looked at, written or not.
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut tx = self.write.begin().await?;
        let mark = self.search_mark(&mut tx, Changed::Org).await?;
        for item in rows {
            progress.advance(1);
            let problem = |column, code, message: String| ImportProblem {
                row: item.row,
                column,
                code,
                message,
            };
            let code = item.org.code.trim().to_string();
            seen.insert(code.clone());
            let exists: i64 = sqlx::query("select count(*) as n from org where code = $1")
                .bind(&code)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            if exists > 0 && !created.contains_key(&code) {
                problems.push(problem(
                    "代码",
                    "duplicate.existing",
                    format!("组织代码 {code} 已在系统中登记 / code {code} is already registered"),
                ));
                continue;
            }
            if let Some(division) = &item.org.division_code {
                if self.division(division).await.is_err() {
                    problems.push(problem(
                        "区划代码",
                        "division_code.unknown",
                        format!("没有代码为 {division} 的行政区划 / no division {division}"),
                    ));
                    continue;
                }
            }
            let parent = match item
                .parent_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(parent_code) => match created.get(parent_code) {
                    Some((id, path, depth)) => Some((*id, path.clone(), *depth)),
                    // The parent is a row of this file that was not written (it, or a row
                    // before it, has a problem): its own problem is reported, not this one.
                    None if seen.contains(parent_code) => continue,
                    None => match self.org_by_code(scope, parent_code).await {
                        Ok(p) => Some((p.org_id, p.path, p.depth)),
                        Err(StoreError::NotFound) => {
                            problems.push(problem("上级代码", "parent.unknown", format!("没有代码为 {parent_code} 的上级组织（或不在您的管辖范围内） / no parent {parent_code} in scope")));
                            continue;
                        }
                        Err(e) => return Err(e),
                    },
                },
                None => match self
                    .parent_by_division(
                        scope,
                        &kexie_by_division,
                        item.org.division_code.as_deref(),
                    )
                    .await?
                {
                    Some(p) => Some(p),
                    None if scope.is_everything() => None,
                    None => {
                        problems.push(problem("上级代码", "parent.missing", "请填写上级代码，或填写能推断上级科协的区划代码 / give a parent code or a division with a 科协 above it".into()));
                        continue;
                    }
                },
            };
            if !problems.is_empty() {
                // Keep checking the remaining rows, but write nothing more.
                continue;
            }
            let (parent_path, depth) = match &parent {
                Some((_, path, depth)) => (path.clone(), depth + 1),
                None => ("/".to_string(), 1),
            };
            let org = NewOrg {
                code: code.clone(),
                parent_id: parent.as_ref().map(|p| p.0),
                ..item.org.clone()
            };
            let (id, path) = self
                .insert_org(&mut tx, scope, &org, &parent_path, depth)
                .await?;
            if org.kind == Some(kexie_domain::org::OrgKind::Kexie) {
                if let Some(d) = &org.division_code {
                    kexie_by_division
                        .entry(d.clone())
                        .or_insert((id, path.clone(), depth));
                }
            }
            created.insert(code, (id, path, depth));
        }
        if dry_run || !problems.is_empty() {
            tx.rollback().await?;
            return Ok(ImportOutcome {
                created: 0,
                problems,
            });
        }
        progress.begin(ImportPhase::Writing, created.len());
        self.log_search_since(&mut tx, mark).await?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "import.orgs",
            "org",
            crate::Outcome::Ok,
            &format!("rows={}", created.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportOutcome {
            created: created.len(),
            problems,
        })
    }

    /// The 科协 of the nearest division above `division` (created by this import, or in scope).
    async fn parent_by_division(
        &self,
        scope: &Scope,
        created: &HashMap<String, Placed>,
        division: Option<&str>,
    ) -> StoreResult<Option<Placed>> {
        let Some(mut code) = division.map(str::to_string) else {
            return Ok(None);
        };
        loop {
            let Ok(d) = self.division(&code).await else {
                return Ok(None);
            };
            let Some(parent) = d.parent_code else {
                return Ok(None);
            };
            if let Some(placed) = created.get(&parent) {
                return Ok(Some(placed.clone()));
            }
            let mut sql = crate::sql::Sql::new("select org_id, path, depth from org o where o.kind = 'kexie' and o.status <> 'dissolved' and o.division_code = ");
            sql.bind_text(parent.clone());
            scope.filter_org(&mut sql, "o.path");
            sql.push(" order by o.depth limit 1");
            if let Some(row) = sql.query().fetch_optional(&self.read).await? {
                return Ok(Some((
                    row.try_get("org_id")?,
                    row.try_get("path")?,
                    row.try_get("depth")?,
                )));
            }
            code = parent;
        }
    }
}
