#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The location tree on both databases: HXL import (all or nothing, with a report naming row and
//! column), the API with its hierarchy, changes and disabling, who may do what, and the admin
//! pages. Places and codes are synthetic.

mod common;

use common::{csrf_token, Backend, TestApp, ADMIN_PASSWORD};
use serde_json::{json, Value};

const CW_PASSWORD: &str = "caseworker-password-1";

/// Three levels, names in English, French and Arabic, after a row of column titles.
const GOOD: &str = "\
Country,Country code,Province,Province (fr),Province (ar),Province code,District,District (fr),District code
#country+name,#country+code,#adm1+name,#adm1+name+i_fr,#adm1+name+i_ar,#adm1+code,#adm2+name,#adm2+name+i_fr,#adm2+code
Testland,XX,Northern Province,Province du Nord,المحافظة الشمالية,XX01,North District,District Nord,XX0101
Testland,XX,Northern Province,Province du Nord,المحافظة الشمالية,XX01,Lake District,District du Lac,XX0102
Testland,XX,Southern Province,Province du Sud,المحافظة الجنوبية,XX02,Coast District,District côtier,XX0201
";

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

    async fn answer(res: reqwest::Response) -> (u16, Value) {
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(b) = body {
            r = r.json(&b);
        }
        Self::answer(r.send().await.unwrap()).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn patch(&self, path: &str, data: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(json!({ "data": data })))
            .await
    }

    async fn import(&self, csv: impl Into<Vec<u8>>) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/locations/import", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .header("content-type", "text/csv")
            .body(csv.into())
            .send()
            .await
            .unwrap();
        Self::answer(res).await
    }
}

fn count(app: &TestApp) -> i64 {
    app.with_db(|c| casekeep::locations::count(c).unwrap())
}

fn config_version(app: &TestApp) -> i64 {
    app.with_db(|c| casekeep::forms::store::config_state(c).unwrap().0)
}

/// The `detail` (where) and `message` of each problem of a 422 answer.
fn report(status: u16, body: &Value) -> Vec<(String, String)> {
    assert_eq!(status, 422, "{body}");
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["status"], 422);
            assert_eq!(e["resource"], "/api/v2/locations/import");
            (
                e["detail"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Imports a file that must fail; checks that nothing was stored and returns the report.
async fn failing_import(app: &TestApp, api: &Api, csv: &str) -> Vec<(String, String)> {
    let (before, version) = (count(app), config_version(app));
    let (status, body) = api.import(csv).await;
    let problems = report(status, &body);
    assert_eq!(count(app), before, "nothing may be stored: {problems:?}");
    assert_eq!(config_version(app), version);
    problems
}

fn item<'a>(list: &'a Value, code: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap_or_else(|| panic!("{code} is listed"))
}

async fn good_file_builds_the_tree(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    let version = config_version(&app);
    let (status, body) = api.import(GOOD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!({"created": 6, "updated": 0, "unchanged": 0})
    );
    assert_eq!(count(&app), 6);
    assert!(config_version(&app) > version, "forms see the change");
    assert_eq!(app.audit_tail(1)[0].action, "location.import");

    let (status, list) = api.get("/locations?hierarchy=true&per=100").await;
    assert_eq!(status, 200);
    assert_eq!(list["metadata"], json!({"total": 6, "per": 100, "page": 1}));
    let codes: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["XX", "XX01", "XX02", "XX0101", "XX0102", "XX0201"]);
    let district = item(&list, "XX0102");
    assert_eq!(district["id"], "XX0102");
    assert_eq!(district["admin_level"], 2);
    assert_eq!(district["parent_code"], "XX01");
    assert_eq!(district["hierarchy"], json!(["XX", "XX01"]));
    assert_eq!(district["disabled"], false);
    assert_eq!(
        district["name"],
        json!({"en": "Lake District", "fr": "District du Lac"})
    );
    let province = item(&list, "XX02");
    assert_eq!(province["name"]["ar"], "المحافظة الجنوبية");
    assert_eq!(province["hierarchy"], json!(["XX"]));
    assert_eq!(item(&list, "XX")["hierarchy"], json!([]));
    assert_eq!(item(&list, "XX")["parent_code"], Value::Null);

    // Without hierarchy=true there is none; pages follow page and per.
    let (_, page) = api.get("/locations?&per=2&page=2").await;
    assert_eq!(page["metadata"], json!({"total": 6, "per": 2, "page": 2}));
    let codes: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["XX02", "XX0101"]);
    assert!(page["data"][0].get("hierarchy").is_none());

    // The form catalog's list: by level, then code.
    let options = app.with_db(|c| casekeep::locations::option_list(c).unwrap());
    assert_eq!(options.len(), 6);
    assert_eq!(options[3].code, "XX0101");
    assert_eq!(options[3].parent_code.as_deref(), Some("XX01"));
    assert_eq!(options[3].names["fr"], "District Nord");
}

async fn missing_codes_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    let problems = failing_import(
        &app,
        &api,
        "#country+code,#adm1+name,#adm1+code,#adm2+name,#adm2+code\n\
         XX,Northern Province,XX01,North District,XX0101\n\
         XX,Southern Province,,Coast District,XX0201\n\
         ,Eastern Province,XX03,,\n",
    )
    .await;
    let places: Vec<&str> = problems.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(places, ["row 3, #adm1+code", "row 4, #country+code"]);
    assert_eq!(problems[0].1, "A name is given here without a code.");
    assert!(problems[1].1.contains("XX03"), "{problems:?}");
}

async fn broken_parents_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    // Within the file: XX0101 is under XX01 in row 2 and under XX02 in row 3.
    let problems = failing_import(
        &app,
        &api,
        "#country+code,#adm1+code,#adm2+code\nXX,XX01,XX0101\nXX,XX02,XX0101\n",
    )
    .await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "row 3, #adm2+code");
    assert!(problems[0].1.contains("Broken parent"), "{problems:?}");
    assert!(problems[0].1.contains("row 2"));

    // Against the database: the stored tree puts XX0101 under XX01.
    assert_eq!(api.import(GOOD).await.0, 200);
    let problems = failing_import(
        &app,
        &api,
        "Country,Province,District\n#country+code,#adm1+code,#adm2+code\nXX,XX03,XX0301\nXX,XX02,XX0101\n",
    )
    .await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "row 4, #adm2+code");
    assert!(problems[0].1.contains("in Casekeep"), "{problems:?}");
    assert_eq!(api.get("/locations").await.1["metadata"]["total"], 6);
}

async fn unknown_tags_and_empty_files_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    let problems = failing_import(
        &app,
        &api,
        "Country,Population,Province\n#country+code,#population,#adm1+code\nXX,100,XX01\nXX,200,XX02\n",
    )
    .await;
    assert_eq!(problems.len(), 1, "reported once: {problems:?}");
    assert_eq!(problems[0].0, "row 2, #population");
    assert!(problems[0].1.starts_with("Column 2 "), "{problems:?}");

    let problems = failing_import(&app, &api, "").await;
    assert_eq!(
        problems,
        [("row 1".to_owned(), "The file is empty.".to_owned())]
    );
    let problems = failing_import(&app, &api, "Country,Code\nTestland,XX\n").await;
    assert!(problems[0].1.contains("no HXL hashtag row"), "{problems:?}");
    let problems = failing_import(&app, &api, "#country+code,#adm1+code\n").await;
    assert_eq!(problems[0].0, "row 2");
    assert!(problems[0].1.contains("no places"), "{problems:?}");

    // Too large: refused before reading it all.
    let big = vec![b'x'; 20 * 1024 * 1024 + 1];
    let (status, body) = api.import(big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["code"], "too_large");
    assert_eq!(count(&app), 0);
}

async fn reimport_updates_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    assert_eq!(api.import(GOOD).await.0, 200);
    let (status, body) = api
        .import(
            "#country+code,#adm1+code,#adm1+name+i_fr,#adm2+code,#adm2+name\n\
             XX,XX01,Province Septentrionale,XX0101,North District\n\
             XX,XX02,Province du Sud,XX0202,Hill District\n",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!({"created": 1, "updated": 1, "unchanged": 3})
    );
    let (_, list) = api.get("/locations?per=100").await;
    let north = item(&list, "XX01");
    assert_eq!(north["name"]["fr"], "Province Septentrionale");
    assert_eq!(
        north["name"]["en"], "Northern Province",
        "languages not in the file are kept"
    );
    assert_eq!(item(&list, "XX0202")["parent_code"], "XX02");
    assert_eq!(count(&app), 7);
}

async fn places_change_and_are_disabled_never_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let api = Api::admin(&app);
    assert_eq!(api.import(GOOD).await.0, 200);
    let (status, body) = api
        .patch(
            "/locations/XX01",
            json!({"disabled": true, "type": "province", "name": {"ar": null, "fr": "Nord"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["disabled"], true);
    assert_eq!(body["data"]["type"], "province");
    assert_eq!(
        body["data"]["name"],
        json!({"en": "Northern Province", "fr": "Nord"})
    );
    let entry = &app.audit_tail(1)[0];
    assert_eq!(
        (entry.action.as_str(), entry.record_id.as_deref()),
        ("location.update", Some("XX01"))
    );
    // Still listed, and still offered to forms as disabled (records may hold it).
    let (_, list) = api.get("/locations?per=100").await;
    assert_eq!(item(&list, "XX01")["disabled"], true);
    let options = app.with_db(|c| casekeep::locations::option_list(c).unwrap());
    assert!(options.iter().any(|o| o.code == "XX01" && o.disabled));

    // A move only one level up; unknown places and fields are refused.
    let (status, body) = api
        .patch("/locations/XX0101", json!({"parent_code": "XX02"}))
        .await;
    assert_eq!(
        (status, &body["data"]["parent_code"]),
        (200, &json!("XX02"))
    );
    let (status, body) = api
        .patch("/locations/XX0101", json!({"parent_code": "XX"}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("parent_code"))
    );
    let (status, _) = api
        .patch("/locations/NOPE", json!({"disabled": true}))
        .await;
    assert_eq!(status, 404);
    let (status, body) = api
        .patch(
            "/locations/XX02",
            json!({"name": {"xx": "?"}, "disabled": "yes"}),
        )
        .await;
    let details: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(status, 422);
    assert!(
        details.contains(&"disabled") && details.contains(&"name.xx"),
        "{details:?}"
    );

    // Adding one place; its level follows from its parent.
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "/locations",
            Some(json!({"data": {"code": "XX0203", "parent_code": "XX02", "name": {"en": "River District"}}})),
        )
        .await;
    assert_eq!(
        (status, &body["data"]["admin_level"]),
        (200, &json!(2)),
        "{body}"
    );
    let (status, _) = api
        .send(
            reqwest::Method::POST,
            "/locations",
            Some(
                json!({"data": {"code": "XX0203", "parent_code": "XX02", "name": {"en": "Again"}}}),
            ),
        )
        .await;
    assert_eq!(status, 409);

    // There is no deleting.
    let (status, _) = api
        .send(reqwest::Method::DELETE, "/locations/XX01", None)
        .await;
    assert_eq!(status, 405);
    assert_eq!(count(&app), 7);
}

async fn caseworkers_read_but_do_not_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(Api::admin(&app).import(GOOD).await.0, 200);
    app.create_user("cw.loc", "caseworker", CW_PASSWORD);
    let cw = Api::new(&app, "cw.loc", CW_PASSWORD);
    let (status, list) = cw.get("/locations?hierarchy=true").await;
    assert_eq!((status, &list["metadata"]["total"]), (200, &json!(6)));
    let (status, _) = cw.import("#country+code\nYY\n").await;
    assert_eq!(status, 403);
    let (status, _) = cw.patch("/locations/XX01", json!({"disabled": true})).await;
    assert_eq!(status, 403);
    assert_eq!(count(&app), 6);
    let entry = &app.audit_tail(1)[0];
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("access", "denied")
    );
    let anonymous = reqwest::get(app.url("/api/v2/locations")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// A multipart body as a browser sends the upload form.
fn upload_form(csrf: &str, csv: &str) -> (String, Vec<u8>) {
    let boundary = "----casekeepTestBoundary7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"places.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

async fn admin_pages_show_the_tree_and_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    assert_eq!(
        app.sign_in(&browser, "admin", ADMIN_PASSWORD)
            .await
            .status(),
        303
    );
    let page = browser
        .get(app.url("/admin/locations"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_token(&page.text().await.unwrap());

    // A file with a problem: the report, nothing stored.
    let (content_type, body) =
        upload_form(&csrf, "#country+code,#adm1+code,#adm1+name\nXX,,North\n");
    let res = browser
        .post(app.url("/admin/locations/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("row 2, #adm1+code"), "{html}");
    assert_eq!(count(&app), 0);

    // Without the CSRF token the upload is refused.
    let (content_type, body) = upload_form("forged", GOOD);
    let res = browser
        .post(app.url("/admin/locations/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app), 0);

    let (content_type, body) = upload_form(&csrf, GOOD);
    let res = browser
        .post(app.url("/admin/locations/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Places added: 6"));

    let tree = browser
        .get(app.url("/admin/locations?open=XX0102"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tree.contains("<details open><summary>"), "{tree}");
    assert!(tree.contains("Lake District") && tree.contains("/admin/locations/XX0102/edit"));

    // Adding a place through the form, names side by side.
    let form = browser
        .get(app.url("/admin/locations/new?parent=XX02"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("name=\"name_fr\"") && form.contains("dir=\"rtl\""));
    let res = browser
        .post(app.url("/admin/locations"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("code", "XX0299"),
            ("parent_code", "XX02"),
            ("type", "district"),
            ("name_en", "Valley District"),
            ("name_fr", ""),
            ("name_ar", "قضاء الوادي"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let added = app.with_db(|c| casekeep::locations::find(c, "XX0299").unwrap().unwrap());
    assert_eq!(added.admin_level, 2);
    assert_eq!(added.names()["ar"], "قضاء الوادي");

    // Disabling it from its page.
    let res = browser
        .post(app.url("/admin/locations/XX0299/state"))
        .form(&[("csrf_token", csrf.as_str()), ("disabled", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.with_db(|c| casekeep::locations::find(c, "XX0299")
        .unwrap()
        .unwrap()
        .disabled));

    // A caseworker may not see these pages.
    app.create_user("cw.page", "caseworker", CW_PASSWORD);
    let other = app.browser();
    app.sign_in(&other, "cw.page", CW_PASSWORD).await;
    let res = other.get(app.url("/admin/locations")).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

on_both_backends!(
    good_file_builds_the_tree,
    missing_codes_store_nothing,
    broken_parents_store_nothing,
    unknown_tags_and_empty_files_store_nothing,
    reimport_updates_names,
    places_change_and_are_disabled_never_deleted,
    caseworkers_read_but_do_not_change,
    admin_pages_show_the_tree_and_import,
);
