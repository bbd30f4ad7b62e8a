//! The audit log: one append-only, hash-chained entry per access, written in the same database
//! transaction as the change it records.
//!
//! Each entry stores the SHA-256 of the previous entry (`prev_hash`) and of its own canonical
//! content (`entry_hash`, which covers `prev_hash`). Altering, removing or reordering an entry
//! breaks the chain at that point, which [`verify`] reports.

pub mod journal;

pub use journal::{Audited, Journal, Receipt};

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_chain_head, audit_log};
use crate::db::{now, DbConnection};
use crate::error::AppResult;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }
}

/// Who did it and from where: taken from the request and the signed-in user.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The command line: the operator at the console.
    pub fn console() -> Self {
        Self {
            username: Some("(console)".into()),
            ..Self::default()
        }
    }
}

/// One thing to record. `detail` holds action-specific facts and must never hold personal data of
/// record subjects.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: &'static str,
    pub outcome: Outcome,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub record_owner: Option<String>,
    pub detail: serde_json::Value,
}

impl Event {
    pub fn new(action: &'static str, outcome: Outcome) -> Self {
        Self {
            action,
            outcome,
            record_type: None,
            record_id: None,
            record_owner: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn record(mut self, record_type: &str, id: &str, owner: Option<&str>) -> Self {
        self.record_type = Some(record_type.into());
        self.record_id = Some(id.into());
        self.record_owner = owner.map(Into::into);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    pub seq: i64,
    pub id: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role_id: Option<String>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub record_owner: Option<String>,
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub entry_hash: String,
}

impl Entry {
    /// SHA-256 over a canonical rendering of every field except `entry_hash` itself.
    pub fn compute_hash(&self) -> String {
        // A JSON array in fixed field order: unambiguous, and stable across backends because
        // times are rendered to the microsecond in UTC.
        let canonical = serde_json::json!([
            self.seq,
            self.id,
            self.occurred_at
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
            self.user_id,
            self.username,
            self.role_id,
            self.action,
            self.record_type,
            self.record_id,
            self.record_owner,
            self.outcome,
            self.ip,
            self.user_agent,
            self.request_id,
            self.detail,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// Appends an entry. Call it inside the transaction of the change being recorded, so the entry
/// and the change commit or roll back together.
pub fn write(conn: &mut DbConnection, actor: &Actor, event: Event) -> AppResult<i64> {
    let seqs = append(conn, &[(actor, &event)])?;
    seqs.first()
        .copied()
        .ok_or_else(|| crate::error::AppError::internal("audit: no entry written"))
}

/// Appends entries in the order given, inside the caller's transaction; returns their sequence
/// numbers.
pub(crate) fn append(conn: &mut DbConnection, items: &[(&Actor, &Event)]) -> AppResult<Vec<i64>> {
    // Touching the head row first serialises concurrent writers on both backends (a row lock on
    // PostgreSQL; SQLite write transactions are already exclusive).
    diesel::update(audit_chain_head::table.find(1))
        .set(audit_chain_head::last_seq.eq(audit_chain_head::last_seq))
        .execute(conn)?;
    let (mut last_seq, mut last_hash): (i64, String) = audit_chain_head::table
        .find(1)
        .select((audit_chain_head::last_seq, audit_chain_head::last_hash))
        .first(conn)?;
    let at = now();
    let mut entries = Vec::with_capacity(items.len());
    for (actor, event) in items {
        let mut entry = Entry {
            seq: last_seq + 1,
            id: uuid::Uuid::new_v4().to_string(),
            occurred_at: at,
            user_id: actor.user_id.clone(),
            username: actor.username.clone(),
            role_id: actor.role_id.clone(),
            action: event.action.into(),
            record_type: event.record_type.clone(),
            record_id: event.record_id.clone(),
            record_owner: event.record_owner.clone(),
            outcome: event.outcome.as_str().into(),
            ip: actor.ip.clone(),
            user_agent: actor.user_agent.as_deref().map(truncate_agent),
            request_id: actor.request_id.clone(),
            detail: event.detail.to_string(),
            prev_hash: last_hash,
            entry_hash: String::new(),
        };
        entry.entry_hash = entry.compute_hash();
        last_seq = entry.seq;
        last_hash = entry.entry_hash.clone();
        entries.push(entry);
    }
    // One prepared statement, reused: diesel has no multi-row insert over both backends.
    for entry in &entries {
        diesel::insert_into(audit_log::table)
            .values(entry)
            .execute(conn)?;
    }
    diesel::update(audit_chain_head::table.find(1))
        .set((
            audit_chain_head::last_seq.eq(last_seq),
            audit_chain_head::last_hash.eq(&last_hash),
        ))
        .execute(conn)?;
    Ok(entries.iter().map(|e| e.seq).collect())
}

/// Writes an entry in a transaction of its own (for events with no other change, such as a
/// denied request).
pub fn write_alone(conn: &mut DbConnection, actor: &Actor, event: Event) -> AppResult<i64> {
    crate::db::write_transaction(conn, |c| write(c, actor, event))
}

fn truncate_agent(agent: &str) -> String {
    agent.chars().take(400).collect()
}

/// Where the chain first breaks.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry's content no longer matches its hash.
    Altered { seq: i64 },
    /// Entries are missing before this one (or it was moved here).
    Missing { expected_seq: i64, found_seq: i64 },
    /// The entry does not follow the one before it.
    Reordered { seq: i64 },
    /// The newest entries were removed: the chain head names a later entry.
    Truncated { last_seq: i64, head_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Altered { seq } => write!(f, "entry {seq} was altered"),
            Self::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "entries {expected_seq} to {} were removed",
                found_seq - 1
            ),
            Self::Reordered { seq } => {
                write!(
                    f,
                    "entry {seq} does not follow the entry before it (reordered or replaced)"
                )
            }
            Self::Truncated { last_seq, head_seq } => {
                write!(f, "entries after {last_seq} up to {head_seq} were removed")
            }
        }
    }
}

/// Walks the whole chain in order; returns the number of entries checked, or the first break.
pub fn verify(conn: &mut DbConnection) -> AppResult<Result<i64, ChainBreak>> {
    const BATCH: i64 = 1000;
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    loop {
        let batch: Vec<Entry> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(BATCH)
            .select(Entry::as_select())
            .load(conn)?;
        for entry in &batch {
            if entry.seq != expected_seq {
                return Ok(Err(ChainBreak::Missing {
                    expected_seq,
                    found_seq: entry.seq,
                }));
            }
            if entry.compute_hash() != entry.entry_hash {
                return Ok(Err(ChainBreak::Altered { seq: entry.seq }));
            }
            if entry.prev_hash != prev_hash {
                return Ok(Err(ChainBreak::Reordered { seq: entry.seq }));
            }
            prev_hash = entry.entry_hash.clone();
            expected_seq += 1;
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    let head_seq: i64 = audit_chain_head::table
        .find(1)
        .select(audit_chain_head::last_seq)
        .first(conn)?;
    let last_seq = expected_seq - 1;
    if head_seq != last_seq {
        return Ok(Err(ChainBreak::Truncated { last_seq, head_seq }));
    }
    Ok(Ok(last_seq))
}

/// The newest entries, newest first (for tests and the console).
pub fn recent(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<Entry>> {
    Ok(audit_log::table
        .order(audit_log::seq.desc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}
