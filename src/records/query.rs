//! Listing records: the filters, sorting and pagination of Primero's list API, parsed once and
//! used by the API and the UI alike, and turned into one database query.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::list_cache::{self, Found, ListCache};
use super::{search, Record};
use crate::access::RecordScope;
use crate::db::schema::{record_generations, record_search_terms, records};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppResult;
use crate::forms::validate::parse_date;

pub const DEFAULT_PER: i64 = 20;
pub const MAX_PER: i64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    RegistrationDate,
    CreatedAt,
    UpdatedAt,
    Name,
    Age,
    DisplayId,
}

impl SortField {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "registration_date" => Self::RegistrationDate,
            "created_at" => Self::CreatedAt,
            "last_updated_at" | "updated_at" => Self::UpdatedAt,
            "name" | "name_sort" => Self::Name,
            "age" => Self::Age,
            "case_id_display" | "display_id" | "short_id" => Self::DisplayId,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegistrationDate => "registration_date",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "last_updated_at",
            Self::Name => "name",
            Self::Age => "age",
            Self::DisplayId => "case_id_display",
        }
    }
}

/// A parsed list request. Built from query parameters; unknown parameters are ignored.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub page: i64,
    pub per: i64,
    pub order_by: SortField,
    pub descending: bool,
    pub status: Option<Vec<String>>,
    pub sex: Option<Vec<String>>,
    pub risk_level: Option<Vec<String>>,
    pub age: Option<(Option<i32>, Option<i32>)>,
    pub registration_date: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    pub last_updated_at: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)>,
    pub flagged: Option<bool>,
    pub location: Option<String>,
    pub query: Option<String>,
    /// Find by id even outside the caller's own records.
    pub id_search: bool,
    /// Only the list-view columns.
    pub short: bool,
    /// A filter value could not be parsed: the answer is an empty page, not an error.
    pub matches_nothing: bool,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per: DEFAULT_PER,
            order_by: SortField::RegistrationDate,
            descending: true,
            status: None,
            sex: None,
            risk_level: None,
            age: None,
            registration_date: None,
            last_updated_at: None,
            flagged: None,
            location: None,
            query: None,
            id_search: false,
            short: false,
            matches_nothing: false,
        }
    }
}

/// `a..b`, `a..`, `..b` or a single value `a` (both ends).
fn range<T: Copy>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<(Option<T>, Option<T>)> {
    match text.split_once("..") {
        Some((a, b)) => {
            let lo = if a.is_empty() { None } else { Some(parse(a)?) };
            let hi = if b.is_empty() { None } else { Some(parse(b)?) };
            Some((lo, hi))
        }
        None => parse(text).map(|v| (Some(v), Some(v))),
    }
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn timestamp(text: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| parse_date(text).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

impl ListQuery {
    pub fn parse(params: &[(String, String)]) -> Self {
        let mut q = Self::default();
        for (key, value) in params {
            let value = value.trim();
            let mut bad = false;
            match key.as_str() {
                "page" => match value.parse::<i64>() {
                    Ok(p) if p >= 1 => q.page = p,
                    _ => bad = true,
                },
                // Larger pages are capped, not refused.
                "per" => match value.parse::<i64>() {
                    Ok(p) if p >= 1 => q.per = p.min(MAX_PER),
                    _ => bad = true,
                },
                "order_by" => match SortField::parse(value) {
                    Some(f) => q.order_by = f,
                    None => bad = true,
                },
                "order" => match value {
                    "asc" => q.descending = false,
                    "desc" => q.descending = true,
                    _ => bad = true,
                },
                "status" => q.status = Some(list(value)),
                "sex" => q.sex = Some(list(value)),
                "risk_level" => q.risk_level = Some(list(value)),
                "age" => match range(value, |s| s.parse::<i32>().ok()) {
                    Some(r) => q.age = Some(r),
                    None => bad = true,
                },
                "registration_date" => match range(value, parse_date) {
                    Some(r) => q.registration_date = Some(r),
                    None => bad = true,
                },
                "last_updated_at" => match range(value, timestamp) {
                    Some(r) => q.last_updated_at = Some(r),
                    None => bad = true,
                },
                "flagged" => match value {
                    "true" => q.flagged = Some(true),
                    "false" => q.flagged = Some(false),
                    _ => bad = true,
                },
                "loc:location_current" | "location_current" => {
                    q.location = Some(value.to_owned()).filter(|v| !v.is_empty())
                }
                "query" => q.query = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "id_search" => q.id_search = value == "true",
                "fields" => q.short = value == "short",
                _ => {}
            }
            if bad {
                q.matches_nothing = true;
            }
        }
        q
    }

    /// Names of the filters in use, for the audit log (never their values: a search can hold a
    /// child's name).
    pub fn filter_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        let used = [
            ("status", self.status.is_some()),
            ("sex", self.sex.is_some()),
            ("risk_level", self.risk_level.is_some()),
            ("age", self.age.is_some()),
            ("registration_date", self.registration_date.is_some()),
            ("last_updated_at", self.last_updated_at.is_some()),
            ("flagged", self.flagged.is_some()),
            ("location_current", self.location.is_some()),
            ("query", self.query.is_some()),
        ];
        for (name, on) in used {
            if on {
                names.push(name);
            }
        }
        names
    }

    /// The query string for the same list on another page (for the UI's links).
    pub fn to_params(&self, page: i64) -> Vec<(String, String)> {
        let mut p = vec![("page".to_owned(), page.to_string())];
        let mut push = |k: &str, v: String| p.push((k.to_owned(), v));
        if self.per != DEFAULT_PER {
            push("per", self.per.to_string());
        }
        push("order_by", self.order_by.as_str().to_owned());
        push(
            "order",
            if self.descending { "desc" } else { "asc" }.to_owned(),
        );
        for (k, v) in [
            ("status", &self.status),
            ("sex", &self.sex),
            ("risk_level", &self.risk_level),
        ] {
            if let Some(v) = v {
                push(k, v.join(","));
            }
        }
        if let Some((lo, hi)) = self.age {
            let s = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
            push("age", format!("{}..{}", s(lo), s(hi)));
        }
        if let Some(f) = self.flagged {
            push("flagged", f.to_string());
        }
        if let Some(l) = &self.location {
            push("loc:location_current", l.clone());
        }
        if let Some(q) = &self.query {
            push("query", q.clone());
        }
        p
    }
}

diesel::define_sql_function!(fn substr(text: diesel::sql_types::Nullable<diesel::sql_types::Text>, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

use super::reach::Boxed;

/// The filtered query, without ordering or paging (shared by the page and the count).
fn filtered<'a>(record_type: &'a str, scope: &RecordScope, q: &'a ListQuery) -> Boxed<'a> {
    let mut query = records::table
        .filter(records::record_type.eq(record_type))
        .filter(records::enabled.eq(true))
        .into_boxed();
    // An id search reaches beyond the caller's own records; the caller sees only the summary.
    let by_id = q.id_search && q.query.is_some();
    if !by_id {
        query = super::reach::within(query, scope);
    }
    if let Some(v) = &q.status {
        query = query.filter(records::status.eq_any(v.clone()));
    }
    if let Some(v) = &q.sex {
        query = query.filter(records::sex.eq_any(v.clone()));
    }
    if let Some(v) = &q.risk_level {
        query = query.filter(records::risk_level.eq_any(v.clone()));
    }
    if let Some((lo, hi)) = q.age {
        if let Some(lo) = lo {
            query = query.filter(records::age.ge(lo));
        }
        if let Some(hi) = hi {
            query = query.filter(records::age.le(hi));
        }
    }
    if let Some((lo, hi)) = q.registration_date {
        if let Some(lo) = lo {
            query = query.filter(records::registration_date.ge(lo));
        }
        if let Some(hi) = hi {
            query = query.filter(records::registration_date.le(hi));
        }
    }
    if let Some((lo, hi)) = q.last_updated_at {
        if let Some(lo) = lo {
            query = query.filter(records::updated_at.ge(lo));
        }
        if let Some(hi) = hi {
            query = query.filter(records::updated_at.le(hi));
        }
    }
    if let Some(f) = q.flagged {
        query = query.filter(records::flagged.eq(f));
    }
    if let Some(loc) = &q.location {
        // The location and everything under it: codes below a place extend its code. A prefix
        // comparison with substr is exact and case-sensitive on both backends (LIKE is not:
        // SQLite's ignores ASCII case and needs an ESCAPE clause for _ and %).
        let len = i32::try_from(loc.chars().count()).unwrap_or(i32::MAX);
        query = query.filter(substr(records::location_current, 1, len).eq(loc.clone()));
    }
    if let Some(text) = &q.query {
        let id = text.trim().to_owned();
        // Human ids are matched as typed and in upper case ("cp-2026-000012" finds CP-...).
        let id_match = records::display_id
            .eq_any(vec![id.clone(), id.to_uppercase()])
            .or(records::short_id.eq(id.to_lowercase()))
            .or(records::id.eq(id.to_lowercase()));
        if by_id {
            query = query.filter(id_match);
        } else {
            // Names: every query word must match one of the record's terms. Each word is an
            // IN (subquery) over the term index, evaluated once, not a lookup per record.
            let mut names: Option<BoxedCondition> = None;
            for group in search::query_terms(text) {
                let word: BoxedCondition = Box::new(
                    records::id.eq_any(
                        record_search_terms::table
                            .filter(record_search_terms::term.eq_any(group))
                            .select(record_search_terms::record_id),
                    ),
                );
                names = Some(match names {
                    None => word,
                    Some(previous) => Box::new(previous.and(word)),
                });
            }
            // An id typed into the same box still finds its record; the id columns are only
            // consulted when the text could be one (it has a digit, or is seven hex digits).
            query = match (names, could_be_id(&id)) {
                (Some(n), true) => query.filter(n.or(id_match)),
                (Some(n), false) => query.filter(n),
                (None, _) => query.filter(id_match),
            };
        }
    }
    query
}

/// Whether search text could be a record id (display id, short id or UUID).
fn could_be_id(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        || (text.len() == 7 && text.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A boolean condition over `records`, for combining a variable number of them.
type BoxedCondition =
    Box<dyn BoxableExpression<records::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// The filtered query in the requested order. The id breaks ties in the same direction as the
/// sort, so that the database can read the page straight from the matching index. Missing ages
/// sort last on both backends.
fn ordered<'a>(query: Boxed<'a>, q: &ListQuery) -> Boxed<'a> {
    let d = q.descending;
    match q.order_by {
        SortField::RegistrationDate if d => {
            query.order((records::registration_date.desc(), records::id.desc()))
        }
        SortField::RegistrationDate => {
            query.order((records::registration_date.asc(), records::id.asc()))
        }
        SortField::Age if d => query.order((
            records::age.is_null().asc(),
            records::age.desc(),
            records::id.desc(),
        )),
        SortField::Age => query.order((
            records::age.is_null().asc(),
            records::age.asc(),
            records::id.asc(),
        )),
        SortField::CreatedAt if d => query.order((records::created_at.desc(), records::id.desc())),
        SortField::CreatedAt => query.order((records::created_at.asc(), records::id.asc())),
        SortField::UpdatedAt if d => query.order((records::updated_at.desc(), records::id.desc())),
        SortField::UpdatedAt => query.order((records::updated_at.asc(), records::id.asc())),
        SortField::Name if d => query.order((records::name_sort.desc(), records::id.desc())),
        SortField::Name => query.order((records::name_sort.asc(), records::id.asc())),
        SortField::DisplayId if d => query.order((records::display_id.desc(), records::id.desc())),
        SortField::DisplayId => query.order((records::display_id.asc(), records::id.asc())),
    }
}

/// The record type's generation: it moves with every change to its records (see
/// [`super::list_cache`]).
fn generation(conn: &mut DbConnection, record_type: &str) -> AppResult<i64> {
    Ok(record_generations::table
        .find(record_type)
        .select(record_generations::generation)
        .first(conn)
        .optional()?
        .unwrap_or(-1))
}

/// What identifies a list apart from its page: record type, whose view, filters and order.
fn cache_key(record_type: &str, scope: &RecordScope, q: &ListQuery) -> String {
    format!(
        "{record_type}|{scope:?}|{:?}",
        (
            q.order_by,
            q.descending,
            &q.status,
            &q.sex,
            &q.risk_level,
            q.age,
            q.registration_date,
            q.last_updated_at,
            q.flagged,
            &q.location,
            &q.query,
            q.id_search,
        )
    )
}

/// Full records for ids, in the order of the ids.
fn records_in_order(conn: &mut DbConnection, ids: &[String]) -> AppResult<Vec<Record>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<Record> = records::table
        .filter(records::id.eq_any(ids))
        .select(Record::as_select())
        .load(conn)?;
    let position: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    rows.sort_by_key(|r| position.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// One page of records and the total that match.
///
/// Ids are found first and whole records read only for the page: sorting thousands of name
/// matches then moves ids, not form data. Totals, and the ids of lists with few enough matches,
/// are reused from `cache` while no record of the type has changed.
pub fn page(
    conn: &mut DbConnection,
    record_type: &str,
    scope: &RecordScope,
    q: &ListQuery,
    cache: &ListCache,
) -> AppResult<(Vec<Record>, i64)> {
    if q.matches_nothing {
        return Ok((Vec::new(), 0));
    }
    let offset = usize::try_from((q.page - 1).saturating_mul(q.per)).unwrap_or(usize::MAX);
    let per = usize::try_from(q.per).unwrap_or(0);
    let generation = generation(conn, record_type)?;
    let key = cache_key(record_type, scope, q);
    let enough = |f: &Found| f.ids.is_some() || !list_cache::keeps_ids(f.total, offset);
    let found = match cache.get(&key, generation).filter(enough) {
        Some(found) => found,
        None => {
            // One request works a list out while the others asking for it wait for the answer.
            let _turn = cache.turn(&key);
            match cache.get(&key, generation) {
                Some(found) if enough(&found) => found,
                known => {
                    let total: i64 = match known {
                        Some(f) => f.total,
                        None => filtered(record_type, scope, q).count().get_result(conn)?,
                    };
                    let ids = if list_cache::keeps_ids(total, offset) {
                        let all: Vec<String> = ordered(filtered(record_type, scope, q), q)
                            .select(records::id)
                            .load(conn)?;
                        Some(std::sync::Arc::new(all))
                    } else {
                        None
                    };
                    let found = Found { total, ids };
                    cache.put(key, generation, found.clone());
                    found
                }
            }
        }
    };
    let page_ids: Vec<String> = match &found.ids {
        Some(ids) => ids.iter().skip(offset).take(per).cloned().collect(),
        None => ordered(filtered(record_type, scope, q), q)
            .select(records::id)
            .limit(q.per)
            .offset((q.page - 1).saturating_mul(q.per))
            .load(conn)?,
    };
    Ok((records_in_order(conn, &page_ids)?, found.total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ListQuery {
        let params: Vec<(String, String)> = url::form_urlencoded::parse(s.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        ListQuery::parse(&params)
    }

    #[test]
    fn primero_parameters() {
        let q = parse("&per=10&page=2&status=open,closed&age=10..15&flagged=true&sex=female&order_by=age&order=asc&whatever=1");
        assert_eq!((q.page, q.per), (2, 10));
        assert_eq!(q.status.unwrap(), ["open", "closed"]);
        assert_eq!(q.age, Some((Some(10), Some(15))));
        assert_eq!(q.flagged, Some(true));
        assert_eq!(q.order_by, SortField::Age);
        assert!(!q.descending && !q.matches_nothing);
        assert_eq!(parse("age=..5").age, Some((None, Some(5))));
        assert_eq!(parse("age=7").age, Some((Some(7), Some(7))));
        let d = parse("last_updated_at=2024-01-01T00:00:00Z..")
            .last_updated_at
            .unwrap();
        assert!(d.0.is_some() && d.1.is_none());
    }

    #[test]
    fn caps_and_unparseable_values() {
        assert_eq!(parse("per=5000").per, MAX_PER);
        assert_eq!(parse("").per, DEFAULT_PER);
        for bad in [
            "age=ten..15",
            "page=0",
            "per=-1",
            "flagged=maybe",
            "last_updated_at=yesterday..",
            "order_by=salary",
        ] {
            assert!(parse(bad).matches_nothing, "{bad}");
        }
    }
}
