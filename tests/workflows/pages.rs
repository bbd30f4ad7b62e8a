//! The workflow page of a case through a browser session: the forms a role is offered, a
//! refusal shown in the user's language, and answers posted as forms.

use super::*;

/// Signs a user in through the form; answers the client and its CSRF token.
async fn session(app: &TestApp, user: &str) -> (reqwest::Client, String) {
    let client = app.browser();
    let res = app.sign_in(&client, user, PASSWORD).await;
    assert_eq!(res.status(), 303, "{user} signs in");
    let page = client.get(app.url("/account")).send().await.unwrap();
    (client, common::csrf_token(&page.text().await.unwrap()))
}

async fn page(app: &TestApp, client: &reqwest::Client, case: &str) -> (u16, String) {
    let res = client
        .get(app.url(&format!("/cases/{case}/workflow")))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let res = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = common::location(&res);
    (status, location, res.text().await.unwrap())
}

pub async fn forms_by_role_and_refusals_in_language(backend: Backend) {
    let o = office(backend, None).await;
    let a = Api::of(&o.app, "worker.a");
    let case = new_case(&a, false).await;
    let (worker, token) = session(&o.app, "worker.a").await;
    let (status, html) = page(&o.app, &worker, &case).await;
    assert_eq!(status, 200);
    // A caseworker refers; assigning and transferring are for the case manager.
    assert!(html.contains("id=\"refer-form\""));
    assert!(!html.contains("/workflow/assign\""));
    assert!(!html.contains("/workflow/transfer\""));
    assert!(
        !html.contains("consent_overridden"),
        "no override without the permission"
    );
    assert!(
        html.contains("value=\"provider\""),
        "the provider is offered"
    );
    assert!(
        !html.contains("value=\"worker.b\""),
        "caseworkers do not receive referrals"
    );

    // No consent on the case: the page comes back with the reason, in French for a French user.
    Api::admin(&o.app)
        .patch("/users/worker.a", json!({"locale": "fr"}))
        .await;
    let path = format!("/cases/{case}/workflow/refer");
    let (status, _, html) = post(
        &o.app,
        &worker,
        &path,
        &[
            ("csrf_token", &token),
            ("transitioned_to", "provider"),
            ("service", SERVICE),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("aucun consentement"), "{html}");
    assert!(html.contains("role=\"alert\""));

    // The case manager sees every form and the override.
    let (manager, token) = session(&o.app, "manager").await;
    let (_, html) = page(&o.app, &manager, &case).await;
    for part in [
        "/workflow/assign\"",
        "/workflow/transfer\"",
        "consent_overridden",
    ] {
        assert!(html.contains(part), "{part}");
    }
    let assign_to = html
        .split("id=\"assign-to\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .unwrap();
    assert!(
        assign_to.contains("value=\"worker.b\""),
        "a team member to assign to"
    );
    assert!(
        !assign_to.contains("value=\"worker.c\""),
        "not someone outside the team"
    );
    let (status, location, _) = post(
        &o.app,
        &manager,
        &path,
        &[
            ("csrf_token", &token),
            ("transitioned_to", "provider"),
            ("service", SERVICE),
            ("consent_overridden", "true"),
            ("notes", "Urgent medical follow-up"),
        ],
    )
    .await;
    assert_eq!((status, location), (303, format!("/cases/{case}/workflow")));

    // The provider answers with a form; after rejecting, they are sent back to their list.
    let (provider, token) = session(&o.app, "provider").await;
    let (status, html) = page(&o.app, &provider, &case).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"rejected\""));
    let rid = html
        .split("data-transition=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (status, location, _) = post(
        &o.app,
        &provider,
        &format!("/cases/{case}/workflow/{rid}"),
        &[
            ("csrf_token", &token),
            ("kind", "referral"),
            ("status", "rejected"),
            ("rejected_reason", "No places left"),
        ],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/cases"));
    assert_eq!(page(&o.app, &provider, &case).await.0, 403);
    // Without the CSRF token nothing happens.
    let (status, _, _) = post(
        &o.app,
        &manager,
        &format!("/cases/{case}/workflow/assign"),
        &[("transitioned_to", "worker.b")],
    )
    .await;
    assert_eq!(status, 403);
}

pub async fn approvals_on_the_page(backend: Backend) {
    let o = office(backend, None).await;
    let case = new_case(&Api::of(&o.app, "worker.a"), true).await;
    let (worker, token) = session(&o.app, "worker.a").await;
    let (_, html) = page(&o.app, &worker, &case).await;
    assert!(html.contains("class=\"stage\">New<"), "a new case");
    let (status, _, _) = post(
        &o.app,
        &worker,
        &format!("/cases/{case}/workflow/approvals"),
        &[
            ("csrf_token", &token),
            ("approval_type", "assessment"),
            ("status", "requested"),
            ("notes", "Assessment done"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = page(&o.app, &worker, &case).await;
    assert!(html.contains("data-approval=\"assessment\" data-status=\"requested\""));
    assert!(html.contains("class=\"stage\">Assessment<"));
    assert!(
        !html.contains("value=\"approved\""),
        "the worker does not decide"
    );
    let (manager, token) = session(&o.app, "manager").await;
    let (_, html) = page(&o.app, &manager, &case).await;
    assert!(
        html.contains("value=\"approved\""),
        "the team's manager decides"
    );
    let (status, _, _) = post(
        &o.app,
        &manager,
        &format!("/cases/{case}/workflow/approvals"),
        &[
            ("csrf_token", &token),
            ("approval_type", "assessment"),
            ("status", "approved"),
            ("notes", "Agreed"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = page(&o.app, &worker, &case).await;
    assert!(html.contains("data-approval=\"assessment\" data-status=\"approved\""));
    assert!(html.contains("Agreed"));
}

pub async fn bulk_from_the_case_list(backend: Backend) {
    let o = office(backend, Some(2)).await;
    let a = Api::of(&o.app, "worker.a");
    let cases = [
        new_case(&a, true).await,
        new_case(&a, true).await,
        new_case(&a, true).await,
    ];
    let (manager, token) = session(&o.app, "manager").await;
    let list = manager
        .get(o.app.url("/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("form=\"bulk\""), "rows can be ticked");
    for path in [
        "/cases/bulk/assign",
        "/cases/bulk/transfer",
        "/cases/bulk/refer",
    ] {
        assert!(list.contains(path), "{path}");
    }
    // Over the limit: refused, said on the list, nothing moves.
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token), ("transitioned_to", "worker.b")];
    for id in &cases {
        form.push(("ids", id));
    }
    let (status, location, _) = post(&o.app, &manager, "/cases/bulk/assign", &form).await;
    assert_eq!((status, location.as_str()), (303, "/cases?bulk_error=ids"));
    let shown = manager
        .get(o.app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shown.contains("role=\"alert\""));
    let b = Api::of(&o.app, "worker.b");
    assert_eq!(b.get(&format!("/cases/{}", cases[0])).await.0, 403);
    // Two ticked: both assigned.
    form.pop();
    let (status, location, _) = post(&o.app, &manager, "/cases/bulk/assign", &form).await;
    assert_eq!((status, location.as_str()), (303, "/cases?bulk=2"));
    assert_eq!(b.get(&format!("/cases/{}", cases[0])).await.0, 200);
    assert_eq!(b.get(&format!("/cases/{}", cases[1])).await.0, 200);
    // A caseworker's list offers referral only.
    let (worker, _) = session(&o.app, "worker.a").await;
    let list = worker
        .get(o.app.url("/cases"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("/cases/bulk/refer") && !list.contains("/cases/bulk/assign"));
}

on_both_backends!(
    forms_by_role_and_refusals_in_language,
    approvals_on_the_page,
    bulk_from_the_case_list
);
