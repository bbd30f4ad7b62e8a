//! The signed-in user's own account: a one-time password to change, a disabled account, what a
//! role opens, and the language of the pages.

use super::*;

async fn one_time_password_must_be_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let one_time = "temporary-pass-9876";
    app.with_db(|c| {
        let admin = casekeep::accounts::find_by_username(c, "admin")
            .unwrap()
            .unwrap();
        casekeep::accounts::set_password(
            c,
            &app.state.config.accounts,
            &admin,
            one_time,
            true,
            None,
            &casekeep::audit::Actor::console(),
        )
        .unwrap();
    });
    let client = app.browser();
    let res = app.sign_in(&client, "admin", one_time).await;
    assert_eq!(location(&res), "/account/password");
    // Nothing else is reachable until the password is changed.
    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&res), "/account/password");
    let res = client
        .get(app.url("/api/v2/contact_information"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "password_change_required");

    let page = client
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("one-time password"));
    let token = csrf_token(&page);
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let client = client.clone();
        let token = token.clone();
        let url = app.url("/account/password");
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Wrong current password, mismatch, too short, containing the user name: all refused.
    let res = change(
        "not-it-at-all",
        "a-brand-new-secret-1",
        "a-brand-new-secret-1",
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("The current password is wrong."));
    let res = change(
        "temporary-pass-9876",
        "a-brand-new-secret-1",
        "a-brand-new-secret-2",
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not the same"));
    let res = change("temporary-pass-9876", "short", "short").await;
    assert_eq!(res.status(), 422);
    let res = change(
        "temporary-pass-9876",
        "my-admin-password-x",
        "my-admin-password-x",
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = change(
        "temporary-pass-9876",
        "temporary-pass-9876",
        "temporary-pass-9876",
    )
    .await;
    assert_eq!(res.status(), 422);
    // The right change.
    let res = change(
        "temporary-pass-9876",
        "a-brand-new-secret-1",
        "a-brand-new-secret-1",
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        200,
        "the session survives its own password change"
    );
    assert_eq!(
        app.sign_in(&app.browser(), "admin", one_time)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in(&app.browser(), "admin", "a-brand-new-secret-1")
            .await
            .status(),
        303
    );
}

async fn disabling_a_user_ends_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("lina.s", "caseworker", WORKER_PASSWORD);
    let client = app.browser();
    app.sign_in(&client, "lina.s", WORKER_PASSWORD).await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    let lina = app.with_db(|c| {
        let lina = casekeep::accounts::find_by_username(c, "lina.s")
            .unwrap()
            .unwrap();
        casekeep::accounts::set_disabled(c, &lina, true, &casekeep::audit::Actor::console())
            .unwrap();
        lina
    });
    // Her sessions are gone from the database at once, and the change is audited.
    let open: i64 = app.with_db(|c| {
        sessions::table
            .filter(sessions::user_id.eq(&lina.id))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(open, 0);
    assert!(app.audit_tail(5).iter().any(|e| e.action == "user.disable"));
    // Changed behind the server's back (as the `casekeep user` commands do): noticed within
    // the principal cache's maximum age.
    let deadline = std::time::Instant::now()
        + casekeep::access::principals::MAX_AGE
        + std::time::Duration::from_secs(2);
    loop {
        let status = client.get(app.url("/")).send().await.unwrap().status();
        if status == 303 {
            break;
        }
        assert_eq!(status, 200);
        assert!(std::time::Instant::now() < deadline, "still signed in");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    // And a disabled user cannot sign in, with the same answer as a wrong password.
    let res = app.sign_in(&app.browser(), "lina.s", WORKER_PASSWORD).await;
    assert_eq!(res.status(), 401);
    // Enabled again, she signs in.
    app.with_db(|c| {
        casekeep::accounts::set_disabled(c, &lina, false, &casekeep::audit::Actor::console())
            .unwrap()
    });
    let res = app.sign_in(&app.browser(), "lina.s", WORKER_PASSWORD).await;
    assert_eq!(res.status(), 303);
}

async fn permissions_and_routes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("dpo.one", "dpo", WORKER_PASSWORD);
    let dpo = app.browser();
    app.sign_in(&dpo, "dpo.one", WORKER_PASSWORD).await;
    // A data-protection officer has no case content: the cases page is refused, and audited.
    let res = dpo.get(app.url("/cases")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("You do not have permission"));
    let denied = &app.audit_tail(1)[0];
    assert_eq!(
        (denied.action.as_str(), denied.outcome.as_str()),
        ("access", "denied")
    );
    assert_eq!(denied.username.as_deref(), Some("dpo.one"));
    assert!(denied.detail.contains("/cases"));
    let home = dpo
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !home.contains("href=\"/cases\""),
        "no link to what the role cannot open"
    );

    let admin = app.browser();
    app.sign_in(&admin, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        admin.get(app.url("/cases")).send().await.unwrap().status(),
        200
    );
    // Routes outside the table never reach a handler.
    let res = admin.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = admin.put(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let res = reqwest::get(app.url("/api/v2/nothing")).await.unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "not_found");
}

async fn languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let http = reqwest::Client::new();
    let page = |lang: &'static str| {
        let http = http.clone();
        let url = app.url("/sign-in");
        async move {
            http.get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let fr = page("fr-FR,fr;q=0.9").await;
    assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\">") && fr.contains("Se connecter"));
    let ar = page("ar").await;
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">") && ar.contains("تسجيل الدخول"));
    let other = page("de-DE").await;
    assert!(other.contains("<html lang=\"en\""));
    // An explicit choice on the sign-in page wins over the browser.
    let client = app.browser();
    let chosen = client
        .get(app.url("/sign-in?lang=ar"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert!(chosen.text().await.unwrap().contains("dir=\"rtl\""));
    let again = client
        .get(app.url("/sign-in"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert!(again.text().await.unwrap().contains("dir=\"rtl\""));
    // Errors are translated too.
    let res = app.sign_in(&client, "admin", "wrong-wrong-wrong").await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("اسم المستخدم أو كلمة المرور غير صحيحة"));
}

on_both_backends!(
    one_time_password_must_be_changed,
    disabling_a_user_ends_sessions,
    permissions_and_routes,
    languages,
);
