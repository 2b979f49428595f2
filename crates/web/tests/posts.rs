//! Posts (任职) and key persons (四长): through the JSON API and the pages.

mod common;
#[path = "common/network.rs"]
mod network;

use kexie_store::{Backend, Scope};
use network::{get_json, person, send, setup};
use serde_json::{json, Value};

on_both_databases!(
    posts_are_given_and_ended_through_the_api_and_the_organisation_page,
    key_persons_in_post_show_on_the_coverage_api_and_page,
);

async fn posts_are_given_and_ended_through_the_api_and_the_organisation_page(backend: Backend) {
    let s = setup(backend).await;
    let d = s.county;
    let holder = person(&s.app, d, "赵院长").await;
    let other = person(&s.app, d, "钱校长").await;
    let created = send(
        &s,
        reqwest::Method::POST,
        &format!("/api/v1/orgs/{d}/posts"),
        json!({
            "person_id": holder, "role": "副主席", "mode": "兼职", "key_kind": "医院院长",
            "started_on": "2018-07-01"
        }),
    )
    .await;
    assert_eq!(created.status(), 201);
    let post: Value = created.json().await.unwrap();
    assert_eq!(post["role"], "vice_chair");
    assert_eq!(post["mode"], "part_time");
    assert_eq!(post["key_kind"], "hospital_director");
    assert_eq!(post["person_name"], "赵院长");

    // Bad values are refused with the field named, before anything is written.
    for (body, named) in [
        (json!({"person_id": other, "role": "理事长"}), "role"),
        (json!({"person_id": other, "role": "vice_chair"}), "兼职"),
        (
            json!({"person_id": other, "role": "chair", "started_on": "2018/7/1"}),
            "started_on",
        ),
        (
            json!({"person_id": other, "role": "chair", "key_kind": "村医"}),
            "key_kind",
        ),
    ] {
        let r = send(
            &s,
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{d}/posts"),
            body,
        )
        .await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(named),
            "{e}"
        );
    }

    // The organisation page lists the post; a name search offers the registry's people.
    let html = s.browser.text(&format!("/orgs/{d}")).await;
    assert!(html.contains("赵院长") && html.contains("副主席") && html.contains("医院院长"));
    let search = s
        .browser
        .text(&format!("/orgs/{d}?person_q=%E9%92%B1"))
        .await;
    assert!(search.contains(&format!("name=\"person_id\" value=\"{other}\"")));
    let csrf = s.browser.csrf(&format!("/orgs/{d}")).await;
    let added = s
        .browser
        .post_form(
            &format!("/orgs/{d}/posts"),
            &csrf,
            &[
                ("person_id", &other.to_string()),
                ("role", "committee_member"),
                ("key_kind", "school_principal"),
                ("started_on", ""),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let list: Value = get_json(&s, &format!("/api/v1/orgs/{d}/posts")).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let second = list[1]["post_id"].as_i64().unwrap();

    // Ending: through the page with a date, through the API today.
    let ended = s
        .browser
        .post_form(
            &format!("/posts/{second}/end"),
            &csrf,
            &[("ended_on", "2019-01-01")],
        )
        .await;
    assert_eq!(ended.status(), 303);
    let first = post["post_id"].as_i64().unwrap();
    let r = send(
        &s,
        reqwest::Method::DELETE,
        &format!("/api/v1/posts/{first}"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let current: Value = get_json(&s, &format!("/api/v1/orgs/{d}/posts")).await;
    assert_eq!(current, json!([]));
    let all: Value = get_json(&s, &format!("/api/v1/orgs/{d}/posts?all=1")).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let one: Value = get_json(&s, &format!("/api/v1/posts/{second}")).await;
    assert_eq!(one["ended_on"], "2019-01-01");
    // PATCH changes a field and keeps the rest.
    let patched: Value = send(
        &s,
        reqwest::Method::PATCH,
        &format!("/api/v1/posts/{second}"),
        json!({"role": "代表"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (patched["role"].as_str(), patched["key_kind"].as_str()),
        (Some("representative"), Some("school_principal"))
    );
    // A post of an organisation beyond the caller's subtree is not found.
    let beyond = s.app.org("X", "香坊区科协", None, "230110000000").await;
    let stranger = person(&s.app, beyond, "孙站长").await;
    let post_beyond = s
        .app
        .store()
        .add_org_post(
            &Scope::everything(),
            beyond,
            &kexie_store::NewOrgPost {
                person_id: stranger,
                role: kexie_domain::network::PostRole::Chair,
                mode: None,
                key_kind: None,
                started_on: None,
                ended_on: None,
            },
        )
        .await
        .unwrap();
    let r = send(
        &s,
        reqwest::Method::DELETE,
        &format!("/api/v1/posts/{}", post_beyond.post_id),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = send(
        &s,
        reqwest::Method::POST,
        &format!("/api/v1/orgs/{d}/posts"),
        json!({"person_id": stranger, "role": "chair"}),
    )
    .await;
    assert_eq!(
        r.status(),
        404,
        "a person beyond the subtree cannot be given a post"
    );
}

async fn key_persons_in_post_show_on_the_coverage_api_and_page(backend: Backend) {
    let s = setup(backend).await;
    let d = s.county;
    let towns = s
        .app
        .store()
        .division_children(Some("230102000000"))
        .await
        .unwrap();
    let town = s.app.org("T1", "街道科协", Some(d), &towns[0].code).await;
    for (org, name, kind) in [
        (d, "周校长", "school_principal"),
        (town, "吴院长", "hospital_director"),
        (town, "郑校长", "school_principal"),
    ] {
        let id = person(&s.app, d, name).await;
        let r = send(
            &s,
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{org}/posts"),
            json!({
                "person_id": id, "role": "委员", "key_kind": kind
            }),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let coverage: Value = get_json(&s, &format!("/api/v1/orgs/{d}/coverage")).await;
    // The existing fields stay as they were; key persons come as one more.
    let mut keys: Vec<&str> = coverage
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["division_code", "key_persons", "levels", "org_id"]);
    assert_eq!(coverage["levels"][0]["covered"], 1);
    assert_eq!(
        coverage["key_persons"],
        json!([
            {"level": "county", "kind": "school_principal", "persons": 1},
            {"level": "township", "kind": "hospital_director", "persons": 1},
            {"level": "township", "kind": "school_principal", "persons": 1},
        ])
    );
    let html = s.browser.text(&format!("/orgs/{d}/coverage")).await;
    assert!(html.contains("“四长”任职情况"));
    assert!(
        html.contains("乡镇（街道） · 学校校长: 1"),
        "the chart describes its bars"
    );
}
