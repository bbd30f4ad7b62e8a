//! Every route, with the access rule it demands, in one table. The gate refuses any request that
//! matches no entry here, so a route cannot exist without a rule.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::web;

use crate::access::Rule;
use crate::access::{role_pages, roles_api};
use crate::access::{Action, Permission, Resource};
use crate::accounts::handlers as account;
use crate::accounts::second_factor_pages;
use crate::accounts::user_pages;
use crate::accounts::users_api;
use crate::agencies::logo as agency_logo;
use crate::agencies::{api as agencies_api, pages as agency_pages};
use crate::alerts::api as alerts_api;
use crate::attachments::api as attachments_api;
use crate::attachments::pages as attachment_pages;
use crate::forms::api as forms_api;
use crate::forms::lookup_pages;
use crate::forms::pages as form_pages;
use crate::locations::{api as locations_api, pages as location_pages};
use crate::records::api as cases_api;
use crate::records::pages as case_pages;
use crate::user_groups::{api as user_groups_api, pages as user_group_pages};
use crate::workflows::api as workflows_api;
use crate::workflows::pages as workflow_pages;
use crate::{api, web::assets, web::pages};

/// One row of the table.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
    def: ResourceDef,
}

impl RouteSpec {
    pub fn matches(&self, path: &str) -> bool {
        self.def.is_match(path)
    }
}

pub struct RouteTable {
    pub routes: Vec<RouteSpec>,
}

/// What the table says about a request.
pub enum Lookup<'a> {
    Found(&'a RouteSpec),
    /// The path exists, but not for this method.
    WrongMethod,
    NotFound,
}

impl RouteTable {
    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let mut path_known = false;
        for spec in &self.routes {
            if spec.matches(path) {
                if spec.method == method || (method == Method::HEAD && spec.method == Method::GET) {
                    return Lookup::Found(spec);
                }
                path_known = true;
            }
        }
        if path_known {
            Lookup::WrongMethod
        } else {
            Lookup::NotFound
        }
    }
}

/// Declares the routes once; expands to both the rule table and the actix registration.
macro_rules! routes {
    ($( $method:ident $path:literal => $handler:path, $rule:expr; )*) => {
        pub fn table() -> RouteTable {
            RouteTable {
                routes: vec![$(RouteSpec {
                    method: Method::$method,
                    path: $path,
                    rule: $rule,
                    def: ResourceDef::new($path),
                }),*],
            }
        }

        pub fn register(cfg: &mut web::ServiceConfig) {
            $( cfg.route($path, route_for(Method::$method).to($handler)); )*
        }
    };
}

/// A route for `method`; GET routes answer HEAD too (actix sends no body for HEAD).
fn route_for(method: Method) -> actix_web::Route {
    if method == Method::GET {
        web::route()
            .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
    } else {
        web::method(method)
    }
}

use Rule::*;

routes! {
    // Infrastructure
    GET "/health" => pages::health, Public;
    GET "/static/{file:.*}" => assets::serve, Public;
    GET "/favicon.ico" => assets::favicon, Public;

    // Signing in and out, the account
    GET "/sign-in" => account::sign_in_page, Public;
    POST "/sign-in" => account::sign_in, Public;
    POST "/sign-in/code" => second_factor_pages::sign_in_code, Public;
    POST "/sign-out" => account::sign_out, AnySession;
    GET "/account/password" => account::password_page, AnySession;
    POST "/account/password" => account::change_password, AnySession;
    GET "/account" => account::profile_page, SignedIn;
    POST "/account/language" => account::set_language, SignedIn;
    GET "/account/second-factor" => second_factor_pages::account_page, AnySession;
    POST "/account/second-factor/begin" => second_factor_pages::begin, AnySession;
    POST "/account/second-factor/confirm" => second_factor_pages::confirm, AnySession;
    POST "/account/second-factor/remove" => second_factor_pages::remove, SignedIn;

    // Pages
    GET "/" => pages::home, SignedIn;
    GET "/cases" => case_pages::list, Allowed(CASES_READ);
    GET "/cases/new" => case_pages::new_form, Allowed(CASES_CREATE);
    POST "/cases" => case_pages::create, Allowed(CASES_CREATE);
    GET "/cases/{id}" => case_pages::show, Allowed(CASES_READ);
    POST "/cases/{id}" => case_pages::update, Allowed(CASES_WRITE);
    GET "/cases/{id}/edit" => case_pages::edit_form, Allowed(CASES_WRITE);
    GET "/cases/{id}/history" => case_pages::history, Allowed(CASES_HISTORY);
    POST "/cases/{id}/flags" => case_pages::add_flag, Allowed(CASES_FLAG);
    POST "/cases/{id}/flags/{flag_id}/remove" => case_pages::remove_flag, Allowed(CASES_FLAG);
    POST "/cases/{id}/notes" => case_pages::add_note, Allowed(CASES_WRITE);
    POST "/cases/{id}/status" => case_pages::set_status, Allowed(CASES_WRITE);
    GET "/cases/{id}/attachments" => attachment_pages::list, Allowed(CASES_READ);
    POST "/cases/{id}/attachments" => attachment_pages::upload, Allowed(CASES_WRITE);
    GET "/cases/{id}/attachments/{attachment_id}" => attachments_api::download, Allowed(CASES_READ);
    GET "/cases/{id}/attachments/{attachment_id}/thumbnail" => attachments_api::thumbnail, Allowed(CASES_READ);
    POST "/cases/{id}/attachments/{attachment_id}/remove" => attachment_pages::remove, Allowed(CASES_WRITE);
    GET "/cases/{id}/workflow" => workflow_pages::page, Allowed(CASES_READ);
    GET "/tasks" => workflow_pages::tasks, Allowed(CASES_READ);
    POST "/cases/bulk/assign" => workflow_pages::bulk_assign, Allowed(CASES_ASSIGN);
    POST "/cases/bulk/transfer" => workflow_pages::bulk_transfer, Allowed(CASES_TRANSFER);
    POST "/cases/bulk/refer" => workflow_pages::bulk_refer, Allowed(CASES_REFER);
    POST "/cases/{id}/workflow/assign" => workflow_pages::assign, Allowed(CASES_ASSIGN);
    POST "/cases/{id}/workflow/transfer" => workflow_pages::transfer, Allowed(CASES_TRANSFER);
    POST "/cases/{id}/workflow/refer" => workflow_pages::refer, Allowed(CASES_REFER);
    POST "/cases/{id}/workflow/approvals" => workflow_pages::approval, Allowed(CASES_READ);
    POST "/cases/{id}/workflow/{transition_id}" => workflow_pages::answer, Allowed(CASES_READ);
    POST "/agencies/{id}/logo" => agency_logo::upload, Allowed(AGENCIES_WRITE);
    GET "/agencies/{id}/logo" => agency_logo::show, SignedIn;

    // Administration: the form builder and lookups
    GET "/admin" => form_pages::index, Allowed(FORMS_WRITE);
    GET "/admin/forms" => form_pages::forms, Allowed(FORMS_WRITE);
    POST "/admin/forms" => form_pages::create_section, Allowed(FORMS_WRITE);
    GET "/admin/forms/{id}" => form_pages::section, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}" => form_pages::save_section, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}/move" => form_pages::move_section, Allowed(FORMS_WRITE);
    GET "/admin/forms/{id}/preview" => form_pages::preview, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}/fields" => form_pages::add_field, Allowed(FORMS_WRITE);
    GET "/admin/forms/{id}/fields/{field}" => form_pages::field, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}/fields/{field}" => form_pages::save_field, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}/fields/{field}/move" => form_pages::move_field, Allowed(FORMS_WRITE);
    POST "/admin/forms/{id}/fields/{field}/visibility" => form_pages::set_field_visibility, Allowed(FORMS_WRITE);
    GET "/admin/lookups" => lookup_pages::lookups, Allowed(FORMS_WRITE);
    POST "/admin/lookups" => lookup_pages::create_lookup, Allowed(FORMS_WRITE);
    GET "/admin/lookups/{id}" => lookup_pages::lookup, Allowed(FORMS_WRITE);
    POST "/admin/lookups/{id}" => lookup_pages::save_lookup, Allowed(FORMS_WRITE);

    // Configuration pages: the location tree and agencies
    GET "/admin/locations" => location_pages::tree, Allowed(FORMS_MANAGE);
    GET "/admin/locations/new" => location_pages::new_form, Allowed(FORMS_MANAGE);
    POST "/admin/locations" => location_pages::create, Allowed(FORMS_MANAGE);
    POST "/admin/locations/import" => location_pages::import, Allowed(FORMS_MANAGE);
    GET "/admin/locations/{code}/edit" => location_pages::edit_form, Allowed(FORMS_MANAGE);
    POST "/admin/locations/{code}/edit" => location_pages::update, Allowed(FORMS_MANAGE);
    POST "/admin/locations/{code}/state" => location_pages::set_state, Allowed(FORMS_MANAGE);
    GET "/admin/agencies" => agency_pages::list, Allowed(AGENCIES_READ);
    GET "/admin/agencies/new" => agency_pages::new_form, Allowed(AGENCIES_CREATE);
    POST "/admin/agencies" => agency_pages::create, Allowed(AGENCIES_CREATE);
    GET "/admin/agencies/{id}/edit" => agency_pages::edit_form, Allowed(AGENCIES_WRITE);
    POST "/admin/agencies/{id}/edit" => agency_pages::update, Allowed(AGENCIES_WRITE);
    POST "/admin/agencies/{id}/disable" => agency_pages::disable, Allowed(AGENCIES_DISABLE);
    POST "/admin/agencies/{id}/enable" => agency_pages::enable, Allowed(AGENCIES_DISABLE);

    // The organisation's pages: users, user groups, roles
    GET "/admin/users" => user_pages::list, Allowed(USERS_READ);
    GET "/admin/users/new" => user_pages::new_form, Allowed(USERS_CREATE);
    POST "/admin/users" => user_pages::create, Allowed(USERS_CREATE);
    GET "/admin/users/{id}/edit" => user_pages::edit_form, Allowed(USERS_WRITE);
    POST "/admin/users/{id}/edit" => user_pages::update, Allowed(USERS_WRITE);
    POST "/admin/users/{id}/disable" => user_pages::disable, Allowed(USERS_DISABLE);
    POST "/admin/users/{id}/enable" => user_pages::enable, Allowed(USERS_DISABLE);
    POST "/admin/users/{id}/password" => user_pages::reset_password, Allowed(USERS_WRITE);
    GET "/admin/user-groups" => user_group_pages::list, Allowed(USER_GROUPS_READ);
    GET "/admin/user-groups/new" => user_group_pages::new_form, Allowed(USER_GROUPS_CREATE);
    POST "/admin/user-groups" => user_group_pages::create, Allowed(USER_GROUPS_CREATE);
    GET "/admin/user-groups/{id}/edit" => user_group_pages::edit_form, Allowed(USER_GROUPS_WRITE);
    POST "/admin/user-groups/{id}/edit" => user_group_pages::update, Allowed(USER_GROUPS_WRITE);
    POST "/admin/user-groups/{id}/disable" => user_group_pages::disable, Allowed(USER_GROUPS_DISABLE);
    POST "/admin/user-groups/{id}/enable" => user_group_pages::enable, Allowed(USER_GROUPS_DISABLE);
    GET "/admin/roles" => role_pages::list, Allowed(ROLES_READ);
    GET "/admin/roles/new" => role_pages::new_form, Allowed(ROLES_CREATE);
    POST "/admin/roles" => role_pages::create, Allowed(ROLES_CREATE);
    GET "/admin/roles/{id}/edit" => role_pages::edit_form, Allowed(ROLES_WRITE);
    POST "/admin/roles/{id}/edit" => role_pages::update, Allowed(ROLES_WRITE);

    // API v2 (Primero-compatible)
    POST "/api/v2/tokens" => api::create_token, Public;
    DELETE "/api/v2/tokens" => api::delete_token, AnySession;
    GET "/api/v2/primero" => api::primero, Public;
    GET "/api/v2/contact_information" => api::contact_information, SignedIn;
    GET "/api/v2/users/me" => api::me, AnySession;
    GET "/api/v2/alerts" => alerts_api::mine, Allowed(CASES_READ);
    GET "/api/v2/tasks" => workflows_api::tasks, Allowed(CASES_READ);

    // The organisation: users, user groups, roles
    GET "/api/v2/users" => users_api::list, Allowed(USERS_READ);
    POST "/api/v2/users" => users_api::create, Allowed(USERS_CREATE);
    GET "/api/v2/users/{id}" => users_api::get, Allowed(USERS_READ);
    PATCH "/api/v2/users/{id}" => users_api::update, Allowed(USERS_WRITE);
    GET "/api/v2/user_groups" => user_groups_api::list, Allowed(USER_GROUPS_READ);
    POST "/api/v2/user_groups" => user_groups_api::create, Allowed(USER_GROUPS_CREATE);
    GET "/api/v2/user_groups/{id}" => user_groups_api::get, Allowed(USER_GROUPS_READ);
    PATCH "/api/v2/user_groups/{id}" => user_groups_api::update, Allowed(USER_GROUPS_WRITE);
    GET "/api/v2/roles" => roles_api::list, Allowed(ROLES_READ);
    POST "/api/v2/roles" => roles_api::create, Allowed(ROLES_CREATE);
    GET "/api/v2/roles/{id}" => roles_api::get, Allowed(ROLES_READ);
    PATCH "/api/v2/roles/{id}" => roles_api::update, Allowed(ROLES_WRITE);

    // Cases
    GET "/api/v2/cases" => cases_api::list, Allowed(CASES_READ);
    POST "/api/v2/cases" => cases_api::create, Allowed(CASES_CREATE);
    // Bulk workflow actions, before /cases/{id} so that their paths are not taken for ids.
    POST "/api/v2/cases/assigns" => workflows_api::bulk_assign, Allowed(CASES_ASSIGN);
    POST "/api/v2/cases/transfers" => workflows_api::bulk_transfer, Allowed(CASES_TRANSFER);
    POST "/api/v2/cases/referrals" => workflows_api::bulk_refer, Allowed(CASES_REFER);
    GET "/api/v2/cases/{id}" => cases_api::get, Allowed(CASES_READ);
    PATCH "/api/v2/cases/{id}" => cases_api::update, Allowed(CASES_WRITE);
    DELETE "/api/v2/cases/{id}" => cases_api::disable, Allowed(CASES_DISABLE);
    GET "/api/v2/cases/{id}/flags" => cases_api::list_flags, Allowed(CASES_READ);
    POST "/api/v2/cases/{id}/flags" => cases_api::add_flag, Allowed(CASES_FLAG);
    PATCH "/api/v2/cases/{id}/flags/{flag_id}" => cases_api::remove_flag, Allowed(CASES_FLAG);
    GET "/api/v2/cases/{id}/record_history" => cases_api::record_history, Allowed(CASES_HISTORY);

    // Workflows: who holds a case and who was asked to help. Answering a transfer or referral
    // takes only read access: the domain lets the recipient alone answer.
    GET "/api/v2/cases/{id}/transitions" => workflows_api::transitions, Allowed(CASES_READ);
    GET "/api/v2/cases/{id}/assigns" => workflows_api::assigns, Allowed(CASES_READ);
    POST "/api/v2/cases/{id}/assigns" => workflows_api::assign, Allowed(CASES_ASSIGN);
    GET "/api/v2/cases/{id}/transfers" => workflows_api::transfers, Allowed(CASES_READ);
    POST "/api/v2/cases/{id}/transfers" => workflows_api::transfer, Allowed(CASES_TRANSFER);
    PATCH "/api/v2/cases/{id}/transfers/{transition_id}" => workflows_api::respond_transfer, Allowed(CASES_READ);
    GET "/api/v2/cases/{id}/referrals" => workflows_api::referrals, Allowed(CASES_READ);
    POST "/api/v2/cases/{id}/referrals" => workflows_api::refer, Allowed(CASES_REFER);
    PATCH "/api/v2/cases/{id}/referrals/{transition_id}" => workflows_api::respond_referral, Allowed(CASES_READ);
    DELETE "/api/v2/cases/{id}/referrals/{transition_id}" => workflows_api::revoke_referral, Allowed(CASES_REFER);
    // Requesting and deciding share one path (as in Primero); the domain checks which
    // permission the requested status needs, and that a decider manages the owner's group.
    GET "/api/v2/cases/{id}/approvals" => workflows_api::approvals, Allowed(CASES_READ);
    GET "/api/v2/cases/{id}/alerts" => alerts_api::of_case, Allowed(CASES_READ);
    PATCH "/api/v2/cases/{id}/approvals/{approval_id}" => workflows_api::approval, Allowed(CASES_READ);

    // Forms and lookups: everyone signed in reads them (clients render forms from them);
    // administrators change them.
    GET "/api/v2/forms" => forms_api::list_forms, SignedIn;
    POST "/api/v2/forms" => forms_api::create_form, Allowed(FORMS_WRITE);
    GET "/api/v2/forms/{id}" => forms_api::get_form, SignedIn;
    PATCH "/api/v2/forms/{id}" => forms_api::update_form, Allowed(FORMS_WRITE);
    GET "/api/v2/lookups" => forms_api::list_lookups, SignedIn;
    POST "/api/v2/lookups" => forms_api::create_lookup, Allowed(FORMS_WRITE);
    GET "/api/v2/lookups/{id}" => forms_api::get_lookup, SignedIn;
    PATCH "/api/v2/lookups/{id}" => forms_api::update_lookup, Allowed(FORMS_WRITE);
    DELETE "/api/v2/lookups/{id}" => forms_api::delete_lookup, Allowed(FORMS_WRITE);
    GET "/api/v2/cases/{id}/attachments" => attachments_api::list, Allowed(CASES_READ);
    POST "/api/v2/cases/{id}/attachments" => attachments_api::create, Allowed(CASES_WRITE);
    GET "/api/v2/cases/{id}/attachments/{attachment_id}" => attachments_api::download, Allowed(CASES_READ);
    GET "/api/v2/cases/{id}/attachments/{attachment_id}/thumbnail" => attachments_api::thumbnail, Allowed(CASES_READ);
    DELETE "/api/v2/cases/{id}/attachments/{attachment_id}" => attachments_api::remove, Allowed(CASES_WRITE);
    // Locations: everyone signed in reads the tree (forms offer it); changing it is form
    // configuration. Places are never deleted, only disabled through PATCH.
    GET "/api/v2/locations" => locations_api::list, SignedIn;
    POST "/api/v2/locations" => locations_api::create, Allowed(FORMS_MANAGE);
    POST "/api/v2/locations/import" => locations_api::import, Allowed(FORMS_MANAGE);
    PATCH "/api/v2/locations/{code}" => locations_api::update, Allowed(FORMS_MANAGE);

    // Agencies: DELETE disables, since users and records refer to agencies.
    GET "/api/v2/agencies" => agencies_api::list, SignedIn;
    POST "/api/v2/agencies" => agencies_api::create, Allowed(AGENCIES_CREATE);
    GET "/api/v2/agencies/{id}" => agencies_api::get, SignedIn;
    PATCH "/api/v2/agencies/{id}" => agencies_api::update, Allowed(AGENCIES_WRITE);
    DELETE "/api/v2/agencies/{id}" => agencies_api::disable, Allowed(AGENCIES_DISABLE);
}

const fn cases(action: Action) -> Permission {
    Permission::new(Resource::Cases, action)
}
const CASES_READ: Permission = cases(Action::Read);
const CASES_CREATE: Permission = cases(Action::Create);
const CASES_WRITE: Permission = cases(Action::Write);
const CASES_DISABLE: Permission = cases(Action::Disable);
const CASES_FLAG: Permission = cases(Action::Flag);
const CASES_HISTORY: Permission = cases(Action::ViewHistory);
const CASES_ASSIGN: Permission = cases(Action::Assign);
const CASES_TRANSFER: Permission = cases(Action::Transfer);
const CASES_REFER: Permission = cases(Action::Refer);
const FORMS_WRITE: Permission = Permission::new(Resource::Forms, Action::Write);
const FORMS_MANAGE: Permission = Permission::new(Resource::Forms, Action::Manage);
const fn agencies(action: Action) -> Permission {
    Permission::new(Resource::Agencies, action)
}
const AGENCIES_READ: Permission = agencies(Action::Read);
const AGENCIES_CREATE: Permission = agencies(Action::Create);
const AGENCIES_WRITE: Permission = agencies(Action::Write);
const AGENCIES_DISABLE: Permission = agencies(Action::Disable);
const USERS_READ: Permission = Permission::new(Resource::Users, Action::Read);
const USERS_CREATE: Permission = Permission::new(Resource::Users, Action::Create);
const USERS_WRITE: Permission = Permission::new(Resource::Users, Action::Write);
const USERS_DISABLE: Permission = Permission::new(Resource::Users, Action::Disable);
const USER_GROUPS_READ: Permission = Permission::new(Resource::UserGroups, Action::Read);
const USER_GROUPS_CREATE: Permission = Permission::new(Resource::UserGroups, Action::Create);
const USER_GROUPS_WRITE: Permission = Permission::new(Resource::UserGroups, Action::Write);
const USER_GROUPS_DISABLE: Permission = Permission::new(Resource::UserGroups, Action::Disable);
const ROLES_READ: Permission = Permission::new(Resource::Roles, Action::Read);
const ROLES_CREATE: Permission = Permission::new(Resource::Roles, Action::Create);
const ROLES_WRITE: Permission = Permission::new(Resource::Roles, Action::Write);
