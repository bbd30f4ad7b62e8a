//! Changes to the location tree. Each runs in one write transaction that also raises the
//! configuration stamp (forms cache the tree by it) and writes the audit entry, so a change is
//! stored with both or not at all. Problems are collected and answered together.

use std::collections::HashSet;

use diesel::prelude::*;

use super::hxl::{self, HxlProblem, Issue, Place, Source};
use super::{find, find_many, Location};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::locations;
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::forms::store::config_changed;
use crate::i18n::names::{self, Names, NamesPatch};

/// Longest place type (`province`, `district`...), in characters.
const MAX_TYPE_CHARS: usize = 64;
/// The deepest admin level.
const MAX_LEVEL: i32 = 5;

/// A place to add.
#[derive(Debug, Clone, Default)]
pub struct NewPlace {
    pub code: String,
    /// The place it is under; none for a country.
    pub parent_code: Option<String>,
    /// Follows from the parent; if given, it must agree.
    pub admin_level: Option<i32>,
    pub location_type: Option<String>,
    pub names: NamesPatch,
    pub disabled: bool,
}

/// A change to a place: only what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct PlacePatch {
    pub names: Option<NamesPatch>,
    pub location_type: Option<Option<String>>,
    pub disabled: Option<bool>,
    /// A new parent, which must be one level up (`Some(None)`: no parent, for a country).
    pub parent_code: Option<Option<String>>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn problem(field: &str, kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message: message.into(),
    }
}

/// The rules for a code, as the HXL import applies them.
fn code_problem(code: &str) -> Option<Problem> {
    if code.is_empty() {
        Some(problem("code", "required", "code is required"))
    } else if code.chars().count() > hxl::MAX_CODE_CHARS || code.chars().any(char::is_control) {
        Some(problem(
            "code",
            "invalid_code",
            format!(
                "code must have at most {} characters and no control characters",
                hxl::MAX_CODE_CHARS
            ),
        ))
    } else {
        None
    }
}

/// A place type as stored: trimmed, empty meaning none.
fn place_type(value: Option<&str>, problems: &mut Vec<Problem>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > MAX_TYPE_CHARS || value.chars().any(char::is_control) {
        problems.push(problem(
            "type",
            "too_long",
            format!("type must have at most {MAX_TYPE_CHARS} characters"),
        ));
    }
    Some(value.to_owned())
}

fn fail_if(problems: Vec<Problem>) -> AppResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

/// Adds a place under an existing one (or a country), audited as `location.create`.
pub fn create(conn: &mut DbConnection, actor: &Actor, new: &NewPlace) -> AppResult<Location> {
    let code = new.code.trim().to_owned();
    let mut problems: Vec<Problem> = code_problem(&code).into_iter().collect();
    let names = names::apply("name", &Names::new(), &new.names, false).unwrap_or_else(|p| {
        problems.extend(p);
        Names::new()
    });
    let location_type = place_type(new.location_type.as_deref(), &mut problems);
    let parent_code = new
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    write_transaction(conn, |conn| {
        let level = match &parent_code {
            None => 0,
            Some(p) => match find(conn, p)? {
                Some(parent) if parent.admin_level >= MAX_LEVEL => {
                    problems.push(problem(
                        "parent_code",
                        "too_deep",
                        format!("{p} is at admin level {MAX_LEVEL}: no place can be under it"),
                    ));
                    MAX_LEVEL
                }
                Some(parent) => parent.admin_level + 1,
                None => {
                    problems.push(problem(
                        "parent_code",
                        "unknown_location",
                        format!("there is no place with code {p}"),
                    ));
                    0
                }
            },
        };
        if let Some(given) = new.admin_level.filter(|given| *given != level) {
            problems.push(problem(
                "admin_level",
                "wrong_level",
                format!(
                    "admin_level {given} does not match the parent: a place under it is at level {level}"
                ),
            ));
        }
        fail_if(std::mem::take(&mut problems))?;
        if find(conn, &code)?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A place with code {code} already exists."),
            ));
        }
        let place = Location {
            code: code.clone(),
            admin_level: level,
            parent_code: parent_code.clone(),
            location_type,
            names: names::to_json(&names),
            disabled: new.disabled,
            updated_at: now(),
        };
        diesel::insert_into(locations::table)
            .values(&place)
            .execute(conn)?;
        config_changed(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("location.create", Outcome::Done)
                .record("location", &place.code, None)
                .detail(serde_json::json!({ "admin_level": level })),
        )?;
        Ok(place)
    })
}

/// Changes a place's names, type, state or parent, audited as `location.update` with the names
/// of the fields changed. A place moves only under another place of the same level as its
/// parent, so the tree keeps its levels.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    patch: &PlacePatch,
) -> AppResult<Location> {
    write_transaction(conn, |conn| {
        let current = find(conn, code)?.ok_or_else(AppError::not_found)?;
        let mut problems = Vec::new();
        let mut next = current.clone();
        if let Some(change) = &patch.names {
            match names::apply("name", &current.names(), change, false) {
                Ok(n) => next.names = names::to_json(&n),
                Err(p) => problems.extend(p),
            }
        }
        if let Some(t) = &patch.location_type {
            next.location_type = place_type(t.as_deref(), &mut problems);
        }
        if let Some(disabled) = patch.disabled {
            next.disabled = disabled;
        }
        if let Some(parent) = &patch.parent_code {
            let parent = parent.as_deref().map(str::trim).filter(|p| !p.is_empty());
            match parent {
                None if current.admin_level != 0 => problems.push(problem(
                    "parent_code",
                    "required",
                    "only a country (admin level 0) has no parent",
                )),
                None => next.parent_code = None,
                Some(p) => match find(conn, p)? {
                    Some(up) if up.admin_level == current.admin_level - 1 => {
                        next.parent_code = Some(up.code)
                    }
                    Some(up) => problems.push(problem(
                        "parent_code",
                        "wrong_level",
                        format!(
                            "{p} is at admin level {}: the parent of a level {} place must be at level {}",
                            up.admin_level,
                            current.admin_level,
                            current.admin_level - 1
                        ),
                    )),
                    None => problems.push(problem(
                        "parent_code",
                        "unknown_location",
                        format!("there is no place with code {p}"),
                    )),
                },
            }
        }
        fail_if(problems)?;
        let mut fields = Vec::new();
        if next.names != current.names {
            fields.push("name");
        }
        if next.location_type != current.location_type {
            fields.push("type");
        }
        if next.disabled != current.disabled {
            fields.push("disabled");
        }
        if next.parent_code != current.parent_code {
            fields.push("parent_code");
        }
        if fields.is_empty() {
            return Ok(current);
        }
        next.updated_at = now();
        diesel::update(locations::table.find(code))
            .set((
                locations::names.eq(&next.names),
                locations::location_type.eq(&next.location_type),
                locations::disabled.eq(next.disabled),
                locations::parent_code.eq(&next.parent_code),
                locations::updated_at.eq(next.updated_at),
            ))
            .execute(conn)?;
        config_changed(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("location.update", Outcome::Done)
                .record("location", code, None)
                .detail(serde_json::json!({ "fields": fields })),
        )?;
        Ok(next)
    })
}

/// Stores the places of an HXL file: creates the new ones and updates the names of the others,
/// all in one transaction. A place the file puts under another parent or at another level than
/// it has in Casekeep is a problem; with any problem nothing is stored and the report is
/// returned instead. Audited as `location.import` with the counts.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    places: &[Place],
) -> AppResult<Result<ImportCounts, Vec<HxlProblem>>> {
    write_transaction(conn, |conn| {
        let codes: Vec<String> = places.iter().map(|p| p.code.clone()).collect();
        let existing = find_many(conn, &codes)?;
        let problems: Vec<HxlProblem> = places
            .iter()
            .filter_map(|p| {
                let known = existing.get(&p.code)?;
                let issue = if known.admin_level != p.level {
                    Issue::OtherLevel {
                        code: p.code.clone(),
                        source: Source::Database,
                    }
                } else if known.parent_code != p.parent {
                    Issue::BrokenParent {
                        code: p.code.clone(),
                        parent: known.parent_code.clone().unwrap_or_default(),
                        source: Source::Database,
                    }
                } else {
                    return None;
                };
                Some(HxlProblem {
                    row: p.row,
                    tag: Some(p.tag.clone()),
                    issue,
                })
            })
            .collect();
        if !problems.is_empty() {
            // Nothing was written: returning commits an empty transaction.
            return Ok(Err(hxl::cap(problems)));
        }
        let mut counts = ImportCounts::default();
        let at = now();
        // Parents first, so that each new place's parent exists when it is inserted.
        let mut ordered: Vec<&Place> = places.iter().collect();
        ordered.sort_by_key(|p| p.level);
        let mut done = HashSet::new();
        for place in ordered {
            if !done.insert(place.code.as_str()) {
                continue;
            }
            match existing.get(&place.code) {
                None => {
                    diesel::insert_into(locations::table)
                        .values(&Location {
                            code: place.code.clone(),
                            admin_level: place.level,
                            parent_code: place.parent.clone(),
                            location_type: None,
                            names: names::to_json(&place.names),
                            disabled: false,
                            updated_at: at,
                        })
                        .execute(conn)?;
                    counts.created += 1;
                }
                Some(known) => {
                    // Languages the file names replace those stored; the others are kept.
                    let mut merged = known.names();
                    merged.extend(place.names.clone());
                    if merged == known.names() {
                        counts.unchanged += 1;
                        continue;
                    }
                    diesel::update(locations::table.find(&place.code))
                        .set((
                            locations::names.eq(names::to_json(&merged)),
                            locations::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                    counts.updated += 1;
                }
            }
        }
        if counts.created + counts.updated > 0 {
            config_changed(conn)?;
        }
        audit::write(
            conn,
            actor,
            Event::new("location.import", Outcome::Done).detail(serde_json::json!({
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            })),
        )?;
        Ok(Ok(counts))
    })
}
