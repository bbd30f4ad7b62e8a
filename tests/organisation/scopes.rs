//! Record scopes: own, group, agency and all, for lists and single records, and how they follow
//! changes to groups and agencies.

use super::*;

async fn new_case(api: &Api, first: &str) -> String {
    api.create(
        "/cases",
        json!({"name_first": first, "name_last": "Synthetic", "sex": "female", "age": 9}),
    )
    .await
}

/// The ids of the cases a user's list shows, sorted.
async fn listed(api: &Api) -> Vec<String> {
    let (status, body) = api.get("/cases?per=100").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["metadata"]["total"].as_u64().unwrap() as usize,
        body["data"].as_array().unwrap().len()
    );
    let mut ids: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
    v.sort();
    v
}

/// Asserts which of `all` cases the user reaches, in the list and one by one.
async fn reaches(api: &Api, all: &[&String], expected: &[&String]) {
    assert_eq!(listed(api).await, sorted(expected), "list of {}", api.user);
    for id in all {
        let (status, _) = api.get(&format!("/cases/{id}")).await;
        let want = if expected.contains(id) { 200 } else { 403 };
        assert_eq!(status, want, "{} reading case {id}", api.user);
    }
}

struct World {
    app: TestApp,
    agency_a: String,
    team_1: String,
    team_2: String,
    /// Cases of a worker in agency A and team 1, agency A and team 2, agency B and team 1.
    case_1: String,
    case_2: String,
    case_3: String,
}

/// Two agencies, two teams, three caseworkers each with a case, a case manager of team 1 and
/// a supervisor whose custom role reaches agency A.
async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let admin = Api::admin(&app);
    let agency_a = agency(&admin, "AG-A").await;
    let agency_b = agency(&admin, "AG-B").await;
    let team_1 = group(&admin, "Team One").await;
    let team_2 = group(&admin, "Team Two").await;
    admin
        .create(
            "/roles",
            json!({"unique_id": "agency-supervisor", "name": "Agency supervisor",
                "group_permission": "agency", "permissions": {"cases": ["read"]}}),
        )
        .await;
    user(
        &app,
        &admin,
        "worker1",
        "caseworker",
        Some(&agency_a),
        &[&team_1],
    )
    .await;
    user(
        &app,
        &admin,
        "worker2",
        "caseworker",
        Some(&agency_a),
        &[&team_2],
    )
    .await;
    user(
        &app,
        &admin,
        "worker3",
        "caseworker",
        Some(&agency_b),
        &[&team_1],
    )
    .await;
    user(
        &app,
        &admin,
        "manager1",
        "case-manager",
        Some(&agency_a),
        &[&team_1],
    )
    .await;
    user(
        &app,
        &admin,
        "supervisor",
        "agency-supervisor",
        Some(&agency_a),
        &[],
    )
    .await;
    let case_1 = new_case(&Api::of(&app, "worker1"), "Rana").await;
    let case_2 = new_case(&Api::of(&app, "worker2"), "Lina").await;
    let case_3 = new_case(&Api::of(&app, "worker3"), "Maya").await;
    World {
        app,
        agency_a,
        team_1,
        team_2,
        case_1,
        case_2,
        case_3,
    }
}

pub async fn own_group_agency_and_all(backend: Backend) {
    let w = world(backend).await;
    let all = [&w.case_1, &w.case_2, &w.case_3];
    // Own: a caseworker reaches their own case only.
    reaches(&Api::of(&w.app, "worker1"), &all, &[&w.case_1]).await;
    reaches(&Api::of(&w.app, "worker2"), &all, &[&w.case_2]).await;
    // Group: the manager of team 1 reaches the cases of its members, whatever their agency.
    reaches(&Api::of(&w.app, "manager1"), &all, &[&w.case_1, &w.case_3]).await;
    // Agency: the supervisor reaches the cases of agency A's users, whatever their team.
    reaches(
        &Api::of(&w.app, "supervisor"),
        &all,
        &[&w.case_1, &w.case_2],
    )
    .await;
    // A refusal is audited, naming who and which record.
    assert!(w.app.audit_tail(50).iter().any(|e| e.outcome == "denied"
        && e.username.as_deref() == Some("supervisor")
        && e.record_id.as_deref() == Some(w.case_3.as_str())));
    // All.
    reaches(&Api::admin(&w.app), &all, &all).await;

    // An assignment reaches too: worker2 assigned to worker3's case brings it into worker2's
    // reach and, worker2 being in agency A, into the supervisor's.
    w.app.with_db(|c| {
        use casekeep::db::schema::{record_assignments, users};
        let worker2: String = users::table
            .filter(users::username.eq("worker2"))
            .select(users::id)
            .first(c)
            .unwrap();
        diesel::insert_into(record_assignments::table)
            .values((
                record_assignments::record_id.eq(&w.case_3),
                record_assignments::user_id.eq(worker2),
            ))
            .execute(c)
            .unwrap();
    });
    reaches(&Api::of(&w.app, "worker2"), &all, &[&w.case_2, &w.case_3]).await;
    reaches(&Api::of(&w.app, "supervisor"), &all, &all).await;
}

pub async fn membership_changes_move_what_a_manager_sees(backend: Backend) {
    let w = world(backend).await;
    let admin = Api::admin(&w.app);
    let manager = Api::of(&w.app, "manager1");
    let all = [&w.case_1, &w.case_2, &w.case_3];
    // Read once so that the list is cached, then move worker2 into team 1 as well.
    reaches(&manager, &all, &[&w.case_1, &w.case_3]).await;
    let (status, body) = admin
        .patch(
            "/users/worker2",
            json!({"user_group_unique_ids": [w.team_1.clone(), w.team_2.clone()]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["user_group_unique_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    reaches(&manager, &all, &all).await;

    // A disabled group gives its members no reach.
    let (status, _) = admin
        .patch(
            &format!("/user_groups/{}", w.team_1),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, 200);
    reaches(&manager, &all, &[]).await;

    // Moving worker1 out of agency A takes their case out of the supervisor's reach.
    admin
        .patch(
            &format!("/user_groups/{}", w.team_1),
            json!({"disabled": false}),
        )
        .await;
    let supervisor = Api::of(&w.app, "supervisor");
    reaches(&supervisor, &all, &[&w.case_1, &w.case_2]).await;
    let (status, _) = admin
        .patch("/users/worker1", json!({"agency_id": null}))
        .await;
    assert_eq!(status, 200);
    reaches(&supervisor, &all, &[&w.case_2]).await;
    let (status, body) = admin
        .patch("/users/worker1", json!({"agency_id": w.agency_a.clone()}))
        .await;
    assert_eq!(
        (status, &body["data"]["agency_id"]),
        (200, &json!(w.agency_a))
    );
    reaches(&supervisor, &all, &[&w.case_1, &w.case_2]).await;
}

on_both_backends!(
    own_group_agency_and_all,
    membership_changes_move_what_a_manager_sees,
);
