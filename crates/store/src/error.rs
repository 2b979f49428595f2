//! The store's errors: the web layer maps each to a status code.

use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The row does not exist, or exists outside the caller's scope (the two are not told apart).
    #[error("未找到 / not found")]
    NotFound,
    /// The write collides with existing data (a unique code, a duplicate person).
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed in a way only the store can see.
    #[error("{0}")]
    Invalid(String),
    /// The caller's scope does not allow the action on a row it may see.
    #[error("无权执行此操作 / not permitted")]
    Forbidden,
    #[error("数据库错误 / database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Turns a unique-constraint violation into a `Conflict` with the given message.
    pub(crate) fn conflict_on_unique(e: sqlx::Error, message: impl Into<String>) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(message.into())
            }
            _ => StoreError::Database(e),
        }
    }
}
