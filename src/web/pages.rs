//! Page handlers and the templates' shared frame.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;

use crate::access::{Action, Permission, Principal, Resource};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::web::{assets, AppState};

/// What every page's frame needs: language, direction, navigation, the signed-in user.
pub struct Chrome {
    pub lang: Lang,
    pub instance: String,
    pub user: Option<Principal>,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
    pub languages: Vec<(&'static str, &'static str)>,
    pub stylesheet: String,
    pub script: String,
    pub icon: String,
    pub current_path: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

impl Chrome {
    pub fn for_request(req: &HttpRequest, lang: &Lang) -> Self {
        let user = req.extensions().get::<Principal>().cloned();
        let instance = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.instance.clone())
            .unwrap_or_default();
        let path = req.path().to_owned();
        let mut nav = Vec::new();
        if let Some(p) = user.as_ref().filter(|p| !p.must_change_password) {
            nav.push(("/", "nav-home", true));
            nav.push((
                "/cases",
                "nav-cases",
                p.can(Permission::new(Resource::Cases, Action::Read)),
            ));
            nav.push((
                "/admin",
                "nav-admin",
                p.can(Permission::new(Resource::Forms, Action::Write)),
            ));
            // Those without the form builder reach the organisation's pages from here; the
            // others from the administration index.
            let builder = p.can(Permission::new(Resource::Forms, Action::Write));
            for (href, key, resource) in [
                ("/admin/users", "nav-users", Resource::Users),
                (
                    "/admin/user-groups",
                    "nav-user-groups",
                    Resource::UserGroups,
                ),
                ("/admin/roles", "nav-roles", Resource::Roles),
            ] {
                nav.push((
                    href,
                    key,
                    !builder && p.can(Permission::new(resource, Action::Read)),
                ));
            }
            nav.push(("/account", "nav-account", true));
        }
        let nav = nav
            .into_iter()
            .filter(|(_, _, shown)| *shown)
            .map(|(href, key, _)| NavItem {
                href,
                label: lang.t(key),
                current: path == href,
            })
            .collect();
        Self {
            lang: lang.clone(),
            instance,
            csrf_token: user
                .as_ref()
                .map(|u| u.csrf_token.clone())
                .unwrap_or_default(),
            user,
            nav,
            languages: i18n::SUPPORTED
                .iter()
                .map(|c| (*c, i18n::native_name(c)))
                .collect(),
            stylesheet: assets::url("app.css"),
            script: assets::url("form.js"),
            icon: assets::url("favicon.svg"),
            current_path: path,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// Whether the signed-in user holds a permission written `resource:action`, for templates
    /// that show a link only to those it would let in.
    pub fn can(&self, permission: &str) -> bool {
        match (permission.parse::<Permission>(), &self.user) {
            (Ok(p), Some(user)) => user.can(p),
            _ => false,
        }
    }
}

pub fn html(page: &impl Template) -> AppResult<HttpResponse> {
    let body = page
        .render()
        .map_err(|e| AppError::internal(format!("template: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    welcome: String,
    can_read_cases: bool,
    /// Things that happened on the user's cases that they did not do.
    alerts: Vec<AlertItem>,
}

struct AlertItem {
    record_id: String,
    display_id: String,
    label: String,
    at: String,
}

pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = crate::web::request::language(&req);
    let chrome = Chrome::for_request(&req, &lang);
    let principal = chrome.user.clone().ok_or_else(AppError::unauthenticated)?;
    let name = if principal.full_name.is_empty() {
        principal.username.clone()
    } else {
        principal.full_name.clone()
    };
    let can_read_cases = principal.can(Permission::new(Resource::Cases, Action::Read));
    let user_id = principal.user_id.clone();
    let alerts = if can_read_cases {
        state
            .db
            .run(move |c| crate::alerts::for_user(c, &user_id, HOME_ALERTS))
            .await?
    } else {
        Vec::new()
    };
    let alerts = alerts
        .into_iter()
        .map(|a| AlertItem {
            label: lang.t(&format!("alert-{}", a.alert.kind)),
            record_id: a.alert.record_id,
            display_id: a.display_id,
            at: a.alert.created_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    html(&HomePage {
        welcome: lang.t_args("home-welcome", &[("name", &name)]),
        can_read_cases,
        alerts,
        chrome,
    })
}

/// The most alerts the home page lists.
const HOME_ALERTS: i64 = 50;

/// `GET /health`: whether this node can serve, with the database check. No secrets, no counts.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let database = state.db.ping().await;
    let ok = database.is_ok();
    if let Err(e) = &database {
        tracing::warn!(
            cause = e.cause.as_deref().unwrap_or(""),
            "health check: database unreachable"
        );
    }
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "instance": state.config.instance,
        "checks": {
            "database": {
                "status": if ok { "ok" } else { "unreachable" },
                "backend": state.db.backend(),
            }
        }
    });
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "10"))
            .json(body)
    }
}
