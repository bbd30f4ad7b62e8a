#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Signing in and out, lockout, CSRF, session expiry and API authentication, on both databases.

mod common;

use casekeep::db::schema::{sessions, users};
use common::{csrf_token, location, Backend, TestApp, ADMIN_PASSWORD};
use diesel::prelude::*;

const WORKER_PASSWORD: &str = "river-stone-lantern-42";

async fn sign_in_success(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    let res = app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("casekeep_session="))
        .expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");

    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("Welcome, Administrator"), "{html}");
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"));

    // User names are matched without regard to case.
    let other = app.browser();
    assert_eq!(
        app.sign_in(&other, "ADMIN", ADMIN_PASSWORD).await.status(),
        303
    );

    let entry = &app.audit_tail(1)[0];
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("sign_in", "done")
    );
    assert_eq!(entry.username.as_deref(), Some("admin"));
    assert_eq!(entry.user_agent.as_deref(), Some(common::UA));
    assert!(entry.ip.is_some() && entry.request_id.is_some());
}

async fn new_session_id_at_each_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    let session_cookie = |res: &reqwest::Response| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("casekeep_session="))
            .expect("session cookie")
    };
    let first = session_cookie(&app.sign_in(&client, "admin", ADMIN_PASSWORD).await);
    let page = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = client
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", csrf_token(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let left: i64 = app.with_db(|c| sessions::table.count().get_result(c).unwrap());
    assert_eq!(left, 0, "sign-out removes the session server-side");
    let second = session_cookie(&app.sign_in(&client, "admin", ADMIN_PASSWORD).await);
    assert_ne!(first, second);
    let entry = &app.audit_tail(2)[1];
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("sign_out", "done")
    );
}

async fn wrong_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    let res = app.sign_in(&client, "admin", "not-the-password").await;
    assert_eq!(res.status(), 401);
    assert!(res
        .headers()
        .get_all("set-cookie")
        .iter()
        .all(|c| !c.to_str().unwrap().starts_with("casekeep_session")));
    let html = res.text().await.unwrap();
    assert!(html.contains("Wrong user name or password."), "{html}");
    assert!(
        html.contains("value=\"admin\""),
        "the user name is kept in the form"
    );
    // Still not signed in.
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert!(location(&home).starts_with("/sign-in?next="));

    // An unknown user gets exactly the same answer, and both attempts are audited.
    let res = app.sign_in(&client, "nobody-here", "whatever-it-is").await;
    assert_eq!(res.status(), 401);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Wrong user name or password."));
    let tail = app.audit_tail(2);
    assert!(tail
        .iter()
        .all(|e| e.action == "sign_in" && e.outcome == "failed"));
    assert!(tail[0].detail.contains("unknown_user"));
    assert!(tail[1].detail.contains("wrong_password"));
    let failures: i32 = app.with_db(|c| {
        users::table
            .filter(users::username.eq("admin"))
            .select(users::failed_sign_ins)
            .first(c)
            .unwrap()
    });
    assert_eq!(failures, 1);
}

async fn lockout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("amina.k", "caseworker", WORKER_PASSWORD);
    let client = app.browser();
    for attempt in 1..=4 {
        let res = app.sign_in(&client, "amina.k", "wrong-guess-123").await;
        assert_eq!(res.status(), 401, "attempt {attempt}");
    }
    // The fifth failure locks the account...
    let res = app.sign_in(&client, "amina.k", "wrong-guess-123").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(res.text().await.unwrap().contains("locked"));
    // ...and then even the right password is refused, through the API too.
    let res = app.sign_in(&client, "amina.k", WORKER_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let api = reqwest::Client::new()
        .get(app.url("/api/v2/users/me"))
        .basic_auth("amina.k", Some(WORKER_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 429);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "account_locked");
    // Other accounts are unaffected.
    assert_eq!(
        app.sign_in(&app.browser(), "admin", ADMIN_PASSWORD)
            .await
            .status(),
        303
    );

    // Once the lock has run out, the right password works again.
    app.with_db(|c| {
        diesel::update(users::table.filter(users::username.eq("amina.k")))
            .set(users::locked_until.eq(Some(casekeep::db::now() - chrono::Duration::seconds(1))))
            .execute(c)
            .unwrap()
    });
    assert_eq!(
        app.sign_in(&app.browser(), "amina.k", WORKER_PASSWORD)
            .await
            .status(),
        303
    );
    let reasons: Vec<String> = app
        .audit_tail(20)
        .iter()
        .map(|e| e.detail.clone())
        .collect();
    assert!(reasons.iter().any(|d| d.contains("wrong_password_locked")));
    assert!(reasons.iter().any(|d| d.contains("\"locked\"")));
}

async fn rate_limit_per_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.accounts.sign_in_attempts_per_minute = 3).await;
    let client = app.browser();
    for name in ["a-user", "b-user", "c-user"] {
        assert_eq!(
            app.sign_in(&client, name, "guess-guess-guess")
                .await
                .status(),
            401
        );
    }
    // Fourth attempt from the same address within the minute, even for another account.
    let res = app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
}

async fn csrf_rejection(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Sign-in form without the token: refused, nothing signs in.
    let client = app.browser();
    let _ = app.sign_in_form(&client).await;
    let res = client
        .post(app.url("/sign-in"))
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("This form has expired"));
    // A token that does not match the cookie: refused.
    let res = client
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", "forged-token-value-forged-token-value"),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Signed in: a state-changing form needs the session's token.
    assert_eq!(
        app.sign_in(&client, "admin", ADMIN_PASSWORD).await.status(),
        303
    );
    let account = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&account);
    for bad in ["", "wrong"] {
        let res = client
            .post(app.url("/account/language"))
            .form(&[("csrf_token", bad), ("language", "fr")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "token {bad:?}");
    }
    // A cross-site request is refused even with the right token.
    let res = client
        .post(app.url("/account/language"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf_token", token.as_str()), ("language", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let language: Option<String> = app.with_db(|c| {
        users::table
            .filter(users::username.eq("admin"))
            .select(users::language)
            .first(c)
            .unwrap()
    });
    assert_eq!(language, None, "refused requests changed nothing");
    // With the right token it works; so does the header form of the token.
    let res = client
        .post(app.url("/account/language"))
        .form(&[("csrf_token", token.as_str()), ("language", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bienvenue"), "{page}");
    let profile = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        profile.contains("Super-utilisateur"),
        "seeded role names are translated"
    );
    // Sign-out is state-changing too.
    let res = client
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client
        .post(app.url("/sign-out"))
        .header("x-csrf-token", token.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 303);
}

async fn session_expiry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    // Idle longer than the idle timeout (30 minutes by default).
    app.with_db(|c| {
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(casekeep::db::now() - chrono::Duration::minutes(31)))
            .execute(c)
            .unwrap()
    });
    // Half an hour has "passed": the gate's few-second memory of the session is long gone.
    app.state.principals.clear();
    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/sign-in"));
    let left: i64 = app.with_db(|c| sessions::table.count().get_result(c).unwrap());
    assert_eq!(left, 0, "the expired session is removed");

    // Past the absolute lifetime, even when active.
    app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    app.with_db(|c| {
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(casekeep::db::now() - chrono::Duration::seconds(1)))
            .execute(c)
            .unwrap()
    });
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 303);
}

async fn api_basic_and_bearer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("omar.t", "caseworker", WORKER_PASSWORD);
    let http = reqwest::Client::new();

    // Basic.
    let res = http
        .get(app.url("/api/v2/users/me"))
        .basic_auth("omar.t", Some(WORKER_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(me["data"]["user_name"], "omar.t");
    assert_eq!(me["data"]["role_unique_id"], "caseworker");
    assert!(me["data"]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "cases:read"));
    // A second call uses the short-lived verification cache and still works.
    let res = http
        .get(app.url("/api/v2/contact_information"))
        .basic_auth("omar.t", Some(WORKER_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(info["data"]["system_version"], env!("CARGO_PKG_VERSION"));

    let res = http
        .get(app.url("/api/v2/users/me"))
        .basic_auth("omar.t", Some("wrong-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], 401);
    assert_eq!(body["errors"][0]["resource"], "/api/v2/users/me");
    assert_eq!(body["errors"][0]["code"], "invalid_credentials");
    let garbage = http
        .get(app.url("/api/v2/users/me"))
        .header("authorization", "Basic %%%")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 401);

    // Bearer: POST /api/v2/tokens, use it, then DELETE ends it.
    let res = http
        .post(app.url("/api/v2/tokens"))
        .json(&serde_json::json!({"user": {"user_name": "omar.t", "password": WORKER_PASSWORD}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("set-cookie").is_some(),
        "the token endpoint also sets the session cookie"
    );
    let token: serde_json::Value = res.json().await.unwrap();
    assert_eq!(token["user_name"], "omar.t");
    let bearer = token["token"].as_str().unwrap().to_owned();
    assert!(bearer.len() >= 40);
    let res = http
        .get(app.url("/api/v2/users/me"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Bearer callers need no CSRF token.
    let res = http
        .delete(app.url("/api/v2/tokens"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(app.url("/api/v2/users/me"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let res = http
        .post(app.url("/api/v2/tokens"))
        .json(&serde_json::json!({"user": {"user_name": "omar.t", "password": "nope-nope"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .post(app.url("/api/v2/tokens"))
        .body("user=omar.t")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "the token endpoint takes JSON only");
    // The token is stored hashed: the raw value is nowhere in the database.
    let stored: Vec<String> =
        app.with_db(|c| sessions::table.select(sessions::id_hash).load(c).unwrap());
    assert!(stored.iter().all(|h| h != &bearer));
}

async fn api_with_the_session_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    let res = client
        .get(app.url("/api/v2/users/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Pages tell scripts the session's CSRF token; state-changing API calls need it.
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "<meta name=\"csrf-token\" content=\"";
    let start = page.find(marker).expect("csrf meta tag") + marker.len();
    let token = &page[start..start + page[start..].find('"').unwrap()];
    let res = client
        .delete(app.url("/api/v2/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "csrf_rejected");
    let res = client
        .delete(app.url("/api/v2/tokens"))
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        client
            .get(app.url("/api/v2/users/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn api_without_credentials_is_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let http = reqwest::Client::new();
    for path in ["/api/v2/contact_information", "/api/v2/users/me"] {
        let res = http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert_eq!(
            res.headers()["www-authenticate"],
            "Bearer realm=\"casekeep\""
        );
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["status"], 401);
        assert_eq!(body["errors"][0]["code"], "unauthenticated");
    }
    // Credentials in the query string are never accepted.
    let res = http
        .get(app.url("/api/v2/users/me?user_name=admin&password=x&token=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The bootstrap endpoint is public.
    let res = http.get(app.url("/api/v2/primero")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["data"]["locales"],
        serde_json::json!(["en", "fr", "ar"])
    );
}

async fn security_headers_and_assets(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = reqwest::get(app.url("/sign-in")).await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS over plain loopback HTTP"
    );
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("style=\""),
        "no inline script or style"
    );

    // Assets: versioned URL, long cache, ETag revalidation.
    let start = html.find("/static/app.css?v=").unwrap();
    let href = &html[start..start + html[start..].find('"').unwrap()];
    let res = reqwest::get(app.url(href)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = reqwest::Client::new()
        .get(app.url(href))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    let head = reqwest::Client::new()
        .head(app.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200, "GET routes answer HEAD");
    let health: serde_json::Value = reqwest::get(app.url("/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["checks"]["database"]["status"], "ok");
    let expected = if backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(health["checks"]["database"]["backend"], expected);
}

async fn audit_chain_holds_after_activity(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.browser();
    app.sign_in(&client, "admin", "wrong-one-here").await;
    app.sign_in(&client, "admin", ADMIN_PASSWORD).await;
    let checked = app
        .with_db(|c| casekeep::audit::verify(c).unwrap())
        .expect("chain intact");
    assert!(checked >= 4, "{checked}");
}

on_both_backends!(
    sign_in_success,
    new_session_id_at_each_sign_in,
    wrong_password,
    lockout,
    rate_limit_per_address,
    csrf_rejection,
    session_expiry,
    api_basic_and_bearer,
    api_with_the_session_cookie,
    api_without_credentials_is_401,
    security_headers_and_assets,
    audit_chain_holds_after_activity,
);

#[path = "auth/accounts.rs"]
mod accounts;

#[actix_web::test]
async fn https_with_configured_certificate() {
    let store_dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_path = store_dir.path().join("cert.pem");
    let key_path = store_dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.tls_cert = Some(cert_path.clone());
        c.server.tls_key = Some(key_path.clone());
    })
    .await;
    assert!(app.base.starts_with("https://"), "{}", app.base);
    let client = app.browser();
    let res = client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let html = res.text().await.unwrap();
    let res = client
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", csrf_token(&html).as_str()),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-casekeep_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    // Plain HTTP to the TLS port gets nothing useful.
    let plain = app.base.replacen("https://", "http://", 1);
    assert!(reqwest::get(format!("{plain}/health"))
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true));
}
