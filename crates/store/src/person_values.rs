//! How a person becomes the values of a `person` row: identity numbers encrypted, hashed for
//! lookups and masked for lists, the name romanised. Shared by the single insert
//! (`persons`), the import (`person_import`) and the generated province (`demo_province`).

use kexie_domain::{mask, pinyin};

use crate::sql::Value;
use crate::{FieldCipher, NewPerson};

/// The columns of a person's own values (`person_own_values`), in their order.
macro_rules! person_own_columns {
    () => {
        "name, name_pinyin, initials, gender, birth_date, ethnicity, id_number_enc, \
         id_number_hash, id_number_mask, mobile_enc, mobile_hash, mobile_mask, email, employer, \
         department, post, title, education, degree, discipline, political_status, grassroots, \
         serving_official, retired_official"
    };
}

/// The columns of `person_own_values`: every column an insert writes but the keeping
/// organisation and the times, which an import writes once for all its rows.
pub(crate) const PERSON_OWN_COLUMNS: &str = person_own_columns!();

/// The columns every person insert writes, in the order of `person_values`.
pub(crate) const PERSON_INSERT_COLUMNS: &str = concat!(
    "org_id, ",
    person_own_columns!(),
    ", created_at, updated_at"
);

/// The keyed lookup hashes of a person's ID number and mobile phone (none for an empty one).
pub(crate) fn identity_hashes(
    cipher: &FieldCipher,
    new: &NewPerson,
) -> (Option<String>, Option<String>) {
    let hash = |field: &str, value: &Option<String>| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| cipher.lookup_hash(field, v))
    };
    (
        hash("person.id_number", &new.id_number),
        hash("person.mobile", &new.mobile),
    )
}

/// The values of `PERSON_INSERT_COLUMNS` for a person written at `now`. Takes the cipher, not
/// the store, so that an import can prepare rows on another thread while the database writes.
pub(crate) fn person_values(cipher: &FieldCipher, new: NewPerson, now: i64) -> Vec<Value> {
    let hashes = identity_hashes(cipher, &new);
    let org_id = new.org_id;
    let own = person_own_values(cipher, new, hashes);
    let mut values = Vec::with_capacity(own.len() + 3);
    values.push(Value::Int(org_id));
    values.extend(own);
    values.extend([Value::Int(now), Value::Int(now)]);
    values
}

/// The values of `PERSON_OWN_COLUMNS`: identity numbers encrypted, hashed for lookups and
/// masked for lists, with the lookup hashes already computed (an import keeps them for its
/// duplicate checks), taking the person's text instead of copying it.
pub(crate) fn person_own_values(
    cipher: &FieldCipher,
    new: NewPerson,
    (id_hash, mobile_hash): (Option<String>, Option<String>),
) -> Vec<Value> {
    let id = new.id_number.as_deref().filter(|s| !s.is_empty());
    let mobile = new.mobile.as_deref().filter(|s| !s.is_empty());
    let name = match new.name.trim() {
        trimmed if trimmed.len() == new.name.len() => new.name,
        trimmed => trimmed.to_string(),
    };
    let (sort_key, initials) = pinyin::name_keys(&name);
    vec![
        Value::Text(name),
        Value::Text(sort_key),
        Value::Text(initials),
        Value::OptText(new.gender),
        Value::OptText(new.birth_date),
        Value::OptText(new.ethnicity),
        Value::Bytes(id.map(|v| cipher.encrypt("person.id_number", v))),
        Value::OptText(id_hash),
        Value::OptText(id.map(mask::mask_id_number)),
        Value::Bytes(mobile.map(|v| cipher.encrypt("person.mobile", v))),
        Value::OptText(mobile_hash),
        Value::OptText(mobile.map(mask::mask_phone)),
        Value::OptText(new.email),
        Value::OptText(new.employer),
        Value::OptText(new.department),
        Value::OptText(new.post),
        Value::OptText(new.title),
        Value::OptText(new.education),
        Value::OptText(new.degree),
        Value::OptText(new.discipline),
        Value::OptText(new.political_status),
        Value::Int(new.grassroots.into()),
        Value::Int(new.serving_official.into()),
        Value::Int(new.retired_official.into()),
    ]
}
