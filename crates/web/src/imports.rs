//! Imports and exports shared by the pages and the command line: `office` reads and checks the
//! file, `store` checks it against the database and writes all of it or nothing, and the two
//! reports become one, sorted by row.

use kexie_office::orgs::{parse_org_sheet, OrgRow};
use kexie_office::report::{ImportReport, RowError};
use kexie_office::sheet::Sheet;
use kexie_office::xlsx_out::{XlsxWriter, ORG_HEADERS};
use kexie_store::{ImportOrg, NewOrg, Scope, Store, StoreError};

/// What an organisation import did.
pub struct OrgImport {
    pub report: ImportReport,
    /// Organisations written (0 for a dry run or a file with errors).
    pub created: usize,
}

fn to_import(row: &OrgRow) -> ImportOrg {
    ImportOrg {
        row: row.row,
        org: NewOrg {
            code: row.code.clone(),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            kind: Some(row.kind),
            division_code: row.division_code.clone(),
            parent_id: None,
            credit_code: row.credit_code.clone(),
            established: row.established.map(|d| d.to_string()),
            status: Some(row.status),
            address: row.address.clone(),
            contact_name: row.contact_name.clone(),
            // A masked number (from a masked export) carries no number: leave it out.
            contact_phone: row.contact_phone.clone().filter(|p| !p.contains('*')),
            notes: row.notes.clone(),
        },
        parent_code: row.parent_code.clone(),
    }
}

/// Imports the organisations of a sheet. With any error nothing is written; the database checks
/// still run over the rows the file itself found valid, so one report names every problem.
pub async fn import_orgs(
    store: &Store,
    scope: &Scope,
    sheet: &Sheet,
    dry_run: bool,
) -> Result<OrgImport, StoreError> {
    let (rows, mut report) = parse_org_sheet(sheet);
    let items: Vec<ImportOrg> = rows.iter().map(to_import).collect();
    let outcome = store
        .import_orgs(scope, &items, dry_run || !report.errors.is_empty())
        .await?;
    let mut bad_rows: std::collections::BTreeSet<usize> =
        report.errors.iter().map(|e| e.row).collect();
    for p in outcome.problems {
        bad_rows.insert(p.row);
        report.errors.push(RowError {
            row: p.row,
            column: p.column.to_string(),
            code: p.code.to_string(),
            message: p.message,
        });
    }
    report.errors.sort_by_key(|e| e.row);
    report.valid = report.rows.saturating_sub(bad_rows.len());
    let created = if report.errors.is_empty() {
        outcome.created
    } else {
        0
    };
    Ok(OrgImport { report, created })
}

/// The organisations under `org_id` as an `.xlsx` in the import layout (a round trip).
pub async fn export_orgs(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    unmask: bool,
) -> Result<Vec<u8>, StoreError> {
    let orgs = store.export_orgs(scope, org_id, unmask).await?;
    let other = |e: kexie_office::error::OfficeError| StoreError::Other(e.to_string());
    let mut sheet = XlsxWriter::new("组织", &ORG_HEADERS).map_err(other)?;
    for o in &orgs {
        let kind = kexie_domain::org::OrgKind::parse(&o.kind)
            .map(|k| k.zh_name())
            .unwrap_or("其他");
        let status = kexie_domain::org::OrgStatus::parse(&o.status)
            .map(|s| s.zh_name())
            .unwrap_or("");
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        sheet
            .push_row(&[
                &o.code,
                &o.name,
                &opt(&o.short_name),
                kind,
                &opt(&o.parent_code),
                &opt(&o.division_code),
                &opt(&o.credit_code),
                &opt(&o.established),
                status,
                &opt(&o.address),
                &opt(&o.contact_name),
                &opt(&o.contact_phone),
                &opt(&o.notes),
            ])
            .map_err(other)?;
    }
    sheet.into_bytes().map_err(other)
}
