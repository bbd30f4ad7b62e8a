//! Roles: stored permission sets. The seeded roles are created when missing and never
//! overwritten, so that administrators' changes survive upgrades.

use diesel::prelude::*;

use super::{Action, Permission, PermissionSet, Resource, ScopeKind};
use crate::db::schema::roles;
use crate::db::{now, DbConnection};
use crate::error::AppResult;

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
}

impl Role {
    pub fn permission_set(&self) -> PermissionSet {
        PermissionSet::from_json(&self.permissions)
    }

    pub fn scope(&self) -> ScopeKind {
        ScopeKind::from_stored(&self.record_scope)
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
