//! The slate pre-review (换届前置审核) as JSON: upload the slate with the figures, get exactly
//! what `kexie governance check --json` prints.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::NaiveDate;
use kexie_domain::governance::{check_slate, SlateInput, SlateReport};
use kexie_office::limits::Limits;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::AppError;
use crate::AppState;

/// A slate is a few hundred rows: far below the importer's own limit (as the page's upload).
const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// Row problems named in a refusal at most.
const ROWS_NAMED: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/governance/check",
        post(check).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
    )
}

/// The multipart form of a slate check.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the form; the handler reads the parts one by one.
pub struct SlateUpload {
    /// The slate: `.xlsx`, `.xls` or `.csv`, first sheet, one person per row (姓名, 性别, 出生日期,
    /// 职务, 是否基层一线, 政治面貌, 是否专职, 工作单位, 是否在职领导干部, 是否退休领导干部, 产生方式).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// Individual members of the society: they set the council-size cap.
    individual_members: u64,
    previous_council_size: Option<u32>,
    /// Membership growth last year, in percent.
    member_growth: Option<f64>,
    /// The day of the check, `YYYY-MM-DD` (default: today in Beijing).
    as_of: Option<String>,
    /// The society: its rules apply and, when the caller may write, the check is recorded with
    /// it. Without it the rules that apply everywhere are used.
    org_id: Option<i64>,
}

#[derive(Default)]
struct Form {
    file: Option<(String, Vec<u8>)>,
    individual_members: String,
    previous_council_size: String,
    member_growth: String,
    as_of: String,
    org_id: String,
}

fn number<T: std::str::FromStr>(text: &str, field: &str) -> Result<Option<T>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| {
            AppError::Unprocessable(format!(
                "{field}：“{t}”不是有效的数 / {field} must be a number"
            ))
        }),
    }
}

async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> Result<Form, AppError> {
    let bad = |e: String| AppError::BadRequest(format!("上传无效 / not a valid upload: {e}"));
    let mut multipart = multipart.map_err(|e| bad(e.body_text()))?;
    let mut form = Form::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("slate.xlsx").to_string();
            let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
            form.file = Some((file_name, bytes.to_vec())).filter(|(_, b)| !b.is_empty());
            continue;
        }
        let text = field.text().await.map_err(|e| bad(e.body_text()))?;
        match name.as_str() {
            "individual_members" => form.individual_members = text,
            "previous_council_size" => form.previous_council_size = text,
            "member_growth" => form.member_growth = text,
            "as_of" => form.as_of = text,
            "org_id" => form.org_id = text,
            _ => {}
        }
    }
    Ok(form)
}

/// Checks an uploaded slate against the rules and answers with the report `kexie governance
/// check --json` prints: `{"ok":…,"council_size":…,"standing_size":…,"supervisors":…,"cap":…,
/// "findings":[…],"figures":{…}}`, 200 whether or not the slate complies. An unreadable file or
/// a slate with bad rows is refused with 422 naming the problems.
#[utoipa::path(post, path = "/api/v1/governance/check", tag = "governance",
    request_body(content = SlateUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "the slate report, as `kexie governance check --json` prints it",
            content_type = "application/json"),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<SlateReport>, AppError> {
    let form = read_form(multipart).await?;
    let individual_members: u64 = number(&form.individual_members, "individual_members")?
        .ok_or_else(|| {
            AppError::Unprocessable(
                "请填写个人会员数 individual_members / individual_members is required".into(),
            )
        })?;
    let previous_council_size: Option<u32> =
        number(&form.previous_council_size, "previous_council_size")?;
    let member_growth: Option<f64> = number(&form.member_growth, "member_growth")?;
    if member_growth.is_some_and(|g| !g.is_finite()) {
        return Err(AppError::Unprocessable(
            "member_growth 必须是有限的数 / member_growth must be a finite number".into(),
        ));
    }
    let as_of = match form.as_of.trim() {
        "" => kexie_store::today(),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            AppError::Unprocessable(format!(
                "as_of 应写作 YYYY-MM-DD，实为“{s}” / as_of must be YYYY-MM-DD"
            ))
        })?,
    };
    let org_id: Option<i64> = number(&form.org_id, "org_id")?;
    let (file_name, bytes) = form.file.ok_or_else(|| {
        AppError::Unprocessable("请上传名单文件 file / the file is required".into())
    })?;
    let sheet = kexie_office::sheet::read_sheet_bytes(&bytes, &file_name, &Limits::default())
        .map_err(|e| AppError::Unprocessable(format!("{file_name}: {e}")))?;
    let (members, rows) = kexie_office::parse_slate_sheet(&sheet);
    if !rows.errors.is_empty() {
        let named: Vec<String> = rows
            .errors
            .iter()
            .take(ROWS_NAMED)
            .map(|e| format!("第{}行 {}：{}", e.row, e.column, e.message))
            .collect();
        return Err(AppError::Unprocessable(format!(
            "名单有 {} 处错误，未审核 / the slate has {} errors: not checked。{}",
            rows.errors.len(),
            rows.errors.len(),
            named.join("；")
        )));
    }
    let store = state.store();
    let rules = match org_id {
        Some(id) => store.rule_set_for(&caller.scope, id, as_of).await?,
        None => store.rule_set_everywhere(as_of).await?,
    };
    let report = check_slate(
        &rules.rules,
        &SlateInput {
            members,
            individual_members,
            previous_council_size,
            member_growth_percent: member_growth,
            as_of,
        },
    );
    if let Some(id) = org_id.filter(|_| caller.scope.can_write()) {
        store.record_slate_check(&caller.scope, id, &report).await?;
    }
    Ok(Json(report))
}
