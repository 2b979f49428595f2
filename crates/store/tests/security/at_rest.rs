//! Encryption at rest: the database files hold no ID or phone number in plain text.

use kexie_store::testing::TestDb;
use kexie_store::{NewOrg, NewPerson, Scope};

use super::county;

/// `strings` over the SQLite files finds no stored ID number or phone number.
#[tokio::test]
async fn the_sqlite_files_hold_no_plaintext_id_or_phone_number() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let (_, c) = county(store).await;
    let numbers = [
        ("23010319900307002X", "13812345678"),
        ("230103198512120019", "15904511234"),
    ];
    for (i, (id, phone)) in numbers.iter().enumerate() {
        store
            .create_person(
                &Scope::everything(),
                &NewPerson {
                    org_id: c,
                    name: format!("测试{i}"),
                    id_number: Some(id.to_string()),
                    mobile: Some(phone.to_string()),
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap();
    }
    store
        .create_org(
            &Scope::everything(),
            &NewOrg {
                code: "X".into(),
                name: "有电话的组织".into(),
                contact_phone: Some("13698765432".into()),
                parent_id: Some(c),
                ..NewOrg::default()
            },
        )
        .await
        .unwrap();
    store.close().await;
    let files = db.sqlite_files();
    assert!(!files.is_empty());
    let mut masks_seen = false;
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for needle in [
            "23010319900307002X",
            "230103198512120019",
            "13812345678",
            "15904511234",
            "13698765432",
        ] {
            assert!(
                !text.contains(needle),
                "{needle} found in {}",
                file.display()
            );
        }
        masks_seen |= text.contains("138****5678");
    }
    // Masks are there (that is what lists show), full numbers are not.
    assert!(masks_seen, "the masked phone is stored for lists to show");
}
