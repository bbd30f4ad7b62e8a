//! User groups: the teams within an organisation. A case manager whose role reaches "group"
//! records sees the cases owned by or assigned to the members of their groups, and decides the
//! approvals those members request. Users are put in groups on their own account (see
//! [`crate::accounts::management`]); a group is never deleted, only disabled, because the audit
//! log and past decisions name it. A disabled group gives its members no reach.

pub mod api;
pub mod pages;

use diesel::prelude::*;

use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::{user_group_members, user_groups};
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_groups)]
pub struct UserGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub disabled: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Every group, disabled ones included, by name.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<UserGroup>> {
    Ok(user_groups::table
        .order(lower(user_groups::name).asc())
        .select(UserGroup::as_select())
        .load(conn)?)
}

/// One page of groups by name, and how many there are in all.
pub fn page(conn: &mut DbConnection, page: i64, per: i64) -> AppResult<(Vec<UserGroup>, i64)> {
    let total = user_groups::table.count().get_result(conn)?;
    let rows = user_groups::table
        .order(lower(user_groups::name).asc())
        .limit(per)
        .offset((page - 1).saturating_mul(per))
        .select(UserGroup::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut DbConnection, id: &str) -> AppResult<Option<UserGroup>> {
    Ok(user_groups::table
        .find(id)
        .select(UserGroup::as_select())
        .first(conn)
        .optional()?)
}

/// The ids of the enabled groups a user belongs to: what their reach is worked out from.
pub fn enabled_groups_of(conn: &mut DbConnection, user_id: &str) -> AppResult<Vec<String>> {
    Ok(user_group_members::table
        .inner_join(user_groups::table)
        .filter(user_group_members::user_id.eq(user_id))
        .filter(user_groups::disabled.eq(false))
        .order(user_group_members::user_group_id.asc())
        .select(user_group_members::user_group_id)
        .load(conn)?)
}

/// The ids of every group a user belongs to, disabled ones included (what their account shows).
pub fn groups_of(conn: &mut DbConnection, user_id: &str) -> AppResult<Vec<String>> {
    Ok(user_group_members::table
        .filter(user_group_members::user_id.eq(user_id))
        .order(user_group_members::user_group_id.asc())
        .select(user_group_members::user_group_id)
        .load(conn)?)
}

/// The ids of a group's members.
pub fn member_ids(conn: &mut DbConnection, group_id: &str) -> AppResult<Vec<String>> {
    Ok(user_group_members::table
        .filter(user_group_members::user_group_id.eq(group_id))
        .select(user_group_members::user_id)
        .load(conn)?)
}

/// How many members each group has, by group id; a group without members is absent.
pub fn member_counts(
    conn: &mut DbConnection,
) -> AppResult<std::collections::BTreeMap<String, i64>> {
    let counts: Vec<(String, i64)> = user_group_members::table
        .group_by(user_group_members::user_group_id)
        .select((user_group_members::user_group_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(counts.into_iter().collect())
}

/// Whether two users share an enabled group.
pub fn share_a_group(conn: &mut DbConnection, a: &str, b: &str) -> AppResult<bool> {
    let of_a = enabled_groups_of(conn, a)?;
    let shared = user_group_members::table
        .filter(user_group_members::user_id.eq(b))
        .filter(user_group_members::user_group_id.eq_any(of_a))
        .count()
        .get_result::<i64>(conn)?;
    Ok(shared > 0)
}

/// Makes `groups` the exact set of groups of a user, inside the caller's transaction. Every id
/// must name an existing group; a disabled group can be kept but not newly joined.
pub fn set_membership(conn: &mut DbConnection, user_id: &str, groups: &[String]) -> AppResult<()> {
    let current = groups_of(conn, user_id)?;
    let mut problems = Vec::new();
    for id in groups {
        match find(conn, id)? {
            None => problems.push(problem(
                "user_group_unique_ids",
                "unknown_user_group",
                format!("There is no user group {id:?}."),
            )),
            Some(g) if g.disabled && !current.contains(id) => problems.push(problem(
                "user_group_unique_ids",
                "user_group_disabled",
                format!("The user group {} is disabled.", g.name),
            )),
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    diesel::delete(
        user_group_members::table
            .filter(user_group_members::user_id.eq(user_id))
            .filter(user_group_members::user_group_id.ne_all(groups.to_vec())),
    )
    .execute(conn)?;
    for id in groups.iter().filter(|g| !current.contains(g)) {
        diesel::insert_into(user_group_members::table)
            .values((
                user_group_members::user_group_id.eq(id),
                user_group_members::user_id.eq(user_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What a create or change sets; what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct UserGroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub disabled: Option<bool>,
}

fn problem(field: &str, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message: message.into(),
    }
}

const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 1000;

/// Checks the input against the current group (none when creating) and returns what to store.
fn resolve(
    conn: &mut DbConnection,
    current: Option<&UserGroup>,
    input: &UserGroupInput,
) -> AppResult<UserGroup> {
    let at = now();
    let mut next = current.cloned().unwrap_or_else(|| UserGroup {
        id: uuid::Uuid::new_v4().to_string(),
        name: String::new(),
        description: String::new(),
        disabled: false,
        created_at: at,
        updated_at: at,
    });
    if let Some(name) = &input.name {
        next.name = name.trim().to_owned();
    }
    if let Some(description) = &input.description {
        next.description = description.trim().to_owned();
    }
    if let Some(disabled) = input.disabled {
        next.disabled = disabled;
    }
    let mut problems = Vec::new();
    if next.name.is_empty() || next.name.chars().count() > MAX_NAME {
        problems.push(problem(
            "name",
            "invalid_name",
            format!("name must have 1 to {MAX_NAME} characters"),
        ));
    }
    if next.description.chars().count() > MAX_DESCRIPTION {
        problems.push(problem(
            "description",
            "too_long",
            format!("description must have at most {MAX_DESCRIPTION} characters"),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    let taken = user_groups::table
        .filter(lower(user_groups::name).eq(next.name.to_lowercase()))
        .filter(user_groups::id.ne(&next.id))
        .select(user_groups::name)
        .first::<String>(conn)
        .optional()?;
    if let Some(other) = taken {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("A user group named {other} already exists."),
        ));
    }
    next.updated_at = at;
    Ok(next)
}

/// Creates a group, audited as `user_group.create`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &UserGroupInput,
) -> AppResult<UserGroup> {
    write_transaction(conn, |conn| {
        let group = resolve(conn, None, input)?;
        diesel::insert_into(user_groups::table)
            .values(&group)
            .execute(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("user_group.create", Outcome::Done)
                .record("user_group", &group.id, None)
                .detail(serde_json::json!({ "name": group.name })),
        )?;
        Ok(group)
    })
}

/// Changes a group, audited as `user_group.update` with the fields changed, or
/// `user_group.disable` / `user_group.enable` when only its state changes.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    input: &UserGroupInput,
) -> AppResult<UserGroup> {
    write_transaction(conn, |conn| {
        let current = find(conn, id)?.ok_or_else(AppError::not_found)?;
        let next = resolve(conn, Some(&current), input)?;
        let mut fields = Vec::new();
        if next.name != current.name {
            fields.push("name");
        }
        if next.description != current.description {
            fields.push("description");
        }
        if next.disabled != current.disabled {
            fields.push("disabled");
        }
        if fields.is_empty() {
            return Ok(current);
        }
        diesel::update(user_groups::table.find(&current.id))
            .set((
                user_groups::name.eq(&next.name),
                user_groups::description.eq(&next.description),
                user_groups::disabled.eq(next.disabled),
                user_groups::updated_at.eq(next.updated_at),
            ))
            .execute(conn)?;
        let action = match (fields.as_slice(), next.disabled) {
            (["disabled"], true) => "user_group.disable",
            (["disabled"], false) => "user_group.enable",
            _ => "user_group.update",
        };
        audit::write(
            conn,
            actor,
            Event::new(action, Outcome::Done)
                .record("user_group", &current.id, None)
                .detail(serde_json::json!({ "fields": fields })),
        )?;
        Ok(next)
    })
}
