#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Configurable forms on both databases: the standard forms on a fresh instance, every field
//! type through the API and the browser form, and configuration changes that must never lose or
//! corrupt record data.

mod common;

use common::{Backend, TestApp};
use serde_json::{json, Value};

const PW: &str = "forms-test-password-1";

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

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(PW));
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
}

/// The fields named in a 422 answer.
fn bad_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn setup(backend: Backend) -> (TestApp, Api, Api) {
    let app = TestApp::spawn(backend).await;
    app.create_user("formadmin", "system-admin", PW);
    app.create_user("worker", "caseworker", PW);
    let admin = Api::new(&app, "formadmin");
    let worker = Api::new(&app, "worker");
    (app, admin, worker)
}

/// A section with one field of every type a caseworker fills in.
fn every_type_section() -> Value {
    json!({
        "id": "every_type",
        "record_type": "case",
        "group": "identification_registration",
        "order": 5,
        "label": {"en": "Every type", "fr": "Tous les types"},
        "fields": [
            {"name": "t_text", "type": "text", "label": {"en": "Text"}},
            {"name": "t_textarea", "type": "textarea", "label": {"en": "Long text"}},
            {"name": "t_select", "type": "select", "label": {"en": "Select"},
             "options": [{"id": "a", "label": {"en": "A", "fr": "A fr"}}, {"id": "b", "label": {"en": "B"}}]},
            {"name": "t_multi", "type": "multi_select", "label": {"en": "Multi"}, "lookup": "lookup-protection-concerns"},
            {"name": "t_radio", "type": "radio", "label": {"en": "Radio"}, "lookup": "lookup-yes-no"},
            {"name": "t_tick", "type": "tick_box", "label": {"en": "Tick"}},
            {"name": "t_number", "type": "number", "label": {"en": "Number"}, "min": 0, "max": 10},
            {"name": "t_date", "type": "date", "label": {"en": "Date"}, "not_future": true},
            {"name": "t_datetime", "type": "date", "label": {"en": "Date and time"}, "with_time": true},
            {"name": "t_range", "type": "date_range", "label": {"en": "Range"}},
            {"name": "t_separator", "type": "separator", "label": {"en": "Heading"}},
            {"name": "t_photo", "type": "photo", "label": {"en": "Photos"}},
            {"name": "t_signature", "type": "signature", "label": {"en": "Signature"}},
            {"name": "t_birth", "type": "date", "label": {"en": "Born"}},
            {"name": "t_age", "type": "calculated", "label": {"en": "Age"}, "calculate": {"years_since": "t_birth"}},
            {"name": "t_other", "type": "text", "label": {"en": "Other"}, "required": true,
             "show_if": {"field": "t_select", "equals": "b"}},
            {"name": "t_sub", "type": "subform", "label": {"en": "Entries"}, "fields": [
                {"name": "s_name", "type": "text", "label": {"en": "Name"}, "required": true},
                {"name": "s_count", "type": "number", "label": {"en": "Count"}, "min": 1}
            ]}
        ]
    })
}

/// A 1x1 PNG as a signature data URL.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAHnOQ1QAAAABJRU5ErkJggg==";

fn base_case() -> Value {
    json!({"name_first": "Rana", "name_last": "Testcase", "sex": "female", "age": 9})
}

fn with(mut data: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        data[k] = v.clone();
    }
    data
}

async fn standard_forms_on_a_fresh_instance(backend: Backend) {
    let (_app, _admin, worker) = setup(backend).await;
    let (status, forms) = worker.get("/forms?record_type=case&per=100").await;
    assert_eq!(status, 200, "{forms}");
    assert!(
        forms["metadata"]["total"].as_i64().unwrap() >= 15,
        "{}",
        forms["metadata"]
    );
    let ids: Vec<&str> = forms["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["unique_id"].as_str().unwrap())
        .collect();
    for id in [
        "basic_identity",
        "protection_concerns",
        "care_arrangements",
        "family_details",
        "cp_case_plan",
        "services",
        "followup",
        "closure_form",
        "referral_transfer",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let basic = &forms["data"][0];
    assert_eq!(
        basic["unique_id"], "basic_identity",
        "basic identity comes first"
    );
    let sex = basic["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "sex")
        .unwrap();
    assert_eq!(sex["option_strings_source"], "lookup lookup-gender");
    assert!(!sex["display_name"]["fr"].as_str().unwrap().is_empty());
    let (status, lookups) = worker.get("/lookups?per=1000").await;
    assert_eq!(status, 200);
    assert!(lookups["metadata"]["total"].as_i64().unwrap() >= 60);
    let (status, gender) = worker.get("/lookups/lookup-gender").await;
    assert_eq!(status, 200);
    assert_eq!(gender["data"]["values"][1]["label"]["fr"], "Féminin");
    // Paging is truthful.
    let (_, page) = worker.get("/lookups?per=10&page=2").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
    assert_eq!(page["metadata"]["page"], 2);
}

async fn every_field_type_through_the_api(backend: Backend) {
    let (_app, admin, worker) = setup(backend).await;
    let (status, body) = admin
        .post("/forms", json!({"data": every_type_section()}))
        .await;
    assert_eq!(status, 200, "{body}");
    let good = with(
        base_case(),
        json!({
            "t_text": "Short", "t_textarea": "Longer\ntext", "t_select": "b", "t_other": "Because",
            "t_multi": ["refugee", "migrant"], "t_radio": true, "t_tick": false, "t_number": 7,
            "t_date": "2020-02-29", "t_datetime": "2024-03-09T14:30",
            "t_range": {"from": "2024-01-01", "to": "2024-02-01"},
            "t_signature": SIGNATURE, "t_birth": "2015-06-01", "t_age": 99,
            "t_photo": "not kept", "t_separator": "not kept",
            "t_sub": [{"s_name": "Entry", "s_count": 2}]
        }),
    );
    let (status, created) = worker.post("/cases", json!({"data": good})).await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (_, read) = worker.get(&format!("/cases/{id}")).await;
    let r = &read["data"];
    assert_eq!(r["t_multi"], json!(["refugee", "migrant"]));
    assert_eq!(r["t_range"]["to"], "2024-02-01");
    assert_eq!(r["t_signature"], SIGNATURE);
    assert_eq!(r["t_sub"][0]["s_name"], "Entry");
    assert!(r["t_sub"][0]["unique_id"].is_string());
    assert!(
        r["t_age"].as_i64().unwrap() >= 10,
        "calculated, not taken from input: {}",
        r["t_age"]
    );
    assert!(r.get("t_photo").is_none() && r.get("t_separator").is_none());

    let bad: Vec<(Value, &str)> = vec![
        (json!({"t_text": 5}), "t_text"),
        (json!({"t_select": "zzz"}), "t_select"),
        (json!({"t_multi": ["nonsense"]}), "t_multi"),
        (json!({"t_radio": "perhaps"}), "t_radio"),
        (json!({"t_tick": "yes"}), "t_tick"),
        (json!({"t_number": 11}), "t_number"),
        (json!({"t_number": "seven"}), "t_number"),
        (json!({"t_date": "2999-01-01"}), "t_date"),
        (json!({"t_date": "01/02/2020"}), "t_date"),
        (json!({"t_datetime": "tomorrow"}), "t_datetime"),
        (
            json!({"t_range": {"from": "2024-03-01", "to": "2024-01-01"}}),
            "t_range",
        ),
        (json!({"t_range": "2024"}), "t_range"),
        (
            json!({"t_signature": "data:image/png;base64,bm90IGEgcG5n"}),
            "t_signature",
        ),
        (json!({"t_select": "b"}), "t_other"),
        (json!({"t_sub": [{"s_count": 2}]}), "t_sub[0].s_name"),
        (
            json!({"t_sub": [{"s_name": "x", "s_count": 0}]}),
            "t_sub[0].s_count",
        ),
    ];
    for (extra, field) in bad {
        let (status, body) = worker
            .post("/cases", json!({"data": with(base_case(), extra.clone())}))
            .await;
        assert_eq!(status, 422, "{extra} should be refused: {body}");
        assert!(
            bad_fields(&body).contains(&field.to_owned()),
            "{extra}: {body}"
        );
    }
    // The conditional field is not required while its condition is unmet.
    let (status, body) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"t_select": "a"}))}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn changes_never_lose_record_data(backend: Backend) {
    let (app, admin, worker) = setup(backend).await;
    let (status, _) = admin
        .post("/forms", json!({"data": every_type_section()}))
        .await;
    assert_eq!(status, 200);
    let (_, c) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"t_select": "a", "t_text": "words"}))}),
        )
        .await;
    let id = c["data"]["id"].as_str().unwrap().to_owned();

    // Deleting an option a record holds is refused with the count; disabling it is not.
    let mut section = every_type_section();
    section["fields"][2]["options"] = json!([{"id": "b", "label": {"en": "B"}}]);
    let (status, body) = admin
        .patch("/forms/every_type", json!({"data": section}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("1 record"),
        "{body}"
    );
    let mut section = every_type_section();
    section["fields"][2]["options"][0]["disabled"] = json!(true);
    let (status, body) = admin
        .patch("/forms/every_type", json!({"data": section.clone()}))
        .await;
    assert_eq!(status, 200, "{body}");
    // The old record keeps its disabled value through an unrelated update ...
    let (status, body) = worker
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"t_text": "more words"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["t_select"], "a");
    // ... but no new record can take it.
    let (status, _) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"t_select": "a"}))}),
        )
        .await;
    assert_eq!(status, 422);
    // The case page still shows the disabled option's label.
    let browser = app.browser();
    app.sign_in(&browser, "worker", PW).await;
    let page = browser
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">A<") || page.contains("A</dd>"),
        "label of the disabled option shown"
    );

    // A type change that stored values do not fit is refused with the count.
    let mut typed = section.clone();
    typed["fields"][0]["type"] = json!("number");
    let (status, body) = admin
        .patch("/forms/every_type", json!({"data": typed}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(bad_fields(&body), ["t_text"]);
    // A change the values fit goes through (text to long text).
    let mut widened = section.clone();
    widened["fields"][0]["type"] = json!("textarea");
    let (status, body) = admin
        .patch("/forms/every_type", json!({"data": widened.clone()}))
        .await;
    assert_eq!(status, 200, "{body}");

    // Leaving a field out hides it; the record keeps its value and updates cannot touch it.
    let mut without = widened.clone();
    without["fields"].as_array_mut().unwrap().remove(0);
    let (status, body) = admin
        .patch("/forms/every_type", json!({"data": without}))
        .await;
    assert_eq!(status, 200, "{body}");
    let kept = body["data"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "t_text")
        .unwrap()
        .clone();
    assert_eq!(kept["visible"], false, "kept, hidden: {kept}");
    let (status, _) = worker
        .patch(
            &format!("/cases/{id}"),
            json!({"data": {"t_text": "overwritten", "age": 10}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, read) = worker.get(&format!("/cases/{id}")).await;
    assert_eq!(read["data"]["t_text"], "more words");
    assert_eq!(read["data"]["age"], 10);

    // A lookup value in use cannot be removed; a lookup in use cannot be deleted.
    worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"protection_concerns": ["refugee"]}))}),
        )
        .await;
    let (_, lookup) = worker.get("/lookups/lookup-protection-concerns").await;
    let mut values = lookup["data"]["values"].as_array().unwrap().clone();
    values.retain(|v| v["id"] != "refugee");
    let (status, body) = admin
        .patch(
            "/lookups/lookup-protection-concerns",
            json!({"data": {"label": lookup["data"]["label"], "values": values}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = admin
        .send(reqwest::Method::DELETE, "/lookups/lookup-gender", None)
        .await;
    assert_eq!(status, 409);

    // Every accepted change is audited.
    let actions: Vec<String> = app.audit_tail(50).into_iter().map(|e| e.action).collect();
    assert!(
        actions.iter().any(|a| a == "form_section.saved"),
        "{actions:?}"
    );
}

async fn only_administrators_change_forms(backend: Backend) {
    let (_app, _admin, worker) = setup(backend).await;
    let (status, _) = worker
        .post("/forms", json!({"data": every_type_section()}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = worker
        .patch(
            "/lookups/lookup-gender",
            json!({"data": {"label": {"en": "x"}, "values": []}}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = worker.get("/forms/basic_identity").await;
    assert_eq!(status, 200);
}

async fn inconsistent_configuration_is_refused(backend: Backend) {
    let (_app, admin, _) = setup(backend).await;
    let cases = [
        json!({"id": "x1", "record_type": "case", "order": 1, "label": {"en": "X"},
               "fields": [{"name": "sex", "type": "text", "label": {"en": "Duplicate of a standard field"}}]}),
        json!({"id": "x2", "record_type": "case", "order": 1, "label": {"en": "X"},
               "fields": [{"name": "pick", "type": "select", "label": {"en": "No choices"}}]}),
        json!({"id": "x3", "record_type": "case", "order": 1, "label": {"en": "X"},
               "fields": [{"name": "pick", "type": "select", "label": {"en": "P"}, "lookup": "lookup-nope"}]}),
        json!({"id": "x4", "record_type": "case", "order": 1, "label": {"en": "X"},
               "fields": [{"name": "w", "type": "text", "label": {"en": "W"}, "show_if": {"field": "ghost", "equals": "1"}}]}),
        json!({"id": "Bad Id", "record_type": "case", "order": 1, "label": {"en": "X"}, "fields": []}),
    ];
    for section in cases {
        let (status, body) = admin.post("/forms", json!({"data": section.clone()})).await;
        assert_eq!(status, 422, "{section} -> {body}");
    }
    let (status, body) = admin
        .post("/forms", json!({"data": {"id": "y", "fields": "nope"}}))
        .await;
    assert_eq!(status, 422, "{body}");
}

/// Location fields take the codes of the location tree once there is one; a disabled place stays
/// on the records that hold it.
async fn location_choices_follow_the_tree(backend: Backend) {
    let (_app, admin, worker) = setup(backend).await;
    // Before any tree is loaded, a location field takes any code.
    let (status, _) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"location_current": "ANY1"}))}),
        )
        .await;
    assert_eq!(status, 200);
    let csv = "#country+code,#country+name,#adm1+code,#adm1+name\nXX,Testland,XX01,North\nXX,Testland,XX02,South\n";
    let res = admin
        .http
        .post(format!("{}/locations/import", admin.base))
        .basic_auth(&admin.user, Some(PW))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (status, c) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"location_current": "XX01"}))}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    let id = c["data"]["id"].as_str().unwrap().to_owned();
    let (status, body) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"location_current": "ZZ99"}))}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(bad_fields(&body), ["location_current"]);
    let (status, _) = admin
        .patch("/locations/XX01", json!({"data": {"disabled": true}}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = worker
        .patch(&format!("/cases/{id}"), json!({"data": {"age": 12}}))
        .await;
    assert_eq!(status, 200, "a disabled place stays on the case: {body}");
    let (status, _) = worker
        .post(
            "/cases",
            json!({"data": with(base_case(), json!({"location_current": "XX01"}))}),
        )
        .await;
    assert_eq!(status, 422, "but is not offered for new entries");
}

on_both_backends!(
    location_choices_follow_the_tree,
    standard_forms_on_a_fresh_instance,
    every_field_type_through_the_api,
    changes_never_lose_record_data,
    only_administrators_change_forms,
    inconsistent_configuration_is_refused,
);

#[path = "forms/pages.rs"]
mod pages;
