//! A member's own account (role `member`, linked to a person): the full profile, contact fields
//! changed directly, and identity fields changed only through a correction request that staff of
//! an organisation keeping or counting the person approve or reject.

use kexie_domain::mask;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::Outcome;
use crate::sql::{Sql, Value};
use crate::{now_ms, NewPerson, PersonRow, Scope, Store, StoreError, StoreResult};

/// The fields a member changes directly (`None` keeps a field, an empty text clears it; the
/// mobile phone can be replaced, not cleared). Values are already parsed by the domain types.
#[derive(Debug, Clone, Default)]
pub struct ContactChange {
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employer: Option<String>,
    pub department: Option<String>,
    pub post: Option<String>,
    pub title: Option<String>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub discipline: Option<String>,
}

/// The identity fields a member asks to correct (`None`: unchanged), already parsed.
#[derive(Debug, Clone, Default)]
pub struct CorrectionInput {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    /// Normalised (`IdNumber::as_str`).
    pub id_number: Option<String>,
    pub note: Option<String>,
}

/// A correction request as the queue and the member's page show it: the ID number masked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    pub correction_request_id: i64,
    pub person_id: i64,
    /// The person's name now.
    pub person_name: String,
    pub org_name: String,
    pub name: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    /// Masked: `1101**********002X`.
    pub id_number: Option<String>,
    pub note: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub requested_at: i64,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

const CORRECTION_FIELD: &str = "correction_request.id_number";

const CORRECTION_COLUMNS: &str = "c.correction_request_id, c.person_id, p.name as person_name, \
    o.name as org_name, c.name, c.gender, c.birth_date, c.ethnicity, c.id_number_mask, c.note, \
    c.status, c.requested_at, c.decided_by, c.reason";

fn correction_from_row(r: &AnyRow) -> StoreResult<Correction> {
    Ok(Correction {
        correction_request_id: r.try_get("correction_request_id")?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        org_name: r.try_get("org_name")?,
        name: r.try_get("name")?,
        gender: r.try_get("gender")?,
        birth_date: r.try_get("birth_date")?,
        ethnicity: r.try_get("ethnicity")?,
        id_number: r.try_get("id_number_mask")?,
        note: r.try_get("note")?,
        status: r.try_get("status")?,
        requested_at: r.try_get("requested_at")?,
        decided_by: r.try_get("decided_by")?,
        reason: r.try_get("reason")?,
    })
}

fn keep(old: &mut Option<String>, new: &Option<String>) {
    if let Some(v) = new {
        let v = v.trim();
        *old = (!v.is_empty()).then(|| v.to_string());
    }
}

impl Store {
    /// Every field of a person in scope except the identity numbers (left `None`, which an
    /// update keeps): what an edit starts from.
    pub async fn person_fields(&self, scope: &Scope, person_id: i64) -> StoreResult<NewPerson> {
        let mut sql = Sql::new(
            "select p.org_id, p.name, p.gender, p.birth_date, p.ethnicity, p.email, p.employer, \
             p.department, p.post, p.title, p.education, p.degree, p.discipline, \
             p.political_status, p.grassroots, p.serving_official, p.retired_official \
             from person p join org o on o.org_id = p.org_id where p.person_id = ",
        );
        sql.bind_int(person_id);
        scope.filter_person(&mut sql);
        let r = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(NewPerson {
            org_id: r.try_get("org_id")?,
            name: r.try_get("name")?,
            gender: r.try_get("gender")?,
            birth_date: r.try_get("birth_date")?,
            ethnicity: r.try_get("ethnicity")?,
            id_number: None,
            mobile: None,
            email: r.try_get("email")?,
            employer: r.try_get("employer")?,
            department: r.try_get("department")?,
            post: r.try_get("post")?,
            title: r.try_get("title")?,
            education: r.try_get("education")?,
            degree: r.try_get("degree")?,
            discipline: r.try_get("discipline")?,
            political_status: r.try_get("political_status")?,
            grassroots: r.try_get::<i64, _>("grassroots")? != 0,
            serving_official: r.try_get::<i64, _>("serving_official")? != 0,
            retired_official: r.try_get::<i64, _>("retired_official")? != 0,
        })
    }

    /// A member changes the contact fields of their own record. A new mobile phone that another
    /// record of the same name already holds is refused, as it would make the registry hold the
    /// same person twice (the duplicate rule of entry); who holds it is not told.
    pub async fn update_own_contact(
        &self,
        scope: &Scope,
        change: &ContactChange,
    ) -> StoreResult<PersonRow> {
        let person_id = scope.person_id().ok_or(StoreError::Forbidden)?;
        let mut fields = self.person_fields(scope, person_id).await?;
        keep(&mut fields.email, &change.email);
        keep(&mut fields.employer, &change.employer);
        keep(&mut fields.department, &change.department);
        keep(&mut fields.post, &change.post);
        keep(&mut fields.title, &change.title);
        keep(&mut fields.education, &change.education);
        keep(&mut fields.degree, &change.degree);
        keep(&mut fields.discipline, &change.discipline);
        fields.mobile = change
            .mobile
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        let others = self
            .find_duplicates(&Scope::everything(), &fields, Some(person_id))
            .await?;
        if others.iter().any(|d| d.reason != "id_number") {
            return Err(StoreError::Conflict(
                "登记库中已有同名且手机号或出生日期、单位相同的记录，请联系工作人员核实 / \
                 another record has the same name and phone, or name, birth date and employer: \
                 please ask the staff"
                    .into(),
            ));
        }
        let mut tx = self.write.begin().await?;
        self.write_person_in(&mut tx, scope, person_id, &fields, "person.self_update")
            .await?;
        tx.commit().await?;
        self.person(scope, person_id).await
    }

    /// A member asks for identity fields of their own record to be corrected.
    pub async fn request_correction(
        &self,
        scope: &Scope,
        input: &CorrectionInput,
    ) -> StoreResult<Correction> {
        let person_id = scope.person_id().ok_or(StoreError::Forbidden)?;
        self.person(scope, person_id).await?;
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (name, gender, birth, ethnicity, id) = (
            text(&input.name),
            text(&input.gender),
            text(&input.birth_date),
            text(&input.ethnicity),
            text(&input.id_number),
        );
        if [&name, &gender, &birth, &ethnicity, &id]
            .iter()
            .all(|v| v.is_none())
        {
            return Err(StoreError::Invalid(
                "请至少填写一项要更正的内容 / name at least one field to correct".into(),
            ));
        }
        let cipher = self.cipher();
        let mut tx = self.write.begin().await?;
        let mut sql = Sql::new(
            "insert into correction_request (person_id, account, requested_at, name, gender, \
             birth_date, ethnicity, id_number_enc, id_number_mask, note, status) values (",
        );
        sql.bind_int(person_id)
            .push(", ")
            .bind_text(scope.actor().username.clone())
            .push(", ")
            .bind_int(now_ms());
        for v in [name, gender, birth, ethnicity] {
            sql.push(", ").bind(Value::OptText(v));
        }
        sql.push(", ")
            .bind(Value::Bytes(
                id.as_deref().map(|v| cipher.encrypt(CORRECTION_FIELD, v)),
            ))
            .push(", ")
            .bind(Value::OptText(id.as_deref().map(mask::mask_id_number)))
            .push(", ")
            .bind(Value::OptText(text(&input.note)))
            .push(", 'pending') returning correction_request_id");
        let id: i64 = sql
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get("correction_request_id")?;
        self.audit_in(
            &mut tx,
            scope.actor(),
            "correction.request",
            &format!("person:{person_id}"),
            Outcome::Ok,
            &format!("correction={id}"),
        )
        .await?;
        tx.commit().await?;
        self.correction(scope, id).await
    }

    /// The query of correction requests the caller may see: a member their own; staff those of
    /// people kept by, or members of, an organisation in their scope.
    fn corrections_sql(scope: &Scope) -> Sql {
        let mut sql = Sql::new("select ");
        sql.push(CORRECTION_COLUMNS).push(
            " from correction_request c join person p on p.person_id = c.person_id \
             join org o on o.org_id = p.org_id where ",
        );
        match scope.person_id() {
            Some(id) => {
                sql.push("c.person_id = ").bind_int(id);
            }
            None => {
                sql.push("((1 = 1");
                scope.filter_org(&mut sql, "o.path");
                sql.push(
                    ") or exists (select 1 from membership m join org mo on mo.org_id = m.org_id \
                           where m.person_id = c.person_id",
                );
                scope.filter_org(&mut sql, "mo.path");
                sql.push("))");
            }
        }
        sql
    }

    /// One correction request the caller may see.
    pub async fn correction(&self, scope: &Scope, id: i64) -> StoreResult<Correction> {
        let mut sql = Self::corrections_sql(scope);
        sql.push(" and c.correction_request_id = ").bind_int(id);
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        correction_from_row(&row)
    }

    /// Correction requests the caller may see, newest first; `pending_only` for the queue.
    /// Viewers read the queue; only staff who may write decide (`decide_correction`).
    pub async fn corrections(
        &self,
        scope: &Scope,
        pending_only: bool,
    ) -> StoreResult<Vec<Correction>> {
        let mut sql = Self::corrections_sql(scope);
        if pending_only {
            sql.push(" and c.status = 'pending'");
        }
        sql.push(" order by c.requested_at desc, c.correction_request_id desc limit 500");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(correction_from_row).collect()
    }

    /// Staff decide a pending request. Approval writes the corrected fields through the same
    /// update path as any edit, in the same transaction as the decision; a rejection needs a
    /// reason, which the member sees.
    pub async fn decide_correction(
        &self,
        scope: &Scope,
        id: i64,
        approve: bool,
        reason: &str,
    ) -> StoreResult<Correction> {
        let request = self.correction(scope, id).await?;
        if !scope.can_write() || scope.person_id().is_some() {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(StoreError::Invalid(
                "驳回须说明理由 / a rejection needs a reason".into(),
            ));
        }
        if request.status != "pending" {
            return Err(StoreError::Conflict(
                "该申请已处理 / this request has already been decided".into(),
            ));
        }
        // The caller sees the request through one of the person's organisations, which need not
        // be the keeping one: the write itself is made on the whole registry, as the caller.
        let everywhere = Scope::everything().acting_as(scope.actor().clone());
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update correction_request set status = $1, decided_at = $2, decided_by = $3, \
             reason = $4 where correction_request_id = $5 and status = 'pending'",
        )
        .bind(if approve { "approved" } else { "rejected" })
        .bind(now_ms())
        .bind(scope.actor().username.clone())
        .bind((!reason.is_empty()).then(|| reason.to_string()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "该申请已处理 / this request has already been decided".into(),
            ));
        }
        if approve {
            let mut fields = self.person_fields(&everywhere, request.person_id).await?;
            if let Some(v) = &request.name {
                fields.name = v.clone();
            }
            if request.gender.is_some() {
                fields.gender = request.gender.clone();
            }
            if request.birth_date.is_some() {
                fields.birth_date = request.birth_date.clone();
            }
            if request.ethnicity.is_some() {
                fields.ethnicity = request.ethnicity.clone();
            }
            let sealed = sqlx::query(
                "select id_number_enc from correction_request where correction_request_id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id_number_enc")?;
            fields.id_number = self.open_field(CORRECTION_FIELD, sealed)?;
            self.write_person_in(
                &mut tx,
                &everywhere,
                request.person_id,
                &fields,
                "person.correct",
            )
            .await?;
        }
        self.audit_in(
            &mut tx,
            scope.actor(),
            if approve {
                "correction.approve"
            } else {
                "correction.reject"
            },
            &format!("person:{}", request.person_id),
            Outcome::Ok,
            &format!("correction={id}"),
        )
        .await?;
        tx.commit().await?;
        self.correction(scope, id).await
    }
}
