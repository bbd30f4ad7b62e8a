//! Form section rights: a hidden section never appears in any response to the role (record
//! JSON, lists, history, pages, attachments), and a read-only section cannot be changed.

use super::*;

const SECRET: &str = "Zubaida Hidden-Relative";

pub async fn hidden_sections_are_never_sent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let (status, body) = admin
        .post(
            "/roles",
            json!({"unique_id": "screening-officer", "name": "Screening officer",
                "group_permission": "all",
                "permissions": {"cases": ["read", "write", "create", "view_history"]},
                "form_section_read_write": {"family_details": "hidden", "data_confidentiality": "r"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["form_section_read_write"],
        json!({"data_confidentiality": "r", "family_details": "hidden"})
    );
    user(&app, &admin, "screener", "screening-officer", None, &[]).await;
    let case = admin
        .create(
            "/cases",
            json!({"name_first": "Dana", "name_last": "Synthetic", "sex": "female", "age": 8,
                "consent_for_services": true,
                "family_details_section": [{"relation_name": SECRET, "relation": "mother"}]}),
        )
        .await;
    // A change to the hidden section, so that its history holds the secret too.
    admin
        .patch(
            &format!("/cases/{case}"),
            json!({"family_details_section": [{"relation_name": format!("{SECRET} Second")}]}),
        )
        .await;

    let screener = Api::of(&app, "screener");
    for path in [
        format!("/cases/{case}"),
        "/cases".to_owned(),
        "/cases?fields=short".to_owned(),
        format!("/cases/{case}/record_history"),
    ] {
        let (status, body) = screener.get(&path).await;
        assert_eq!(status, 200, "{path}");
        let text = body.to_string();
        assert!(!text.contains("Hidden-Relative"), "{path}: {text}");
        assert!(!text.contains("family_details_section"), "{path}: {text}");
    }
    let (_, body) = screener.get(&format!("/cases/{case}")).await;
    assert_eq!(body["data"]["name_first"], "Dana", "the rest is there");
    assert_eq!(
        body["data"]["consent_for_services"], true,
        "read-only is read"
    );
    // Pages: view, edit form and history.
    let client = app.browser();
    assert_eq!(
        app.sign_in(&client, "screener", PASSWORD).await.status(),
        303
    );
    for path in [
        format!("/cases/{case}"),
        format!("/cases/{case}/edit"),
        format!("/cases/{case}/history"),
        "/cases".to_owned(),
    ] {
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("Hidden-Relative"), "{path}");
        assert!(!html.contains("family_details_section"), "{path}");
    }
    // The read-only section is shown on the case but offers no inputs on the edit form.
    let show = client
        .get(app.url(&format!("/cases/{case}")))
        .send()
        .await
        .unwrap();
    assert!(show.text().await.unwrap().contains("Consent"));
    let edit = client
        .get(app.url(&format!("/cases/{case}/edit")))
        .send()
        .await
        .unwrap();
    assert!(!edit
        .text()
        .await
        .unwrap()
        .contains("f:consent_for_services"));

    // Changes to a hidden or read-only section are refused and audited; others go through.
    for change in [
        json!({"family_details_section": [{"relation_name": "Someone"}]}),
        json!({"consent_for_services": false}),
    ] {
        let (status, body) = screener
            .patch(&format!("/cases/{case}"), change.clone())
            .await;
        assert_eq!(status, 403, "{change}: {body}");
        assert_eq!(
            recent_actions(&app, 1),
            [("update".to_owned(), "denied".to_owned())]
        );
    }
    let (status, body) = screener
        .patch(&format!("/cases/{case}"), json!({"name_nickname": "Dee"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.to_string().contains("Hidden-Relative"));
    // Nothing of the hidden section was lost by the screener's change.
    let (_, body) = admin.get(&format!("/cases/{case}")).await;
    assert!(body.to_string().contains("Hidden-Relative"));
    assert_eq!(body["data"]["consent_for_services"], true);
    // Creating with a hidden field is refused as well.
    let (status, _) = screener
        .post(
            "/cases",
            json!({"name_first": "Ola", "name_last": "Synthetic", "sex": "female", "age": 7,
                "family_details_section": [{"relation_name": "X"}]}),
        )
        .await;
    assert_eq!(status, 403);
}

on_both_backends!(hidden_sections_are_never_sent);
