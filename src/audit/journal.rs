//! Group commit for the audit entries of reads.
//!
//! Every list and view is audited, and every entry extends one hash chain, so entries are
//! written one at a time in chain order. Written in a transaction each, concurrent reads queue on
//! the chain head (SQLite admits one writer at a time; PostgreSQL locks the head row), and a
//! view costs far more than the read itself. The journal writes them in batches instead: requests
//! hand their entry to one writer thread and wait; the thread takes everything queued, appends it
//! in one transaction on a connection of its own, and answers each request with its entry's
//! sequence number. A response is sent only after its entry has committed, exactly as before; a
//! failed batch fails every request in it.
//!
//! Changes keep writing their entry inside their own transaction ([`super::write`]), so that a
//! change and its entry commit together. Both paths extend the same chain under the same lock.

use std::sync::mpsc;

use super::{append, Actor, Event};
use crate::db::{write_transaction, Db, DbConnection};
use crate::error::{AppError, AppResult};

/// Entries taken into one transaction at most: enough to absorb every connection's requests at
/// once, small enough to keep one transaction short.
const MAX_BATCH: usize = 512;

struct Pending {
    actor: Actor,
    event: Event,
    done: mpsc::SyncSender<Result<i64, String>>,
}

/// A handle on the writer thread. Cheap to clone; the thread ends when the last handle is gone,
/// after writing what was queued.
#[derive(Clone)]
pub struct Journal {
    queue: mpsc::Sender<Pending>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// Starts the writer thread with its own database connection (never one from the pool,
    /// whose connections may all be held by requests waiting for this very thread).
    pub fn start(db: &Db) -> AppResult<Self> {
        let (queue, incoming) = mpsc::channel::<Pending>();
        let db = db.clone();
        std::thread::Builder::new()
            .name("casekeep-audit".into())
            .spawn(move || run(&db, &incoming))
            .map_err(|e| AppError::internal(format!("cannot start the audit writer: {e}")))?;
        Ok(Self { queue })
    }

    /// Appends an entry and waits until it has committed. Blocking: call it from database work
    /// (on the blocking pool), never on the async executor.
    pub fn append(&self, actor: &Actor, event: Event) -> AppResult<i64> {
        let (done, answer) = mpsc::sync_channel(1);
        let pending = Pending {
            actor: actor.clone(),
            event,
            done,
        };
        self.queue
            .send(pending)
            .map_err(|_| unavailable("stopped"))?;
        match answer.recv() {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(cause)) => Err(unavailable(&cause)),
            Err(_) => Err(unavailable("stopped before answering")),
        }
    }
}

/// Nothing is shown without its audit entry: a request whose entry could not be written fails.
fn unavailable(cause: &str) -> AppError {
    AppError::unavailable(
        "The audit log cannot be written just now, so nothing is shown. Try again in a moment.",
        format!("audit journal: {cause}"),
    )
}

fn run(db: &Db, incoming: &mpsc::Receiver<Pending>) {
    let mut conn: Option<DbConnection> = None;
    // recv() fails only once every handle is gone and the queue is empty.
    while let Ok(first) = incoming.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let result = write_batch(db, &mut conn, &batch);
        if result.is_err() {
            // Reconnect for the next batch: the failure may have been the connection's.
            conn = None;
        }
        for (i, p) in batch.into_iter().enumerate() {
            let answer = match &result {
                Ok(seqs) => seqs.get(i).copied().ok_or_else(|| "short batch".to_owned()),
                Err(e) => Err(e.clone()),
            };
            // The request may have gone (client disconnected): its entry stands regardless.
            let _ = p.done.send(answer);
        }
    }
}

fn write_batch(
    db: &Db,
    conn: &mut Option<DbConnection>,
    batch: &[Pending],
) -> Result<Vec<i64>, String> {
    let detail = |e: AppError| {
        let cause = e.cause.unwrap_or(e.message);
        tracing::error!(error = %cause, entries = batch.len(), "audit journal batch failed");
        cause
    };
    let c = match conn {
        Some(c) => c,
        None => conn.insert(db.dedicated().map_err(detail)?),
    };
    let items: Vec<(&Actor, &Event)> = batch.iter().map(|p| (&p.actor, &p.event)).collect();
    write_transaction(c, |c| append(c, &items)).map_err(detail)
}
