//! Managing other users' accounts: who a user manager may see and change, what they may grant,
//! and the changes themselves. The web pages and the API call these; nothing else changes
//! another user's role, agency or groups.
//!
//! A manager whose role has `users:manage` manages every account and may grant any role. One
//! without it manages only the accounts of their own agency, may place users only in that
//! agency, and may grant only roles that reach no further than their own (no permission they
//! lack, no wider record scope), so that managing users never becomes a way to gain access.
//! Nobody changes their own role, agency, groups or state here: that takes a second person.

use diesel::prelude::*;

use super::{find_by_id, password, set_disabled, NewUser, User};
use crate::access::{roles, Action, Permission, Principal, Resource};
use crate::audit::{self, Actor, Event, Outcome};
use crate::config::AccountsConfig;
use crate::db::schema::users;
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::{agencies, i18n, user_groups};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

const MANAGE_ALL: Permission = Permission::new(Resource::Users, Action::Manage);
const DISABLE: Permission = Permission::new(Resource::Users, Action::Disable);

/// An account with what the management pages show of it.
#[derive(Debug, Clone)]
pub struct ManagedUser {
    pub user: User,
    /// Ids of every group the user belongs to.
    pub user_groups: Vec<String>,
}

/// Which accounts a manager reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    All,
    Agency(String),
    Nobody,
}

fn reach(manager: &Principal) -> Reach {
    if manager.can(MANAGE_ALL) {
        Reach::All
    } else {
        match &manager.agency_id {
            Some(agency) => Reach::Agency(agency.clone()),
            // Without an agency of their own, a limited manager has nobody to manage.
            None => Reach::Nobody,
        }
    }
}

fn reaches_agency(manager: &Principal, agency: Option<&str>) -> bool {
    match reach(manager) {
        Reach::All => true,
        Reach::Agency(own) => agency == Some(own.as_str()),
        Reach::Nobody => false,
    }
}

/// Filters for the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub agency_id: Option<String>,
    pub disabled: Option<bool>,
    /// Part of the user name or full name.
    pub query: Option<String>,
}

/// One page of the accounts a manager reaches, by user name, and how many there are.
pub fn page(
    conn: &mut DbConnection,
    manager: &Principal,
    filter: &UserFilter,
    page: i64,
    per: i64,
) -> AppResult<(Vec<ManagedUser>, i64)> {
    let query = || {
        let mut q = users::table.into_boxed();
        match reach(manager) {
            Reach::All => {}
            Reach::Agency(own) => q = q.filter(users::agency_id.eq(own)),
            Reach::Nobody => q = q.filter(users::id.eq("")),
        }
        if let Some(agency) = &filter.agency_id {
            q = q.filter(users::agency_id.eq(agency.clone()));
        }
        if let Some(disabled) = filter.disabled {
            q = q.filter(users::disabled.eq(disabled));
        }
        if let Some(text) = filter
            .query
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            q = q.filter(
                lower(users::username)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(users::full_name).like(pattern).escape('\\')),
            );
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows: Vec<User> = query()
        .order(lower(users::username).asc())
        .limit(per)
        .offset((page - 1).saturating_mul(per))
        .select(User::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for user in rows {
        let user_groups = user_groups::groups_of(conn, &user.id)?;
        out.push(ManagedUser { user, user_groups });
    }
    Ok((out, total))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// An account the manager reaches, by id or user name; 404 for one they don't (a manager of one
/// agency does not learn which names exist in another).
pub fn find(conn: &mut DbConnection, manager: &Principal, id: &str) -> AppResult<ManagedUser> {
    let user = match find_by_id(conn, id)? {
        Some(u) => Some(u),
        None => super::find_by_username(conn, id)?,
    }
    .filter(|u| reaches_agency(manager, u.agency_id.as_deref()))
    .ok_or_else(AppError::not_found)?;
    let user_groups = user_groups::groups_of(conn, &user.id)?;
    Ok(ManagedUser { user, user_groups })
}

/// What a create or change sets; `None` keeps what is there. `agency_id: Some(None)` removes
/// the agency.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<Option<String>>,
    pub password: Option<String>,
    pub role_id: Option<String>,
    pub agency_id: Option<Option<String>>,
    pub user_groups: Option<Vec<String>>,
    pub language: Option<Option<String>>,
    pub disabled: Option<bool>,
}

fn problem(field: &str, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message: message.into(),
    }
}

/// Whether the manager may give a user this role.
fn may_grant(manager: &Principal, role: &roles::Role) -> bool {
    manager.can(MANAGE_ALL)
        || (role.permission_set().iter().all(|p| manager.can(*p))
            && role.scope() <= manager.record_scope)
}

/// The roles the manager may give, by name: what the user pages offer.
pub fn grantable_roles(
    conn: &mut DbConnection,
    manager: &Principal,
) -> AppResult<Vec<roles::Role>> {
    Ok(roles::all(conn)?
        .into_iter()
        .filter(|r| may_grant(manager, r))
        .collect())
}

/// Whether the manager manages accounts in every agency (and may leave a user without one).
pub fn manages_every_agency(manager: &Principal) -> bool {
    manager.can(MANAGE_ALL)
}

/// The enabled agencies the manager may place users in, by code: every one with
/// `users:manage`, else only their own.
pub fn placeable_agencies(
    conn: &mut DbConnection,
    manager: &Principal,
) -> AppResult<Vec<agencies::Agency>> {
    Ok(agencies::all(conn)?
        .into_iter()
        .filter(|a| !a.disabled && reaches_agency(manager, Some(a.id.as_str())))
        .collect())
}

/// Checks the parts of the input that need the database; collects every problem.
fn check(
    conn: &mut DbConnection,
    manager: &Principal,
    current: Option<&User>,
    input: &UserInput,
) -> AppResult<()> {
    let mut problems = Vec::new();
    if let Some(role_id) = &input.role_id {
        let unchanged = current.is_some_and(|u| &u.role_id == role_id);
        match roles::find(conn, role_id)? {
            None => problems.push(problem(
                "role_unique_id",
                "unknown_role",
                format!("There is no role {role_id:?}."),
            )),
            Some(role) if !unchanged && !may_grant(manager, &role) => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "You may not give the role {}: it reaches further than yours.",
                        role.name
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(agency) = &input.agency_id {
        let unchanged = current.is_some_and(|u| &u.agency_id == agency);
        if !unchanged {
            if let Some(id) = agency {
                match agencies::find(conn, id)? {
                    None => problems.push(problem(
                        "agency_id",
                        "unknown_agency",
                        format!("There is no agency {id:?}."),
                    )),
                    Some(a) if a.disabled => problems.push(problem(
                        "agency_id",
                        "agency_disabled",
                        format!("The agency {} is disabled.", a.code),
                    )),
                    Some(_) => {}
                }
            }
            if !reaches_agency(manager, agency.as_deref()) {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "You may place users only in your own agency.",
                ));
            }
        }
    }
    if let Some(Some(language)) = &input.language {
        if !i18n::is_supported(language) {
            problems.push(problem(
                "locale",
                "unknown_language",
                format!("{language:?} is not an available language."),
            ));
        }
    }
    if let Some(Some(email)) = &input.email {
        if email.len() > 254 || !email.contains('@') {
            problems.push(problem(
                "email",
                "invalid_email",
                "email is not an e-mail address",
            ));
        }
    }
    if let Some(name) = &input.full_name {
        if name.chars().count() > 200 {
            problems.push(problem("full_name", "too_long", "full_name is too long"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

/// Writes the audit entry of a refused change (the change's own transaction rolled back).
fn audited<T>(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &'static str,
    target: Option<&str>,
    result: AppResult<T>,
) -> AppResult<T> {
    match result {
        Err(e) if e.code == ErrorCode::Forbidden => {
            let mut event = Event::new(action, Outcome::Denied)
                .detail(serde_json::json!({ "reason": e.message }));
            if let Some(id) = target {
                event = event.record("user", id, None);
            }
            audit::write_alone(conn, actor, event)?;
            Err(e)
        }
        other => other,
    }
}

/// Creates an account with a one-time password, audited as `user.create` (a refusal as a
/// denied `user.create`).
pub fn create(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    manager: &Principal,
    actor: &Actor,
    input: &UserInput,
) -> AppResult<ManagedUser> {
    let result = create_unaudited(conn, accounts, manager, actor, input);
    audited(conn, actor, "user.create", None, result)
}

fn create_unaudited(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    manager: &Principal,
    actor: &Actor,
    input: &UserInput,
) -> AppResult<ManagedUser> {
    let username = input.username.as_deref().map(str::trim).unwrap_or_default();
    let Some(role_id) = input.role_id.as_deref() else {
        return Err(AppError::invalid(
            "role_unique_id",
            "role_unique_id is required",
        ));
    };
    let Some(password) = input.password.as_deref() else {
        return Err(AppError::invalid("password", "password is required"));
    };
    // A limited manager's users land in their agency even when the request names none.
    let agency = match (&input.agency_id, reach(manager)) {
        (Some(a), _) => a.clone(),
        (None, Reach::Agency(own)) => Some(own),
        (None, _) => None,
    };
    let input = UserInput {
        agency_id: Some(agency.clone()),
        ..input.clone()
    };
    write_transaction(conn, |conn| {
        check(conn, manager, None, &input)?;
        let user = super::create(
            conn,
            accounts,
            NewUser {
                username,
                full_name: input.full_name.as_deref().unwrap_or_default().trim(),
                role_id,
                password,
                must_change_password: true,
            },
            actor,
        )?;
        diesel::update(users::table.find(&user.id))
            .set((
                users::agency_id.eq(&agency),
                users::email.eq(input.email.clone().flatten()),
                users::language.eq(input.language.clone().flatten()),
            ))
            .execute(conn)?;
        if let Some(groups) = &input.user_groups {
            user_groups::set_membership(conn, &user.id, groups)?;
        }
        let user = find_by_id(conn, &user.id)?.ok_or_else(AppError::not_found)?;
        let user_groups = user_groups::groups_of(conn, &user.id)?;
        Ok(ManagedUser { user, user_groups })
    })
}

/// Changes an account, audited as `user.update` with the fields changed (and the roles before
/// and after, when it changes). Disabling goes through [`set_disabled`], which ends the user's
/// sessions. Passwords are not changed here; see [`reset_password`]. A refusal is audited as a
/// denied `user.update`.
pub fn update(
    conn: &mut DbConnection,
    manager: &Principal,
    actor: &Actor,
    id: &str,
    input: &UserInput,
) -> AppResult<ManagedUser> {
    let result = update_unaudited(conn, manager, actor, id, input);
    audited(conn, actor, "user.update", Some(id), result)
}

fn update_unaudited(
    conn: &mut DbConnection,
    manager: &Principal,
    actor: &Actor,
    id: &str,
    input: &UserInput,
) -> AppResult<ManagedUser> {
    write_transaction(conn, |conn| {
        let current = find(conn, manager, id)?;
        let user = &current.user;
        let myself = user.id == manager.user_id;
        let mut fields: Vec<&str> = Vec::new();
        let role_changes = input.role_id.as_ref().is_some_and(|r| r != &user.role_id);
        let agency_changes = input
            .agency_id
            .as_ref()
            .is_some_and(|a| a != &user.agency_id);
        let groups_change = input.user_groups.as_ref().is_some_and(|g| {
            let mut wanted = g.clone();
            wanted.sort();
            wanted.dedup();
            wanted != current.user_groups
        });
        let state_changes = input.disabled.is_some_and(|d| d != user.disabled);
        if myself && (role_changes || agency_changes || groups_change || state_changes) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Your own role, agency, groups and state are changed by another administrator.",
            ));
        }
        if state_changes && !manager.can(DISABLE) {
            return Err(AppError::forbidden());
        }
        if input
            .username
            .as_ref()
            .is_some_and(|n| n.trim() != user.username)
        {
            return Err(AppError::invalid(
                "user_name",
                "A user name cannot be changed: the audit log and records refer to it.",
            ));
        }
        check(conn, manager, Some(user), input)?;
        let full_name = input
            .full_name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&user.full_name)
            .to_owned();
        if full_name != user.full_name {
            fields.push("full_name");
        }
        let email = input.email.clone().unwrap_or_else(|| user.email.clone());
        if email != user.email {
            fields.push("email");
        }
        let language = input
            .language
            .clone()
            .unwrap_or_else(|| user.language.clone());
        if language != user.language {
            fields.push("locale");
        }
        let role_id = input
            .role_id
            .clone()
            .unwrap_or_else(|| user.role_id.clone());
        if role_changes {
            fields.push("role_unique_id");
        }
        let agency_id = input
            .agency_id
            .clone()
            .unwrap_or_else(|| user.agency_id.clone());
        if agency_changes {
            fields.push("agency_id");
        }
        if groups_change {
            fields.push("user_group_unique_ids");
            user_groups::set_membership(
                conn,
                &user.id,
                input.user_groups.as_deref().unwrap_or_default(),
            )?;
        }
        if role_changes && user.role_id == "superuser" {
            guard_last_superuser(conn, &user.id)?;
        }
        if !fields.is_empty() {
            diesel::update(users::table.find(&user.id))
                .set((
                    users::full_name.eq(&full_name),
                    users::email.eq(&email),
                    users::language.eq(&language),
                    users::role_id.eq(&role_id),
                    users::agency_id.eq(&agency_id),
                    users::updated_at.eq(now()),
                ))
                .execute(conn)?;
            let mut detail = serde_json::json!({ "fields": fields });
            if role_changes {
                detail["role"] = serde_json::json!({ "from": user.role_id, "to": role_id });
            }
            audit::write(
                conn,
                actor,
                Event::new("user.update", Outcome::Done)
                    .record("user", &user.id, None)
                    .detail(detail),
            )?;
        }
        if let (true, Some(disabled)) = (state_changes, input.disabled) {
            set_disabled(conn, user, disabled, actor)?;
        }
        find(conn, manager, &user.id)
    })
}

fn guard_last_superuser(conn: &mut DbConnection, user_id: &str) -> AppResult<()> {
    let others: i64 = users::table
        .filter(users::role_id.eq("superuser"))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "This is the last enabled superuser; give another user that role first.",
        ));
    }
    Ok(())
}

/// Sets a one-time password chosen by a manager; the user must change it at their next sign-in
/// and every session of theirs ends.
pub fn reset_password(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    manager: &Principal,
    actor: &Actor,
    id: &str,
    new_password: &str,
) -> AppResult<()> {
    let target = find(conn, manager, id)?;
    if target.user.id == manager.user_id {
        // Not audited as a denial: it is a pointer to the right page, not an attempt.
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Change your own password on your account page.",
        ));
    }
    password::check_policy(
        new_password,
        &target.user.username,
        accounts.password_min_length,
    )?;
    super::set_password(
        conn,
        accounts,
        &target.user,
        new_password,
        true,
        None,
        actor,
    )
}
