//! Progress reports: listing a task's reports, reporting (JSON, or multipart with files), and
//! downloading a report's file.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use kexie_store::{Attachment, NewAttachment, NewReport, ProgressReport, TaskStatus};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::AppError;
use crate::extract::{Json as JsonBody, Path};
use crate::pages::workplan_task::{file_response, is_multipart};
use crate::person_input::beijing_today;
use crate::AppState;

/// A task's progress reports, newest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/reports", tag = "workplan",
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = [ProgressReport]), (status = 404, body = crate::ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ProgressReport>>, AppError> {
    Ok(Json(state.store().task_reports(&caller.scope, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportInput {
    /// `YYYY-MM-DD`; today when absent.
    reported_on: Option<String>,
    /// The writer's name; the account's name when absent.
    author: Option<String>,
    text: String,
    percent: i64,
    /// `in_progress`, `at_risk` or `done`.
    status: Option<TaskStatus>,
    /// The issuer or a responsible unit in scope.
    org_id: Option<i64>,
}

/// A multipart report: the part `report` holds the JSON of `ReportInput`, each part
/// `attachments` a file.
async fn report_upload(
    req: Request,
    state: &AppState,
) -> Result<(ReportInput, Vec<NewAttachment>), AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("上传无效 / upload failed: {e}"))
    };
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(format!("上传无效 / not an upload: {e}")))?;
    let mut input = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "report" => {
                let text = field.text().await.map_err(bad)?;
                input = Some(serde_json::from_str::<ReportInput>(&text).map_err(|e| {
                    AppError::Unprocessable(format!(
                        "report 部分不是有效的 JSON / the report part: {e}"
                    ))
                })?);
            }
            "attachments" => {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    files.push(NewAttachment {
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            _ => {}
        }
    }
    let input = input.ok_or_else(|| {
        AppError::Unprocessable("缺少 report 部分 / the upload has no part named report".into())
    })?;
    Ok((input, files))
}

/// Reports progress on a task (its issuer or one of its responsible units): a JSON body, or
/// `multipart/form-data` with the JSON in the part `report` and up to five files in parts
/// `attachments` (PDF, .docx, .xlsx, JPEG, PNG; 20 MB each; type checked by content).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports", tag = "workplan", request_body = ReportInput,
    params(("id" = i64, Path, description = "task id")),
    responses((status = 201, body = ProgressReport), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    req: Request,
) -> Result<(StatusCode, Json<ProgressReport>), AppError> {
    let (input, files) = if is_multipart(&req) {
        report_upload(req, &state).await?
    } else {
        let JsonBody(input) = JsonBody::<ReportInput>::from_request(req, &state).await?;
        (input, Vec::new())
    };
    let today = beijing_today();
    let reported_on = match input.reported_on.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(d) => kexie_office::parse_date(d)
            .map_err(|e| AppError::Unprocessable(format!("reported_on：{}", e.message)))?,
    };
    let author = input.author.unwrap_or_else(|| {
        caller
            .account
            .display_name
            .clone()
            .unwrap_or_else(|| caller.account.username.clone())
    });
    let new = NewReport {
        reported_on,
        author,
        text: input.text,
        percent: input.percent,
        status: input.status,
        org_id: input.org_id,
        attachments: files,
    };
    let report = state
        .store()
        .report_progress(&caller.scope, id, &new, today)
        .await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// A file of a progress report, for who sees the report (audited).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "workplan",
    params(("id" = i64, Path, description = "attachment id")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = crate::ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (meta, bytes): (Attachment, Vec<u8>) = state.store().attachment(&caller.scope, id).await?;
    Ok(file_response(&meta, bytes))
}
