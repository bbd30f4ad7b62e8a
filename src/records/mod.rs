//! The record engine: cases now, incidents, tracing requests and families later, all stored the
//! same way (form data as JSON plus indexed projections) and changed through one service layer
//! that the web UI and the API share.

pub mod api;
pub mod form_view;
pub mod list_cache;
pub mod merge;
pub mod pages;
pub mod query;
pub(crate) mod reach;
pub mod search;
pub mod service;

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{Map, Value};

use crate::access::Resource;
use crate::db::schema::records;
use crate::error::AppResult;
use crate::forms::{self, Catalog};

/// A record type: its names, the permission resource guarding it, and its form.
#[derive(Debug, Clone, Copy)]
pub struct RecordKind {
    /// Singular, as stored (`case`).
    pub name: &'static str,
    /// Plural, as in URLs (`cases`).
    pub plural: &'static str,
    /// Name of the human id field in JSON (`case_id_display`).
    pub display_id_field: &'static str,
    pub resource: Resource,
}

impl RecordKind {
    /// The record type's current form.
    pub fn catalog(&self, conn: &mut crate::db::DbConnection) -> AppResult<Arc<Catalog>> {
        forms::store::catalog(conn, self.name)
    }
}

pub const CASE: RecordKind = RecordKind {
    name: "case",
    plural: "cases",
    display_id_field: "case_id_display",
    resource: Resource::Cases,
};

/// One stored record.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = records)]
pub struct Record {
    pub id: String,
    pub record_type: String,
    pub short_id: String,
    pub display_id: String,
    pub status: String,
    pub enabled: bool,
    pub owned_by: Option<String>,
    pub owned_by_agency: Option<String>,
    pub owned_by_groups: String,
    pub created_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<String>,
    pub version: i64,
    pub data: String,
    pub name_sort: String,
    pub sex: Option<String>,
    pub age: Option<i32>,
    pub date_of_birth: Option<NaiveDate>,
    pub registration_date: Option<NaiveDate>,
    pub risk_level: Option<String>,
    pub location_current: Option<String>,
    pub flagged: bool,
}

impl Record {
    /// The form data. Stored JSON that no longer parses is reported, never silently emptied.
    pub fn form_data(&self) -> AppResult<Map<String, Value>> {
        serde_json::from_str(&self.data).map_err(|e| {
            crate::error::AppError::internal(format!("record {} has unreadable data: {e}", self.id))
        })
    }

    /// The name shown in lists: first name and surname.
    pub fn display_name(data: &Map<String, Value>) -> String {
        ["name_first", "name_last"]
            .iter()
            .filter_map(|f| data.get(*f).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The columns that lists filter and sort on, derived from the form data. This is the one place
/// that keeps them in step with the JSON: every write goes through it.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = records, treat_none_as_null = true)]
pub struct Projection {
    pub name_sort: String,
    pub sex: Option<String>,
    pub age: Option<i32>,
    pub date_of_birth: Option<NaiveDate>,
    pub registration_date: Option<NaiveDate>,
    pub risk_level: Option<String>,
    pub location_current: Option<String>,
}

impl Projection {
    /// `entered` is the day the record was created: a record without a registration date sorts
    /// by it, so the column is never empty and lists can page through its index.
    pub fn of(data: &Map<String, Value>, entered: NaiveDate) -> Self {
        let text = |f: &str| {
            data.get(f)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let date = |f: &str| text(f).as_deref().and_then(forms::validate::parse_date);
        Self {
            name_sort: search::normalize(&Record::display_name(data)),
            sex: text("sex"),
            age: data
                .get("age")
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite() && *n >= 0.0 && *n <= 200.0)
                .map(|n| n as i32),
            date_of_birth: date("date_of_birth"),
            registration_date: date("registration_date").or(Some(entered)),
            risk_level: text("risk_level"),
            location_current: text("location_current"),
        }
    }
}

/// Search terms for a record's names.
pub fn search_terms(catalog: &Catalog, data: &Map<String, Value>) -> Vec<String> {
    let names: Vec<&str> = catalog
        .searchable_fields()
        .filter_map(|f| data.get(f).and_then(Value::as_str))
        .collect();
    search::index_terms(&names)
}

/// The short id Primero shows: the first seven hex digits of the UUID.
pub fn short_id(id: &str) -> String {
    id.chars().filter(|c| *c != '-').take(7).collect()
}
