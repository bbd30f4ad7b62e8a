#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The TOTP second factor against a real database, both backends: enrolment, codes that work
//! once, wrong codes, recovery codes that work once, removal; and what the audit log keeps.

mod common;

use casekeep::accounts::second_factor::{self, Proof, RECOVERY_CODES};
use casekeep::accounts::{self};
use casekeep::audit::Actor;
use casekeep::error::ErrorCode;
use chrono::{DateTime, NaiveDateTime};
use common::{Backend, TestApp};
use totp_rs::{Algorithm, Secret, TOTP};

/// The code an authenticator app holding `secret` shows at `at`.
fn app_code(secret: &str, at: NaiveDateTime) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into()).unwrap();
    totp.generate(at.and_utc().timestamp() as u64)
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> String {
    let first = (code.as_bytes()[0] - b'0' + 1) % 10;
    format!("{first}{}", &code[1..])
}

fn at(unix: i64) -> NaiveDateTime {
    DateTime::from_timestamp(unix, 0).unwrap().naive_utc()
}

async fn enrol_sign_in_and_recover(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("worker", "caseworker", "granite-harbour-kettle-7");
    let user = app.with_db(|c| accounts::find_by_username(c, "worker").unwrap().unwrap());
    let actor = user.actor();
    // The start of a 30-second step (a multiple of 30), so that +30 s is the next step.
    let t0: i64 = 1_800_000_000;
    assert_eq!(t0 % 30, 0);

    app.with_db(|c| {
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        let enrolment = second_factor::begin(c, &user.id, "worker").unwrap();
        assert!(enrolment.url.starts_with("otpauth://totp/Casekeep:worker?"));
        assert!(enrolment
            .url
            .contains(&format!("secret={}", enrolment.secret)));
        // Begun is not enrolled: the account is not yet protected by it.
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        // Verifying against an unconfirmed factor is refused.
        let code = app_code(&enrolment.secret, at(t0));
        assert!(second_factor::verify(c, &user.id, "worker", &code, at(t0)).is_err());

        // A wrong code does not confirm, and says which field is wrong.
        let e = second_factor::confirm(c, &user.id, "worker", &other_than(&code), at(t0), &actor)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        assert_eq!(e.field.as_deref(), Some("code"));
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());

        let recovery =
            second_factor::confirm(c, &user.id, "worker", &code, at(t0), &actor).unwrap();
        assert_eq!(recovery.len(), RECOVERY_CODES);
        assert!(second_factor::is_enrolled(c, &user.id).unwrap());
        // Enrolling again is refused while one is set up.
        assert_eq!(
            second_factor::begin(c, &user.id, "worker")
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );

        // The confirming code is spent; the next step's code signs in, once.
        let refused = second_factor::verify(c, &user.id, "worker", &code, at(t0)).unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidCredentials);
        let next = app_code(&enrolment.secret, at(t0 + 30));
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &next, at(t0 + 30)).unwrap(),
            Proof::Code
        );
        assert!(second_factor::verify(c, &user.id, "worker", &next, at(t0 + 30)).is_err());
        // Still within the clock-drift window a step later, but spent: refused.
        assert!(second_factor::verify(c, &user.id, "worker", &next, at(t0 + 60)).is_err());
        // A wrong code, and a code from long ago, are refused.
        let later = app_code(&enrolment.secret, at(t0 + 90));
        let wrong = other_than(&later);
        assert!(second_factor::verify(c, &user.id, "worker", &wrong, at(t0 + 90)).is_err());
        let old = app_code(&enrolment.secret, at(t0 - 3600));
        assert!(second_factor::verify(c, &user.id, "worker", &old, at(t0 + 90)).is_err());

        // A recovery code works once, typed however; the rest still work.
        let typed = recovery[3].to_lowercase().replace('-', " ");
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &typed, at(t0 + 120)).unwrap(),
            Proof::RecoveryCode {
                remaining: RECOVERY_CODES as i64 - 1
            }
        );
        let again = second_factor::verify(c, &user.id, "worker", &recovery[3], at(t0 + 150));
        assert_eq!(again.unwrap_err().code, ErrorCode::InvalidCredentials);
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &recovery[0], at(t0 + 150)).unwrap(),
            Proof::RecoveryCode {
                remaining: RECOVERY_CODES as i64 - 2
            }
        );
        // Another account's recovery codes are nothing to this one.
        let made_up = "ABCD-EFGH-JKLM-NPQR";
        assert!(second_factor::verify(c, &user.id, "worker", made_up, at(t0 + 150)).is_err());

        // Removed (a lost phone, reset by an administrator): no longer enrolled, codes gone.
        second_factor::remove(c, &user.id, &Actor::console()).unwrap();
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        assert!(second_factor::verify(c, &user.id, "worker", &recovery[1], at(t0 + 180)).is_err());
    });

    // Enrolment and removal are audited; no secret or code is ever in the log.
    let entries = app.audit_tail(50);
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"second_factor.enrol"), "{actions:?}");
    assert!(actions.contains(&"second_factor.remove"), "{actions:?}");
    for e in &entries {
        assert!(!e.detail.contains("secret"), "{}", e.detail);
    }
}

/// The text between `start` and the next `end` in `html`, every time it occurs.
fn all_between(html: &str, start: &str, end: &str) -> Vec<String> {
    html.split(start)
        .skip(1)
        .map(|rest| rest[..rest.find(end).unwrap()].to_owned())
        .collect()
}

fn cookie_set(res: &reqwest::Response, name: &str) -> bool {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with(&format!("{name}=")))
}

async fn post(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

/// Types a code on the code step of a sign-in.
async fn send_code(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    code: &str,
) -> reqwest::Response {
    post(
        client,
        app.url("/sign-in/code"),
        &[("csrf_token", csrf), ("code", code)],
    )
    .await
}

async fn get_text(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// As if the last code accepted was long ago, so that the current code is fresh (the real
/// clock cannot be moved and waiting for the next 30-second step would slow the suite).
fn forget_last_code(app: &TestApp, user_id: &str) {
    use casekeep::db::schema::second_factors;
    use diesel::prelude::*;
    app.with_db(|c| {
        diesel::update(second_factors::table.find(user_id))
            .set(second_factors::last_step.eq(0_i64))
            .execute(c)
            .unwrap();
    });
}

fn now() -> NaiveDateTime {
    casekeep::db::now()
}

const PASSWORD: &str = "granite-harbour-kettle-7";

async fn browser_and_api_sign_in_with_a_second_factor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("worker", "caseworker", PASSWORD);
    let user = app.with_db(|c| accounts::find_by_username(c, "worker").unwrap().unwrap());

    // Set up from the account page.
    let client = app.browser();
    assert_eq!(app.sign_in(&client, "worker", PASSWORD).await.status(), 303);
    let page = client
        .get(app.url("/account/second-factor"))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let csrf = common::csrf_token(&html);
    assert!(html.contains("/account/second-factor/begin"));
    let res = post(
        &client,
        app.url("/account/second-factor/begin"),
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = get_text(&client, app.url("/account/second-factor")).await;
    assert!(html.contains("<svg"), "the QR code is in the page");
    let secret =
        all_between(&html, "<code id=\"secret\" dir=\"ltr\">", "</code>")[0].replace(' ', "");
    let code = app_code(&secret, now());
    let res = post(
        &client,
        app.url("/account/second-factor/confirm"),
        &[("csrf_token", &csrf), ("code", &other_than(&code))],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("That code is not right"));
    let res = post(
        &client,
        app.url("/account/second-factor/confirm"),
        &[("csrf_token", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(res.status(), 200);
    let recovery = all_between(&res.text().await.unwrap(), "<li><code>", "</code>");
    assert_eq!(recovery.len(), RECOVERY_CODES);

    // Signing in now takes the code: the password alone starts no session.
    let client = app.browser();
    let res = app.sign_in(&client, "worker", PASSWORD).await;
    assert_eq!(res.status(), 200, "the code step, not a redirect");
    assert!(!cookie_set(&res, "casekeep_session"));
    assert!(cookie_set(&res, "casekeep_sign_in"));
    let html = res.text().await.unwrap();
    assert!(html.contains("action=\"/sign-in/code\""));
    let csrf = common::csrf_token(&html);
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        home.status(),
        303,
        "not signed in while the code is awaited"
    );
    // A wrong code: refused, the wait goes on.
    let wrong = other_than(&app_code(&secret, now()));
    let res = post(
        &client,
        app.url("/sign-in/code"),
        &[("csrf_token", &csrf), ("code", &wrong), ("next", "/cases")],
    )
    .await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("That code is not right"));
    // The current code signs in, and is then spent.
    forget_last_code(&app, &user.id);
    let code = app_code(&secret, now());
    let res = post(
        &client,
        app.url("/sign-in/code"),
        &[("csrf_token", &csrf), ("code", &code), ("next", "/cases")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(common::location(&res), "/cases");
    assert!(cookie_set(&res, "casekeep_session"));
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    let other = app.browser();
    app.sign_in(&other, "worker", PASSWORD).await;
    let csrf = app.sign_in_form(&other).await;
    let res = send_code(&app, &other, &csrf, &code).await;
    assert_eq!(res.status(), 401, "a code works once");
    // A recovery code signs in once.
    let res = post(
        &other,
        app.url("/sign-in/code"),
        &[("csrf_token", &csrf), ("code", &recovery[0])],
    )
    .await;
    assert_eq!(res.status(), 303);
    // A code without a password first is nothing.
    let stranger = app.browser();
    let csrf = app.sign_in_form(&stranger).await;
    let res = post(
        &stranger,
        app.url("/sign-in/code"),
        &[("csrf_token", &csrf), ("code", &recovery[1])],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(common::location(&res).starts_with("/sign-in"));

    // The API: the password alone is not enough, nor is a wrong code; a right one is.
    let api = app.browser();
    let token = |code: Option<&str>| {
        let mut user = serde_json::json!({"user_name": "worker", "password": PASSWORD});
        if let Some(code) = code {
            user["code"] = code.into();
        }
        api.post(app.url("/api/v2/tokens"))
            .json(&serde_json::json!({ "user": user }))
            .send()
    };
    let res = token(None).await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["code"], "second_factor_required",
        "{body}"
    );
    let res = token(Some("000000x")).await.unwrap();
    assert_eq!(res.status(), 401);
    let res = token(Some(&recovery[2])).await.unwrap();
    assert_eq!(res.status(), 200);
    // HTTP Basic cannot carry a code: refused for this account.
    let res = app
        .browser()
        .get(app.url("/api/v2/users/me"))
        .basic_auth("worker", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["code"], "second_factor_required",
        "{body}"
    );

    // Every sign-in step is in the audit log, and no code is.
    let entries = app.audit_tail(80);
    let steps: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.action == "sign_in.second_factor")
        .map(|e| (e.outcome.as_str(), e.detail.as_str()))
        .collect();
    assert!(
        steps
            .iter()
            .any(|(o, d)| *o == "done" && d.contains("recovery_code")),
        "{steps:?}"
    );
    assert!(
        steps
            .iter()
            .any(|(o, d)| *o == "failed" && d.contains("wrong_code")),
        "{steps:?}"
    );
    for e in &entries {
        assert!(!e.detail.contains(&recovery[0]) && !e.detail.contains(&code));
    }

    // Turning it off takes a code; then the password alone signs in again.
    let csrf = common::csrf_token(&get_text(&client, app.url("/account/second-factor")).await);
    let res = post(
        &client,
        app.url("/account/second-factor/remove"),
        &[("csrf_token", &csrf), ("code", "123")],
    )
    .await;
    assert_eq!(res.status(), 401);
    let res = post(
        &client,
        app.url("/account/second-factor/remove"),
        &[("csrf_token", &csrf), ("code", &recovery[3])],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.sign_in(&app.browser(), "worker", PASSWORD)
            .await
            .status(),
        303
    );
}

async fn wrong_codes_lock_the_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("worker", "caseworker", PASSWORD);
    let user = app.with_db(|c| accounts::find_by_username(c, "worker").unwrap().unwrap());
    let secret = app.with_db(|c| {
        let e = second_factor::begin(c, &user.id, "worker").unwrap();
        let code = app_code(&e.secret, now());
        second_factor::confirm(c, &user.id, "worker", &code, now(), &user.actor()).unwrap();
        e.secret
    });
    let client = app.browser();
    let res = app.sign_in(&client, "worker", PASSWORD).await;
    let csrf = common::csrf_token(&res.text().await.unwrap());
    let threshold = app.state.config.accounts.lockout_threshold;
    for _ in 1..threshold {
        let res = send_code(&app, &client, &csrf, "999999x").await;
        assert_eq!(res.status(), 401);
    }
    let res = send_code(&app, &client, &csrf, "999999x").await;
    assert_eq!(res.status(), 429, "locked like wrong passwords lock");
    // Locked: even the right code, or a right password, is refused now.
    forget_last_code(&app, &user.id);
    let code = app_code(&secret, now());
    let res = send_code(&app, &client, &csrf, &code).await;
    // (The wait ended with the lockout: back to the sign-in page, no session.)
    assert!(!cookie_set(&res, "casekeep_session"));
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 303);
    assert_eq!(
        app.sign_in(&app.browser(), "worker", PASSWORD)
            .await
            .status(),
        429
    );
}

async fn roles_can_require_a_second_factor(backend: Backend) {
    use casekeep::db::schema::roles;
    use diesel::prelude::*;
    let app = TestApp::spawn(backend).await;
    app.with_db(|c| {
        diesel::update(roles::table.find("caseworker"))
            .set(roles::requires_second_factor.eq(true))
            .execute(c)
            .unwrap();
    });
    app.create_user("worker", "caseworker", PASSWORD);
    let client = app.browser();
    assert_eq!(app.sign_in(&client, "worker", PASSWORD).await.status(), 303);
    // Nothing opens but the set-up page (and signing out).
    for path in ["/", "/cases", "/account"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(common::location(&res), "/account/second-factor", "{path}");
    }
    let html = get_text(&client, app.url("/account/second-factor")).await;
    assert!(html.contains("Your role requires two-step sign-in"));
    let api = app.browser();
    let token: serde_json::Value = api
        .post(app.url("/api/v2/tokens"))
        .json(&serde_json::json!({"user": {"user_name": "worker", "password": PASSWORD}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let cases = || api.get(app.url("/api/v2/cases")).bearer_auth(&token).send();
    let res = cases().await.unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["code"],
        "second_factor_enrolment_required"
    );

    // Set up, and everything the role allows opens, on the same session and token.
    let csrf = common::csrf_token(&html);
    post(
        &client,
        app.url("/account/second-factor/begin"),
        &[("csrf_token", &csrf)],
    )
    .await;
    let html = get_text(&client, app.url("/account/second-factor")).await;
    let secret =
        all_between(&html, "<code id=\"secret\" dir=\"ltr\">", "</code>")[0].replace(' ', "");
    let code = app_code(&secret, now());
    let res = post(
        &client,
        app.url("/account/second-factor/confirm"),
        &[("csrf_token", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        client.get(app.url("/cases")).send().await.unwrap().status(),
        200
    );
    assert_eq!(cases().await.unwrap().status(), 200);
}

on_both_backends!(
    roles_can_require_a_second_factor,
    enrol_sign_in_and_recover,
    browser_and_api_sign_in_with_a_second_factor,
    wrong_codes_lock_the_account
);
