//! Roles: stored permission sets. The seeded roles are created when missing and never
//! overwritten, so that administrators' changes survive upgrades.

use diesel::prelude::*;

use super::sections::SectionAccess;
use super::{Action, Permission, PermissionSet, Principal, Resource, ScopeKind};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::roles;
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = roles)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: String,
    pub permissions: String,
    pub record_scope: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// Its users must set up two-step sign-in before anything else.
    pub requires_second_factor: bool,
    /// JSON object of form section id to `rw`, `r` or `hidden`; read with
    /// [`Role::section_access`].
    pub form_section_access: String,
}

impl Role {
    pub fn permission_set(&self) -> PermissionSet {
        PermissionSet::from_json(&self.permissions)
    }

    pub fn scope(&self) -> ScopeKind {
        ScopeKind::from_stored(&self.record_scope)
    }

    pub fn section_access(&self) -> SectionAccess {
        SectionAccess::from_json(&self.form_section_access)
    }
}

/// A seeded role: id, name, description, record scope, permissions.
struct Seed {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    scope: &'static str,
    permissions: fn() -> PermissionSet,
    /// Whether its users must have a second factor (the roles that reach the most).
    second_factor: bool,
}

use Action::*;
use Resource::*;

const RECORDS: [Resource; 4] = [Cases, Incidents, TracingRequests, Families];
const ADMINISTRATION: [Resource; 4] = [Users, Roles, UserGroups, Agencies];

fn grid<'a>(
    resources: &'a [Resource],
    actions: &[Action],
) -> impl Iterator<Item = Permission> + 'a {
    let actions = actions.to_vec();
    resources.iter().flat_map(move |r| {
        actions
            .clone()
            .into_iter()
            .map(move |a| Permission::new(*r, a))
    })
}

const SEEDS: &[Seed] = &[
    Seed {
        id: "superuser",
        second_factor: true,
        name: "Superuser",
        description: "Every permission, for the first administrator and emergencies.",
        scope: "all",
        permissions: || grid(Resource::ALL, Action::ALL).collect(),
    },
    Seed {
        id: "system-admin",
        second_factor: true,
        name: "System administrator",
        description: "Configuration, users and backups; no case content.",
        scope: "all",
        permissions: || {
            grid(&ADMINISTRATION, &[Read, Create, Write, Disable, Manage])
                .chain(grid(&[Forms, Reports], &[Read, Create, Write, Manage]))
                .chain(grid(
                    &[Backups, ConfigBundles, Imports],
                    &[Read, Create, Manage],
                ))
                .collect()
        },
    },
    Seed {
        id: "caseworker",
        second_factor: false,
        name: "Caseworker",
        description: "Works on their own and assigned cases.",
        scope: "own",
        permissions: || {
            grid(
                &RECORDS,
                &[
                    Read,
                    Create,
                    Write,
                    Flag,
                    Refer,
                    RequestApproval,
                    Close,
                    ViewHistory,
                ],
            )
            .chain(grid(&[Reports], &[Read]))
            .collect()
        },
    },
    Seed {
        id: "case-manager",
        second_factor: false,
        name: "Case manager",
        description: "Supervises the cases of their user groups and approves.",
        scope: "group",
        permissions: || {
            grid(
                &RECORDS,
                &[
                    Read,
                    Create,
                    Write,
                    Disable,
                    Flag,
                    Assign,
                    Transfer,
                    Refer,
                    Approve,
                    RequestApproval,
                    Close,
                    Reopen,
                    ViewHistory,
                    Export,
                    ConsentOverride,
                ],
            )
            .chain(grid(&[Reports], &[Read]))
            .chain(grid(&[Users, UserGroups], &[Read]))
            .collect()
        },
    },
    Seed {
        id: "referral-recipient",
        second_factor: false,
        name: "Referral recipient",
        description: "Service provider who sees only cases referred to them.",
        scope: "own",
        permissions: || grid(&[Cases], &[Read, ReceiveReferral]).collect(),
    },
    Seed {
        id: "dpo",
        second_factor: true,
        name: "Data-protection officer",
        description: "Audit log and breach register; no case content beyond investigations.",
        scope: "all",
        permissions: || {
            grid(
                &[AuditLog, BreachRegister],
                &[Read, Create, Write, Export, Manage],
            )
            .chain(grid(&RECORDS, &[ViewAccessLog]))
            .chain(grid(&[Users], &[Read]))
            .collect()
        },
    },
    Seed {
        id: "auditor",
        second_factor: false,
        name: "Auditor",
        description: "Reads the audit log, reports and configuration; changes nothing.",
        scope: "all",
        permissions: || {
            grid(
                &[AuditLog, Reports, Forms, Users, Roles, UserGroups, Agencies],
                &[Read],
            )
            .chain(grid(&RECORDS, &[ViewAccessLog]))
            .collect()
        },
    },
];

/// Ids of the roles every instance starts with.
pub fn seeded_ids() -> impl Iterator<Item = &'static str> {
    SEEDS.iter().map(|s| s.id)
}

/// Inserts the seeded roles that do not exist yet.
pub fn ensure_seeded(conn: &mut DbConnection) -> AppResult<()> {
    let at = now();
    for seed in SEEDS {
        let role = Role {
            id: seed.id.into(),
            name: seed.name.into(),
            description: seed.description.into(),
            permissions: (seed.permissions)().to_json(),
            record_scope: seed.scope.into(),
            created_at: at,
            updated_at: at,
            requires_second_factor: seed.second_factor,
            form_section_access: "{}".into(),
        };
        let exists = roles::table
            .find(seed.id)
            .select(roles::id)
            .first::<String>(conn)
            .optional()?
            .is_some();
        if !exists {
            diesel::insert_into(roles::table)
                .values(&role)
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> AppResult<Option<Role>> {
    Ok(roles::table
        .find(id)
        .select(Role::as_select())
        .first(conn)
        .optional()?)
}

/// Every role, by name.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Role>> {
    Ok(roles::table
        .order(roles::name.asc())
        .select(Role::as_select())
        .load(conn)?)
}

/// How many accounts (disabled ones included) hold each role, by role id; a role nobody holds
/// is absent.
pub fn users_per_role(
    conn: &mut DbConnection,
) -> AppResult<std::collections::BTreeMap<String, i64>> {
    use crate::db::schema::users;
    let counts: Vec<(String, i64)> = users::table
        .group_by(users::role_id)
        .select((users::role_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(counts.into_iter().collect())
}

/// What a create or change sets; `None` keeps what is there.
#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    /// Only when creating: the role's id (`user create --role` and the API use it).
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<PermissionSet>,
    pub scope: Option<ScopeKind>,
    pub requires_second_factor: Option<bool>,
    pub section_access: Option<SectionAccess>,
}

/// Role ids: 2 to 64 lower-case letters, digits and `-`.
fn id_is_valid(id: &str) -> bool {
    (2..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn problem(field: &str, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message: message.into(),
    }
}

const ROLES_MANAGE: Permission = Permission::new(Roles, Manage);

/// Refuses a role an editor could use to reach further than they do: without `roles:manage`,
/// an editor may give a role only permissions they hold themselves and no wider record scope.
/// Nobody edits the role they hold (a second administrator does that), and the superuser role
/// always keeps every permission and every record, so that there is always a way back in.
fn check_reach(editor: &Principal, current: Option<&Role>, next: &Role) -> AppResult<()> {
    if current.is_some_and(|c| c.id == editor.role_id) {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "The role you hold is changed by another administrator.",
        ));
    }
    let changes_reach = current
        .is_none_or(|c| c.permission_set() != next.permission_set() || c.scope() != next.scope());
    if next.id == "superuser" && changes_reach {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "The superuser role keeps every permission and every record.",
        ));
    }
    if changes_reach && !editor.can(ROLES_MANAGE) {
        let beyond = next.permission_set().iter().any(|p| !editor.can(*p));
        let sections_wider = editor
            .section_access
            .opens_more_than(&next.section_access());
        if beyond || next.scope() > editor.record_scope || sections_wider {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "A role you edit may not reach further than your own.",
            ));
        }
    }
    Ok(())
}

/// Checks the input against the current role (none when creating) and returns what to store.
fn resolve(current: Option<&Role>, input: &RoleInput) -> AppResult<Role> {
    let at = now();
    let mut problems = Vec::new();
    let mut next = match current {
        Some(c) => c.clone(),
        None => {
            let id = input.id.as_deref().map(str::trim).unwrap_or_default();
            if !id_is_valid(id) {
                problems.push(problem(
                    "unique_id",
                    "invalid_role_id",
                    "unique_id must have 2 to 64 lower-case letters, digits or '-'",
                ));
            }
            Role {
                id: id.to_owned(),
                name: String::new(),
                description: String::new(),
                permissions: "[]".into(),
                record_scope: ScopeKind::Own.as_str().into(),
                created_at: at,
                updated_at: at,
                requires_second_factor: false,
                form_section_access: "{}".into(),
            }
        }
    };
    if let Some(name) = &input.name {
        next.name = name.trim().to_owned();
    }
    if next.name.is_empty() || next.name.chars().count() > 100 {
        problems.push(problem(
            "name",
            "invalid_name",
            "name must have 1 to 100 characters",
        ));
    }
    if let Some(description) = &input.description {
        next.description = description.trim().to_owned();
    }
    if next.description.chars().count() > 1000 {
        problems.push(problem(
            "description",
            "too_long",
            "description must have at most 1000 characters",
        ));
    }
    if let Some(permissions) = &input.permissions {
        next.permissions = permissions.to_json();
    }
    if let Some(scope) = input.scope {
        next.record_scope = scope.as_str().into();
    }
    if let Some(required) = input.requires_second_factor {
        next.requires_second_factor = required;
    }
    if let Some(access) = &input.section_access {
        next.form_section_access = access.to_json();
    }
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    next.updated_at = at;
    Ok(next)
}

/// Writes the audit entry of a refused change (its own transaction rolled back).
fn audited<T>(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &'static str,
    id: Option<&str>,
    result: AppResult<T>,
) -> AppResult<T> {
    match result {
        Err(e) if e.code == ErrorCode::Forbidden => {
            let mut event = Event::new(action, Outcome::Denied)
                .detail(serde_json::json!({ "reason": e.message }));
            if let Some(id) = id {
                event = event.record("role", id, None);
            }
            audit::write_alone(conn, actor, event)?;
            Err(e)
        }
        other => other,
    }
}

/// Creates a role, audited as `role.create` with its permissions.
pub fn create(
    conn: &mut DbConnection,
    editor: &Principal,
    actor: &Actor,
    input: &RoleInput,
) -> AppResult<Role> {
    let result = write_transaction(conn, |conn| {
        let role = resolve(None, input)?;
        check_reach(editor, None, &role)?;
        if find(conn, &role.id)?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A role {} already exists.", role.id),
            ));
        }
        diesel::insert_into(roles::table)
            .values(&role)
            .execute(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("role.create", Outcome::Done)
                .record("role", &role.id, None)
                .detail(serde_json::json!({
                    "permissions": serde_json::from_str::<serde_json::Value>(&role.permissions)
                        .unwrap_or_default(),
                    "record_scope": role.record_scope,
                    "requires_second_factor": role.requires_second_factor,
                })),
        )?;
        Ok(role)
    });
    audited(conn, actor, "role.create", input.id.as_deref(), result)
}

/// Changes a role, audited as `role.update` with the permissions granted and withdrawn.
pub fn update(
    conn: &mut DbConnection,
    editor: &Principal,
    actor: &Actor,
    id: &str,
    input: &RoleInput,
) -> AppResult<Role> {
    let result = write_transaction(conn, |conn| {
        let current = find(conn, id)?.ok_or_else(AppError::not_found)?;
        let next = resolve(Some(&current), input)?;
        check_reach(editor, Some(&current), &next)?;
        let before = current.permission_set();
        let after = next.permission_set();
        let granted: Vec<String> = after
            .iter()
            .filter(|p| !before.allows(**p))
            .map(|p| p.to_string())
            .collect();
        let withdrawn: Vec<String> = before
            .iter()
            .filter(|p| !after.allows(**p))
            .map(|p| p.to_string())
            .collect();
        let unchanged = granted.is_empty()
            && withdrawn.is_empty()
            && next.name == current.name
            && next.description == current.description
            && next.record_scope == current.record_scope
            && next.requires_second_factor == current.requires_second_factor
            && next.form_section_access == current.form_section_access;
        if unchanged {
            return Ok(current);
        }
        diesel::update(roles::table.find(&current.id))
            .set((
                roles::name.eq(&next.name),
                roles::description.eq(&next.description),
                roles::permissions.eq(&next.permissions),
                roles::record_scope.eq(&next.record_scope),
                roles::requires_second_factor.eq(next.requires_second_factor),
                roles::form_section_access.eq(&next.form_section_access),
                roles::updated_at.eq(next.updated_at),
            ))
            .execute(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("role.update", Outcome::Done)
                .record("role", &current.id, None)
                .detail(serde_json::json!({
                    "granted": granted,
                    "withdrawn": withdrawn,
                    "record_scope": { "from": current.record_scope, "to": next.record_scope },
                    "form_section_access": serde_json::from_str::<serde_json::Value>(&next.form_section_access)
                        .unwrap_or_default(),
                    "requires_second_factor": next.requires_second_factor,
                })),
        )?;
        Ok(next)
    });
    audited(conn, actor, "role.update", Some(id), result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_admin_and_dpo_get_no_case_content() {
        for id in ["system-admin", "dpo", "auditor"] {
            let seed = SEEDS.iter().find(|s| s.id == id).unwrap();
            let set = (seed.permissions)();
            for r in RECORDS {
                assert!(!set.allows(Permission::new(r, Read)), "{id} may read {r}");
            }
        }
    }

    #[test]
    fn roles_that_reach_the_most_require_a_second_factor() {
        let requiring: Vec<&str> = SEEDS
            .iter()
            .filter(|s| s.second_factor)
            .map(|s| s.id)
            .collect();
        assert_eq!(requiring, ["superuser", "system-admin", "dpo"]);
    }

    #[test]
    fn superuser_has_everything() {
        let set = (SEEDS[0].permissions)();
        assert_eq!(set.iter().count(), Resource::ALL.len() * Action::ALL.len());
    }
}
