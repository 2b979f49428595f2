//! How a command fails: one clear line on stderr (Chinese first, English after) and an exit code:
//! 1 for a runtime failure, 2 for bad usage or bad input.

use kexie_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad usage or bad input: exit 2.
    #[error("错误 / Error: {0}")]
    Input(String),
    /// Something went wrong while running: exit 1.
    #[error("错误 / Error: {0}")]
    Runtime(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Runtime(_) => 1,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::Invalid(m) | StoreError::Conflict(m) => Failure::Input(m),
            StoreError::NotFound => Failure::Input(e.to_string()),
            other => Failure::Runtime(other.to_string()),
        }
    }
}

impl From<kexie_store::KeyError> for Failure {
    fn from(e: kexie_store::KeyError) -> Failure {
        Failure::Runtime(e.to_string())
    }
}

pub type CmdResult = Result<(), Failure>;
