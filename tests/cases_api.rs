#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The cases API as the Primero v2 reference describes it, on both databases.

mod common;

use common::{Backend, TestApp};
use serde_json::{json, Value};

const PW: &str = "caseworker-password-1";

struct Api {
    http: reqwest::Client,
    base: String,
    user: String,
}

impl Api {
    fn new(app: &TestApp, user: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.url("/api/v2"),
            user: user.to_owned(),
        }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(PW))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    async fn create(&self, data: Value) -> Value {
        let (status, body) = self.post("/cases", json!({ "data": data })).await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }
}

fn child(first: &str, last: &str, age: i64) -> Value {
    json!({"name_first": first, "name_last": last, "sex": "female", "age": age, "registration_date": "2026-01-15"})
}

async fn setup(backend: Backend) -> (TestApp, Api) {
    let app = TestApp::spawn(backend).await;
    app.create_user("cw.one", "caseworker", PW);
    let api = Api::new(&app, "cw.one");
    (app, api)
}

async fn create_and_read(backend: Backend) {
    let (app, api) = setup(backend).await;
    let created = api
        .create(
            json!({"name_first": "Amal", "name_last": "Haddad", "sex": "female", "age": 9,
            "name_nickname": "001", "estimated": true, "unknown_field": "dropped"}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    assert!(created["case_id_display"]
        .as_str()
        .unwrap()
        .starts_with("CP-"));
    assert_eq!(created["short_id"].as_str().unwrap().len(), 7);
    assert_eq!(created["status"], "open");
    assert_eq!(created["owned_by"], "cw.one");
    assert_eq!(created["name_nickname"], "001", "strings stay strings");
    assert!(created.get("unknown_field").is_none());

    let (status, body) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["name_first"], "Amal");
    assert_eq!(body["data"]["estimated"], true);
    let (status, body) = api.get("/cases/00000000-0000-4000-8000-000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["status"], 404);

    // Audited: create, then view.
    let tail = app.audit_tail(2);
    assert_eq!(tail[0].action, "view");
    assert_eq!(tail[1].action, "create");
    assert_eq!(tail[0].record_id.as_deref(), Some(id));
    assert_eq!(tail[0].record_type.as_deref(), Some("case"));
    assert!(tail[0].record_owner.is_some());
}

async fn validation_errors_name_fields(backend: Backend) {
    let (_app, api) = setup(backend).await;
    let (status, body) = api
        .post(
            "/cases",
            json!({"data": {"name_first": "Amal", "sex": "robot", "age": "nine",
            "date_of_birth": "2999-01-01", "family_details_section": [{"relation_age": 40}]}}),
        )
        .await;
    assert_eq!(status, 422);
    let details: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    for field in [
        "name_last",
        "sex",
        "age",
        "date_of_birth",
        "family_details_section[0].relation_name",
    ] {
        assert!(details.contains(&field), "{field} in {details:?}");
    }
    assert!(body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] == 422 && e["resource"] == "/api/v2/cases"));
    let (status, _) = api
        .post("/cases", json!({"data": {"name_first": "A"}, "x": 1}))
        .await;
    assert_eq!(status, 422);
    let (status, _) = api.post("/cases", json!({"nodata": {}})).await;
    assert_eq!(status, 400);
}

async fn client_supplied_ids(backend: Backend) {
    let (_app, api) = setup(backend).await;
    let id = "5d1c2a0e-7f4b-4c1e-9a55-2f3c9b2f8e11";
    let mut data = child("Nour", "Salem", 7);
    data["id"] = json!(id);
    let res = api
        .req(reqwest::Method::POST, "/cases")
        .json(&json!({"data": data}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(
        (status, body["data"]["name_first"].as_str()),
        (200, Some("Nour"))
    );
    let (status, body) = api.post("/cases", json!({"data": data})).await;
    assert_eq!(status, 409);
    assert_eq!(body["errors"][0]["status"], 409);
    data["id"] = json!("not-a-uuid");
    let (status, body) = api.post("/cases", json!({"data": data})).await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("id"))
    );
}

async fn patch_merges_and_keeps_types(backend: Backend) {
    let (_app, api) = setup(backend).await;
    let c = api
        .create(json!({"name_first": "Omar", "name_last": "Khalil", "sex": "male", "age": 12,
            "name_nickname": "007",
            "notes_section": [{"note_subject": "intake", "note_text": "first"}, {"note_subject": "visit"}],
            "family_details_section": [{"relation_name": "Huda", "relation": "mother"}]}))
        .await;
    let id = c["id"].as_str().unwrap();
    let notes = c["notes_section"].as_array().unwrap();
    let (n1, n2) = (
        notes[0]["unique_id"].as_str().unwrap(),
        notes[1]["unique_id"].as_str().unwrap(),
    );
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"age": 13, "risk_level": "high", "bogus": 1,
            "notes_section": [
                {"unique_id": n1, "note_text": "first, corrected"},
                {"unique_id": n2, "_destroy": true},
                {"note_subject": "follow-up"}]}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["age"], 13);
    assert_eq!(
        d["name_nickname"], "007",
        "fields not sent are kept, as strings"
    );
    assert_eq!(d["family_details_section"][0]["relation_name"], "Huda");
    assert!(d.get("bogus").is_none());
    let notes = d["notes_section"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["unique_id"], n1);
    assert_eq!(notes[0]["note_subject"], "intake");
    assert_eq!(notes[0]["note_text"], "first, corrected");
    assert_eq!(notes[1]["note_subject"], "follow-up");
    assert_eq!(d["record_version"], 2);
    // Invalid updates change nothing.
    let (status, body) = api
        .patch(&format!("/cases/{id}"), json!({"data": {"age": -1}}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("age"))
    );
    let (_, now) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(now["data"]["age"], 13);
    assert_eq!(now["data"]["record_version"], 2);

    // History: who changed which field from what to what.
    let (status, body) = api.get(&format!("/cases/{id}/record_history")).await;
    assert_eq!(status, 200);
    let latest = &body["data"][0];
    assert_eq!(latest["action"], "update");
    assert_eq!(latest["user_name"], "cw.one");
    let changes = latest["record_changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["age"] == json!({"from": 12, "to": 13})),
        "{changes:?}"
    );
    assert!(changes.iter().any(|c| c
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k == &format!("notes_section[{n2}]"))));
    assert_eq!(
        body["data"].as_array().unwrap().last().unwrap()["action"],
        "create"
    );
}

async fn stale_versions_conflict(backend: Backend) {
    let (app, api) = setup(backend).await;
    let c = api.create(child("Layla", "Mansour", 8)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    // Two clients edit version 1: one wins, the other is told, and nothing is lost.
    let first = api
        .req(reqwest::Method::PATCH, &format!("/cases/{id}"))
        .header("if-match", "\"1\"")
        .json(&json!({"data": {"age": 9}}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"name_nickname": "Lulu", "record_version": 1}}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["errors"][0]["code"], "conflict");
    let (_, now) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(now["data"]["age"], 9);
    assert!(now["data"].get("name_nickname").is_none());
    // Resending on the current version succeeds.
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"name_nickname": "Lulu", "record_version": 2}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["data"]["age"].clone(),
            body["data"]["name_nickname"].clone()
        ),
        (json!(9), json!("Lulu"))
    );

    // Truly concurrent: many writers on one version, exactly one succeeds.
    let version = body["data"]["record_version"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for age in 1..=6 {
        let api = Api::new(&app, "cw.one");
        let id = id.clone();
        tasks.push(actix_web::rt::spawn(async move {
            api.patch(
                &format!("/cases/{id}"),
                json!({"data": {"age": age, "record_version": version}}),
            )
            .await
            .0
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|c| *c == 200 || *c == 409), "{codes:?}");
}

/// Without a version a PATCH applies to the current record: concurrent ones all succeed, each
/// on top of the one before, and history keeps every change.
async fn concurrent_patches_without_version_all_apply(backend: Backend) {
    let (app, api) = setup(backend).await;
    let c = api.create(child("Samira", "Haddad", 5)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for n in 0..12_i64 {
        let api = Api::new(&app, "cw.one");
        let id = id.clone();
        // Alternate fields, so that each change differs from the record it lands on.
        let data = if n % 2 == 0 {
            json!({"data": {"age": 6 + n}})
        } else {
            json!({"data": {"name_nickname": format!("nick {n}")}})
        };
        tasks.push(actix_web::rt::spawn(async move {
            api.patch(&format!("/cases/{id}"), data).await
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let (_, now) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(now["data"]["record_version"], 13, "{now}");
    let (_, history) = api.get(&format!("/cases/{id}/record_history")).await;
    let updates = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "update")
        .count();
    assert_eq!(updates, 12, "{history}");
}

/// Lists reuse their totals and ids while nothing changed, and notice every change, including
/// one made outside the server (another process writing the database).
async fn lists_follow_every_change(backend: Backend) {
    use casekeep::db::schema::records;
    use diesel::prelude::*;
    let (app, api) = setup(backend).await;
    let mut ids = Vec::new();
    for (first, age) in [("Samira", 4), ("Samirah", 6), ("Yusuf", 9)] {
        ids.push(api.create(child(first, "Haddad", age)).await["id"].clone());
    }
    let names = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name_first"].as_str().unwrap().to_owned())
            .collect()
    };
    let search = "/cases?query=samira&order_by=age&order=asc";
    for _ in 0..2 {
        let (_, body) = api.get(search).await;
        assert_eq!(body["metadata"]["total"], 2, "{body}");
        assert_eq!(names(&body), ["Samira", "Samirah"]);
    }
    // Through the API: the next list sees it.
    let (status, _) = api
        .patch(
            &format!("/cases/{}", ids[0].as_str().unwrap()),
            json!({"data": {"age": 12}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, body) = api.get(search).await;
    assert_eq!(names(&body), ["Samirah", "Samira"]);
    // Behind the server's back.
    let hidden = ids[1].as_str().unwrap().to_owned();
    app.with_db(|c| {
        diesel::update(records::table.find(&hidden))
            .set(records::enabled.eq(false))
            .execute(c)
            .unwrap()
    });
    let (_, body) = api.get(search).await;
    assert_eq!(body["metadata"]["total"], 1, "{body}");
    assert_eq!(names(&body), ["Samira"]);
    let (_, body) = api.get("/cases").await;
    assert_eq!(body["metadata"]["total"], 2, "{body}");
    // Each request is still audited, cached or not.
    let lists = app
        .audit_tail(20)
        .iter()
        .filter(|e| e.action == "list")
        .count();
    assert_eq!(lists, 5);
}

async fn listing_filters_and_pagination(backend: Backend) {
    let (_app, api) = setup(backend).await;
    for i in 0..25 {
        let mut c = child(&format!("Child{i}"), "Test", 5 + (i % 10));
        c["sex"] = json!(if i % 2 == 0 { "female" } else { "male" });
        c["risk_level"] = json!(if i % 5 == 0 { "high" } else { "low" });
        c["registration_date"] = json!(format!("2026-01-{:02}", i + 1));
        api.create(c).await;
    }
    let (status, body) = api.get("/cases").await;
    assert_eq!(status, 200);
    assert_eq!(body["metadata"], json!({"total": 25, "per": 20, "page": 1}));
    assert_eq!(body["data"].as_array().unwrap().len(), 20);
    assert_eq!(
        body["data"][0]["registration_date"], "2026-01-25",
        "newest registration first"
    );
    let (_, body) = api.get("/cases?&per=10&page=3").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 5);
    assert_eq!(body["metadata"]["page"], 3);
    let (_, body) = api.get("/cases?per=5000").await;
    assert_eq!(body["metadata"]["per"], 1000, "capped, not refused");
    let (_, body) = api.get("/cases?sex=female&risk_level=high").await;
    assert_eq!(body["metadata"]["total"], 3);
    let (_, body) = api.get("/cases?age=10..12&order_by=age&order=asc").await;
    let ages: Vec<i64> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["age"].as_i64().unwrap())
        .collect();
    assert!(
        !ages.is_empty()
            && ages.windows(2).all(|w| w[0] <= w[1])
            && ages.iter().all(|a| (10..=12).contains(a))
    );
    let (_, body) = api.get("/cases?status=open,closed").await;
    assert_eq!(body["metadata"]["total"], 25);
    let (_, body) = api.get("/cases?status=closed").await;
    assert_eq!(body["metadata"]["total"], 0);
    let (_, body) = api.get("/cases?fields=short&per=1").await;
    let first = body["data"][0].as_object().unwrap();
    assert!(first.contains_key("name") && !first.contains_key("name_first"));
    // Unparseable filter values match nothing; unknown parameters are ignored.
    for bad in [
        "age=ten",
        "flagged=perhaps",
        "last_updated_at=soon..",
        "page=zero",
    ] {
        let (status, body) = api.get(&format!("/cases?{bad}")).await;
        assert_eq!(status, 200, "{bad}");
        assert_eq!(body["data"], json!([]), "{bad}");
        assert_eq!(body["metadata"]["total"], 0);
    }
    let (_, body) = api.get("/cases?colour=blue").await;
    assert_eq!(body["metadata"]["total"], 25);
    let (_, body) = api
        .get("/cases?last_updated_at=2020-01-01T00:00:00Z..")
        .await;
    assert_eq!(body["metadata"]["total"], 25);
}

async fn search_by_name_and_id(backend: Backend) {
    let (_app, api) = setup(backend).await;
    let c = api.create(child("José", "Álvarez", 10)).await;
    api.create(child("Maria", "Lopez", 11)).await;
    let (_, body) = api.get("/cases?query=jose%20alvarez").await;
    assert_eq!(body["metadata"]["total"], 1, "accents and case ignored");
    let short = c["short_id"].as_str().unwrap();
    let (_, body) = api.get(&format!("/cases?query={short}")).await;
    assert_eq!(body["data"][0]["id"], c["id"]);
    let display = c["case_id_display"].as_str().unwrap();
    let (_, body) = api.get(&format!("/cases?query={display}")).await;
    assert_eq!(body["data"][0]["id"], c["id"]);
}

async fn scope_and_denials(backend: Backend) {
    let (app, api) = setup(backend).await;
    app.create_user("cw.two", "caseworker", PW);
    app.create_user("dpo.x", "dpo", PW);
    let other = Api::new(&app, "cw.two");
    let mine = api.create(child("Rana", "Aziz", 6)).await;
    let id = mine["id"].as_str().unwrap();
    // Another caseworker neither lists nor reads it...
    let (_, body) = other.get("/cases").await;
    assert_eq!(body["metadata"]["total"], 0);
    let (status, _) = other.get(&format!("/cases/{id}")).await;
    assert_eq!(status, 403);
    let denied = &app.audit_tail(1)[0];
    assert_eq!(
        (
            denied.action.as_str(),
            denied.outcome.as_str(),
            denied.username.as_deref()
        ),
        ("view", "denied", Some("cw.two"))
    );
    let (status, _) = other
        .patch(&format!("/cases/{id}"), json!({"data": {"age": 1}}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = other
        .send(reqwest::Method::DELETE, &format!("/cases/{id}"), None)
        .await;
    assert_eq!(status, 403, "caseworkers cannot disable at all");
    // ...but can find it by id, seeing only the summary.
    let short = mine["short_id"].as_str().unwrap();
    let (_, body) = other
        .get(&format!("/cases?id_search=true&query={short}"))
        .await;
    assert_eq!(body["metadata"]["total"], 1);
    assert!(
        body["data"][0].get("notes_section").is_none()
            && body["data"][0].get("name_first").is_none()
    );
    // A data-protection officer has no case access; the superuser sees everything.
    let dpo = Api::new(&app, "dpo.x");
    assert_eq!(dpo.get("/cases").await.0, 403);
    let (status, body) = reqwest::Client::new()
        .get(app.url("/api/v2/cases"))
        .basic_auth("admin", Some(common::ADMIN_PASSWORD))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .map(|b| (200, b))
        .unwrap();
    assert_eq!((status, body["metadata"]["total"].as_i64()), (200, Some(1)));
    assert_eq!(
        reqwest::get(app.url("/api/v2/cases"))
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn delete_disables_but_keeps(backend: Backend) {
    let (app, _api) = setup(backend).await;
    let admin = Api {
        http: reqwest::Client::new(),
        base: app.url("/api/v2"),
        user: "admin".into(),
    };
    let admin_req = |m, p: &str| {
        admin
            .http
            .request(m, format!("{}{p}", admin.base))
            .basic_auth("admin", Some(common::ADMIN_PASSWORD))
    };
    let res = admin_req(reqwest::Method::POST, "/cases")
        .json(&json!({"data": child("Sami", "Nasser", 4)}))
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = admin_req(reqwest::Method::DELETE, &format!("/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"data": {"id": id}})
    );
    assert_eq!(
        admin_req(reqwest::Method::GET, &format!("/cases/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list: Value = admin_req(reqwest::Method::GET, "/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["metadata"]["total"], 0);
    // Still stored, marked disabled, with the change in its history and the audit log.
    use casekeep::db::schema::records;
    use diesel::prelude::*;
    let enabled: bool = app.with_db(|c| {
        records::table
            .find(&id)
            .select(records::enabled)
            .first(c)
            .unwrap()
    });
    assert!(!enabled);
    assert_eq!(app.audit_tail(2)[1].action, "disable");
}

async fn flags(backend: Backend) {
    let (app, api) = setup(backend).await;
    let c = api.create(child("Hiba", "Saad", 13)).await;
    let id = c["id"].as_str().unwrap();
    let (status, body) = api
        .post(
            &format!("/cases/{id}/flags"),
            json!({"data": {"message": "Check school records"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let flag_id = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["data"]["flagged_by"], "cw.one");
    let (_, list) = api.get("/cases?flagged=true").await;
    assert_eq!(list["metadata"]["total"], 1);
    let (status, _) = api
        .post(
            &format!("/cases/{id}/flags"),
            json!({"data": {"message": "  "}}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, body) = api
        .patch(
            &format!("/cases/{id}/flags/{flag_id}"),
            json!({"data": {"unflag_message": "Checked"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["removed"], true);
    let (_, list) = api.get("/cases?flagged=true").await;
    assert_eq!(list["metadata"]["total"], 0);
    let (_, flags) = api.get(&format!("/cases/{id}/flags")).await;
    assert_eq!(flags["data"].as_array().unwrap().len(), 1);
    let actions: Vec<String> = app.audit_tail(6).iter().map(|e| e.action.clone()).collect();
    assert!(actions.contains(&"flag".to_owned()) && actions.contains(&"unflag".to_owned()));
    // The flag's free text stays on the record, not in the audit log.
    assert!(app
        .audit_tail(10)
        .iter()
        .all(|e| !e.detail.contains("school")));
}

async fn status_close_and_reopen(backend: Backend) {
    let (_app, api) = setup(backend).await;
    let c = api.create(child("Yara", "Hamdan", 15)).await;
    let id = c["id"].as_str().unwrap();
    // Closing needs a reason; the closure is dated today.
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"status": "closed"}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("closure_reason"))
    );
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"status": "closed", "closure_reason": "case_goals_all_met"}}),
        )
        .await;
    assert_eq!(
        (status, body["data"]["status"].as_str()),
        (200, Some("closed"))
    );
    assert_eq!(
        body["data"]["date_closure"],
        json!(chrono::Utc::now().date_naive().to_string())
    );
    // Caseworkers may close but not reopen.
    let (status, _) = api
        .patch(&format!("/cases/{id}"), json!({"data": {"status": "open"}}))
        .await;
    assert_eq!(status, 403);
    let (status, body) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"status": "archived"}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("status"))
    );
    // Someone who may reopen does so with a reason, which the history keeps.
    _app.create_user("root.two", "superuser", PW);
    let admin = Api::new(&_app, "root.two");
    let (status, body) = admin
        .patch(&format!("/cases/{id}"), json!({"data": {"status": "open"}}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("reopen_reason"))
    );
    let (status, body) = admin
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"status": "open", "reopen_reason": "New protection concern reported"}}),
        )
        .await;
    assert_eq!(
        (status, body["data"]["status"].as_str()),
        (200, Some("open"))
    );
    let (_, history) = admin.get(&format!("/cases/{id}/record_history")).await;
    assert!(history
        .to_string()
        .contains("New protection concern reported"));
}

async fn every_access_is_audited(backend: Backend) {
    let (app, api) = setup(backend).await;
    let c = api.create(child("Dalia", "Karam", 9)).await;
    let id = c["id"].as_str().unwrap();
    api.get("/cases?query=dalia").await;
    let (status, _) = api
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"age": 10, "name_nickname": "Dodo"}}),
        )
        .await;
    assert_eq!(status, 200);
    api.get(&format!("/cases/{id}/record_history")).await;
    let tail = app.audit_tail(4);
    let actions: Vec<&str> = tail.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "list", "update", "view_history"]);
    let list = &tail[2];
    assert_eq!(list.record_type.as_deref(), Some("case"));
    assert!(list.detail.contains("\"searched\":true"), "{}", list.detail);
    let update = &tail[1];
    assert!(update.detail.contains("name_nickname") && update.detail.contains("age"));
    // Never the values: not the search text, not what was written.
    for e in &tail {
        assert!(
            !e.detail.contains("Dodo") && !e.detail.to_lowercase().contains("dalia"),
            "{}",
            e.detail
        );
        assert_eq!(e.username.as_deref(), Some("cw.one"));
        assert!(e.request_id.is_some() && e.ip.is_some());
    }
    assert!(app.with_db(|c| casekeep::audit::verify(c).unwrap()).is_ok());
}

/// A read whose audit entry cannot be stored shows nothing; once the log can be written again,
/// reads work again and the chain is intact.
async fn no_read_without_its_audit_entry(backend: Backend) {
    use diesel::prelude::*;
    let (app, api) = setup(backend).await;
    let c = api.create(child("Hiba", "Saleh", 6)).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let (block, unblock): (&[&str], &[&str]) = match backend {
        Backend::Sqlite => (
            &["CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_log \
               BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END"],
            &["DROP TRIGGER audit_blocked"],
        ),
        Backend::Postgres => (
            &[
                "CREATE FUNCTION audit_blocked() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$",
                "CREATE TRIGGER audit_blocked BEFORE INSERT ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_blocked()",
            ],
            &[
                "DROP TRIGGER audit_blocked ON audit_log",
                "DROP FUNCTION audit_blocked()",
            ],
        ),
    };
    let run = |sql: &[&str]| {
        app.with_db(|conn| {
            for q in sql {
                diesel::sql_query(*q).execute(conn).unwrap();
            }
        })
    };
    let before = app.audit_tail(1)[0].seq;
    run(block);
    for path in [format!("/cases/{id}"), "/cases?query=hiba".to_owned()] {
        let (status, body) = api.get(&path).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert_eq!(body["errors"][0]["code"], "unavailable", "{body}");
        assert!(!body.to_string().contains("Hiba"), "{body}");
    }
    run(unblock);
    let (status, body) = api.get(&format!("/cases/{id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name_first"], "Hiba");
    let tail = app.audit_tail(1);
    assert_eq!((tail[0].seq, tail[0].action.as_str()), (before + 1, "view"));
    assert!(app.with_db(|c| casekeep::audit::verify(c).unwrap()).is_ok());
}

async fn ids_locations_and_reads_of_flags(backend: Backend) {
    let (app, api) = setup(backend).await;
    let mut a = child("Salma", "Idris", 7);
    a["location_current"] = json!("SY0101");
    let a = api.create(a).await;
    let mut b = child("Tarek", "Idris", 8);
    b["location_current"] = json!("SY02");
    api.create(b).await;
    let mut c = child("Wafa", "Idris", 9);
    c["location_current"] = json!("SYA_01");
    api.create(c).await;
    // Human ids are found whatever their case.
    let display = a["case_id_display"].as_str().unwrap().to_lowercase();
    let (_, body) = api.get(&format!("/cases?query={display}")).await;
    assert_eq!(body["metadata"]["total"], 1, "{display}");
    // A location finds itself and everything below it, exactly and case-sensitively;
    // _ and % in a code are plain characters.
    let (_, body) = api.get("/cases?loc:location_current=SY01").await;
    assert_eq!(body["metadata"]["total"], 1);
    let (_, body) = api.get("/cases?loc:location_current=SY").await;
    assert_eq!(body["metadata"]["total"], 3);
    let (_, body) = api.get("/cases?loc:location_current=sy").await;
    assert_eq!(body["metadata"]["total"], 0);
    let (_, body) = api.get("/cases?loc:location_current=SY_").await;
    assert_eq!(body["metadata"]["total"], 0);
    let (_, body) = api.get("/cases?loc:location_current=SYA_").await;
    assert_eq!(body["metadata"]["total"], 1);
    // Reading a case's flags through the API is audited.
    let id = a["id"].as_str().unwrap();
    api.get(&format!("/cases/{id}/flags")).await;
    let e = &app.audit_tail(1)[0];
    assert_eq!(
        (e.action.as_str(), e.record_id.as_deref()),
        ("view_flags", Some(id))
    );
}

async fn web_pages_stay_in_scope(backend: Backend) {
    let (app, api) = setup(backend).await;
    app.create_user("cw.two", "caseworker", PW);
    let mine = api.create(child("Rima", "Sleiman", 6)).await;
    let short = mine["short_id"].as_str().unwrap();
    let other = app.browser();
    app.sign_in(&other, "cw.two", PW).await;
    // The page ignores id_search: it lists only what the user may open.
    let page = other
        .get(app.url(&format!("/cases?id_search=true&query={short}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Rima"), "{page}");
    let res = other
        .get(app.url(&format!("/cases/{}", mine["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The history page is one audited view.
    let owner = app.browser();
    app.sign_in(&owner, "cw.one", PW).await;
    let before = app.audit_tail(1)[0].seq;
    let res = owner
        .get(app.url(&format!("/cases/{}/history", mine["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Registered") && html.contains("Female"),
        "labels, not codes"
    );
    let after: Vec<_> = app
        .audit_tail(5)
        .into_iter()
        .filter(|e| e.seq > before)
        .collect();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].action, "view_history");
}

on_both_backends!(
    ids_locations_and_reads_of_flags,
    web_pages_stay_in_scope,
    every_access_is_audited,
    create_and_read,
    validation_errors_name_fields,
    client_supplied_ids,
    patch_merges_and_keeps_types,
    stale_versions_conflict,
    concurrent_patches_without_version_all_apply,
    lists_follow_every_change,
    no_read_without_its_audit_entry,
    listing_filters_and_pagination,
    search_by_name_and_id,
    scope_and_denials,
    delete_disables_but_keeps,
    flags,
    status_close_and_reopen,
);
