//! Importing organisations on both databases: all or nothing, parents from the file, the
//! database or the division, scope respected, dry runs that write nothing.

use kexie_domain::org::OrgKind;
use kexie_store::testing::TestDb;
use kexie_store::{
    stories, ImportOrg, ImportPhase, ImportProgress, NewOrg, OrgFilter, Scope, Store,
};

stories!(
    a_valid_file_is_written_whole_with_parents_from_file_database_and_division,
    one_bad_row_writes_nothing_and_every_problem_is_reported,
    a_dry_run_reports_and_writes_nothing,
    a_county_cannot_import_under_a_neighbour,
);

fn row(
    row: usize,
    code: &str,
    kind: OrgKind,
    parent: Option<&str>,
    division: Option<&str>,
) -> ImportOrg {
    ImportOrg {
        row,
        org: NewOrg {
            code: code.into(),
            name: format!("{code}名称"),
            kind: Some(kind),
            division_code: division.map(str::to_string),
            ..NewOrg::default()
        },
        parent_code: parent.map(str::to_string),
    }
}

async fn count(store: &Store) -> i64 {
    store
        .list_orgs(
            &Scope::everything(),
            &OrgFilter {
                limit: 1,
                ..OrgFilter::default()
            },
        )
        .await
        .unwrap()
        .1
}

async fn province(store: &Store) -> i64 {
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: "23KX".into(),
                name: "省科协".into(),
                kind: Some(OrgKind::Kexie),
                division_code: Some("230000000000".into()),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap()
        .org_id
}

async fn a_valid_file_is_written_whole_with_parents_from_file_database_and_division(db: &TestDb) {
    let store = &db.store;
    let p = province(store).await;
    let all = Scope::everything();
    let rows = vec![
        // Parent from the database.
        row(
            2,
            "2301KX",
            OrgKind::Kexie,
            Some("23KX"),
            Some("230100000000"),
        ),
        // Parent inferred from the division: 道里区 is in 哈尔滨市, whose 科协 is two rows up.
        row(3, "230102KX", OrgKind::Kexie, None, Some("230102000000")),
        // Parent from the file.
        row(4, "E1", OrgKind::EnterpriseKexie, Some("230102KX"), None),
        // A township infers the county created in this file.
        row(5, "T1", OrgKind::Kexie, None, Some("230102001000")),
    ];
    let progress = ImportProgress::new();
    let outcome = store
        .import_orgs(&all, &rows, false, Some(&progress))
        .await
        .unwrap();
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(outcome.created, 4);
    // Every row was checked; the writing phase counts the rows being committed.
    let seen = progress.snapshot();
    assert_eq!((seen.phase, seen.total), (ImportPhase::Writing, 4));
    let city = store.org_by_code(&all, "2301KX").await.unwrap();
    assert_eq!(city.parent_id, Some(p));
    let county = store.org_by_code(&all, "230102KX").await.unwrap();
    assert_eq!(county.parent_id, Some(city.org_id));
    assert_eq!(
        store.org_by_code(&all, "E1").await.unwrap().parent_id,
        Some(county.org_id)
    );
    let town = store.org_by_code(&all, "T1").await.unwrap();
    assert_eq!(town.parent_id, Some(county.org_id));
    assert!(town.path.starts_with(&county.path));
}

async fn one_bad_row_writes_nothing_and_every_problem_is_reported(db: &TestDb) {
    let store = &db.store;
    province(store).await;
    let all = Scope::everything();
    let before = count(store).await;
    let rows = vec![
        row(2, "A", OrgKind::Kexie, Some("23KX"), None),
        row(3, "23KX", OrgKind::Kexie, Some("23KX"), None),
        row(4, "B", OrgKind::Society, Some("NOPE"), None),
        row(5, "C", OrgKind::Society, Some("23KX"), Some("990000000000")),
    ];
    let outcome = store.import_orgs(&all, &rows, false, None).await.unwrap();
    assert_eq!(outcome.created, 0);
    let codes: Vec<_> = outcome.problems.iter().map(|p| (p.row, p.code)).collect();
    assert_eq!(
        codes,
        [
            (3, "duplicate.existing"),
            (4, "parent.unknown"),
            (5, "division_code.unknown")
        ]
    );
    assert_eq!(count(store).await, before, "nothing written");
    assert!(store.org_by_code(&all, "A").await.is_err());
}

async fn a_dry_run_reports_and_writes_nothing(db: &TestDb) {
    let store = &db.store;
    province(store).await;
    let all = Scope::everything();
    let before = count(store).await;
    let outcome = store
        .import_orgs(
            &all,
            &[row(2, "A", OrgKind::Kexie, Some("23KX"), None)],
            true,
            None,
        )
        .await
        .unwrap();
    assert!(outcome.problems.is_empty());
    assert_eq!(outcome.created, 0);
    assert_eq!(count(store).await, before);
    let verified = store.verify_audit().await.unwrap();
    assert!(verified.ok);
}

async fn a_county_cannot_import_under_a_neighbour(db: &TestDb) {
    let store = &db.store;
    let p = province(store).await;
    let all = Scope::everything();
    let d1 = store
        .create_org(
            &all,
            &NewOrg {
                code: "D1".into(),
                name: "一区".into(),
                kind: Some(OrgKind::Kexie),
                parent_id: Some(p),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    store
        .create_org(
            &all,
            &NewOrg {
                code: "D2".into(),
                name: "二区".into(),
                kind: Some(OrgKind::Kexie),
                parent_id: Some(p),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    let county = Scope::subtree(d1.path, true, false);
    let outcome = store
        .import_orgs(
            &county,
            &[
                row(2, "X", OrgKind::Society, Some("D2"), None),
                row(3, "Y", OrgKind::Society, None, None),
            ],
            false,
            None,
        )
        .await
        .unwrap();
    let codes: Vec<_> = outcome.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["parent.unknown", "parent.missing"]);
    let ok = store
        .import_orgs(
            &county,
            &[row(2, "X", OrgKind::Society, Some("D1"), None)],
            false,
            None,
        )
        .await
        .unwrap();
    assert_eq!(ok.created, 1);
}
