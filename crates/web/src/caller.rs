//! Who is asking: the scope every store call of a request runs in, and their language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kexie_store::Scope;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

pub struct Caller {
    pub scope: Scope,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        // Until accounts exist every visitor reads everything, masked and read-only.
        Ok(Caller {
            scope: Scope::subtree("/", false, false),
            lang,
        })
    }
}
