//! The stage before the writer: rows prepared (encrypted, hashed, romanised) on a blocking
//! thread, a chunk ahead (`checks` then checks each chunk against the registry).

use super::ImportPerson;
use crate::person_values::{identity_hashes, person_own_values};
use crate::sql::Value;
use crate::{FieldCipher, Store};

/// Rows prepared ahead of the writer, per hand-over.
const PREPARED_CHUNK: usize = 2_000;

/// A row ready to be written: its own values (`PERSON_OWN_COLUMNS`) computed once, its lookup
/// hashes beside them.
pub(super) struct Prepared {
    pub(super) row: usize,
    pub(super) name: String,
    pub(super) id_hash: Option<String>,
    pub(super) mobile_hash: Option<String>,
    pub(super) values: Vec<Value>,
    pub(super) member_type: Option<String>,
    pub(super) member_number: Option<String>,
    pub(super) joined: Option<String>,
}

impl Prepared {
    fn new(cipher: &FieldCipher, item: ImportPerson) -> Prepared {
        let person = item.person;
        let (id_hash, mobile_hash) = identity_hashes(cipher, &person);
        let name = person.name.trim().to_string();
        let values = person_own_values(cipher, person, (id_hash.clone(), mobile_hash.clone()));
        Prepared {
            row: item.row,
            name,
            id_hash,
            mobile_hash,
            values,
            member_type: item.member_type,
            member_number: item.member_number,
            joined: item.joined,
        }
    }
}

/// A chunk of prepared rows, and how many rows between them the file's checks refused.
pub(super) struct Chunk {
    pub(super) rows: Vec<Prepared>,
    pub(super) refused: usize,
}

impl Chunk {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }
}

impl Store {
    /// Encrypts, hashes and romanises the rows on a blocking thread, a chunk at a time, at most
    /// two chunks ahead of the writer (memory stays bounded).
    pub(super) fn prepare_ahead<I>(
        &self,
        rows: I,
    ) -> (
        tokio::sync::mpsc::Receiver<Chunk>,
        tokio::task::JoinHandle<Result<(), String>>,
    )
    where
        I: Iterator<Item = Result<Option<ImportPerson>, String>> + Send + 'static,
    {
        let cipher = self.cipher.clone();
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let producer = tokio::task::spawn_blocking(move || {
            let mut rows = rows;
            loop {
                let mut chunk = Chunk {
                    rows: Vec::with_capacity(PREPARED_CHUNK),
                    refused: 0,
                };
                for item in rows.by_ref().take(PREPARED_CHUNK) {
                    match item {
                        Ok(Some(item)) => chunk.rows.push(Prepared::new(&cipher, item)),
                        Ok(None) => chunk.refused += 1,
                        // The file could not be read further: the rows so far are not the
                        // file, and the import fails without them.
                        Err(message) => return Err(message),
                    }
                }
                // A closed channel means the import stopped on an error: stop preparing.
                if chunk.len() + chunk.refused == 0 || sender.blocking_send(chunk).is_err() {
                    return Ok(());
                }
            }
        });
        (receiver, producer)
    }
}
