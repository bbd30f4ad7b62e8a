//! Roles as permission matrices an administrator edits, the limits on who may widen a role, and
//! user groups.

use super::*;

pub async fn roles_are_editable_matrices(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let (status, body) = admin.get("/roles?per=100").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unique_id"].as_str().unwrap())
        .collect();
    for seeded in [
        "superuser",
        "system-admin",
        "caseworker",
        "case-manager",
        "referral-recipient",
        "dpo",
        "auditor",
    ] {
        assert!(ids.contains(&seeded), "{seeded} in {ids:?}");
    }
    let (_, body) = admin.get("/roles/caseworker").await;
    assert_eq!(body["data"]["group_permission"], "self");
    assert!(body["data"]["permissions"]["cases"]
        .as_array()
        .unwrap()
        .contains(&json!("read")));

    let (status, body) = admin
        .post(
            "/roles",
            json!({"unique_id": "intake-officer", "name": "Intake officer",
                "description": "Registers cases", "group_permission": "group",
                "permissions": {"cases": ["read", "create", "write"]},
                "requires_second_factor": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["record_scope"], "group");
    assert_eq!(body["data"]["requires_second_factor"], true);
    assert_eq!(app.audit_tail(1)[0].action, "role.create");
    assert_eq!(
        admin
            .post(
                "/roles",
                json!({"unique_id": "intake-officer", "name": "Again"})
            )
            .await
            .0,
        409
    );

    // A holder of the role gains and loses with it at their next request.
    user(&app, &admin, "intake.one", "caseworker", None, &[]).await;
    let intake = Api::of(&app, "intake.one");
    assert_eq!(intake.get("/cases").await.0, 200);
    let (status, body) = admin
        .patch(
            "/roles/caseworker",
            json!({"permissions": {"cases": ["create", "write"]}, "group_permission": "self"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(intake.get("/cases").await.0, 403);
    let tail = app.audit_tail(5);
    let entry = tail.iter().find(|e| e.action == "role.update").unwrap();
    let detail: Value = serde_json::from_str(&entry.detail).unwrap();
    assert!(detail["withdrawn"]
        .as_array()
        .unwrap()
        .contains(&json!("cases:read")));
    assert_eq!(detail["granted"], json!([]));

    // Bad input names the field; nothing changes.
    let (status, body) = admin
        .patch(
            "/roles/caseworker",
            json!({"permissions": {"spaceships": ["launch"], "cases": ["fly"]}, "group_permission": "galaxy"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 3, "{body}");
    let (status, _) = admin
        .post("/roles", json!({"unique_id": "Bad Id!", "name": "Bad"}))
        .await;
    assert_eq!(status, 422);
}

pub async fn role_editors_cannot_reach_further_than_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    // The superuser role keeps everything, even against a superuser.
    let (status, _) = admin
        .patch(
            "/roles/superuser",
            json!({"permissions": {"cases": ["read"]}}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = admin
        .patch("/roles/superuser", json!({"description": "Break glass"}))
        .await;
    assert_eq!(status, 403, "nobody edits the role they hold");
    // An editor without roles:manage.
    admin
        .create(
            "/roles",
            json!({"unique_id": "role-editor", "name": "Role editor", "group_permission": "group",
                "permissions": {"roles": ["read", "create", "write"], "cases": ["read"]}}),
        )
        .await;
    user(&app, &admin, "editor", "role-editor", None, &[]).await;
    let editor = Api::of(&app, "editor");
    let (status, _) = editor
        .post(
            "/roles",
            json!({"unique_id": "reader", "name": "Reader", "group_permission": "self",
                "permissions": {"cases": ["read"]}}),
        )
        .await;
    assert_eq!(status, 200, "a narrower role is fine");
    for (what, change) in [
        (
            "a permission the editor lacks",
            json!({"permissions": {"cases": ["read", "write"]}}),
        ),
        ("a wider scope", json!({"group_permission": "all"})),
    ] {
        let (status, _) = editor.patch("/roles/reader", change).await;
        assert_eq!(status, 403, "{what}");
        assert_eq!(
            recent_actions(&app, 1),
            [("role.update".to_owned(), "denied".to_owned())],
            "{what}"
        );
    }
    let (status, _) = editor
        .patch(
            "/roles/role-editor",
            json!({"permissions": {"roles": ["read"]}}),
        )
        .await;
    assert_eq!(status, 403, "their own role");
    let (_, body) = admin.get("/roles/reader").await;
    assert_eq!(body["data"]["permissions"], json!({"cases": ["read"]}));
    assert_eq!(body["data"]["group_permission"], "self");
}

pub async fn user_groups_create_rename_disable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let id = group(&admin, "Eastern team").await;
    assert_eq!(app.audit_tail(1)[0].action, "user_group.create");
    assert_eq!(
        admin
            .post("/user_groups", json!({"name": "EASTERN TEAM"}))
            .await
            .0,
        409
    );
    assert_eq!(
        admin.post("/user_groups", json!({"name": "  "})).await.0,
        422
    );
    let (status, body) = admin
        .patch(
            &format!("/user_groups/{id}"),
            json!({"name": "East team", "description": "Cases east of the river"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["name"], "East team");
    let (status, body) = admin
        .patch(&format!("/user_groups/{id}"), json!({"disabled": true}))
        .await;
    assert_eq!((status, &body["data"]["disabled"]), (200, &json!(true)));
    assert_eq!(app.audit_tail(1)[0].action, "user_group.disable");
    // A disabled group can be kept by its members but not newly joined.
    let (status, body) = admin
        .post(
            "/users",
            json!({"user_name": "joiner", "password": PASSWORD, "role_unique_id": "caseworker",
                "user_group_unique_ids": [id]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = admin.get("/user_groups").await;
    assert_eq!((status, &body["metadata"]["total"]), (200, &json!(1)));
    assert_eq!(admin.get("/user_groups/nope").await.0, 404);
    // A caseworker may not read them, and the refusal is audited.
    user(&app, &admin, "plain.worker", "caseworker", None, &[]).await;
    assert_eq!(
        Api::of(&app, "plain.worker").get("/user_groups").await.0,
        403
    );
    assert_eq!(
        recent_actions(&app, 1),
        [("access".to_owned(), "denied".to_owned())]
    );
}

on_both_backends!(
    roles_are_editable_matrices,
    role_editors_cannot_reach_further_than_themselves,
    user_groups_create_rename_disable,
);
