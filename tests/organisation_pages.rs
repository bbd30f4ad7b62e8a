#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The organisation's admin pages on both databases, through a signed-in browser and its forms:
//! users (create, edit, list, filters, French labels, field errors, the refusal a limited
//! manager meets, disabling and enabling, one-time passwords), user groups and roles as
//! permission matrices. What the forms stored is checked through the API. Names are synthetic.

mod common;

use common::{csrf_token, location, Backend, TestApp, ADMIN_PASSWORD};
use diesel::prelude::*;
use serde_json::{json, Value};

const PASSWORD: &str = "willow-harbour-quartz-5";

/// A browser signed in through the form, holding its session's CSRF token.
struct Browser {
    client: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn sign_in(app: &TestApp, user: &str, password: &str) -> Self {
        let client = app.browser();
        let res = app.sign_in(&client, user, password).await;
        assert_eq!(res.status(), 303, "{user} signs in");
        let page = client.get(app.url("/account")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let csrf = csrf_token(&page.text().await.unwrap());
        Self {
            client,
            base: app.base.clone(),
            csrf,
        }
    }

    async fn admin(app: &TestApp) -> Self {
        Self::sign_in(app, "admin", ADMIN_PASSWORD).await
    }

    /// A page: its status and HTML.
    async fn get(&self, path: &str) -> (u16, String) {
        self.get_in(path, "en").await
    }

    async fn get_in(&self, path: &str, language: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept-language", language)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Posts a form (the CSRF token added): status, where it redirects, and the HTML.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut pairs: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        pairs.extend_from_slice(fields);
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept-language", "en")
            .form(&pairs)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let to = location(&res);
        (status, to, res.text().await.unwrap())
    }
}

/// The JSON API as the first administrator, to arrange things and check what forms stored.
async fn api(app: &TestApp, method: reqwest::Method, path: &str, data: Option<Value>) -> Value {
    let mut req = reqwest::Client::new()
        .request(method, app.url(&format!("/api/v2{path}")))
        .basic_auth("admin", Some(ADMIN_PASSWORD));
    if let Some(d) = data {
        req = req.json(&json!({ "data": d }));
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body["data"].clone()
}

async fn api_get(app: &TestApp, path: &str) -> Value {
    api(app, reqwest::Method::GET, path, None).await
}

async fn new_agency(app: &TestApp, code: &str) -> String {
    let data = json!({"agency_code": code, "name": {"en": format!("Agency {code}")}});
    api(app, reqwest::Method::POST, "/agencies", Some(data)).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn no_secrets(html: &str) {
    assert!(
        !html.contains("$argon2") && !html.contains("password_hash"),
        "a page shows a password hash"
    );
}

/// The id of a group, found by name in the API's list.
async fn group_id(app: &TestApp, name: &str) -> String {
    let groups = api_get(app, "/user_groups").await;
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no group {name}: {groups}"))
}

async fn users_through_the_forms(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = new_agency(&app, "PG-01").await;
    let admin = Browser::admin(&app).await;

    // The group is made through its own form.
    let (status, to, _) = admin
        .post(
            "/admin/user-groups",
            &[("name", "Eastern team"), ("description", "Synthetic team")],
        )
        .await;
    assert_eq!((status, to.as_str()), (303, "/admin/user-groups"));
    let team = group_id(&app, "Eastern team").await;

    let (status, form) = admin.get("/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(
        form.contains(&format!("value=\"{agency}\"")),
        "agency offered"
    );
    assert!(form.contains(&format!("value=\"{team}\"")), "group offered");
    assert!(form.contains("value=\"caseworker\""), "role offered");

    let fields = [
        ("user_name", "nadia.test"),
        ("full_name", "Nadia Synthetic"),
        ("email", "nadia@example.org"),
        ("password", PASSWORD),
        ("role_unique_id", "caseworker"),
        ("agency_id", agency.as_str()),
        ("groups_offered", "1"),
        ("user_group_unique_ids", team.as_str()),
        ("locale", "fr"),
    ];
    let (status, to, _) = admin.post("/admin/users", &fields).await;
    assert_eq!((status, to.as_str()), (303, "/admin/users"));
    let stored = api_get(&app, "/users/nadia.test").await;
    assert_eq!(stored["role_unique_id"], "caseworker");
    assert_eq!(stored["agency_id"], json!(agency));
    assert_eq!(stored["user_group_unique_ids"], json!([team]));
    assert_eq!(stored["locale"], "fr");
    assert_eq!(stored["email"], "nadia@example.org");
    assert_eq!(stored["must_change_password"], true);
    let id = stored["id"].as_str().unwrap().to_owned();

    // The same user name again, and an empty one: errors beside the field, input kept.
    let (status, _, html) = admin.post("/admin/users", &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("This user name is already used."), "{html}");
    assert!(html.contains("value=\"Nadia Synthetic\""), "input kept");
    let mut unnamed = fields;
    unnamed[0] = ("user_name", "");
    let (status, _, html) = admin.post("/admin/users", &unnamed).await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"fielderror\""), "{html}");
    assert!(
        html.contains("A user name has 3 to 64 characters"),
        "{html}"
    );
    let mut weak = fields;
    weak[0] = ("user_name", "omar.test");
    weak[3] = ("password", "short");
    let (status, _, html) = admin.post("/admin/users", &weak).await;
    assert_eq!(status, 422);
    assert!(html.contains("not containing the user name"), "{html}");
    let mut roleless = weak;
    roleless[3] = ("password", PASSWORD);
    roleless[4] = ("role_unique_id", "");
    let (status, _, html) = admin.post("/admin/users", &roleless).await;
    assert_eq!(status, 422);
    assert!(html.contains("This is required."), "{html}");

    // Listed with role, agency and group; found by text and agency.
    let (status, list) = admin.get("/admin/users").await;
    assert_eq!(status, 200);
    for text in [
        "nadia.test",
        "Nadia Synthetic",
        "Caseworker",
        "PG-01",
        "Eastern team",
    ] {
        assert!(list.contains(text), "the list shows {text}");
    }
    no_secrets(&list);
    let (_, found) = admin
        .get(&format!("/admin/users?query=NADIA&agency={agency}"))
        .await;
    assert!(found.contains("nadia.test") && !found.contains("<code>admin</code>"));
    let (_, none) = admin.get("/admin/users?query=nobody-like-this").await;
    assert!(!none.contains("nadia.test") && none.contains("No users match."));

    // In French.
    let (status, french) = admin.get_in("/admin/users", "fr").await;
    assert_eq!(status, 200);
    for text in ["Utilisateurs", "Nom d’utilisateur", "Organisation", "Actif"] {
        assert!(french.contains(text), "the French list says {text}");
    }
    let (_, french_form) = admin.get_in(&format!("/admin/users/{id}/edit"), "fr").await;
    assert!(french_form.contains("Définir un mot de passe à usage unique"));
    assert!(french_form.contains("value=\"fr\" lang=\"fr\" selected"));

    // A new role, the rest kept.
    let (status, edit) = admin.get(&format!("/admin/users/{id}/edit")).await;
    assert_eq!(status, 200);
    no_secrets(&edit);
    let (status, to, html) = admin
        .post(
            &format!("/admin/users/{id}/edit"),
            &[
                ("full_name", "Nadia K. Synthetic"),
                ("email", "nadia@example.org"),
                ("role_unique_id", "case-manager"),
                ("agency_id", agency.as_str()),
                ("groups_offered", "1"),
                ("user_group_unique_ids", team.as_str()),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!((status, to.as_str()), (303, "/admin/users"), "{html}");
    let stored = api_get(&app, &format!("/users/{id}")).await;
    assert_eq!(stored["role_unique_id"], "case-manager");
    assert_eq!(stored["full_name"], "Nadia K. Synthetic");
    assert_eq!(stored["user_group_unique_ids"], json!([team]));
    let (_, list) = admin.get("/admin/users").await;
    assert!(list.contains("Case manager"));

    // Disabled and enabled again.
    let (status, to, _) = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!((status, to.as_str()), (303, "/admin/users"));
    assert_eq!(
        api_get(&app, &format!("/users/{id}")).await["disabled"],
        true
    );
    let (_, list) = admin.get("/admin/users?query=nadia").await;
    assert!(list.contains("Disabled"));
    let (status, _, _) = admin.post(&format!("/admin/users/{id}/enable"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        api_get(&app, &format!("/users/{id}")).await["disabled"],
        false
    );

    // A one-time password.
    let (status, _, html) = admin
        .post(&format!("/admin/users/{id}/password"), &[("password", "x")])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("not containing the user name"), "{html}");
    let (status, to, _) = admin
        .post(
            &format!("/admin/users/{id}/password"),
            &[("password", "lantern-meadow-cobalt-3")],
        )
        .await;
    assert_eq!(
        (status, to),
        (303, format!("/admin/users/{id}/edit?password=set"))
    );
    let (_, edit) = admin
        .get(&format!("/admin/users/{id}/edit?password=set"))
        .await;
    assert!(edit.contains("The one-time password is set."));
    no_secrets(&edit);
    let nadia = reqwest::Client::new();
    let res = nadia
        .post(app.url("/api/v2/tokens"))
        .json(&json!({"user": {"user_name": "nadia.test", "password": "lantern-meadow-cobalt-3"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the new one-time password signs in");

    // One's own account: no disabling oneself.
    let me = api_get(&app, "/users/admin").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, own) = admin.get(&format!("/admin/users/{me}/edit")).await;
    assert!(own.contains("This is your own account"));
    assert!(
        !own.contains("name=\"role_unique_id\""),
        "own role not offered"
    );
    let (status, _, html) = admin.post(&format!("/admin/users/{me}/disable"), &[]).await;
    assert_eq!(status, 403);
    assert!(html.contains("The change was not saved"), "{html}");
    assert_eq!(api_get(&app, "/users/admin").await["disabled"], false);
}

async fn a_limited_manager_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let own = new_agency(&app, "LM-01").await;
    let other = new_agency(&app, "LM-02").await;
    let role = json!({"unique_id": "agency-user-admin", "name": "Agency user administrator",
        "group_permission": "agency",
        "permissions": {"users": ["read", "create", "write"]}});
    api(&app, reqwest::Method::POST, "/roles", Some(role)).await;
    let manager = json!({"user_name": "lina.manager", "full_name": "Lina Synthetic",
        "password": PASSWORD, "role_unique_id": "agency-user-admin", "agency_id": own});
    let manager_id = api(&app, reqwest::Method::POST, "/users", Some(manager)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.with_db(|c| {
        use casekeep::db::schema::users;
        diesel::update(users::table.find(&manager_id))
            .set(users::must_change_password.eq(false))
            .execute(c)
            .unwrap();
    });
    let browser = Browser::sign_in(&app, "lina.manager", PASSWORD).await;

    // Only what the manager may grant and where they may place users is offered.
    let (status, form) = browser.get("/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"agency-user-admin\""));
    assert!(
        !form.contains("value=\"superuser\""),
        "superuser not offered"
    );
    assert!(
        !form.contains("value=\"caseworker\""),
        "beyond this manager"
    );
    assert!(form.contains(&format!("value=\"{own}\"")));
    assert!(!form.contains(&format!("value=\"{other}\"")));
    // The navigation leads here, without the form builder.
    assert!(form.contains("<li><a href=\"/admin/users\">Users</a></li>"));

    // Asking anyway is refused, with a message and no account made.
    let mut fields = vec![
        ("user_name", "rami.test"),
        ("full_name", "Rami Synthetic"),
        ("password", PASSWORD),
        ("role_unique_id", "superuser"),
        ("agency_id", own.as_str()),
        ("groups_offered", "1"),
    ];
    let (status, _, html) = browser.post("/admin/users", &fields).await;
    assert_eq!(status, 403);
    assert!(html.contains("The change was not saved"), "{html}");
    assert!(html.contains("You may give only the roles offered to you"));
    assert!(html.contains("value=\"Rami Synthetic\""), "input kept");
    let entry = &app.audit_tail(1)[0];
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("user.create", "denied")
    );
    fields[3] = ("role_unique_id", "agency-user-admin");
    fields[4] = ("agency_id", other.as_str());
    let (status, _, html) = browser.post("/admin/users", &fields).await;
    assert_eq!(status, 403);
    assert!(html.contains("You may place users only in your own agency."));
    let made = app.with_db(|c| casekeep::accounts::find_by_username(c, "rami.test").unwrap());
    assert!(made.is_none(), "no account made");

    // Within their reach, it works.
    fields[4] = ("agency_id", own.as_str());
    let (status, _, html) = browser.post("/admin/users", &fields).await;
    assert_eq!(status, 303, "{html}");
    let stored = api_get(&app, "/users/rami.test").await;
    assert_eq!(stored["agency_id"], json!(own));
    // Users of another agency are not listed to them.
    let (_, list) = browser.get("/admin/users").await;
    assert!(list.contains("rami.test") && !list.contains("<code>admin</code>"));
}

async fn groups_through_the_forms(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Browser::admin(&app).await;
    let (status, _, _) = admin
        .post(
            "/admin/user-groups",
            &[("name", "Western team"), ("description", "")],
        )
        .await;
    assert_eq!(status, 303);
    let id = group_id(&app, "Western team").await;
    let (status, _, html) = admin
        .post("/admin/user-groups", &[("name", "western TEAM")])
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("This name is already used."), "{html}");
    let (status, _, html) = admin.post("/admin/user-groups", &[("name", " ")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Give a name of 1 to 100 characters."),
        "{html}"
    );

    // A member, shown on the group's page and counted in the list.
    let member = json!({"user_name": "yusuf.test", "full_name": "Yusuf Synthetic",
        "password": PASSWORD, "role_unique_id": "caseworker", "user_group_unique_ids": [id]});
    let member_id = api(&app, reqwest::Method::POST, "/users", Some(member)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, edit) = admin.get(&format!("/admin/user-groups/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(edit.contains(&format!("href=\"/admin/users/{member_id}/edit\"")));
    assert!(edit.contains("Yusuf Synthetic"));

    let (status, to, _) = admin
        .post(
            &format!("/admin/user-groups/{id}/edit"),
            &[("name", "Western field team"), ("description", "Renamed")],
        )
        .await;
    assert_eq!((status, to.as_str()), (303, "/admin/user-groups"));
    let (_, list) = admin.get("/admin/user-groups").await;
    assert!(list.contains("Western field team") && list.contains("Renamed"));
    assert!(list.contains("<td>1</td>"), "one member: {list}");

    let (status, _, _) = admin
        .post(&format!("/admin/user-groups/{id}/disable"), &[])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        api_get(&app, &format!("/user_groups/{id}")).await["disabled"],
        true
    );
    let (_, french) = admin.get_in("/admin/user-groups", "fr").await;
    assert!(french.contains("Désactivé") && french.contains("Réactiver"));
    let (status, _, _) = admin
        .post(&format!("/admin/user-groups/{id}/enable"), &[])
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        api_get(&app, &format!("/user_groups/{id}")).await["disabled"],
        false
    );
}

async fn roles_through_the_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Browser::admin(&app).await;
    let (status, form) = admin.get("/admin/roles/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"perm\" value=\"cases:read\""));
    assert!(form.contains("name=\"perm\" value=\"exports:manage\""));
    let (_, french) = admin.get_in("/admin/roles/new", "fr").await;
    for text in [
        "Dossiers: Lire",
        "Journal d’audit",
        "Voir l’historique",
        "Les siens",
    ] {
        assert!(french.contains(text), "the French matrix says {text}");
    }

    let (status, to, html) = admin
        .post(
            "/admin/roles",
            &[
                ("unique_id", "field-visitor"),
                ("name", "Field visitor"),
                ("description", "Synthetic role"),
                ("record_scope", "group"),
                ("requires_second_factor", "true"),
                ("perm", "cases:read"),
                ("perm", "cases:create"),
                ("perm", "reports:read"),
                ("section:family_details", "hidden"),
                ("section:data_confidentiality", "r"),
                ("section:basic_identity", "rw"),
            ],
        )
        .await;
    assert_eq!((status, to.as_str()), (303, "/admin/roles"), "{html}");
    assert_eq!(
        api_get(&app, "/roles/field-visitor").await["form_section_read_write"],
        json!({"data_confidentiality": "r", "family_details": "hidden"})
    );
    let role = api_get(&app, "/roles/field-visitor").await;
    assert_eq!(
        role["permissions"],
        json!({"cases": ["read", "create"], "reports": ["read"]})
    );
    assert_eq!(role["record_scope"], "group");
    assert_eq!(role["requires_second_factor"], true);
    assert_eq!(role["name"], "Field visitor");

    let (_, list) = admin.get("/admin/roles").await;
    assert!(list.contains("Field visitor") && list.contains("<code>field-visitor</code>"));

    // Edited: one box unticked, the scope narrowed, two-step sign-in no longer required.
    let (status, edit) = admin.get("/admin/roles/field-visitor/edit").await;
    assert_eq!(status, 200);
    assert!(edit.contains(
        "value=\"cases:create\" aria-label=\"Cases: Create\" title=\"Cases: Create\" checked"
    ));
    assert!(edit.contains("name=\"section:family_details\""));
    assert!(edit.contains("<option value=\"hidden\" selected>"));
    let (status, _, html) = admin
        .post(
            "/admin/roles/field-visitor/edit",
            &[
                ("name", "Field visitor"),
                ("description", "Synthetic role"),
                ("record_scope", "own"),
                ("perm", "cases:read"),
                ("perm", "reports:read"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{html}");
    let role = api_get(&app, "/roles/field-visitor").await;
    assert_eq!(
        role["permissions"],
        json!({"cases": ["read"], "reports": ["read"]})
    );
    assert_eq!(role["record_scope"], "own");
    assert_eq!(role["requires_second_factor"], false);
    // A post without the section choices leaves them as they were.
    assert_eq!(
        role["form_section_read_write"],
        json!({"data_confidentiality": "r", "family_details": "hidden"})
    );

    // Errors and refusals.
    let (status, _, html) = admin
        .post(
            "/admin/roles",
            &[
                ("unique_id", "field-visitor"),
                ("name", "Again"),
                ("record_scope", "own"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("This code is already used."), "{html}");
    let (status, _, html) = admin
        .post(
            "/admin/roles",
            &[
                ("unique_id", "Bad Id"),
                ("name", ""),
                ("record_scope", "own"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("Use 2 to 64 lower-case letters"), "{html}");
    assert!(
        html.contains("Give a name of 1 to 100 characters."),
        "{html}"
    );
    let (status, _, html) = admin
        .post(
            "/admin/roles/superuser/edit",
            &[
                ("name", "Superuser"),
                ("record_scope", "all"),
                ("perm", "cases:read"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    assert!(html.contains("The change was not saved"), "{html}");
    let superuser = api_get(&app, "/roles/superuser").await;
    assert!(
        superuser["permissions"]["exports"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
}

/// The administration index links to the pages its user may read.
async fn the_index_links_the_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = Browser::admin(&app).await;
    let (status, index) = admin.get("/admin").await;
    assert_eq!(status, 200);
    for href in ["/admin/users", "/admin/user-groups", "/admin/roles"] {
        assert!(index.contains(&format!("href=\"{href}\"")), "{href}");
    }
}

on_both_backends!(
    users_through_the_forms,
    a_limited_manager_is_refused,
    groups_through_the_forms,
    roles_through_the_matrix,
    the_index_links_the_pages,
);
