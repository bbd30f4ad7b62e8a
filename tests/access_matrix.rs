#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every route crossed with every seeded role, an account that must still change its password,
//! an account whose role requires two-step sign-in not set up yet, and no one signed in: each is
//! asserted allowed or refused, on both databases, through a browser session (HTML pages, CSRF
//! header) and through a bearer token (the API's JSON).
//!
//! The expectations are written out here, by hand, not derived from the roles: a route added to
//! the route table without a line here fails `every_route_has_an_expectation`, and a change to a
//! seeded role that opens or closes a route fails the matrix until this table says so.

mod common;

use actix_web::http::Method;
use casekeep::accounts;
use casekeep::audit::Actor;
use casekeep::web::routes;
use common::{csrf_token, Backend, TestApp};
use diesel::prelude::*;
use reqwest::StatusCode;

const SU: &str = "superuser";
const SA: &str = "system-admin";
const CW: &str = "caseworker";
const CM: &str = "case-manager";
const RR: &str = "referral-recipient";
const DPO: &str = "dpo";
const AU: &str = "auditor";
const ROLES: [&str; 7] = [SU, SA, CW, CM, RR, DPO, AU];

/// Who a route lets through.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in, even before changing a one-time password.
    AnySession,
    /// Anyone signed in with an account in good standing.
    SignedIn,
    /// Only these roles.
    Roles(&'static [&'static str]),
}
use Expect::*;

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PATCH: Method = Method::PATCH;
const DELETE: Method = Method::DELETE;

/// The whole table, in the route table's order.
fn expectations() -> Vec<(Method, &'static str, Expect)> {
    vec![
        // Infrastructure
        (GET, "/health", Public),
        (GET, "/static/{file:.*}", Public),
        (GET, "/favicon.ico", Public),
        // Signing in and out, the account
        (GET, "/sign-in", Public),
        (POST, "/sign-in", Public),
        (POST, "/sign-in/code", Public),
        (POST, "/sign-out", AnySession),
        (GET, "/account/password", AnySession),
        (POST, "/account/password", AnySession),
        (GET, "/account", SignedIn),
        (POST, "/account/language", SignedIn),
        (GET, "/account/second-factor", AnySession),
        (POST, "/account/second-factor/begin", AnySession),
        (POST, "/account/second-factor/confirm", AnySession),
        (POST, "/account/second-factor/remove", SignedIn),
        // Pages
        (GET, "/", SignedIn),
        (GET, "/cases", Roles(&[SU, CW, CM, RR])),
        (GET, "/cases/new", Roles(&[SU, CW, CM])),
        (POST, "/cases", Roles(&[SU, CW, CM])),
        (GET, "/cases/{id}", Roles(&[SU, CW, CM, RR])),
        (POST, "/cases/{id}", Roles(&[SU, CW, CM])),
        (GET, "/cases/{id}/edit", Roles(&[SU, CW, CM])),
        (GET, "/cases/{id}/history", Roles(&[SU, CW, CM])),
        (POST, "/cases/{id}/flags", Roles(&[SU, CW, CM])),
        (
            POST,
            "/cases/{id}/flags/{flag_id}/remove",
            Roles(&[SU, CW, CM]),
        ),
        (POST, "/cases/{id}/notes", Roles(&[SU, CW, CM])),
        (POST, "/cases/{id}/status", Roles(&[SU, CW, CM])),
        (GET, "/cases/{id}/attachments", Roles(&[SU, CW, CM, RR])),
        (POST, "/cases/{id}/attachments", Roles(&[SU, CW, CM])),
        (
            GET,
            "/cases/{id}/attachments/{attachment_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            GET,
            "/cases/{id}/attachments/{attachment_id}/thumbnail",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            POST,
            "/cases/{id}/attachments/{attachment_id}/remove",
            Roles(&[SU, CW, CM]),
        ),
        (GET, "/cases/{id}/workflow", Roles(&[SU, CW, CM, RR])),
        (POST, "/cases/{id}/workflow/assign", Roles(&[SU, CM])),
        (POST, "/cases/{id}/workflow/transfer", Roles(&[SU, CM])),
        (POST, "/cases/{id}/workflow/refer", Roles(&[SU, CW, CM])),
        (
            POST,
            "/cases/{id}/workflow/approvals",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            POST,
            "/cases/{id}/workflow/{transition_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        (POST, "/agencies/{id}/logo", Roles(&[SU, SA])),
        (GET, "/agencies/{id}/logo", SignedIn),
        // Administration: the form builder and lookups
        (GET, "/admin", Roles(&[SU, SA])),
        (GET, "/admin/forms", Roles(&[SU, SA])),
        (POST, "/admin/forms", Roles(&[SU, SA])),
        (GET, "/admin/forms/{id}", Roles(&[SU, SA])),
        (POST, "/admin/forms/{id}", Roles(&[SU, SA])),
        (POST, "/admin/forms/{id}/move", Roles(&[SU, SA])),
        (GET, "/admin/forms/{id}/preview", Roles(&[SU, SA])),
        (POST, "/admin/forms/{id}/fields", Roles(&[SU, SA])),
        (GET, "/admin/forms/{id}/fields/{field}", Roles(&[SU, SA])),
        (POST, "/admin/forms/{id}/fields/{field}", Roles(&[SU, SA])),
        (
            POST,
            "/admin/forms/{id}/fields/{field}/move",
            Roles(&[SU, SA]),
        ),
        (
            POST,
            "/admin/forms/{id}/fields/{field}/visibility",
            Roles(&[SU, SA]),
        ),
        (GET, "/admin/lookups", Roles(&[SU, SA])),
        (POST, "/admin/lookups", Roles(&[SU, SA])),
        (GET, "/admin/lookups/{id}", Roles(&[SU, SA])),
        (POST, "/admin/lookups/{id}", Roles(&[SU, SA])),
        // Configuration pages: the location tree and agencies
        (GET, "/admin/locations", Roles(&[SU, SA])),
        (GET, "/admin/locations/new", Roles(&[SU, SA])),
        (POST, "/admin/locations", Roles(&[SU, SA])),
        (POST, "/admin/locations/import", Roles(&[SU, SA])),
        (GET, "/admin/locations/{code}/edit", Roles(&[SU, SA])),
        (POST, "/admin/locations/{code}/edit", Roles(&[SU, SA])),
        (POST, "/admin/locations/{code}/state", Roles(&[SU, SA])),
        (GET, "/admin/agencies", Roles(&[SU, SA, AU])),
        (GET, "/admin/agencies/new", Roles(&[SU, SA])),
        (POST, "/admin/agencies", Roles(&[SU, SA])),
        (GET, "/admin/agencies/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/agencies/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/agencies/{id}/disable", Roles(&[SU, SA])),
        (POST, "/admin/agencies/{id}/enable", Roles(&[SU, SA])),
        // The organisation's pages: users, user groups, roles
        (GET, "/admin/users", Roles(&[SU, SA, CM, DPO, AU])),
        (GET, "/admin/users/new", Roles(&[SU, SA])),
        (POST, "/admin/users", Roles(&[SU, SA])),
        (GET, "/admin/users/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/users/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/users/{id}/disable", Roles(&[SU, SA])),
        (POST, "/admin/users/{id}/enable", Roles(&[SU, SA])),
        (POST, "/admin/users/{id}/password", Roles(&[SU, SA])),
        (GET, "/admin/user-groups", Roles(&[SU, SA, CM, AU])),
        (GET, "/admin/user-groups/new", Roles(&[SU, SA])),
        (POST, "/admin/user-groups", Roles(&[SU, SA])),
        (GET, "/admin/user-groups/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/user-groups/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/user-groups/{id}/disable", Roles(&[SU, SA])),
        (POST, "/admin/user-groups/{id}/enable", Roles(&[SU, SA])),
        (GET, "/admin/roles", Roles(&[SU, SA, AU])),
        (GET, "/admin/roles/new", Roles(&[SU, SA])),
        (POST, "/admin/roles", Roles(&[SU, SA])),
        (GET, "/admin/roles/{id}/edit", Roles(&[SU, SA])),
        (POST, "/admin/roles/{id}/edit", Roles(&[SU, SA])),
        // API v2 (Primero-compatible)
        (POST, "/api/v2/tokens", Public),
        (DELETE, "/api/v2/tokens", AnySession),
        (GET, "/api/v2/primero", Public),
        (GET, "/api/v2/contact_information", SignedIn),
        (GET, "/api/v2/users/me", AnySession),
        (GET, "/api/v2/alerts", Roles(&[SU, CW, CM, RR])),
        (GET, "/api/v2/tasks", Roles(&[SU, CW, CM, RR])),
        (GET, "/tasks", Roles(&[SU, CW, CM, RR])),
        (POST, "/cases/bulk/assign", Roles(&[SU, CM])),
        (POST, "/cases/bulk/transfer", Roles(&[SU, CM])),
        (POST, "/cases/bulk/refer", Roles(&[SU, CW, CM])),
        // The organisation: users, user groups, roles
        (GET, "/api/v2/users", Roles(&[SU, SA, CM, DPO, AU])),
        (POST, "/api/v2/users", Roles(&[SU, SA])),
        (GET, "/api/v2/users/{id}", Roles(&[SU, SA, CM, DPO, AU])),
        (PATCH, "/api/v2/users/{id}", Roles(&[SU, SA])),
        (GET, "/api/v2/user_groups", Roles(&[SU, SA, CM, AU])),
        (POST, "/api/v2/user_groups", Roles(&[SU, SA])),
        (GET, "/api/v2/user_groups/{id}", Roles(&[SU, SA, CM, AU])),
        (PATCH, "/api/v2/user_groups/{id}", Roles(&[SU, SA])),
        (GET, "/api/v2/roles", Roles(&[SU, SA, AU])),
        (POST, "/api/v2/roles", Roles(&[SU, SA])),
        (GET, "/api/v2/roles/{id}", Roles(&[SU, SA, AU])),
        (PATCH, "/api/v2/roles/{id}", Roles(&[SU, SA])),
        // Cases
        (GET, "/api/v2/cases", Roles(&[SU, CW, CM, RR])),
        (POST, "/api/v2/cases", Roles(&[SU, CW, CM])),
        (POST, "/api/v2/cases/assigns", Roles(&[SU, CM])),
        (POST, "/api/v2/cases/transfers", Roles(&[SU, CM])),
        (POST, "/api/v2/cases/referrals", Roles(&[SU, CW, CM])),
        (GET, "/api/v2/cases/{id}", Roles(&[SU, CW, CM, RR])),
        (PATCH, "/api/v2/cases/{id}", Roles(&[SU, CW, CM])),
        (DELETE, "/api/v2/cases/{id}", Roles(&[SU, CM])),
        (GET, "/api/v2/cases/{id}/flags", Roles(&[SU, CW, CM, RR])),
        (POST, "/api/v2/cases/{id}/flags", Roles(&[SU, CW, CM])),
        (
            PATCH,
            "/api/v2/cases/{id}/flags/{flag_id}",
            Roles(&[SU, CW, CM]),
        ),
        (
            GET,
            "/api/v2/cases/{id}/record_history",
            Roles(&[SU, CW, CM]),
        ),
        // Workflows
        (
            GET,
            "/api/v2/cases/{id}/transitions",
            Roles(&[SU, CW, CM, RR]),
        ),
        (GET, "/api/v2/cases/{id}/assigns", Roles(&[SU, CW, CM, RR])),
        (POST, "/api/v2/cases/{id}/assigns", Roles(&[SU, CM])),
        (
            GET,
            "/api/v2/cases/{id}/transfers",
            Roles(&[SU, CW, CM, RR]),
        ),
        (POST, "/api/v2/cases/{id}/transfers", Roles(&[SU, CM])),
        (
            PATCH,
            "/api/v2/cases/{id}/transfers/{transition_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            GET,
            "/api/v2/cases/{id}/referrals",
            Roles(&[SU, CW, CM, RR]),
        ),
        (POST, "/api/v2/cases/{id}/referrals", Roles(&[SU, CW, CM])),
        (
            PATCH,
            "/api/v2/cases/{id}/referrals/{transition_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            DELETE,
            "/api/v2/cases/{id}/referrals/{transition_id}",
            Roles(&[SU, CW, CM]),
        ),
        (GET, "/api/v2/cases/{id}/alerts", Roles(&[SU, CW, CM, RR])),
        (
            GET,
            "/api/v2/cases/{id}/approvals",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            PATCH,
            "/api/v2/cases/{id}/approvals/{approval_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        // Forms and lookups: everyone signed in reads them (clients render forms from them);
        // administrators change them.
        (GET, "/api/v2/forms", SignedIn),
        (POST, "/api/v2/forms", Roles(&[SU, SA])),
        (GET, "/api/v2/forms/{id}", SignedIn),
        (PATCH, "/api/v2/forms/{id}", Roles(&[SU, SA])),
        (GET, "/api/v2/lookups", SignedIn),
        (POST, "/api/v2/lookups", Roles(&[SU, SA])),
        (GET, "/api/v2/lookups/{id}", SignedIn),
        (PATCH, "/api/v2/lookups/{id}", Roles(&[SU, SA])),
        (DELETE, "/api/v2/lookups/{id}", Roles(&[SU, SA])),
        (
            GET,
            "/api/v2/cases/{id}/attachments",
            Roles(&[SU, CW, CM, RR]),
        ),
        (POST, "/api/v2/cases/{id}/attachments", Roles(&[SU, CW, CM])),
        (
            GET,
            "/api/v2/cases/{id}/attachments/{attachment_id}",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            GET,
            "/api/v2/cases/{id}/attachments/{attachment_id}/thumbnail",
            Roles(&[SU, CW, CM, RR]),
        ),
        (
            DELETE,
            "/api/v2/cases/{id}/attachments/{attachment_id}",
            Roles(&[SU, CW, CM]),
        ),
        // Locations: everyone signed in reads the tree (forms offer it); changing it is form
        // configuration. Places are never deleted, only disabled through PATCH.
        (GET, "/api/v2/locations", SignedIn),
        (POST, "/api/v2/locations", Roles(&[SU, SA])),
        (POST, "/api/v2/locations/import", Roles(&[SU, SA])),
        (PATCH, "/api/v2/locations/{code}", Roles(&[SU, SA])),
        // Agencies: DELETE disables, since users and records refer to agencies.
        (GET, "/api/v2/agencies", SignedIn),
        (POST, "/api/v2/agencies", Roles(&[SU, SA])),
        (GET, "/api/v2/agencies/{id}", SignedIn),
        (PATCH, "/api/v2/agencies/{id}", Roles(&[SU, SA])),
        (DELETE, "/api/v2/agencies/{id}", Roles(&[SU, SA])),
    ]
}

/// Routes that end the credential they are called with: called last, each with a fresh one.
fn ends_the_session(method: &Method, path: &str) -> bool {
    (method == POST && path == "/sign-out") || (method == DELETE && path == "/api/v2/tokens")
}

#[test]
fn every_route_has_an_expectation() {
    let expected = expectations();
    let table = routes::table();
    let missing: Vec<String> = table
        .routes
        .iter()
        .filter(|r| {
            !expected
                .iter()
                .any(|(m, p, _)| *m == r.method && *p == r.path)
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let stale: Vec<String> = expected
        .iter()
        .filter(|(m, p, _)| !table.routes.iter().any(|r| r.method == *m && r.path == *p))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an expectation in tests/access_matrix.rs: {missing:#?}"
    );
    assert!(
        stale.is_empty(),
        "expectations for routes that no longer exist: {stale:#?}"
    );
    assert_eq!(
        expected.len(),
        table.routes.len(),
        "a route is listed twice"
    );
}

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// A caseworker whose one-time password is not changed yet.
    Pending,
    /// A user whose role requires two-step sign-in, not set up yet.
    Unenrolled,
    Role(&'static str),
}

impl Caller {
    fn username(self) -> String {
        match self {
            Caller::Anonymous => String::new(),
            Caller::Pending => "matrix-pending".into(),
            Caller::Unenrolled => "matrix-unenrolled".into(),
            Caller::Role(role) => format!("matrix-{role}"),
        }
    }

    fn allowed(self, expect: Expect) -> bool {
        match (expect, self) {
            (Public, _) => true,
            (_, Caller::Anonymous) => false,
            (AnySession, _) => true,
            (_, Caller::Pending | Caller::Unenrolled) => false,
            (SignedIn, _) => true,
            (Roles(roles), Caller::Role(role)) => roles.contains(&role),
        }
    }
}

const PASSWORD: &str = "matrix-table-chalk-88";

/// How a request is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    BrowserSession,
    BearerToken,
}

/// A signed-in client, ready to call any route.
struct Credential {
    client: reqwest::Client,
    /// The CSRF token of the browser session, or the bearer token.
    secret: String,
    via: Via,
}

async fn credential(app: &TestApp, caller: Caller, via: Via) -> Credential {
    let client = app.browser();
    let secret = match (caller, via) {
        // No one signed in: a browser that has opened the sign-in page and holds its CSRF
        // token, or an API client with no credentials at all.
        (Caller::Anonymous, Via::BrowserSession) => app.sign_in_form(&client).await,
        (Caller::Anonymous, Via::BearerToken) => unreachable!("no one signed in has no token"),
        (_, Via::BrowserSession) => {
            let res = app.sign_in(&client, &caller.username(), PASSWORD).await;
            assert_eq!(res.status(), 303, "{caller:?} signs in");
            // A page every session may open, holding the session's CSRF token.
            let page = client
                .get(app.url("/account/password"))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 200);
            csrf_token(&page.text().await.unwrap())
        }
        (_, Via::BearerToken) => {
            let res = client
                .post(app.url("/api/v2/tokens"))
                .json(&serde_json::json!({"user": {"user_name": caller.username(), "password": PASSWORD}}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{caller:?} gets a token");
            let body: serde_json::Value = res.json().await.unwrap();
            body["token"].as_str().unwrap().to_owned()
        }
    };
    // The bearer client must not also present the session cookie the token call set.
    let client = match via {
        Via::BrowserSession => client,
        Via::BearerToken => app.browser(),
    };
    Credential {
        client,
        secret,
        via,
    }
}

/// A concrete path for a route pattern: every parameter is an id that names nothing, so an
/// allowed request reaches its handler and finds nothing, and no data is needed to tell allowed
/// from refused.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "0"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Calls one route; answers the status and, for a redirect, where to.
async fn call(
    app: &TestApp,
    credential: &Credential,
    method: &Method,
    path: &str,
) -> (StatusCode, String, String) {
    let client = credential.client.clone();
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut req = client.request(method.clone(), app.url(&concrete(path)));
    req = match credential.via {
        Via::BearerToken => req.bearer_auth(&credential.secret),
        Via::BrowserSession => req.header("x-csrf-token", &credential.secret),
    };
    if method != reqwest::Method::GET {
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
    }
    let res = req.send().await.unwrap();
    let location = common::location(&res);
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status(), location, content_type)
}

/// Whether a credential still works.
async fn still_signed_in(app: &TestApp, credential: &Credential) -> bool {
    let (status, _, _) = call(app, credential, &GET, "/api/v2/users/me").await;
    status == StatusCode::OK
}

/// Checks one caller against every route; answers how many refusals were audited denials.
async fn check_caller(
    app: &TestApp,
    caller: Caller,
    via: Via,
    failures: &mut Vec<String>,
) -> usize {
    let mut denials = 0;
    let expected = expectations();
    // Routes that end the session go last, each with a credential of its own.
    let (ending, others): (Vec<_>, Vec<_>) = expected
        .iter()
        .partition(|(m, p, _)| ends_the_session(m, p));
    let shared = credential(app, caller, via).await;
    for (method, path, expect) in others.into_iter().chain(ending) {
        let fresh;
        let cred = if ends_the_session(method, path) {
            fresh = credential(app, caller, via).await;
            &fresh
        } else {
            &shared
        };
        let (status, location, content_type) = call(app, cred, method, path).await;
        let api = path.starts_with("/api/");
        // Sent where a refused caller can put things right. (The gate never refuses a signed-in
        // caller an AnySession route, so there such a redirect is the handler's own answer, as
        // the set-up pages of two-step sign-in give.)
        let sent_to_sign_in = status.is_redirection()
            && ["/sign-in", "/account/password", "/account/second-factor"]
                .iter()
                .any(|to| location.starts_with(to))
            && !(location == "/account/second-factor" && matches!(expect, AnySession));
        let mut refused = status == StatusCode::UNAUTHORIZED
            || status == StatusCode::FORBIDDEN
            || sent_to_sign_in;
        // Signing out also ends at the sign-in page: it was allowed if it ended the session.
        if sent_to_sign_in && ends_the_session(method, path) && caller != Caller::Anonymous {
            refused = still_signed_in(app, cred).await;
        }
        let allowed = caller.allowed(*expect);
        let what = format!("{caller:?} via {via:?}: {method} {path} answered {status} {location}");
        if allowed && refused {
            failures.push(format!("{what}, expected allowed"));
        } else if !allowed && !refused {
            failures.push(format!("{what}, expected refused"));
        } else if !allowed {
            // The refusal is the right kind, in the right format.
            let right_kind = match caller {
                Caller::Anonymous if api => status == StatusCode::UNAUTHORIZED,
                Caller::Anonymous => sent_to_sign_in || status == StatusCode::UNAUTHORIZED,
                Caller::Pending | Caller::Unenrolled => {
                    status == StatusCode::FORBIDDEN || sent_to_sign_in
                }
                Caller::Role(_) => status == StatusCode::FORBIDDEN,
            };
            if !right_kind {
                failures.push(format!("{what}, the wrong kind of refusal"));
            }
            if status == StatusCode::FORBIDDEN {
                let json = content_type.starts_with("application/json");
                let html = content_type.starts_with("text/html");
                if (api && !json) || (!api && !html) {
                    failures.push(format!("{what}, refused as {content_type}"));
                }
            }
            if matches!(caller, Caller::Role(_)) {
                denials += 1;
            }
        }
    }
    denials
}

async fn every_route_against_every_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for role in ROLES {
        app.create_user(&Caller::Role(role).username(), role, PASSWORD);
    }
    app.with_db(|conn| {
        accounts::create(
            conn,
            &app.state.config.accounts,
            accounts::NewUser {
                username: &Caller::Pending.username(),
                full_name: "Pending Person",
                role_id: CW,
                password: PASSWORD,
                must_change_password: true,
            },
            &Actor::console(),
        )
        .unwrap();
    });
    // A role like the superuser's that requires two-step sign-in, for a user who has not set it up.
    app.with_db(|conn| {
        use casekeep::db::schema::roles;
        let permissions: String = roles::table
            .find(SU)
            .select(roles::permissions)
            .first(conn)
            .unwrap();
        diesel::insert_into(roles::table)
            .values((
                roles::id.eq("matrix-must-enrol"),
                roles::name.eq("Must enrol"),
                roles::description.eq(""),
                roles::permissions.eq(permissions),
                roles::record_scope.eq("all"),
                roles::created_at.eq(casekeep::db::now()),
                roles::updated_at.eq(casekeep::db::now()),
                roles::requires_second_factor.eq(true),
            ))
            .execute(conn)
            .unwrap();
    });
    app.create_user(
        &Caller::Unenrolled.username(),
        "matrix-must-enrol",
        PASSWORD,
    );
    let denied_before = audited_denials(&app);

    let mut failures = Vec::new();
    let mut denials = 0;
    let callers = [Caller::Anonymous, Caller::Pending, Caller::Unenrolled]
        .into_iter()
        .chain(ROLES.map(Caller::Role));
    for caller in callers {
        let vias: &[Via] = match caller {
            Caller::Anonymous => &[Via::BrowserSession],
            _ => &[Via::BrowserSession, Via::BearerToken],
        };
        for &via in vias {
            denials += check_caller(&app, caller, via, &mut failures).await;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(denials > 0);
    // Every denial of a signed-in role was audited, with who and which route.
    assert_eq!(audited_denials(&app) - denied_before, denials);
}

fn audited_denials(app: &TestApp) -> usize {
    use casekeep::db::schema::audit_log;
    app.with_db(|conn| {
        audit_log::table
            .filter(audit_log::action.eq("access"))
            .filter(audit_log::outcome.eq("denied"))
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    }) as usize
}

on_both_backends!(every_route_against_every_role);
