//! The form builder and the case form in the browser's pages: an administrator adds a
//! translated field, a caseworker sees it and fills it in; every field type posted as a
//! browser posts it.

use serde_json::json;

use super::{every_type_section, setup, PW, SIGNATURE};
use crate::common::{csrf_token, location, Backend};

/// Every type through the caseworker's HTML form, as a browser posts it, read back by the API.
async fn every_field_type_through_the_browser_form(backend: Backend) {
    let (app, admin, worker) = setup(backend).await;
    let (status, _) = admin
        .post("/forms", json!({"data": every_type_section()}))
        .await;
    assert_eq!(status, 200);
    let browser = app.browser();
    app.sign_in(&browser, "worker", PW).await;
    let form = browser
        .get(app.url("/cases/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for input in [
        "f:t_range:from",
        "f:t_range:to",
        "type=\"datetime-local\"",
        "data-signature",
        "data-show-if=\"f-t_select\"",
    ] {
        assert!(form.contains(input), "the form has {input}");
    }
    let token = csrf_token(&form);
    let fields = [
        ("csrf_token", token.as_str()),
        ("record_version", "0"),
        ("f:name_first", "Samir"),
        ("f:name_last", "Formpost"),
        ("f:sex", "male"),
        ("f:age", "12"),
        ("f:t_text", "Typed"),
        ("f:t_textarea", "Line one\r\nLine two"),
        ("f:t_select", "b"),
        ("f:t_other", "Explained"),
        ("f:t_multi", "refugee"),
        ("f:t_multi", "migrant"),
        ("f:t_radio", "false"),
        ("f:t_tick", "true"),
        ("f:t_number", "3.5"),
        ("f:t_date", "2021-05-04"),
        ("f:t_datetime", "2024-03-09T14:30"),
        ("f:t_range:from", "2024-01-01"),
        ("f:t_range:to", "2024-01-31"),
        ("f:t_signature", SIGNATURE),
        ("f:t_birth", "2014-01-01"),
        ("s:t_sub:0:s_name", "First entry"),
        ("s:t_sub:0:s_count", "4"),
    ];
    let res = browser
        .post(app.url("/cases"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let id = location(&res).trim_start_matches("/cases/").to_owned();
    let (_, read) = worker.get(&format!("/cases/{id}")).await;
    let r = &read["data"];
    assert_eq!(r["t_text"], "Typed");
    assert_eq!(r["t_multi"], json!(["refugee", "migrant"]));
    assert_eq!(r["t_radio"], false);
    assert_eq!(r["t_tick"], true);
    assert_eq!(r["t_number"], 3.5);
    assert_eq!(r["t_datetime"], "2024-03-09T14:30");
    assert_eq!(
        r["t_range"],
        json!({"from": "2024-01-01", "to": "2024-01-31"})
    );
    assert_eq!(r["t_signature"], SIGNATURE);
    assert_eq!(r["t_sub"][0]["s_count"], 4);
    assert!(r["t_age"].as_i64().unwrap() >= 12);

    // A bad value comes back on the form, marked under its field, with what was typed kept.
    let mut bad = fields.to_vec();
    bad.retain(|(k, _)| *k != "f:t_number");
    bad.push(("f:t_number", "eleven"));
    let res = browser
        .post(app.url("/cases"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"eleven\""), "what was typed is kept");
    assert!(page.contains("fielderror"));
}

/// The browser builder: an administrator adds a field with French and Arabic labels to a
/// section through the pages, a caseworker sees it in each language and fills it in.
async fn builder_pages_round_trip(backend: Backend) {
    let (app, _admin, _worker) = setup(backend).await;
    let admin = app.browser();
    assert_eq!(app.sign_in(&admin, "formadmin", PW).await.status(), 303);
    let page = admin
        .get(app.url("/admin/forms/basic_identity"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let token = csrf_token(&page.text().await.unwrap());
    let res = admin
        .post(app.url("/admin/forms/basic_identity/fields"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("parent", ""),
            ("name", "school_name"),
            ("type", "select"),
            ("label_en", "School"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/admin/forms/basic_identity/fields/school_name"
    );
    let res = admin
        .post(app.url("/admin/forms/basic_identity/fields/school_name"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("type", "select"),
            ("label:en", "School"),
            ("label:fr", "École"),
            ("label:ar", "المدرسة"),
            ("choices", "options"),
            ("opt:0:id", "option_1"),
            ("opt:0:label:en", "Primary"),
            ("opt:0:label:fr", "Primaire"),
            ("opt:0:label:ar", "ابتدائية"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let preview = admin
        .get(app.url("/admin/forms/basic_identity/preview?lang=ar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(preview.contains("المدرسة") && preview.contains("ابتدائية"));

    let worker = app.browser();
    app.sign_in(&worker, "worker", PW).await;
    for (lang, label) in [("fr", "École"), ("ar", "المدرسة"), ("en", "School")] {
        let form = worker
            .get(app.url("/cases/new"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains(label), "{lang}: {label}");
    }
    let form = worker
        .get(app.url("/cases/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&form);
    let res = worker
        .post(app.url("/cases"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("record_version", "0"),
            ("f:name_first", "Lina"),
            ("f:name_last", "Formtest"),
            ("f:sex", "female"),
            ("f:age", "8"),
            ("f:school_name", "option_1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let case_page = worker
        .get(app.url(&location(&res)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        case_page.contains("Primary"),
        "the new field's value is shown"
    );
}

crate::on_both_backends!(
    every_field_type_through_the_browser_form,
    builder_pages_round_trip,
);
