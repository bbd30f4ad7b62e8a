#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Cases moving between people on both databases: assignment within the assigner's reach,
//! transfers accepted and rejected, referrals with and without consent, a recipient's access
//! that lasts exactly as long as the referral, and bulk actions with their limit. Names are
//! synthetic.

mod common;

use common::api::*;
use common::{Backend, TestApp};
use serde_json::{json, Value};

/// A service of the standard service type lookup.
const SERVICE: &str = "psychosocial_service";

struct Office {
    app: TestApp,
    team: String,
}

/// One agency and one team: two caseworkers and their case manager in the team, a caseworker
/// outside it, a service provider who receives referrals, and a data-protection officer.
async fn office(backend: Backend, limit: Option<u32>) -> Office {
    let app = match limit {
        Some(l) => TestApp::spawn_with(backend, |c| c.records.bulk_action_limit = l).await,
        None => TestApp::spawn(backend).await,
    };
    let admin = Api::admin(&app);
    let agency = agency(&admin, "OFFICE").await;
    let team = group(&admin, "Team").await;
    for (name, role, groups) in [
        ("worker.a", "caseworker", vec![team.as_str()]),
        ("worker.b", "caseworker", vec![team.as_str()]),
        ("worker.c", "caseworker", vec![]),
        ("manager", "case-manager", vec![team.as_str()]),
        ("provider", "referral-recipient", vec![]),
        ("privacy", "dpo", vec![]),
    ] {
        user(&app, &admin, name, role, Some(&agency), &groups).await;
    }
    Office { app, team }
}

async fn new_case(api: &Api, consent: bool) -> String {
    api.create(
        "/cases",
        json!({"name_first": "Noor", "name_last": "Synthetic", "sex": "female", "age": 11,
            "consent_for_services": consent}),
    )
    .await
}

async fn status_of(api: &Api, case: &str) -> u16 {
    api.get(&format!("/cases/{case}")).await.0
}

fn detail_of(body: &Value) -> String {
    body["errors"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn assignment_stays_within_reach(backend: Backend) {
    let o = office(backend, None).await;
    let (a, b, c, m) = (
        Api::of(&o.app, "worker.a"),
        Api::of(&o.app, "worker.b"),
        Api::of(&o.app, "worker.c"),
        Api::of(&o.app, "manager"),
    );
    let case = new_case(&a, true).await;
    // A caseworker may not assign; the refusal is audited by the gate.
    assert_eq!(
        a.post(
            &format!("/cases/{case}/assigns"),
            json!({"transitioned_to": "worker.b"})
        )
        .await
        .0,
        403
    );
    // Outside the manager's groups, or to someone who cannot work on cases: refused by field.
    let (status, body) = m
        .post(
            &format!("/cases/{case}/assigns"),
            json!({"transitioned_to": "worker.c"}),
        )
        .await;
    assert_eq!(
        (status, detail_of(&body)),
        (422, "transitioned_to".to_owned()),
        "{body}"
    );
    let (status, _) = m
        .post(
            &format!("/cases/{case}/assigns"),
            json!({"transitioned_to": "privacy"}),
        )
        .await;
    assert_eq!(status, 422);
    // Within the team: the owner changes at once.
    let (status, body) = m
        .post(
            &format!("/cases/{case}/assigns"),
            json!({"transitioned_to": "worker.b", "notes": "Caseload balance"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["type"], "Assign");
    assert_eq!(body["data"]["status"], "done");
    assert_eq!(body["data"]["transitioned_to"], "worker.b");
    assert_eq!(status_of(&b, &case).await, 200);
    assert_eq!(
        status_of(&a, &case).await,
        403,
        "the former owner no longer reaches it"
    );
    assert_eq!(status_of(&c, &case).await, 403);
    let (_, history) = m.get(&format!("/cases/{case}/record_history")).await;
    assert!(history.to_string().contains("worker.b"), "{history}");
    assert!(o
        .app
        .audit_tail(20)
        .iter()
        .any(|e| e.action == "assign" && e.record_id.as_deref() == Some(case.as_str())));
    // Assigning to the owner again is a conflict.
    let (status, _) = m
        .post(
            &format!("/cases/{case}/assigns"),
            json!({"transitioned_to": "worker.b"}),
        )
        .await;
    assert_eq!(status, 409);
    let _ = o.team;
}

async fn transfers_are_accepted_or_rejected(backend: Backend) {
    let o = office(backend, None).await;
    let (a, c, m) = (
        Api::of(&o.app, "worker.a"),
        Api::of(&o.app, "worker.c"),
        Api::of(&o.app, "manager"),
    );
    let case = new_case(&a, true).await;
    let path = format!("/cases/{case}/transfers");
    let (status, body) = m
        .post(
            &path,
            json!({"transitioned_to": "worker.c", "notes": "Moving district"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let first = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["data"]["status"], "in_progress");
    // While it waits, the recipient reaches the case to decide; a second transfer must wait.
    assert_eq!(status_of(&c, &case).await, 200);
    assert_eq!(
        m.post(&path, json!({"transitioned_to": "worker.b"}))
            .await
            .0,
        409
    );
    // Only the recipient answers; a rejection needs a reason.
    let answer = format!("{path}/{first}");
    assert_eq!(a.patch(&answer, json!({"status": "accepted"})).await.0, 403);
    assert!(o.app.audit_tail(1)[0].outcome == "denied");
    let (status, body) = c.patch(&answer, json!({"status": "rejected"})).await;
    assert_eq!(
        (status, detail_of(&body)),
        (422, "rejected_reason".to_owned())
    );
    let (status, body) = c
        .patch(
            &answer,
            json!({"status": "rejected", "rejected_reason": "Not my district"}),
        )
        .await;
    assert_eq!((status, &body["data"]["status"]), (200, &json!("rejected")));
    assert_eq!(
        status_of(&c, &case).await,
        403,
        "a rejected transfer reaches no one"
    );
    assert_eq!(status_of(&a, &case).await, 200, "the owner keeps the case");
    assert_eq!(c.patch(&answer, json!({"status": "accepted"})).await.0, 403);

    // Again, accepted: the recipient becomes the owner.
    let (_, body) = m.post(&path, json!({"transitioned_to": "worker.c"})).await;
    let second = body["data"]["id"].as_str().unwrap().to_owned();
    let (status, body) = c
        .patch(&format!("{path}/{second}"), json!({"status": "accepted"}))
        .await;
    assert_eq!((status, &body["data"]["status"]), (200, &json!("accepted")));
    assert_eq!(status_of(&c, &case).await, 200);
    assert_eq!(status_of(&a, &case).await, 403);
    assert_eq!(
        c.patch(
            &format!("{path}/{second}"),
            json!({"status": "rejected", "rejected_reason": "x"})
        )
        .await
        .0,
        409
    );
    let (_, list) = c.get(&format!("/cases/{case}/transitions")).await;
    let statuses: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["rejected", "accepted"]);
}

async fn referral_needs_consent_and_ends_access(backend: Backend) {
    let o = office(backend, None).await;
    let (a, m, p) = (
        Api::of(&o.app, "worker.a"),
        Api::of(&o.app, "manager"),
        Api::of(&o.app, "provider"),
    );
    let without = new_case(&a, false).await;
    let refer = |case: &str| format!("/cases/{case}/referrals");
    let to_provider =
        json!({"transitioned_to": "provider", "service": SERVICE, "notes": "Weekly sessions"});
    // No consent recorded: refused, naming the field; overriding needs the permission.
    let (status, body) = a.post(&refer(&without), to_provider.clone()).await;
    assert_eq!(
        (status, detail_of(&body)),
        (422, "consent_overridden".to_owned()),
        "{body}"
    );
    let mut overridden = to_provider.clone();
    overridden["consent_overridden"] = json!(true);
    assert_eq!(a.post(&refer(&without), overridden.clone()).await.0, 403);
    assert_eq!(o.app.audit_tail(1)[0].action, "refer_without_consent");
    assert_eq!(status_of(&p, &without).await, 403, "nothing was referred");
    // A case manager may override, with a reason.
    let (status, body) = m.post(&refer(&without), overridden).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["consent_overridden"], true);

    // With consent: the provider sees this case and only this one, while the referral lives.
    let case = new_case(&a, true).await;
    let other = new_case(&a, true).await;
    let (status, body) = a.post(&refer(&case), to_provider.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["type"], "Referral");
    assert_eq!(body["data"]["service"], SERVICE);
    let rid = body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        a.post(&refer(&case), to_provider.clone()).await.0,
        409,
        "one open referral per recipient"
    );
    assert_eq!(status_of(&p, &case).await, 200);
    assert_eq!(status_of(&p, &other).await, 403);
    let (_, list) = p.get("/cases").await;
    assert_eq!(
        list["metadata"]["total"], 2,
        "this case and the overridden one"
    );
    // The provider accepts; they read but do not write.
    let answer = format!("{}/{rid}", refer(&case));
    let (status, body) = p.patch(&answer, json!({"status": "accepted"})).await;
    assert_eq!((status, &body["data"]["status"]), (200, &json!("accepted")));
    assert_eq!(
        p.patch(&format!("/cases/{case}"), json!({"name_first": "X"}))
            .await
            .0,
        403
    );
    // The sender revokes: the provider loses access at once.
    let (status, body) = a.send(reqwest::Method::DELETE, &answer, None).await;
    assert_eq!((status, &body["data"]["status"]), (200, &json!("revoked")));
    assert_eq!(status_of(&p, &case).await, 403);
    assert_eq!(p.patch(&answer, json!({"status": "done"})).await.0, 403);
    assert!(o
        .app
        .audit_tail(30)
        .iter()
        .any(|e| e.action == "referral_revoke"));

    // Rejected with a reason, or done: access ends too.
    for (status, reason) in [("rejected", Some("No places left")), ("done", None)] {
        let (_, body) = a.post(&refer(&other), to_provider.clone()).await;
        let rid = body["data"]["id"].as_str().unwrap().to_owned();
        let mut change = json!({"status": status});
        if let Some(r) = reason {
            change["rejected_reason"] = json!(r);
        }
        let (s, body) = p.patch(&format!("{}/{rid}", refer(&other)), change).await;
        assert_eq!(s, 200, "{status}: {body}");
        assert_eq!(status_of(&p, &other).await, 403, "after {status}");
    }
}

async fn referral_refusals(backend: Backend) {
    let o = office(backend, None).await;
    let a = Api::of(&o.app, "worker.a");
    let case = new_case(&a, true).await;
    let path = format!("/cases/{case}/referrals");
    for (data, field) in [
        (
            json!({"transitioned_to": "worker.b", "service": SERVICE}),
            "transitioned_to",
        ),
        (
            json!({"transitioned_to": "nobody.here", "service": SERVICE}),
            "transitioned_to",
        ),
        (
            json!({"transitioned_to": "provider", "service": "space_travel"}),
            "service",
        ),
        (json!({"transitioned_to": "provider"}), "service"),
        (
            json!({"transitioned_to": "provider", "service": SERVICE, "service_record_id": "nope"}),
            "service_record_id",
        ),
        (
            json!({"remote": true, "service": SERVICE}),
            "transitioned_to_remote",
        ),
        (json!({"service": SERVICE}), "transitioned_to"),
    ] {
        let (status, body) = a.post(&path, data.clone()).await;
        assert_eq!(
            (status, detail_of(&body)),
            (422, field.to_owned()),
            "{data}: {body}"
        );
    }
    // A provider outside the system: its answers are recorded by the sender's side.
    let (status, body) = a
        .post(
            &path,
            json!({"remote": true, "transitioned_to_remote": "Riverside Clinic",
                "transitioned_to_agency": "RC", "service": SERVICE}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["remote"], true);
    assert_eq!(body["data"]["transitioned_to"], Value::Null);
    let rid = body["data"]["id"].as_str().unwrap();
    let (status, body) = a
        .patch(&format!("{path}/{rid}"), json!({"status": "accepted"}))
        .await;
    assert_eq!((status, &body["data"]["status"]), (200, &json!("accepted")));
    let (status, _) = a
        .patch(&format!("{path}/{rid}"), json!({"status": "finished"}))
        .await;
    assert_eq!(status, 422);
}

async fn bulk_actions_move_all_or_nothing(backend: Backend) {
    let o = office(backend, Some(2)).await;
    let (a, b, m) = (
        Api::of(&o.app, "worker.a"),
        Api::of(&o.app, "worker.b"),
        Api::of(&o.app, "manager"),
    );
    let cases = [
        new_case(&a, true).await,
        new_case(&a, true).await,
        new_case(&a, true).await,
    ];
    // Over the limit: refused outright, nothing moves.
    let (status, body) = m
        .post(
            "/cases/assigns",
            json!({"ids": cases, "transitioned_to": "worker.b"}),
        )
        .await;
    assert_eq!(
        (status, detail_of(&body)),
        (422, "ids".to_owned()),
        "{body}"
    );
    assert_eq!(status_of(&b, &cases[0]).await, 403);
    // Within the limit: all of them.
    let (status, body) = m
        .post(
            "/cases/assigns",
            json!({"ids": &cases[..2], "transitioned_to": "worker.b"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(status_of(&b, &cases[0]).await, 200);
    assert_eq!(status_of(&b, &cases[1]).await, 200);
    // One record out of reach: nothing moves, and the refusal is audited.
    let (status, _) = b
        .post(
            "/cases/referrals",
            json!({"ids": [cases[0].clone(), cases[2].clone()], "transitioned_to": "provider",
                "service": SERVICE}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(o
        .app
        .audit_tail(5)
        .iter()
        .any(|e| e.outcome == "denied" && e.record_id.as_deref() == Some(cases[2].as_str())));
    let (_, list) = b.get(&format!("/cases/{}/referrals", cases[0])).await;
    assert_eq!(list["data"], json!([]));
    // Bulk referral of what they reach works.
    let (status, body) = b
        .post(
            "/cases/referrals",
            json!({"ids": &cases[..2], "transitioned_to": "provider", "service": SERVICE}),
        )
        .await;
    assert_eq!(
        (status, body["data"].as_array().map(Vec::len)),
        (200, Some(2)),
        "{body}"
    );
}

async fn approvals_by_a_manager_of_the_group(backend: Backend) {
    let o = office(backend, None).await;
    let (a, m) = (Api::of(&o.app, "worker.a"), Api::of(&o.app, "manager"));
    let admin = Api::admin(&o.app);
    let case = new_case(&a, true).await;
    let plan = format!("/cases/{case}/approvals/case_plan");
    let (status, body) = a
        .patch(
            &plan,
            json!({"approval_status": "requested", "notes": "Plan ready for review"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["approval_status"], "requested");
    assert_eq!(body["data"]["requested_by"], "worker.a");
    assert_eq!(
        a.patch(&plan, json!({"approval_status": "requested"}))
            .await
            .0,
        409
    );
    // Not the worker themselves, and not someone outside the owner's groups, even a superuser.
    assert_eq!(
        a.patch(&plan, json!({"approval_status": "approved"}))
            .await
            .0,
        403
    );
    assert_eq!(
        admin
            .patch(&plan, json!({"approval_status": "approved"}))
            .await
            .0,
        403
    );
    assert_eq!(
        o.app.audit_tail(1)[0].outcome,
        "denied",
        "the refusal is audited"
    );
    // The manager of the team decides, with comments.
    let (status, body) = m
        .patch(
            &plan,
            json!({"approval_status": "approved", "notes": "Good plan"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["approved_by"], "manager");
    assert_eq!(body["data"]["approval_comments"], "Good plan");
    assert_eq!(
        m.patch(&plan, json!({"approval_status": "rejected"}))
            .await
            .0,
        409,
        "nothing waits"
    );
    // A closure request, rejected.
    let closure = format!("/cases/{case}/approvals/closure");
    a.patch(&closure, json!({"approval_status": "requested"}))
        .await;
    let (status, body) = m
        .patch(
            &closure,
            json!({"approval_status": "rejected", "notes": "Services still running"}),
        )
        .await;
    assert_eq!(
        (status, &body["data"]["approval_status"]),
        (200, &json!("rejected"))
    );
    let (_, body) = a.get(&format!("/cases/{case}/approvals")).await;
    let kinds: Vec<(&str, &str)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["approval_id"].as_str().unwrap(),
                x["approval_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("case_plan", "approved"), ("closure", "rejected")]);
    assert_eq!(
        a.patch(
            &format!("/cases/{case}/approvals/holiday"),
            json!({"approval_status": "requested"})
        )
        .await
        .0,
        422
    );
    let _ = &o.team;
}

async fn alerts_tell_owners_what_others_did(backend: Backend) {
    let o = office(backend, None).await;
    let (a, m, p) = (
        Api::of(&o.app, "worker.a"),
        Api::of(&o.app, "manager"),
        Api::of(&o.app, "provider"),
    );
    let case = new_case(&a, true).await;
    let kinds = |body: &Value| -> Vec<String> {
        body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["alert_for"].as_str().unwrap().to_owned())
            .collect()
    };
    // The worker's own change alerts nobody.
    a.patch(&format!("/cases/{case}"), json!({"name_nickname": "Nono"}))
        .await;
    let (_, body) = a.get("/alerts").await;
    assert_eq!(kinds(&body), Vec::<String>::new());
    // Their manager's change and flag do, once each however often they happen.
    m.patch(&format!("/cases/{case}"), json!({"age": 12})).await;
    m.patch(&format!("/cases/{case}"), json!({"age": 13})).await;
    m.post(
        &format!("/cases/{case}/flags"),
        json!({"message": "Check school"}),
    )
    .await;
    let (status, body) = a.get("/alerts").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["case"], 2);
    assert_eq!(kinds(&body), ["flag", "update"]);
    assert_eq!(body["alerts"][0]["record_id"], json!(case));
    let (_, body) = a.get(&format!("/cases/{case}/alerts")).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    // The home page lists them; opening the case clears them.
    let client = o.app.browser();
    o.app.sign_in(&client, "worker.a", PASSWORD).await;
    let home = client
        .get(o.app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("changed by someone else"), "{home}");
    assert!(home.contains(&format!("/cases/{case}")));
    client
        .get(o.app.url(&format!("/cases/{case}")))
        .send()
        .await
        .unwrap();
    let (_, body) = a.get("/alerts").await;
    assert_eq!(kinds(&body), Vec::<String>::new());
    // A referral alerts its recipient, and the answer alerts the sender.
    let (_, body) = a
        .post(
            &format!("/cases/{case}/referrals"),
            json!({"transitioned_to": "provider", "service": SERVICE}),
        )
        .await;
    let rid = body["data"]["id"].as_str().unwrap().to_owned();
    let (_, body) = p.get("/alerts").await;
    assert_eq!(kinds(&body), ["referral"]);
    p.patch(
        &format!("/cases/{case}/referrals/{rid}"),
        json!({"status": "accepted"}),
    )
    .await;
    let (_, body) = a.get("/alerts").await;
    assert_eq!(kinds(&body), ["referral_answer"]);
    // Someone without case access has no alerts to read.
    assert_eq!(Api::of(&o.app, "privacy").get("/alerts").await.0, 403);
}

async fn tasks_show_what_is_due(backend: Backend) {
    let o = office(backend, None).await;
    let a = Api::of(&o.app, "worker.a");
    let today = chrono::Utc::now().date_naive();
    let long_ago = (today - chrono::Days::new(60)).to_string();
    let soon = (today + chrono::Days::new(5)).to_string();
    let past = (today - chrono::Days::new(2)).to_string();
    // Registered 60 days ago: assessment (7 days) and case plan (30 days) are overdue; one
    // service is due soon, one was implemented, one follow-up is overdue, one took place.
    let old = a
        .create(
            "/cases",
            json!({"name_first": "Hana", "name_last": "Synthetic", "sex": "female", "age": 9,
                "registration_date": long_ago,
                "services_section": [
                    {"service_type": SERVICE, "service_appointment_date": soon},
                    {"service_type": SERVICE, "service_appointment_date": past, "service_implemented": "implemented"}],
                "followup_subform_section": [
                    {"followup_needed_by_date": past},
                    {"followup_needed_by_date": past, "followup_date": past}]}),
        )
        .await;
    let fresh = new_case(&a, true).await;
    let (status, body) = a.get("/tasks").await;
    assert_eq!(status, 200, "{body}");
    let tasks: Vec<(String, String, bool)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["type"].as_str().unwrap().to_owned(),
                t["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    let of = |id: &str| -> Vec<(String, bool)> {
        tasks
            .iter()
            .filter(|t| t.0 == id)
            .map(|t| (t.1.clone(), t.2))
            .collect()
    };
    let mut old_tasks = of(&old);
    old_tasks.sort();
    assert_eq!(
        old_tasks,
        [
            ("assessment".to_owned(), true),
            ("case_plan".to_owned(), true),
            ("followup".to_owned(), true),
            ("service".to_owned(), false),
        ]
    );
    let mut fresh_tasks = of(&fresh);
    fresh_tasks.sort();
    assert_eq!(
        fresh_tasks,
        [
            ("assessment".to_owned(), false),
            ("case_plan".to_owned(), false)
        ]
    );
    // Requesting the assessment's approval takes it off; another worker has no tasks here.
    a.patch(
        &format!("/cases/{old}/approvals/assessment"),
        json!({"approval_status": "requested"}),
    )
    .await;
    let (_, body) = a.get("/tasks").await;
    assert!(!body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == json!(old) && t["type"] == "assessment"));
    let (_, body) = Api::of(&o.app, "worker.b").get("/tasks").await;
    assert_eq!(body["data"], json!([]));
    // The page shows them, overdue ones marked.
    let client = o.app.browser();
    o.app.sign_in(&client, "worker.a", PASSWORD).await;
    let html = client
        .get(o.app.url("/tasks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("class=\"overdue\""));
    assert!(html.contains("Follow-up"));
}

#[path = "workflows/pages.rs"]
mod pages;

on_both_backends!(
    assignment_stays_within_reach,
    transfers_are_accepted_or_rejected,
    referral_needs_consent_and_ends_access,
    referral_refusals,
    bulk_actions_move_all_or_nothing,
    approvals_by_a_manager_of_the_group,
    alerts_tell_owners_what_others_did,
    tasks_show_what_is_due,
);
