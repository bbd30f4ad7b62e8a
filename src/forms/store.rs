//! Forms, lookups and the reference data they draw on, as stored configuration.
//!
//! Every change to configuration (a section, a lookup, a location, an agency, a user) calls
//! [`config_changed`] in its own transaction. That gives the configuration a new random stamp;
//! the in-memory catalogs are keyed by it, so the next request anywhere sees the change.

use std::sync::{Arc, LazyLock, Mutex};

use diesel::prelude::*;

use super::catalog::{RefEntry, References};
use super::{standard, Catalog, Labels, Lookup, Section};
use crate::db::schema::{config_version, form_sections, lookups, users};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};

/// Marks the configuration as changed. Call inside the transaction that makes the change.
pub fn config_changed(conn: &mut DbConnection) -> AppResult<()> {
    diesel::update(config_version::table.find(1))
        .set((
            config_version::version.eq(config_version::version + 1),
            config_version::stamp.eq(uuid::Uuid::new_v4().simple().to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The configuration's change count and stamp.
pub fn config_state(conn: &mut DbConnection) -> AppResult<(i64, String)> {
    Ok(config_version::table
        .find(1)
        .select((config_version::version, config_version::stamp))
        .first(conn)?)
}

/// Catalogs recently built, by configuration stamp and record type. A handful is plenty: the
/// stamp changes only when an administrator changes something.
static CATALOGS: LazyLock<Mutex<Vec<CachedCatalog>>> = LazyLock::new(Mutex::default);
const CACHED_CATALOGS: usize = 8;

struct CachedCatalog {
    stamp: String,
    record_type: String,
    catalog: Arc<Catalog>,
}

/// The current form of a record type, from the cache when the configuration has not changed
/// since it was built (one small query), otherwise loaded afresh.
pub fn catalog(conn: &mut DbConnection, record_type: &str) -> AppResult<Arc<Catalog>> {
    let (_, stamp) = config_state(conn)?;
    let cached = |list: &Vec<CachedCatalog>| {
        list.iter()
            .find(|c| c.stamp == stamp && c.record_type == record_type)
            .map(|c| Arc::clone(&c.catalog))
    };
    if let Some(found) = cached(&CATALOGS.lock().unwrap_or_else(|p| p.into_inner())) {
        return Ok(found);
    }
    let catalog = Arc::new(load_catalog(conn, record_type)?);
    // A configuration never changed has no stamp of its own: it is not cached, so two fresh
    // databases can never share an entry.
    if !stamp.is_empty() {
        let mut list = CATALOGS.lock().unwrap_or_else(|p| p.into_inner());
        list.retain(|c| !(c.stamp == stamp && c.record_type == record_type));
        if list.len() >= CACHED_CATALOGS {
            list.remove(0);
        }
        list.push(CachedCatalog {
            stamp,
            record_type: record_type.to_owned(),
            catalog: Arc::clone(&catalog),
        });
    }
    Ok(catalog)
}

/// Builds a record type's catalog from the database.
pub fn load_catalog(conn: &mut DbConnection, record_type: &str) -> AppResult<Catalog> {
    let sections = load_sections(conn, record_type)?;
    let lookups = load_lookups(conn)?;
    let refs = load_references(conn)?;
    Ok(Catalog::new(record_type, sections, lookups, refs))
}

/// A record type's sections, in stored order.
pub fn load_sections(conn: &mut DbConnection, record_type: &str) -> AppResult<Vec<Section>> {
    let rows: Vec<(String, String)> = form_sections::table
        .filter(form_sections::record_type.eq(record_type))
        .order((form_sections::position, form_sections::id))
        .select((form_sections::id, form_sections::definition))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, json)| {
            serde_json::from_str(&json).map_err(|e| {
                AppError::internal(format!("stored form section {id} is unreadable: {e}"))
            })
        })
        .collect()
}

pub fn load_lookups(conn: &mut DbConnection) -> AppResult<Vec<Lookup>> {
    let rows: Vec<(String, String)> = lookups::table
        .order(lookups::id)
        .select((lookups::id, lookups::definition))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, json)| {
            serde_json::from_str(&json)
                .map_err(|e| AppError::internal(format!("stored lookup {id} is unreadable: {e}")))
        })
        .collect()
}

/// Locations, agencies and users, as choices.
pub fn load_references(conn: &mut DbConnection) -> AppResult<References> {
    let user_rows: Vec<(String, String, bool)> = users::table
        .order(users::username)
        .select((users::username, users::full_name, users::disabled))
        .load(conn)?;
    Ok(References {
        locations: crate::locations::option_list(conn)?
            .into_iter()
            .map(|l| RefEntry {
                id: l.code,
                label: Labels(l.names),
                disabled: l.disabled,
            })
            .collect(),
        agencies: crate::agencies::option_list(conn)?
            .into_iter()
            .map(|a| RefEntry {
                id: a.id,
                label: Labels(a.names),
                disabled: a.disabled,
            })
            .collect(),
        users: user_rows
            .into_iter()
            .map(|(username, name, disabled)| {
                let mut label = Labels::default();
                label.set("en", &format!("{name} ({username})"));
                RefEntry {
                    id: username,
                    label,
                    disabled,
                }
            })
            .collect(),
    })
}

/// Writes a section (new or changed). Checks are the caller's ([`super::changes`]).
pub fn put_section(conn: &mut DbConnection, section: &Section, by: Option<&str>) -> AppResult<()> {
    let definition = serde_json::to_string(section).map_err(|e| {
        AppError::internal(format!("section {} cannot be written: {e}", section.id))
    })?;
    let now = crate::db::now();
    let exists = form_sections::table
        .find((&section.record_type, &section.id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(form_sections::table.find((&section.record_type, &section.id)))
            .set((
                form_sections::position.eq(section.order),
                form_sections::definition.eq(&definition),
                form_sections::updated_at.eq(now),
                form_sections::updated_by.eq(by),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(form_sections::table)
            .values((
                form_sections::record_type.eq(&section.record_type),
                form_sections::id.eq(&section.id),
                form_sections::position.eq(section.order),
                form_sections::definition.eq(&definition),
                form_sections::updated_at.eq(now),
                form_sections::updated_by.eq(by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes a lookup (new or changed). Checks are the caller's ([`super::changes`]).
pub fn put_lookup(conn: &mut DbConnection, lookup: &Lookup, by: Option<&str>) -> AppResult<()> {
    let definition = serde_json::to_string(lookup)
        .map_err(|e| AppError::internal(format!("lookup {} cannot be written: {e}", lookup.id)))?;
    let now = crate::db::now();
    let exists = lookups::table
        .find(&lookup.id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(lookups::table.find(&lookup.id))
            .set((
                lookups::definition.eq(&definition),
                lookups::updated_at.eq(now),
                lookups::updated_by.eq(by),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(lookups::table)
            .values((
                lookups::id.eq(&lookup.id),
                lookups::definition.eq(&definition),
                lookups::updated_at.eq(now),
                lookups::updated_by.eq(by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a lookup no field uses (the caller checks).
pub fn delete_lookup(conn: &mut DbConnection, id: &str) -> AppResult<()> {
    diesel::delete(lookups::table.find(id)).execute(conn)?;
    Ok(())
}

/// Installs the standard forms and lookups on an instance whose configuration was never
/// changed. An instance whose administrators removed sections is not refilled.
pub fn ensure_seeded(conn: &mut DbConnection) -> AppResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let (version, _) = config_state(conn)?;
        let existing: i64 = form_sections::table.count().get_result(conn)?;
        if version > 0 || existing > 0 {
            return Ok(());
        }
        let set = standard::standard_set()?;
        for lookup in &set.lookups {
            put_lookup(conn, lookup, None)?;
        }
        for section in &set.sections {
            put_section(conn, section, None)?;
        }
        config_changed(conn)?;
        tracing::info!(
            sections = set.sections.len(),
            lookups = set.lookups.len(),
            "standard forms installed"
        );
        Ok(())
    })
}
