//! Agencies: the organisations that users work for and that cases are referred to, each with a
//! short code, names in the interface languages and the services it provides (values of the
//! lookup `lookup-service-type`). Users and records refer to agencies, so an agency is never
//! deleted, only disabled.
//!
//! Every change runs in one transaction with its audit entry and the configuration stamp that
//! forms cache by.

pub mod api;
pub mod logo;
pub mod pages;

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::{agencies, lookups};
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::forms::store::config_changed;
use crate::i18n::names::{self, Names, NamesPatch};

/// The lookup whose values are the services an agency may offer.
pub const SERVICE_LOOKUP: &str = "lookup-service-type";

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: String,
    pub code: String,
    /// JSON object of language to name; read with [`Agency::names`].
    pub names: String,
    /// JSON list of service ids; read with [`Agency::services`].
    pub services: String,
    pub logo_sha256: Option<String>,
    pub logo_content_type: Option<String>,
    pub disabled: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl Agency {
    pub fn names(&self) -> Names {
        names::parse(&self.names)
    }

    pub fn services(&self) -> Vec<String> {
        serde_json::from_str(&self.services).unwrap_or_else(|e| {
            tracing::warn!(error = %e, agency = %self.id, "stored services are not a JSON list");
            Vec::new()
        })
    }
}

/// An agency as the form catalog offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyOption {
    pub id: String,
    pub code: String,
    pub names: BTreeMap<String, String>,
    pub disabled: bool,
}

/// Every agency, disabled ones included (users and records may still refer to them), by code.
pub fn option_list(conn: &mut DbConnection) -> AppResult<Vec<AgencyOption>> {
    Ok(all(conn)?
        .into_iter()
        .map(|a| AgencyOption {
            names: a.names(),
            id: a.id,
            code: a.code,
            disabled: a.disabled,
        })
        .collect())
}

pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Agency>> {
    Ok(agencies::table
        .order(agencies::code.asc())
        .select(Agency::as_select())
        .load(conn)?)
}

/// One page of agencies by code, and how many there are in all.
pub fn page(conn: &mut DbConnection, page: i64, per: i64) -> AppResult<(Vec<Agency>, i64)> {
    let total = agencies::table.count().get_result(conn)?;
    let rows = agencies::table
        .order(agencies::code.asc())
        .limit(per)
        .offset((page - 1).saturating_mul(per))
        .select(Agency::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// An agency by its id or, for integrations that know only that, its code.
pub fn find(conn: &mut DbConnection, id_or_code: &str) -> AppResult<Option<Agency>> {
    let by_id = agencies::table
        .find(id_or_code)
        .select(Agency::as_select())
        .first(conn)
        .optional()?;
    if by_id.is_some() {
        return Ok(by_id);
    }
    Ok(agencies::table
        .filter(agencies::code.eq(id_or_code))
        .select(Agency::as_select())
        .first(conn)
        .optional()?)
}

/// One service an agency may offer.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Service {
    pub id: String,
    #[serde(default)]
    pub label: Names,
    #[serde(default)]
    pub disabled: bool,
}

/// The services of the lookup, or `None` when the lookup is not configured (then an agency
/// offers none).
pub fn services(conn: &mut DbConnection) -> AppResult<Option<Vec<Service>>> {
    #[derive(serde::Deserialize)]
    struct Definition {
        #[serde(default)]
        values: Vec<Service>,
    }
    let Some(json) = lookups::table
        .find(SERVICE_LOOKUP)
        .select(lookups::definition)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let definition: Definition = serde_json::from_str(&json).map_err(|e| {
        AppError::internal(format!(
            "lookup {SERVICE_LOOKUP} is not a valid definition: {e}"
        ))
    })?;
    Ok(Some(definition.values))
}

/// What a create or change sets; what is `None` stays as it is (create: empty).
#[derive(Debug, Clone, Default)]
pub struct AgencyInput {
    pub code: Option<String>,
    pub names: Option<NamesPatch>,
    pub services: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

fn problem(field: &str, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message: message.into(),
    }
}

/// Codes: 1 to 32 letters, digits, `_` or `-`.
fn code_is_valid(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks the input against the current agency (none when creating) and returns what to store.
fn resolve(
    conn: &mut DbConnection,
    current: Option<&Agency>,
    input: &AgencyInput,
) -> AppResult<Agency> {
    let at = now();
    let mut next = current.cloned().unwrap_or_else(|| Agency {
        id: uuid::Uuid::new_v4().to_string(),
        code: String::new(),
        names: "{}".into(),
        services: "[]".into(),
        logo_sha256: None,
        logo_content_type: None,
        disabled: false,
        created_at: at,
        updated_at: at,
    });
    let mut problems = Vec::new();
    if let Some(code) = input.code.as_deref().map(str::trim) {
        next.code = code.to_owned();
    }
    if !code_is_valid(&next.code) {
        problems.push(problem(
            "agency_code",
            "invalid_agency_code",
            "agency_code must have 1 to 32 letters, digits, '_' or '-'",
        ));
    }
    let patch = input.names.clone().unwrap_or_default();
    match names::apply("name", &next.names(), &patch, true) {
        Ok(n) => next.names = names::to_json(&n),
        Err(p) => problems.extend(p),
    }
    if let Some(wanted) = &input.services {
        let had = next.services();
        let offered = services(conn)?.unwrap_or_default();
        let mut chosen: Vec<String> = Vec::new();
        for id in wanted.iter().map(|s| s.trim()) {
            // A service disabled in the lookup is kept where it was chosen before.
            let known = offered
                .iter()
                .any(|s| s.id == id && (!s.disabled || had.iter().any(|h| h == id)));
            if !known {
                problems.push(problem(
                    "services",
                    "unknown_option",
                    format!("{id:?} is not a service of the lookup {SERVICE_LOOKUP}"),
                ));
            } else if !chosen.iter().any(|c| c == id) {
                chosen.push(id.to_owned());
            }
        }
        next.services = serde_json::to_string(&chosen).map_err(AppError::internal)?;
    }
    if let Some(disabled) = input.disabled {
        next.disabled = disabled;
    }
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    // Codes differing only in case would be confused by everyone who reads them.
    let taken = agencies::table
        .filter(lower(agencies::code).eq(next.code.to_lowercase()))
        .filter(agencies::id.ne(&next.id))
        .select(agencies::code)
        .first::<String>(conn)
        .optional()?;
    if let Some(other) = taken {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("An agency with code {other} already exists."),
        ));
    }
    next.updated_at = at;
    Ok(next)
}

/// Creates an agency, audited as `agency.create`.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: &AgencyInput) -> AppResult<Agency> {
    write_transaction(conn, |conn| {
        let agency = resolve(conn, None, input)?;
        diesel::insert_into(agencies::table)
            .values(&agency)
            .execute(conn)?;
        config_changed(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("agency.create", Outcome::Done)
                .record("agency", &agency.id, None)
                .detail(serde_json::json!({ "code": agency.code })),
        )?;
        Ok(agency)
    })
}

/// Changes an agency (found by id or code), audited as `agency.update` with the fields changed,
/// or `agency.disable` / `agency.enable` when only its state changes.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    input: &AgencyInput,
) -> AppResult<Agency> {
    write_transaction(conn, |conn| {
        let current = find(conn, id)?.ok_or_else(AppError::not_found)?;
        let next = resolve(conn, Some(&current), input)?;
        let mut fields = Vec::new();
        if next.code != current.code {
            fields.push("agency_code");
        }
        if next.names != current.names {
            fields.push("name");
        }
        if next.services != current.services {
            fields.push("services");
        }
        if next.disabled != current.disabled {
            fields.push("disabled");
        }
        if fields.is_empty() {
            return Ok(current);
        }
        diesel::update(agencies::table.find(&current.id))
            .set((
                agencies::code.eq(&next.code),
                agencies::names.eq(&next.names),
                agencies::services.eq(&next.services),
                agencies::disabled.eq(next.disabled),
                agencies::updated_at.eq(next.updated_at),
            ))
            .execute(conn)?;
        config_changed(conn)?;
        let action = match (fields.as_slice(), next.disabled) {
            (["disabled"], true) => "agency.disable",
            (["disabled"], false) => "agency.enable",
            _ => "agency.update",
        };
        audit::write(
            conn,
            actor,
            Event::new(action, Outcome::Done)
                .record("agency", &current.id, None)
                .detail(serde_json::json!({ "fields": fields })),
        )?;
        Ok(next)
    })
}

/// Disables or enables an agency.
pub fn set_disabled(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    disabled: bool,
) -> AppResult<Agency> {
    update(
        conn,
        actor,
        id,
        &AgencyInput {
            disabled: Some(disabled),
            ..AgencyInput::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for ok in ["A", "UNI-01", "agency_x", &"a".repeat(32)] {
            assert!(code_is_valid(ok), "{ok}");
        }
        for bad in ["", "a b", "é", "a/b", &"a".repeat(33)] {
            assert!(!code_is_valid(bad), "{bad}");
        }
    }
}
