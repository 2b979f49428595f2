//! Imports and exports shared by the pages and the command line: `office` reads and checks the
//! file, `store` checks it against the database and writes all of it or nothing, and the two
//! reports become one, sorted by row.

use kexie_office::orgs::{parse_org_sheet, OrgRow};
use kexie_office::report::{ImportReport, RowError};
use kexie_office::sheet::Sheet;
use kexie_office::xlsx_out::{XlsxWriter, ORG_HEADERS};
use kexie_store::{ImportOrg, ImportProgress, NewOrg, Scope, Store, StoreError};

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
/// `progress`, when given, follows the database phases.
pub async fn import_orgs(
    store: &Store,
    scope: &Scope,
    sheet: &Sheet,
    dry_run: bool,
    progress: Option<&ImportProgress>,
) -> Result<OrgImport, StoreError> {
    let (rows, mut report) = parse_org_sheet(sheet);
    let items: Vec<ImportOrg> = rows.iter().map(to_import).collect();
    let outcome = store
        .import_orgs(
            scope,
            &items,
            dry_run || !report.errors.is_empty(),
            progress,
        )
        .await?;
    add_problems(&mut report, &outcome.problems);
    let created = if report.errors.is_empty() {
        outcome.created
    } else {
        0
    };
    Ok(OrgImport { report, created })
}

/// The database's problems added to the file's errors, then the report settled.
pub(crate) fn add_problems(report: &mut ImportReport, problems: &[kexie_store::ImportProblem]) {
    for p in problems {
        report.push_error(p.row, p.column, p.code, p.message.clone());
    }
    settle(report);
}

/// Once the database's problems are added to the file's: the errors in row order, and as valid
/// the rows that have none.
fn settle(report: &mut ImportReport) {
    report.errors.sort_by_key(|e| e.row);
    let bad: std::collections::BTreeSet<usize> = report.errors.iter().map(|e| e.row).collect();
    report.valid = report.rows.saturating_sub(bad.len());
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

/// What a people import did.
pub struct PersonImport {
    pub report: ImportReport,
    pub created: usize,
    pub memberships: usize,
}

fn to_person(row: kexie_office::PersonRow, org_id: i64) -> kexie_store::ImportPerson {
    kexie_store::ImportPerson {
        row: row.row,
        person: kexie_store::NewPerson {
            org_id,
            name: row.name,
            gender: row.gender.map(|g| g.code().to_string()),
            birth_date: row.birth_date.map(|d| d.to_string()),
            ethnicity: row.ethnicity,
            id_number: row.id_number,
            mobile: row.mobile,
            email: row.email,
            employer: row.employer,
            department: row.department,
            post: row.post,
            title: row.title,
            education: row.education,
            degree: row.degree,
            discipline: row.discipline,
            political_status: row.political_status,
            grassroots: row.grassroots,
            serving_official: false,
            retired_official: false,
        },
        member_type: row.member_type,
        member_number: row.member_number,
        joined: row.joined.map(|d| d.to_string()),
    }
}

/// Imports the people of a sheet's rows (`PersonRows`, which may still be being read:
/// `PersonRows::streamed`), kept by `org_id` and made its members. Without `skip_invalid`, any
/// problem writes nothing; a file found unreadable further down fails the import, and nothing
/// is written. `progress`, when given, follows the database phases.
pub async fn import_person_rows(
    store: &Store,
    scope: &Scope,
    org_id: i64,
    checked: kexie_office::PersonRows,
    dry_run: bool,
    skip_invalid: bool,
    progress: Option<&ImportProgress>,
) -> Result<PersonImport, StoreError> {
    // Checked as the store takes them: the file's rows are checked, prepared and written in
    // one pass, so a million-row file is never held twice. A row the checks refuse stops the
    // writing unless invalid rows are skipped; the rest is still checked for the report.
    let expected_rows = checked.expected_rows();
    let checked_report = checked.report();
    if !checked.readable() {
        return Ok(PersonImport {
            report: checked_report.take(),
            created: 0,
            memberships: 0,
        });
    }
    let items = checked.map(move |r| {
        r.map(|r| r.map(|r| to_person(r, org_id)))
            .map_err(|e| e.to_string())
    });
    let outcome = store
        .import_persons(
            scope,
            org_id,
            items,
            kexie_store::PersonImportOptions {
                membership: true,
                dry_run,
                skip_invalid,
                expected_rows,
            },
            progress,
        )
        .await?;
    let mut report = checked_report.take();
    for m in &outcome.existing {
        report.errors.push(RowError {
            row: m.row,
            column: if m.reason == "id_number" {
                "身份证号"
            } else {
                "手机号"
            }
            .into(),
            code: "duplicate.existing".into(),
            message: format!(
                "已登记为人员 {} / already registered as person {}",
                m.person_id, m.person_id
            ),
        });
        report.duplicates.push(kexie_office::Duplicate {
            row: m.row,
            matches: serde_json::json!([{"person_id": m.person_id, "reason": m.reason}]),
        });
    }
    add_problems(&mut report, &outcome.problems);
    let written = skip_invalid || report.errors.is_empty();
    Ok(PersonImport {
        report,
        created: if written { outcome.created } else { 0 },
        memberships: if written { outcome.memberships } else { 0 },
    })
}

/// The headers of a people export.
pub const PERSON_EXPORT_HEADERS: [&str; 14] = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机号",
    "工作单位",
    "职称",
    "学科",
    "是否基层一线",
    "所属组织",
    "会员类型",
    "会员编号",
    "入会日期",
    "状态",
];

/// A ledger as `.xlsx`, page by page so memory stays flat; identity fields masked.
pub async fn export_ledger(
    store: &Store,
    scope: &Scope,
    filter: &kexie_store::LedgerFilter,
    today: chrono::NaiveDate,
) -> Result<(Vec<u8>, usize), StoreError> {
    const PAGE: i64 = 5000;
    let other = |e: kexie_office::error::OfficeError| StoreError::Other(e.to_string());
    let mut sheet = XlsxWriter::new("会员台账", &PERSON_EXPORT_HEADERS).map_err(other)?;
    // The next page is read while this one is written: the database works on its own thread
    // (SQLite's connection thread, or the PostgreSQL server), the sheet on this one.
    let (pages, mut next_page) = tokio::sync::mpsc::channel(2);
    let reader = {
        let (store, scope, filter) = (store.clone(), scope.clone(), filter.clone());
        tokio::spawn(async move {
            let mut offset = 0;
            loop {
                let page = store.ledger(&scope, &filter, today, PAGE, offset).await;
                let last = !matches!(&page, Ok((rows, _)) if rows.len() as i64 == PAGE);
                if pages.send(page).await.is_err() || last {
                    break;
                }
                offset += PAGE;
            }
        })
    };
    let _stop_reading = crate::jobs::AbortOnDrop(reader);
    let mut written = 0;
    while let Some(page) = next_page.recv().await {
        let (rows, _) = page?;
        for r in &rows {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let gender = match r.gender.as_deref() {
                Some("male") => "男",
                Some("female") => "女",
                _ => "",
            };
            sheet
                .push_row(&[
                    r.name.clone(),
                    gender.into(),
                    opt(&r.birth_date),
                    opt(&r.id_number),
                    opt(&r.mobile),
                    opt(&r.employer),
                    opt(&r.title),
                    opt(&r.discipline),
                    if r.grassroots { "是" } else { "否" }.into(),
                    r.org_name.clone(),
                    r.member_type.clone(),
                    opt(&r.number),
                    opt(&r.joined),
                    r.status.clone(),
                ])
                .map_err(other)?;
        }
        written += rows.len();
    }
    store
        .audit(
            scope.actor(),
            "export.persons",
            &format!("org:{}", filter.org_id),
            kexie_store::Outcome::Ok,
            &format!("rows={written}"),
        )
        .await?;
    Ok((sheet.into_bytes().map_err(other)?, written))
}
