//! Managing users through the API: what is stored and shown, the limits of a manager of one
//! agency, one's own account, disabling, and bad input.

use super::*;

pub async fn create_read_update(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let agency = agency(&admin, "NR-01").await;
    let team = group(&admin, "Northern team").await;
    let (status, body) = admin
        .post(
            "/users",
            json!({"user_name": "hala.k", "full_name": "Hala Synthetic", "password": PASSWORD,
                "password_confirmation": PASSWORD, "role_unique_id": "caseworker",
                "agency_id": agency, "user_group_unique_ids": [team], "locale": "ar",
                "email": "hala@example.org"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let created = &body["data"];
    assert_eq!(created["user_name"], "hala.k");
    assert_eq!(created["agency_id"], json!(agency));
    assert_eq!(created["user_group_unique_ids"], json!([team]));
    assert_eq!(created["locale"], "ar");
    assert_eq!(
        created["must_change_password"], true,
        "a manager's password is one-time"
    );
    let text = body.to_string();
    assert!(
        !text.contains("password_hash") && !text.contains("$argon2"),
        "{text}"
    );
    assert_eq!(app.audit_tail(1)[0].action, "user.create");

    let (status, body) = admin.get("/users?query=HALA").await;
    assert_eq!(status, 200);
    assert_eq!(body["metadata"]["total"], 1);
    let (status, body) = admin.get(&format!("/users?agency_id={agency}")).await;
    assert_eq!(
        (status, body["data"][0]["user_name"].as_str()),
        (200, Some("hala.k"))
    );
    let (_, body) = admin.get("/users?per=1&page=2").await;
    assert_eq!(body["metadata"]["total"], 2, "admin and hala.k");
    assert_eq!(body["data"].as_array().unwrap().len(), 1);

    let (status, body) = admin
        .patch(
            "/users/hala.k",
            json!({"full_name": "Hala K. Synthetic", "role_unique_id": "case-manager",
                "user_group_unique_ids": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["role_unique_id"], "case-manager");
    assert_eq!(body["data"]["user_group_unique_ids"], json!([]));
    assert_eq!(body["data"]["locale"], "ar", "not sent, kept");
    let entry = &app.audit_tail(1)[0];
    assert_eq!(entry.action, "user.update");
    let detail: Value = serde_json::from_str(&entry.detail).unwrap();
    assert_eq!(
        detail["role"],
        json!({"from": "caseworker", "to": "case-manager"})
    );
    // The new role applies at once: the user's next request is a case manager's.
    settle_password(&app, body["data"]["id"].as_str().unwrap());
    let (status, body) = Api::of(&app, "hala.k").get("/users/me").await;
    assert_eq!(
        (status, &body["data"]["role_unique_id"]),
        (200, &json!("case-manager"))
    );
}

pub async fn a_manager_of_one_agency_stays_in_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let home = agency(&admin, "HOME").await;
    let other = agency(&admin, "OTHER").await;
    // A user manager without users:manage, and a narrow role they may hand out.
    admin
        .create(
            "/roles",
            json!({"unique_id": "agency-user-manager", "name": "Agency user manager",
                "group_permission": "agency",
                "permissions": {"users": ["read", "create", "write", "disable"], "cases": ["read"]}}),
        )
        .await;
    admin
        .create(
            "/roles",
            json!({"unique_id": "case-reader", "name": "Case reader", "group_permission": "self",
                "permissions": {"cases": ["read"]}}),
        )
        .await;
    user(
        &app,
        &admin,
        "manager.home",
        "agency-user-manager",
        Some(&home),
        &[],
    )
    .await;
    user(&app, &admin, "reader.home", "case-reader", Some(&home), &[]).await;
    let outsider = user(
        &app,
        &admin,
        "reader.other",
        "case-reader",
        Some(&other),
        &[],
    )
    .await;
    let manager = Api::of(&app, "manager.home");

    // They see the users of their agency only; another agency's user is not found at all.
    let (status, body) = manager.get("/users").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["manager.home", "reader.home"]);
    assert_eq!(manager.get(&format!("/users/{outsider}")).await.0, 404);
    assert_eq!(
        manager
            .patch("/users/reader.other", json!({"full_name": "X"}))
            .await
            .0,
        404
    );

    // A user they create lands in their agency.
    let (status, body) = manager
        .post(
            "/users",
            json!({"user_name": "new.reader", "password": PASSWORD, "role_unique_id": "case-reader"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["agency_id"], json!(home));

    // Another agency, or a role that reaches further than theirs, is refused and audited.
    let (status, body) = manager
        .post(
            "/users",
            json!({"user_name": "elsewhere", "password": PASSWORD,
                "role_unique_id": "case-reader", "agency_id": other}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        recent_actions(&app, 1),
        [("user.create".to_owned(), "denied".to_owned())]
    );
    for role in ["caseworker", "superuser", "system-admin"] {
        let (status, _) = manager
            .post(
                "/users",
                json!({"user_name": format!("x.{role}"), "password": PASSWORD, "role_unique_id": role}),
            )
            .await;
        assert_eq!(status, 403, "granting {role}");
        let (status, _) = manager
            .patch("/users/reader.home", json!({"role_unique_id": role}))
            .await;
        assert_eq!(status, 403, "promoting to {role}");
    }
    let (status, _) = manager
        .patch("/users/reader.home", json!({"agency_id": other}))
        .await;
    assert_eq!(status, 403, "moving a user out of the agency");
    assert_eq!(
        recent_actions(&app, 1),
        [("user.update".to_owned(), "denied".to_owned())]
    );
    // Nothing of the refused changes was stored.
    let (_, body) = admin.get("/users/reader.home").await;
    assert_eq!(body["data"]["role_unique_id"], "case-reader");
    assert_eq!(body["data"]["agency_id"], json!(home));
    assert_eq!(admin.get("/users/elsewhere").await.0, 404);

    // Within their agency they manage: rename, disable.
    let (status, body) = manager
        .patch(
            "/users/reader.home",
            json!({"full_name": "Reader Renamed", "disabled": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["disabled"], true);
}

pub async fn nobody_changes_their_own_standing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let agency = agency(&admin, "SELF").await;
    let team = group(&admin, "Self team").await;
    for change in [
        json!({"role_unique_id": "caseworker"}),
        json!({"agency_id": agency}),
        json!({"user_group_unique_ids": [team]}),
        json!({"disabled": true}),
    ] {
        let (status, body) = admin.patch("/users/admin", change.clone()).await;
        assert_eq!(status, 403, "{change}: {body}");
    }
    // Their own name is theirs to change.
    let (status, _) = admin
        .patch("/users/admin", json!({"full_name": "The Administrator"}))
        .await;
    assert_eq!(status, 200);
    // The last superuser cannot be demoted by another administrator either.
    user(&app, &admin, "second.admin", "system-admin", None, &[]).await;
    let second = Api::of(&app, "second.admin");
    let (status, body) = second
        .patch("/users/admin", json!({"role_unique_id": "caseworker"}))
        .await;
    assert_eq!(status, 409, "{body}");
}

pub async fn disabling_ends_sessions_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    user(&app, &admin, "leaving.worker", "caseworker", None, &[]).await;
    let http = reqwest::Client::new();
    let res = http
        .post(app.url("/api/v2/tokens"))
        .json(&json!({"user": {"user_name": "leaving.worker", "password": PASSWORD}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = || {
        http.get(app.url("/api/v2/users/me"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), 200);
    let (status, body) = admin
        .patch("/users/leaving.worker", json!({"disabled": true}))
        .await;
    assert_eq!((status, &body["data"]["disabled"]), (200, &json!(true)));
    assert_eq!(
        recent_actions(&app, 1),
        [("user.disable".to_owned(), "done".to_owned())]
    );
    assert_eq!(me().await.unwrap().status(), 401);
    assert_eq!(
        Api::of(&app, "leaving.worker").get("/users/me").await.0,
        401
    );
    // Enabled again, they sign in again; the old token stays ended.
    admin
        .patch("/users/leaving.worker", json!({"disabled": false}))
        .await;
    assert_eq!(me().await.unwrap().status(), 401);
    assert_eq!(
        Api::of(&app, "leaving.worker").get("/users/me").await.0,
        200
    );
}

pub async fn bad_input_is_refused_by_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let fields_of = |body: &Value| -> Vec<String> {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let (status, body) = admin
        .post(
            "/users",
            json!({"user_name": "ok.name", "password": PASSWORD, "role_unique_id": "no-such-role",
                "agency_id": "no-such-agency", "user_group_unique_ids": ["no-such-group"],
                "locale": "xx", "email": "not-an-address"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields = fields_of(&body);
    for f in ["role_unique_id", "agency_id", "locale", "email"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    let (status, body) = admin
        .post(
            "/users",
            json!({"user_name": "ok.name", "password": PASSWORD, "role_unique_id": "caseworker",
                "user_group_unique_ids": ["no-such-group"]}),
        )
        .await;
    assert_eq!(
        (status, fields_of(&body)),
        (422, vec!["user_group_unique_ids".to_owned()])
    );
    let (status, body) = admin
        .post(
            "/users",
            json!({"user_name": "ok.name", "password": PASSWORD,
                "password_confirmation": "something-else-entirely", "role_unique_id": "caseworker"}),
        )
        .await;
    assert_eq!(
        (status, fields_of(&body)),
        (422, vec!["password_confirmation".to_owned()])
    );
    let (status, _) = admin
        .post(
            "/users",
            json!({"user_name": "ok.name", "password": "short", "role_unique_id": "caseworker"}),
        )
        .await;
    assert_eq!(status, 422, "password policy");
    let (status, _) = admin
        .post(
            "/users",
            json!({"user_name": "ADMIN", "password": PASSWORD, "role_unique_id": "caseworker"}),
        )
        .await;
    assert_eq!(status, 409, "user names ignore case");
    let (status, body) = admin
        .patch("/users/admin", json!({"password": PASSWORD}))
        .await;
    assert_eq!(
        (status, fields_of(&body)),
        (422, vec!["password".to_owned()])
    );
    let (status, _) = admin
        .patch("/users/admin", json!({"user_name": "renamed"}))
        .await;
    assert_eq!(status, 422, "user names are fixed");
    // Nothing half-made: no user came of any of it.
    let (_, body) = admin.get("/users").await;
    assert_eq!(body["metadata"]["total"], 1);
}

on_both_backends!(
    create_read_update,
    a_manager_of_one_agency_stays_in_it,
    nobody_changes_their_own_standing,
    disabling_ends_sessions_at_once,
    bad_input_is_refused_by_field,
);
