//! Creating a plan with its sections, tasks and responsible units in one transaction: what the
//! import, the pasted-text form and the API all end in.

use kexie_domain::deadline::Deadline;
use kexie_domain::plan_text::PlanTask;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{clean, first_due, issuer_path};
use crate::audit::Outcome;
use crate::sql::{subtree_range, Sql};
use crate::{now_ms, Scope, Store, StoreError, StoreResult};

/// A plan to create, with its tasks in order.
#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    /// The issuing organisation (in the caller's scope).
    pub org_id: i64,
    pub title: String,
    pub doc_number: Option<String>,
    /// `YYYY-MM-DD`, already parsed by the caller.
    pub issued_on: Option<String>,
    pub year: i64,
    pub implements_plan_id: Option<i64>,
    pub tasks: Vec<NewTask>,
}

/// A task to create. Unit names are matched to organisations in the issuer's subtree.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub number: String,
    /// The innermost section heading, as written.
    pub section: Option<String>,
    pub text: String,
    pub measures: Vec<String>,
    pub deadline: Deadline,
    pub deadline_inherited: bool,
    pub leader: Option<String>,
    pub department: Option<String>,
    pub co_departments: Vec<String>,
    pub units: Vec<String>,
    pub implements_task_id: Option<i64>,
}

impl NewTask {
    /// A task read from a pasted plan or a sheet. Several departments ("学会部、科技报社") are
    /// the lead department first and the co-departments after it, as the tables list them.
    pub fn from_parsed(task: &PlanTask) -> NewTask {
        let mut departments = task
            .department
            .as_deref()
            .unwrap_or("")
            .split(['、', '，', ',', '；', ';'])
            .filter_map(clean)
            .collect::<Vec<_>>()
            .into_iter();
        NewTask {
            number: task.number.clone(),
            section: task.section.clone(),
            text: task.text.clone(),
            measures: task.measures.clone(),
            deadline: task.deadline.clone(),
            deadline_inherited: task.deadline_inherited,
            leader: task.leader.clone(),
            department: departments.next(),
            co_departments: departments.collect(),
            units: task.units.clone(),
            implements_task_id: None,
        }
    }
}

/// What creating (or checking) a plan did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCreated {
    /// `None` for a dry run.
    pub plan_id: Option<i64>,
    pub tasks: usize,
    pub sections: usize,
    /// Responsible units matched to an organisation (they see their tasks).
    pub linked_units: usize,
    /// Unit names that match no organisation (or several) in the issuer's subtree: kept as text.
    pub unlinked_units: Vec<String>,
}

/// The level of a heading by how it is numbered.
fn heading_level(title: &str) -> i64 {
    const NUMERALS: &str = "一二三四五六七八九十";
    let mut chars = title.trim_start().chars();
    match chars.next() {
        Some('(' | '（') if chars.next().is_some_and(|c| NUMERALS.contains(c)) => 1,
        Some(c) if NUMERALS.contains(c) => 0,
        _ => 2,
    }
}

impl Store {
    /// Creates a plan with its sections, tasks and responsible units in one transaction, or with
    /// `dry_run` checks all of it and writes nothing. The issuer must be in scope; a plan that
    /// implements a higher one must come from an organisation below that plan's issuer.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn create_plan(
        &self,
        scope: &Scope,
        new: &NewPlan,
        dry_run: bool,
    ) -> StoreResult<PlanCreated> {
        // Out of sight is "not found" before it is "not permitted".
        let issuer = self.org(scope, new.org_id).await?;
        if !scope.can_write() {
            return Err(StoreError::Forbidden);
        }
        let title = clean(&new.title).ok_or_else(|| {
            StoreError::Invalid("计划标题不能为空 / the plan needs a title".into())
        })?;
        if !(1949..=2100).contains(&new.year) {
            return Err(StoreError::Invalid(format!(
                "年度 {} 无效 / invalid year",
                new.year
            )));
        }
        if let Some(higher) = new.implements_plan_id {
            self.check_cascade(scope, "plan", higher, &issuer.path)
                .await?;
        }
        for (i, task) in new.tasks.iter().enumerate() {
            if task.number.trim().is_empty() || task.text.trim().is_empty() {
                return Err(StoreError::Invalid(format!(
                    "第 {} 项任务缺少序号或任务内容 / task {} needs a number and a text",
                    i + 1,
                    i + 1
                )));
            }
            if let Some(higher) = task.implements_task_id {
                self.check_cascade(scope, "task", higher, &issuer.path)
                    .await?;
            }
        }
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let plan_id: i64 = sqlx::query(
            "insert into plan (org_id, title, doc_number, issued_on, year, implements_plan_id, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning plan_id",
        )
        .bind(issuer.org_id)
        .bind(&title)
        .bind(new.doc_number.as_deref().and_then(clean))
        .bind(new.issued_on.as_deref().and_then(clean))
        .bind(new.year)
        .bind(new.implements_plan_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("plan_id")?;
        // Sections in order of first appearance; a heading's parent is the last one above it
        // numbered one level up.
        let mut sections: Vec<(String, i64, i64)> = Vec::new();
        for title in new.tasks.iter().filter_map(|t| t.section.as_deref()) {
            if sections.iter().any(|(t, _, _)| t == title) {
                continue;
            }
            let level = heading_level(title);
            let parent = sections
                .iter()
                .rev()
                .find(|(_, _, l)| *l < level)
                .map(|(_, id, _)| *id);
            let id: i64 = sqlx::query(
                "insert into plan_section (plan_id, parent_id, level, position, title) \
                 values ($1, $2, $3, $4, $5) returning plan_section_id",
            )
            .bind(plan_id)
            .bind(parent)
            .bind(level)
            .bind(sections.len() as i64)
            .bind(title)
            .fetch_one(&mut *tx)
            .await?
            .try_get("plan_section_id")?;
            sections.push((title.to_string(), id, level));
        }
        let mut linked = 0;
        let mut unlinked: Vec<String> = Vec::new();
        for (position, task) in new.tasks.iter().enumerate() {
            let section_id = task
                .section
                .as_deref()
                .and_then(|s| sections.iter().find(|(t, _, _)| t == s))
                .map(|(_, id, _)| *id);
            let deadline = serde_json::to_string(&task.deadline)
                .map_err(|e| StoreError::Other(e.to_string()))?;
            let task_id: i64 = sqlx::query(
                "insert into task (plan_id, plan_section_id, position, number, text, measures, \
                 deadline, deadline_inherited, first_due, leader, department, co_departments, \
                 status, percent, implements_task_id, created_at, updated_at) values ($1, $2, $3, \
                 $4, $5, $6, $7, $8, $9, $10, $11, $12, 'not_started', 0, $13, $14, $15) \
                 returning task_id",
            )
            .bind(plan_id)
            .bind(section_id)
            .bind(position as i64)
            .bind(task.number.trim())
            .bind(task.text.trim())
            .bind(serde_json::json!(task.measures).to_string())
            .bind(deadline)
            .bind(i64::from(task.deadline_inherited))
            .bind(first_due(&task.deadline))
            .bind(task.leader.as_deref().and_then(clean))
            .bind(task.department.as_deref().and_then(clean))
            .bind(serde_json::json!(task.co_departments).to_string())
            .bind(task.implements_task_id)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("task_id")?;
            // Named units, then departments that are organisations below the issuer.
            let mut units: Vec<(String, Option<i64>)> = Vec::new();
            for name in task.units.iter().filter_map(|u| clean(u)) {
                let org = self.unit_org(&mut tx, &issuer.path, &name, true).await?;
                if org.is_none() && !unlinked.contains(&name) {
                    unlinked.push(name.clone());
                }
                units.push((name, org));
            }
            let departments = task.department.iter().chain(&task.co_departments);
            for name in departments.filter_map(|d| clean(d)) {
                if let Some(org) = self.unit_org(&mut tx, &issuer.path, &name, false).await? {
                    if !units.iter().any(|(_, o)| *o == Some(org)) {
                        units.push((name, Some(org)));
                    }
                }
            }
            for (i, (name, org)) in units.iter().enumerate() {
                sqlx::query(
                    "insert into task_unit (task_id, position, name, org_id) values ($1, $2, $3, $4)",
                )
                .bind(task_id)
                .bind(i as i64)
                .bind(name)
                .bind(*org)
                .execute(&mut *tx)
                .await?;
                linked += usize::from(org.is_some());
            }
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            "plan.create",
            &format!("plan:{plan_id}"),
            Outcome::Ok,
            &format!(
                "org={} tasks={} dry_run={dry_run}",
                issuer.org_id,
                new.tasks.len()
            ),
        )
        .await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(PlanCreated {
            plan_id: (!dry_run).then_some(plan_id),
            tasks: new.tasks.len(),
            sections: sections.len(),
            linked_units: linked,
            unlinked_units: unlinked,
        })
    }

    /// The one organisation in the issuer's subtree called `name` (name, short name or code);
    /// `with_issuer` lets the issuer itself be the one.
    pub(super) async fn unit_org(
        &self,
        tx: &mut AnyConnection,
        issuer_path: &str,
        name: &str,
        with_issuer: bool,
    ) -> StoreResult<Option<i64>> {
        let (lo, hi) = subtree_range(issuer_path);
        let mut sql = Sql::new("select org_id from org where path >= ");
        sql.bind_text(lo).push(" and path < ").bind_text(hi);
        if !with_issuer {
            sql.push(" and path <> ").bind_text(issuer_path);
        }
        sql.push(" and status <> 'dissolved' and (name = ")
            .bind_text(name)
            .push(" or short_name = ")
            .bind_text(name)
            .push(" or code = ")
            .bind_text(name)
            .push(") limit 2");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        Ok(match rows.as_slice() {
            [one] => Some(one.try_get("org_id")?),
            _ => None,
        })
    }

    /// A higher plan or task (`kind`) that a plan of the organisation at `lower_path` carries
    /// out: visible to the caller, and issued by an organisation strictly above.
    pub(crate) async fn check_cascade(
        &self,
        scope: &Scope,
        kind: &str,
        higher_id: i64,
        lower_path: &str,
    ) -> StoreResult<()> {
        let plan_id = match kind {
            "plan" => self.plan(scope, higher_id).await?.plan_id,
            _ => self.visible_task(scope, higher_id).await?.0,
        };
        let higher_path = issuer_path(&self.read, plan_id).await?;
        if lower_path.starts_with(&higher_path) && lower_path != higher_path {
            Ok(())
        } else {
            Err(StoreError::Invalid(
                "只能落实上级组织下达的计划或任务 / a plan carries out plans of organisations above its issuer"
                    .into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::heading_level;

    #[test]
    fn headings_are_levelled_by_their_numbering() {
        assert_eq!(heading_level("一、总体要求"), 0);
        assert_eq!(heading_level("（二）主要任务"), 1);
        assert_eq!(heading_level("(三)保障"), 1);
        assert_eq!(heading_level("2.扩大科协基层组织的有效覆盖"), 2);
    }
}
