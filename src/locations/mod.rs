//! The location tree: places from the country (admin level 0) down to admin level 5, each under
//! a place one level up. Records store place codes, so a place is never deleted, only disabled
//! (hidden from new choices, still shown where it is used).
//!
//! This module holds the model and the reads; [`changes`] the writes (each in one transaction
//! with its audit entry and the configuration stamp that forms cache by); [`hxl`] reads place
//! lists in HXL.

pub mod api;
mod changes;
pub mod hxl;
pub mod pages;
mod tree;

pub use changes::{create, import, update, ImportCounts, NewPlace, PlacePatch};

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use crate::db::schema::locations;
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::i18n::names::{self, Names};

/// Codes per `IN (...)` list: well under either backend's limit on bound parameters.
const CHUNK: usize = 500;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = locations)]
pub struct Location {
    pub code: String,
    pub admin_level: i32,
    pub parent_code: Option<String>,
    pub location_type: Option<String>,
    /// JSON object of language to name; read with [`Location::names`].
    pub names: String,
    pub disabled: bool,
    pub updated_at: chrono::NaiveDateTime,
}

impl Location {
    pub fn names(&self) -> Names {
        names::parse(&self.names)
    }
}

/// A place as the form catalog offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationOption {
    pub code: String,
    pub admin_level: i32,
    pub parent_code: Option<String>,
    pub names: BTreeMap<String, String>,
    pub disabled: bool,
}

/// Every place, disabled ones included (records may still hold their codes), by admin level
/// then code.
pub fn option_list(conn: &mut DbConnection) -> AppResult<Vec<LocationOption>> {
    Ok(all(conn)?
        .into_iter()
        .map(|l| LocationOption {
            names: l.names(),
            code: l.code,
            admin_level: l.admin_level,
            parent_code: l.parent_code,
            disabled: l.disabled,
        })
        .collect())
}

/// Every place, by admin level then code.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<Location>> {
    Ok(locations::table
        .order((locations::admin_level.asc(), locations::code.asc()))
        .select(Location::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(locations::table.count().get_result(conn)?)
}

pub fn find(conn: &mut DbConnection, code: &str) -> AppResult<Option<Location>> {
    Ok(locations::table
        .find(code)
        .select(Location::as_select())
        .first(conn)
        .optional()?)
}

/// The places with these codes (those that exist), by code.
pub fn find_many(
    conn: &mut DbConnection,
    codes: &[String],
) -> AppResult<HashMap<String, Location>> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<Location> = locations::table
            .filter(locations::code.eq_any(chunk))
            .select(Location::as_select())
            .load(conn)?;
        found.extend(rows.into_iter().map(|l| (l.code.clone(), l)));
    }
    Ok(found)
}

/// One page of places by admin level then code, and how many there are in all.
pub fn page(conn: &mut DbConnection, page: i64, per: i64) -> AppResult<(Vec<Location>, i64)> {
    let total = count(conn)?;
    let rows = locations::table
        .order((locations::admin_level.asc(), locations::code.asc()))
        .limit(per)
        .offset((page - 1).saturating_mul(per))
        .select(Location::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The ancestors of each place, root first (`[]` for a country). Reads one level of parents at a
/// time, so a page costs at most one query per admin level.
pub fn ancestors(
    conn: &mut DbConnection,
    places: &[Location],
) -> AppResult<HashMap<String, Vec<String>>> {
    let mut parent_of: HashMap<String, Option<String>> = places
        .iter()
        .map(|l| (l.code.clone(), l.parent_code.clone()))
        .collect();
    let mut wanted: Vec<String> = places
        .iter()
        .filter_map(|l| l.parent_code.clone())
        .collect();
    // Levels run from 0 to 5: six rounds reach every root, even through damaged data.
    for _ in 0..6 {
        wanted.retain(|c| !parent_of.contains_key(c));
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in wanted.chunks(CHUNK) {
            let rows: Vec<(String, Option<String>)> = locations::table
                .filter(locations::code.eq_any(chunk))
                .select((locations::code, locations::parent_code))
                .load(conn)?;
            for (code, parent) in rows {
                next.extend(parent.clone());
                parent_of.insert(code, parent);
            }
        }
        // Codes that do not exist end the chain.
        for code in &wanted {
            parent_of.entry(code.clone()).or_insert(None);
        }
        wanted = next;
    }
    Ok(places
        .iter()
        .map(|l| {
            let mut chain = Vec::new();
            let mut at = l.parent_code.clone();
            while let Some(code) = at {
                if chain.contains(&code) || chain.len() > 5 {
                    break;
                }
                at = parent_of.get(&code).cloned().flatten();
                chain.push(code);
            }
            chain.reverse();
            (l.code.clone(), chain)
        })
        .collect())
}
