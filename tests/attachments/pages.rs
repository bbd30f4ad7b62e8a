//! The attachments page of a case in a browser (forms with CSRF tokens), and agency logos.

use diesel::prelude::*;

use super::metadata::{contains, phone_photo, SECRETS};
use super::{multipart, png, setup, Part, PW};
use crate::common::{csrf_token, location, Backend, TestApp, ADMIN_PASSWORD};

async fn post_form(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    parts: &[Part<'_>],
) -> reqwest::Response {
    let (content_type, body) = multipart(parts);
    browser
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn page_uploads_and_removes(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let browser = app.browser();
    assert_eq!(app.sign_in(&browser, "cw.one", PW).await.status(), 303);
    let show = browser
        .get(app.url(&format!("/cases/{case}")))
        .send()
        .await
        .unwrap();
    let show = show.text().await.unwrap();
    assert!(show.contains(&format!("href=\"/cases/{case}/attachments\"")));

    let path = format!("/cases/{case}/attachments");
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let token = csrf_token(&html);
    let png = png();

    // Without the token, or with it anywhere but first, nothing is stored.
    let res = post_form(
        &app,
        &browser,
        &path,
        &[
            ("field_name", None, b"photos"),
            ("attachment", Some("a.png"), &png),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &browser,
        &path,
        &[
            ("field_name", None, b"photos"),
            ("csrf_token", None, token.as_bytes()),
            ("attachment", Some("a.png"), &png),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(api.list(&case).await.1["metadata"]["total"], 0);

    let res = post_form(
        &app,
        &browser,
        &path,
        &[
            ("csrf_token", None, token.as_bytes()),
            ("field_name", None, b"photos"),
            ("attachment", Some("family.png"), &png),
            ("description", None, b"at the centre"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), path);

    // A refused file: the page again, saying why.
    let res = post_form(
        &app,
        &browser,
        &path,
        &[
            ("csrf_token", None, token.as_bytes()),
            ("field_name", None, b"photos"),
            ("attachment", Some("fake.jpg"), b"plain text"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("This type of file cannot be attached here."),
        "{html}"
    );
    assert!(html.contains("text/plain"));

    let (_, list) = api.list(&case).await;
    assert_eq!(list["metadata"]["total"], 1);
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let html = browser
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("family.png") && html.contains("at the centre"));
    assert!(html.contains(&format!("src=\"{path}/{id}/thumbnail\"")));
    let file = browser
        .get(app.url(&format!("{path}/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), png.as_slice());

    let res = browser
        .post(app.url(&format!("{path}/{id}/remove")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, path.clone()));
    assert_eq!(api.list(&case).await.1["metadata"]["total"], 0);
    assert_eq!(app.audit_tail(2)[1].action, "remove_attachment");
}

fn add_agency(app: &TestApp, id: &str) {
    use casekeep::db::schema::agencies;
    app.with_db(|c| {
        let at = casekeep::db::now();
        diesel::insert_into(agencies::table)
            .values((
                agencies::id.eq(id),
                agencies::code.eq(id),
                agencies::names.eq(r#"{"en":"Test agency"}"#),
                agencies::created_at.eq(at),
                agencies::updated_at.eq(at),
            ))
            .execute(c)
            .unwrap();
    });
}

fn config_version(app: &TestApp) -> i64 {
    app.with_db(|c| casekeep::forms::store::config_state(c).unwrap().0)
}

async fn agency_logos(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("cw.one", "caseworker", PW);
    add_agency(&app, "unicef");
    let admin = app.browser();
    assert_eq!(
        app.sign_in(&admin, "admin", ADMIN_PASSWORD).await.status(),
        303
    );
    let home = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&home);
    let png = png();
    let before = config_version(&app);
    let res = post_form(
        &app,
        &admin,
        "/agencies/unicef/logo",
        &[
            ("csrf_token", None, token.as_bytes()),
            ("logo", Some("logo.png"), &png),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(
        config_version(&app) > before,
        "a logo is a configuration change"
    );
    let entry = &app.audit_tail(1)[0];
    assert_eq!(entry.action, "agency_logo");
    assert!(entry.detail.contains("unicef"));

    // Any signed-in user sees it.
    let cw = app.browser();
    app.sign_in(&cw, "cw.one", PW).await;
    let res = cw
        .get(app.url("/agencies/unicef/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), png.as_slice());
    // Only those who may change agencies set one; only images, only small ones.
    let cw_page = cw
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cw_token = csrf_token(&cw_page);
    let res = post_form(
        &app,
        &cw,
        "/agencies/unicef/logo",
        &[
            ("csrf_token", None, cw_token.as_bytes()),
            ("logo", Some("logo.png"), &png),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &admin,
        "/agencies/unicef/logo",
        &[
            ("csrf_token", None, token.as_bytes()),
            ("logo", Some("logo.png"), b"GIF89a not a png"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let big = vec![b'a'; 600 * 1024];
    let res = post_form(
        &app,
        &admin,
        "/agencies/unicef/logo",
        &[
            ("csrf_token", None, token.as_bytes()),
            ("logo", Some("logo.png"), &big),
        ],
    )
    .await;
    assert_eq!(res.status(), 413);
    let res = post_form(
        &app,
        &admin,
        "/agencies/nobody/logo",
        &[
            ("csrf_token", None, token.as_bytes()),
            ("logo", Some("logo.png"), &png),
        ],
    )
    .await;
    assert_eq!(res.status(), 404);
    // A photo as a phone took it loses its metadata as a logo too.
    let res = post_form(
        &app,
        &admin,
        "/agencies/unicef/logo",
        &[
            ("csrf_token", None, token.as_bytes()),
            ("logo", Some("logo.jpg"), &phone_photo()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = cw
        .get(app.url("/agencies/unicef/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let kept = res.bytes().await.unwrap();
    for secret in SECRETS {
        assert!(
            !contains(&kept, secret),
            "{}",
            String::from_utf8_lossy(secret)
        );
    }
    assert_eq!(
        cw.get(app.url("/agencies/nobody/logo"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

crate::on_both_backends!(page_uploads_and_removes, agency_logos);
