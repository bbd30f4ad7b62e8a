//! The task list: what a worker owes on the open cases they own, with due dates. An assessment
//! and a case plan are due a configured number of days after registration until their approval
//! is requested; a service is due on its appointment date until it is implemented; a follow-up
//! on its "needed by" date until it has taken place. Read from the case as the worker's role
//! sees it, so a hidden section adds no task.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Map, Value};

use super::approvals::{self, APPROVED, REQUESTED};
use crate::config::RecordsConfig;
use crate::db::schema::records;
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::records::service::{redact, Caller};
use crate::records::{Record, RecordKind};

/// The most cases the list looks at (a worker's open caseload is far smaller).
const MAX_CASES: i64 = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub record_id: String,
    pub display_id: String,
    pub name: String,
    /// `assessment`, `case_plan`, `service` or `followup`.
    pub kind: &'static str,
    pub due: NaiveDate,
    pub overdue: bool,
}

fn date(v: Option<&Value>) -> Option<NaiveDate> {
    v.and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
}

fn entries<'a>(
    data: &'a Map<String, Value>,
    field: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    data.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|e| e.get("_destroy") != Some(&Value::Bool(true)))
}

/// The tasks of one case, from its data and approvals.
fn of_case(
    record: &Record,
    data: &Map<String, Value>,
    list: &[approvals::Approval],
    timeframes: &RecordsConfig,
) -> Vec<(&'static str, NaiveDate)> {
    let registered = record
        .registration_date
        .unwrap_or_else(|| record.created_at.date());
    let asked = |t: &str| {
        list.iter()
            .any(|a| a.approval_type == t && [REQUESTED, APPROVED].contains(&a.status.as_str()))
    };
    let mut out = Vec::new();
    if !asked("assessment") && !asked("case_plan") {
        out.push((
            "assessment",
            registered + chrono::Days::new(u64::from(timeframes.assessment_due_days)),
        ));
    }
    if !asked("case_plan") {
        out.push((
            "case_plan",
            registered + chrono::Days::new(u64::from(timeframes.case_plan_due_days)),
        ));
    }
    for s in entries(data, "services_section") {
        let implemented =
            s.get("service_implemented").and_then(Value::as_str) == Some("implemented");
        if let (false, Some(due)) = (implemented, date(s.get("service_appointment_date"))) {
            out.push(("service", due));
        }
    }
    for f in entries(data, "followup_subform_section") {
        let done = date(f.get("followup_date")).is_some();
        if let (false, Some(due)) = (done, date(f.get("followup_needed_by_date"))) {
            out.push(("followup", due));
        }
    }
    out
}

/// The caller's tasks on the open cases they own, soonest first.
pub fn for_caller(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    timeframes: &RecordsConfig,
) -> AppResult<Vec<Task>> {
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<Record> = records::table
        .filter(records::record_type.eq(kind.name))
        .filter(records::enabled.eq(true))
        .filter(records::status.eq("open"))
        .filter(records::owned_by.eq(caller.principal.user_id.clone()))
        .order(records::created_at.asc())
        .limit(MAX_CASES)
        .select(Record::as_select())
        .load(conn)?;
    let catalog = kind.catalog(conn)?;
    let mut tasks = Vec::new();
    for mut record in rows {
        redact(&catalog, &caller.principal, &mut record);
        let data = record.form_data()?;
        let list = approvals::of_record(conn, &record.id)?;
        for (what, due) in of_case(&record, &data, &list, timeframes) {
            tasks.push(Task {
                record_id: record.id.clone(),
                display_id: record.display_id.clone(),
                name: Record::display_name(&data),
                kind: what,
                due,
                overdue: due < today,
            });
        }
    }
    tasks.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.display_id.cmp(&b.display_id))
    });
    Ok(tasks)
}
