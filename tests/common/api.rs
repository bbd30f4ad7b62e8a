//! A JSON API client acting as one user, and quick ways to set up an organisation (agencies,
//! user groups, users) through the API as an administrator would.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::{TestApp, ADMIN_PASSWORD};

/// The password of every user these helpers create.
pub const PASSWORD: &str = "orchard-lantern-pebble-7";

/// A client calling the API as one user, with Basic authentication.
pub struct Api {
    http: reqwest::Client,
    base: String,
    pub user: String,
    password: String,
}

impl Api {
    pub fn new(app: &TestApp, user: &str, password: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.url("/api/v2"),
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    pub fn admin(app: &TestApp) -> Self {
        Self::new(app, "admin", ADMIN_PASSWORD)
    }

    pub fn of(app: &TestApp, user: &str) -> Self {
        Self::new(app, user, PASSWORD)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        data: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password));
        if let Some(d) = data {
            r = r.json(&json!({ "data": d }));
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, data: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(data)).await
    }

    pub async fn patch(&self, path: &str, data: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(data)).await
    }

    /// Creates something and answers its id, failing the test on any refusal.
    pub async fn create(&self, path: &str, data: Value) -> String {
        let (status, body) = self.post(path, data).await;
        assert_eq!(status, 200, "POST {path}: {body}");
        body["data"]["id"].as_str().unwrap().to_owned()
    }
}

/// An agency with this code.
pub async fn agency(api: &Api, code: &str) -> String {
    api.create(
        "/agencies",
        json!({"agency_code": code, "name": {"en": format!("Agency {code}")}}),
    )
    .await
}

pub async fn group(api: &Api, name: &str) -> String {
    api.create("/user_groups", json!({ "name": name })).await
}

/// A user created through the API, whose one-time password is then taken as chosen, so that
/// the test can act as them at once.
pub async fn user(
    app: &TestApp,
    api: &Api,
    name: &str,
    role: &str,
    agency: Option<&str>,
    groups: &[&str],
) -> String {
    let id = api
        .create(
            "/users",
            json!({"user_name": name, "full_name": format!("Person {name}"), "password": PASSWORD,
                "role_unique_id": role, "agency_id": agency, "user_group_unique_ids": groups}),
        )
        .await;
    settle_password(app, &id);
    id
}

/// Marks a user's one-time password as already changed.
pub fn settle_password(app: &TestApp, id: &str) {
    use casekeep::db::schema::users;
    app.with_db(|c| {
        diesel::update(users::table.find(id))
            .set(users::must_change_password.eq(false))
            .execute(c)
            .unwrap();
    });
}

/// The actions of the newest audit entries, newest first.
pub fn recent_actions(app: &TestApp, n: i64) -> Vec<(String, String)> {
    app.audit_tail(n)
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect()
}
