//! Duplicates of a person and their merge: list the records that look like the same person,
//! compare two side by side (masked), choose which to keep, confirm.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kexie_store::{DuplicateMatch, MembershipRow, PersonRow};
use serde::Deserialize;

use super::{render, Chrome};
use crate::caller::Caller;
use crate::csrf::CsrfForm;
use crate::error::{AppError, PageError};
use crate::extract::{Path, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons/{id}/duplicates", get(duplicates))
        .route("/persons/{id}/merge", get(compare).post(merge))
}

#[derive(Template)]
#[template(path = "pages/person_duplicates.html")]
struct DuplicatesPage {
    c: Chrome,
    person: PersonRow,
    matches: Vec<DuplicateMatch>,
}

impl DuplicatesPage {
    fn reason(&self, code: &str) -> &'static str {
        self.c.t(&format!("merge.reason_{code}"))
    }
}

async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let run = async {
        let store = state.store();
        let person = store.person(&caller.scope, id).await?;
        let matches = store.duplicates_of(&caller.scope, id).await?;
        Ok::<_, AppError>(DuplicatesPage {
            c: Chrome::new(
                &state,
                &caller,
                format!("{} · {}", lang.t("merge.duplicates"), person.name),
                "persons",
            ),
            person,
            matches,
        })
    };
    let page = run.await.map_err(|e| PageError(e, lang))?;
    Ok(render(page, lang))
}

/// `?with=ID`: the other record (without it, the list of duplicates to choose from).
#[derive(Deserialize)]
struct With {
    with: Option<i64>,
}

/// One side of the comparison.
struct Side {
    person: PersonRow,
    memberships: Vec<MembershipRow>,
}

#[derive(Template)]
#[template(path = "pages/person_merge.html")]
struct MergePage {
    c: Chrome,
    id: i64,
    sides: [Side; 2],
}

async fn side(state: &AppState, caller: &Caller, id: i64) -> Result<Side, AppError> {
    let store = state.store();
    Ok(Side {
        person: store.person(&caller.scope, id).await?,
        memberships: store.person_memberships(&caller.scope, id).await?,
    })
}

async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<With>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let first = side(&state, &caller, id)
        .await
        .map_err(|e| PageError(e, lang))?;
    let Some(with) = q.with else {
        return Ok(Redirect::to(&format!("/persons/{id}/duplicates")).into_response());
    };
    let run = async {
        let second = side(&state, &caller, with).await?;
        if !caller.scope.can_write() {
            return Err(AppError::Forbidden);
        }
        if id == with {
            return Err(AppError::Unprocessable(
                "不能与自己合并 / cannot merge a record with itself".into(),
            ));
        }
        Ok(MergePage {
            c: Chrome::new(&state, &caller, lang.t("merge.title"), "persons"),
            id,
            sides: [first, second],
        })
    };
    let page = run.await.map_err(|e| PageError(e, lang))?;
    Ok(render(page, lang))
}

#[derive(Deserialize)]
struct MergeForm {
    with: i64,
    keep: i64,
}

/// Merges the record not kept into the one kept; both must be the pair compared.
async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let gone = if form.keep == id {
        form.with
    } else if form.keep == form.with {
        id
    } else {
        return Err(PageError(
            AppError::Unprocessable(
                "请选择保留两条记录中的一条 / keep one of the two records compared".into(),
            ),
            lang,
        ));
    };
    state
        .store()
        .merge_persons(&caller.scope, form.keep, gone)
        .await
        .map_err(|e| PageError(e.into(), lang))?;
    Ok(Redirect::to(&format!("/persons/{}", form.keep)).into_response())
}
