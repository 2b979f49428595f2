//! Pilot programmes (试点): through the JSON API and the pages, and their unit sheets.

mod common;
#[path = "common/network.rs"]
mod network;

use common::Browser;
use kexie_domain::role::Role;
use kexie_store::Backend;
use network::{get_json, person, send, setup};
use serde_json::{json, Value};

on_both_databases!(
    a_pilot_is_created_through_the_api_and_followed_on_its_page,
    unit_sheets_are_checked_row_by_row_and_written_all_or_nothing,
);

async fn a_pilot_is_created_through_the_api_and_followed_on_its_page(backend: Backend) {
    let s = setup(backend).await;
    let d = s.county;
    let town = s
        .app
        .org("T1", "新阳路街道科协", Some(d), "230102001000")
        .await;
    let leader = person(&s.app, d, "李组长").await;
    let bad = send(
        &s,
        reqwest::Method::POST,
        "/api/v1/pilots",
        json!({
            "org_id": d, "name": "试点", "doc_number": "道科协发2018年5号"
        }),
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("文号"));
    let created = send(&s, reqwest::Method::POST, "/api/v1/pilots", json!({
        "org_id": d, "name": "“四+一”试点", "doc_number": "道科协发[2018]5号", "issued_on": "2018-06-11",
        "categories": [
            {"name": "街道科协", "units": [{"org_id": town}]},
            {"name": "企业科协", "units": [{"name": "甲机械厂", "contact_name": "科普部 联系人", "contact_phone": "13800138000"}]}
        ],
        "group": [{"role": "leader", "person_id": leader, "title": "党组书记"}, {"role": "办公室", "name": "办公室主任"}]
    }))
    .await;
    assert_eq!(created.status(), 201);
    let pilot: Value = created.json().await.unwrap();
    let id = pilot["pilot_id"].as_i64().unwrap();
    assert_eq!(pilot["doc_number"], "道科协发〔2018〕5号");
    assert_eq!(pilot["categories"][0]["units"][0]["name"], "新阳路街道科协");
    assert_eq!(
        pilot["categories"][1]["units"][0]["contact_phone"],
        "138****8000"
    );
    assert_eq!(pilot["group"][0]["name"], "李组长");
    assert_eq!(
        pilot["progress"],
        json!({"units": 2, "not_started": 2, "in_progress": 0, "done": 0})
    );

    // Progress through the page: the firm is done, the street in progress.
    let firm = pilot["categories"][1]["units"][0]["unit_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let street = pilot["categories"][0]["units"][0]["unit_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let csrf = s.browser.csrf(&format!("/pilots/{id}")).await;
    for (unit, status, note) in [
        (&firm, "done", "已吸纳两名科技型企业负责人"),
        (&street, "in_progress", ""),
    ] {
        let r = s
            .browser
            .post_form(
                &format!("/pilots/{id}/progress"),
                &csrf,
                &[
                    ("unit_id", unit),
                    ("status", status),
                    ("noted_on", "2018-10-01"),
                    ("note", note),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
    }
    let r = s
        .browser
        .post_form(
            &format!("/pilots/{id}/units"),
            &csrf,
            &[
                ("category", "企业科协"),
                ("org_code", ""),
                ("name", "乙化工厂"),
                ("contact_name", ""),
                ("contact_phone", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = s
        .browser
        .post_form(
            &format!("/pilots/{id}/group"),
            &csrf,
            &[
                ("role", "member"),
                ("person_id", ""),
                ("name", "成员丙"),
                ("title", "学会部部长"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = s
        .browser
        .post_form(
            &format!("/pilots/{id}/progress"),
            &csrf,
            &[("unit_id", &firm), ("status", "finished")],
        )
        .await;
    assert_eq!(r.status(), 422, "an unknown status is refused");

    let got: Value = get_json(&s, &format!("/api/v1/pilots/{id}")).await;
    assert_eq!(
        got["progress"],
        json!({"units": 3, "not_started": 1, "in_progress": 1, "done": 1})
    );
    assert_eq!(
        got["categories"][1]["progress"],
        json!({"units": 2, "not_started": 1, "in_progress": 0, "done": 1})
    );
    assert_eq!(
        got["categories"][1]["units"][0]["note"],
        "已吸纳两名科技型企业负责人"
    );
    assert_eq!(got["group"].as_array().unwrap().len(), 3);
    let html = s.browser.text(&format!("/pilots/{id}")).await;
    assert!(
        html.contains("道科协发〔2018〕5号")
            && html.contains("成员丙")
            && html.contains("乙化工厂")
    );
    assert!(
        html.contains("企业科协: 1 / 2 (50.0%)"),
        "the chart shows done of all per category"
    );
    // Typed text comes back escaped, in the page and in the chart.
    let script = send(
        &s,
        reqwest::Method::POST,
        "/api/v1/pilots",
        json!({
            "org_id": d, "name": "<script>alert(1)</script>", "categories": [{"name": "<b>类</b>"}]
        }),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let html = s
        .browser
        .text(&format!("/pilots/{}", script["pilot_id"]))
        .await;
    assert!(!html.contains("<script>alert") && !html.contains("<b>类"));
    assert!(html.contains("&lt;b&gt;类"));
    let list = s.browser.text("/pilots").await;
    assert!(list.contains("“四+一”试点"));
    let listed: Value = get_json(&s, "/api/v1/pilots").await;
    assert_eq!(listed[0]["progress"]["done"], 1);

    // A new pilot through the page form; a bad document number comes back with the form kept.
    let csrf = s.browser.csrf("/pilots/new").await;
    let r = new_pilot_form(&s.browser, &csrf, "〔2019〕1号", "").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("发文机关代字") && body.contains("第二批试点"));
    let r = new_pilot_form(&s.browser, &csrf, "道科协发〔2019〕1号", "2019-03-01").await;
    assert_eq!(r.status(), 303);
    let second: Value = get_json(&s, "/api/v1/pilots").await;
    assert_eq!(second[0]["name"], "第二批试点");
}

/// Submits the page form for the county's second pilot with its document number and day.
async fn new_pilot_form(
    browser: &Browser,
    csrf: &str,
    doc_number: &str,
    issued_on: &str,
) -> reqwest::Response {
    browser
        .post_form(
            "/pilots/new",
            csrf,
            &[
                ("org_code", "D"),
                ("name", "第二批试点"),
                ("doc_number", doc_number),
                ("issued_on", issued_on),
                ("categories", "乡镇科协\n企业科协"),
            ],
        )
        .await
}

fn xlsx(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut w =
        kexie_office::XlsxWriter::new("试点单位", &["类别", "单位名称", "联系人", "联系电话"])
            .unwrap();
    for r in rows {
        w.push_row(r).unwrap();
    }
    w.into_bytes().unwrap()
}

async fn unit_sheets_are_checked_row_by_row_and_written_all_or_nothing(backend: Backend) {
    let s = setup(backend).await;
    let d = s.county;
    s.app
        .org("T1", "新阳路街道科协", Some(d), "230102001000")
        .await;
    let created: Value = send(&s, reqwest::Method::POST, "/api/v1/pilots", json!({
        "org_id": d, "name": "试点", "categories": [{"name": "企业科协", "units": [{"name": "甲机械厂"}]}]
    }))
    .await
    .json()
    .await
    .unwrap();
    let id = created["pilot_id"].as_i64().unwrap();
    let path = format!("/pilots/{id}/import");
    let units = |v: Value| v["progress"]["units"].as_i64().unwrap();

    // A malformed phone and an empty name: each named by row and column, nothing written.
    let bad = xlsx(&[
        ["街道科协", "新阳路街道科协", "办公室", "0451-86612345"],
        ["企业科协", "乙化工厂", "科普部", "12345"],
        ["社区科协", "", "", ""],
    ]);
    let r = s.browser.upload(&path, &[], ("units.xlsx", &bad)).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(
            "<td class=\"num\">3</td><td>联系电话</td><td class=\"mono\">phone.format</td>"
        ),
        "{html}"
    );
    assert!(html.contains(
        "<td class=\"num\">4</td><td>单位名称</td><td class=\"mono\">field.required</td>"
    ));
    let got: Value = get_json(&s, &format!("/api/v1/pilots/{id}")).await;
    assert_eq!(units(got), 1);

    // A unit already in its category is a problem of its row, found against the database.
    let dup = xlsx(&[
        ["街道科协", "新阳路街道科协", "", ""],
        ["企业科协", "甲机械厂", "", ""],
    ]);
    let r = s.browser.upload(&path, &[], ("units.xlsx", &dup)).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(
        "<td class=\"num\">3</td><td>单位名称</td><td class=\"mono\">unit.duplicate</td>"
    ));
    let got: Value = get_json(&s, &format!("/api/v1/pilots/{id}")).await;
    assert_eq!(units(got), 1);

    // A clean sheet: a dry run writes nothing, the import writes every unit.
    let good = xlsx(&[
        [
            "街道科协",
            "新阳路街道科协",
            "办公室 联系人",
            "0451-86612345",
        ],
        ["企业科协", "乙化工厂、丙制药厂", "科普部 联系人", ""],
    ]);
    let r = s
        .browser
        .upload(&path, &[("dry_run", "1")], ("units.xlsx", &good))
        .await;
    assert_eq!(r.status(), 200);
    let got: Value = get_json(&s, &format!("/api/v1/pilots/{id}")).await;
    assert_eq!(units(got), 1);
    let r = s.browser.upload(&path, &[], ("units.xlsx", &good)).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("已导入试点单位： 3"));
    let got: Value = get_json(&s, &format!("/api/v1/pilots/{id}")).await;
    assert_eq!(got["progress"]["units"], 4);
    let street = got["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "街道科协")
        .unwrap();
    assert!(
        street["units"][0]["org_id"].is_i64(),
        "linked to the registry by its name"
    );

    // A viewer may read the pilot but not import into it.
    let viewer = s.app.signed_in("viewer", Role::OrgViewer, Some(d)).await;
    assert_eq!(viewer.get(&path).await.status(), 403);
    assert_eq!(viewer.get(&format!("/pilots/{id}")).await.status(), 200);
}
