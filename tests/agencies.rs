#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Agencies on both databases: create, read, change and disable through the API, the rules on
//! codes, names and services, who may do what, and the admin pages. Names are synthetic.

mod common;

use common::{csrf_token, Backend, TestApp, ADMIN_PASSWORD};
use diesel::prelude::*;
use serde_json::{json, Value};

const CW_PASSWORD: &str = "caseworker-password-1";

struct Api {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl Api {
    fn new(app: &TestApp, user: &str, password: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.url("/api/v2"),
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    fn admin(app: &TestApp) -> Self {
        Self::new(app, "admin", ADMIN_PASSWORD)
    }

    async fn send(&self, method: reqwest::Method, path: &str, data: Option<Value>) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(d) = data {
            r = r.json(&json!({ "data": d }));
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, data: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, "/agencies", Some(data))
            .await
    }

    async fn patch(&self, id: &str, data: Value) -> (u16, Value) {
        self.send(
            reqwest::Method::PATCH,
            &format!("/agencies/{id}"),
            Some(data),
        )
        .await
    }
}

/// The service lookup, with one service no longer offered.
fn add_service_lookup(app: &TestApp) {
    use casekeep::db::schema::lookups;
    let definition = json!({
        "id": "lookup-service-type",
        "label": {"en": "Service type"},
        "values": [
            {"id": "health", "label": {"en": "Health care", "fr": "Soins de santé"}},
            {"id": "shelter", "label": {"en": "Shelter", "fr": "Abri"}},
            {"id": "legal", "label": {"en": "Legal aid"}, "disabled": true},
        ]
    });
    // The standard forms installed the lookup; the tests use a short list of their own.
    app.with_db(|c| {
        diesel::update(lookups::table.find("lookup-service-type"))
            .set((
                lookups::definition.eq(definition.to_string()),
                lookups::updated_at.eq(casekeep::db::now()),
            ))
            .execute(c)
            .unwrap();
        casekeep::forms::store::config_changed(c).unwrap();
    });
}

fn details(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn create_read_update_disable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_service_lookup(&app);
    let api = Api::admin(&app);
    let (status, body) = api
        .post(json!({"agency_code": "NR-01", "name": {"en": "Northern Relief", "fr": "Secours du Nord"},
            "services": ["health", "shelter", "health"]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let created = &body["data"];
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["unique_id"], "NR-01");
    assert_eq!(created["agency_code"], "NR-01");
    assert_eq!(created["services"], json!(["health", "shelter"]));
    assert_eq!(created["disabled"], false);
    assert_eq!(created["logo_enabled"], false);
    assert_eq!(app.audit_tail(1)[0].action, "agency.create");

    let (status, body) = api.get(&format!("/agencies/{id}")).await;
    assert_eq!(
        (status, &body["data"]["name"]["fr"]),
        (200, &json!("Secours du Nord"))
    );
    let (status, body) = api.get("/agencies/NR-01").await;
    assert_eq!(
        (status, &body["data"]["id"]),
        (200, &json!(id)),
        "found by code too"
    );
    assert_eq!(api.get("/agencies/nothing-here").await.0, 404);

    let version = app.with_db(|c| casekeep::forms::store::config_state(c).unwrap().0);
    let (status, body) = api
        .patch(
            &id,
            json!({"name": {"fr": null, "ar": "إغاثة الشمال"}, "services": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["name"],
        json!({"en": "Northern Relief", "ar": "إغاثة الشمال"})
    );
    assert_eq!(body["data"]["services"], json!([]));
    assert!(app.with_db(|c| casekeep::forms::store::config_state(c).unwrap().0) > version);

    let (status, body) = api
        .send(reqwest::Method::DELETE, &format!("/agencies/{id}"), None)
        .await;
    assert_eq!((status, &body["data"]["id"]), (200, &json!(id)));
    assert_eq!(app.audit_tail(1)[0].action, "agency.disable");
    let (status, body) = api.get(&format!("/agencies/{id}")).await;
    assert_eq!(
        (status, &body["data"]["disabled"]),
        (200, &json!(true)),
        "kept"
    );
    let (_, list) = api.get("/agencies").await;
    assert_eq!(list["metadata"], json!({"total": 1, "per": 20, "page": 1}));
    assert_eq!(list["data"][0]["disabled"], true);
    let options = app.with_db(|c| casekeep::agencies::option_list(c).unwrap());
    assert_eq!(options.len(), 1);
    assert!(options[0].disabled);
    assert_eq!(options[0].names["en"], "Northern Relief");

    let (status, body) = api.patch(&id, json!({"disabled": false})).await;
    assert_eq!((status, &body["data"]["disabled"]), (200, &json!(false)));
    assert_eq!(app.audit_tail(1)[0].action, "agency.enable");
}

async fn duplicate_codes_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    let agency = |code: &str| json!({"agency_code": code, "name": {"en": "Coast Aid"}});
    assert_eq!(api.post(agency("CA")).await.0, 200);
    let (status, body) = api.post(agency("CA")).await;
    assert_eq!((status, &body["errors"][0]["status"]), (409, &json!(409)));
    assert_eq!(
        api.post(agency("ca")).await.0,
        409,
        "codes differ by more than case"
    );
    let (_, other) = api.post(agency("OTHER")).await;
    let other_id = other["data"]["id"].as_str().unwrap();
    assert_eq!(
        api.patch(other_id, json!({"agency_code": "Ca"})).await.0,
        409
    );
    assert_eq!(api.get("/agencies").await.1["metadata"]["total"], 2);
}

async fn invalid_agencies_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    // Without the lookup, no services can be chosen.
    let (status, body) = api
        .post(json!({"agency_code": "HL", "name": {"en": "Hill Aid"}, "services": ["health"]}))
        .await;
    assert_eq!((status, details(&body)), (422, vec!["services".to_owned()]));
    assert_eq!(
        api.post(json!({"agency_code": "HL", "name": {"en": "Hill Aid"}}))
            .await
            .0,
        200
    );

    add_service_lookup(&app);
    let (status, body) = api
        .post(json!({"agency_code": "bad code!", "name": {"fr": "Aide"}, "services": ["teleport", "legal"]}))
        .await;
    assert_eq!(status, 422);
    let mut found = details(&body);
    found.sort();
    assert_eq!(found, ["agency_code", "name.en", "services", "services"]);
    assert_eq!(
        api.post(json!({"agency_code": "X", "name": "Aid"})).await.0,
        422
    );
    assert_eq!(api.get("/agencies").await.1["metadata"]["total"], 1);
}

async fn caseworkers_read_but_do_not_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, created) = Api::admin(&app)
        .post(json!({"agency_code": "NR", "name": {"en": "Northern Relief"}}))
        .await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    app.create_user("cw.ag", "caseworker", CW_PASSWORD);
    let cw = Api::new(&app, "cw.ag", CW_PASSWORD);
    assert_eq!(cw.get("/agencies").await.0, 200);
    assert_eq!(cw.get(&format!("/agencies/{id}")).await.0, 200);
    let (status, _) = cw
        .post(json!({"agency_code": "CW", "name": {"en": "Caseworker Aid"}}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(cw.patch(&id, json!({"name": {"en": "X"}})).await.0, 403);
    let (status, _) = cw
        .send(reqwest::Method::DELETE, &format!("/agencies/{id}"), None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(cw.get("/agencies").await.1["metadata"]["total"], 1);
}

async fn admin_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_service_lookup(&app);
    let browser = app.browser();
    app.sign_in(&browser, "admin", ADMIN_PASSWORD).await;
    let form = browser
        .get(app.url("/admin/agencies/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("value=\"health\"") && form.contains("Health care"));
    assert!(
        !form.contains("value=\"legal\""),
        "a disabled service is not offered"
    );
    let csrf = csrf_token(&form);
    let post = |pairs: Vec<(&'static str, String)>| {
        browser.post(app.url("/admin/agencies")).form(&pairs).send()
    };
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("agency_code", "VA".into()),
        ("name_en", String::new()),
        ("name_fr", "Aide de la vallée".into()),
        ("name_ar", String::new()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Aide de la vallée"),
        "what was entered is kept"
    );
    let res = post(vec![
        ("csrf_token", csrf.clone()),
        ("agency_code", "VA".into()),
        ("name_en", "Valley Aid".into()),
        ("name_fr", "Aide de la vallée".into()),
        ("name_ar", String::new()),
        ("services", "health".into()),
        ("services", "shelter".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    let agency = app.with_db(|c| casekeep::agencies::find(c, "VA").unwrap().unwrap());
    assert_eq!(agency.services(), ["health", "shelter"]);

    let list = browser
        .get(app.url("/admin/agencies"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Valley Aid") && list.contains("Health care, Shelter"));
    let res = browser
        .post(app.url(&format!("/admin/agencies/{}/disable", agency.id)))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.with_db(|c| casekeep::agencies::find(c, "VA").unwrap().unwrap().disabled));

    app.create_user("cw.page", "caseworker", CW_PASSWORD);
    let other = app.browser();
    app.sign_in(&other, "cw.page", CW_PASSWORD).await;
    let res = other.get(app.url("/admin/agencies")).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

on_both_backends!(
    create_read_update_disable,
    duplicate_codes_conflict,
    invalid_agencies_are_refused,
    caseworkers_read_but_do_not_change,
    admin_pages,
);
