//! Group commit for the audit entries of reads.
//!
//! Every list and view is audited, and every entry extends one hash chain, so entries are
//! written one at a time in chain order. Written in a transaction each, concurrent reads queue on
//! the chain head (SQLite admits one writer at a time; PostgreSQL locks the head row), and a
//! view costs far more than the read itself. The journal writes them in batches instead: requests
//! hand their entry to one writer thread, give their database connection back and wait; the
//! thread takes everything queued, appends it in one transaction on a connection of its own, and
//! answers each request. What was read travels as [`Audited`], which releases it only once the
//! entry has committed: no response is sent before its entry is stored, and a failed batch fails
//! every request in it.
//!
//! Changes keep writing their entry inside their own transaction ([`super::write`]), so that a
//! change and its entry commit together. Both paths extend the same chain under the same lock.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{append, Actor, Event};
use crate::db::{restart_log, write_transaction, Db, DbConnection};
use crate::error::{AppError, AppResult};

/// Entries taken into one transaction at most: enough to absorb every connection's requests at
/// once, small enough to keep one transaction short.
const MAX_BATCH: usize = 512;

struct Pending {
    actor: Actor,
    event: Event,
    done: oneshot::Sender<Result<i64, String>>,
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

    /// Queues an entry; the receipt tells when it has committed. Never blocks, so a request can
    /// give its database connection back before it waits.
    pub fn submit(&self, actor: &Actor, event: Event) -> AppResult<Receipt> {
        let (done, answer) = oneshot::channel();
        let pending = Pending {
            actor: actor.clone(),
            event,
            done,
        };
        self.queue
            .send(pending)
            .map_err(|_| unavailable("stopped"))?;
        Ok(Receipt(Some(answer)))
    }
}

/// Proof of an audit entry in progress: wait on it before showing what was read.
#[derive(Debug)]
pub struct Receipt(Option<oneshot::Receiver<Result<i64, String>>>);

impl Receipt {
    /// An entry that has already committed (written directly, not through the journal).
    pub fn committed() -> Self {
        Self(None)
    }

    pub async fn wait(self) -> AppResult<()> {
        match self.0 {
            None => Ok(()),
            Some(answer) => settle(answer.await.ok()),
        }
    }
}

fn settle(answer: Option<Result<i64, String>>) -> AppResult<()> {
    match answer {
        Some(Ok(_)) => Ok(()),
        Some(Err(cause)) => Err(unavailable(&cause)),
        None => Err(unavailable("stopped before answering")),
    }
}

/// The result of a read, released only once the read's audit entry has committed.
#[must_use = "a read must be released with `committed` before it is shown"]
#[derive(Debug)]
pub struct Audited<T> {
    value: T,
    receipt: Receipt,
}

impl<T> Audited<T> {
    pub fn new(value: T, receipt: Receipt) -> Self {
        Self { value, receipt }
    }

    /// What was read, for reading more in the same database work. Show only what
    /// [`Audited::committed`] returns.
    pub fn get(&self) -> &T {
        &self.value
    }

    /// Adds to or transforms what was read, keeping the receipt.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Audited<U> {
        Audited {
            value: f(self.value),
            receipt: self.receipt,
        }
    }

    /// Waits until the audit entry has committed (or failed: then nothing is shown).
    pub async fn committed(self) -> AppResult<T> {
        self.receipt.wait().await?;
        Ok(self.value)
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
    let mut conn: Option<Writer> = None;
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

/// The journal's connection, and how many batches it committed since it last restarted the
/// write-ahead log.
struct Writer {
    conn: DbConnection,
    batches: u32,
}

/// Batches between restarts of SQLite's write-ahead log (a few megabytes of log at most).
const BATCHES_PER_LOG: u32 = 200;

fn write_batch(
    db: &Db,
    writer: &mut Option<Writer>,
    batch: &[Pending],
) -> Result<Vec<i64>, String> {
    let detail = |e: AppError| {
        let cause = e.cause.unwrap_or(e.message);
        tracing::error!(error = %cause, entries = batch.len(), "audit journal batch failed");
        cause
    };
    let w = match writer {
        Some(w) => w,
        None => writer.insert(Writer {
            conn: db.dedicated().map_err(detail)?,
            batches: 0,
        }),
    };
    let items: Vec<(&Actor, &Event)> = batch.iter().map(|p| (&p.actor, &p.event)).collect();
    let seqs = write_transaction(&mut w.conn, |c| append(c, &items)).map_err(detail)?;
    w.batches += 1;
    if w.batches >= BATCHES_PER_LOG {
        w.batches = 0;
        // The batch has committed: a failed checkpoint only means the log stays longer.
        if let Err(e) = restart_log(&mut w.conn) {
            tracing::warn!(
                cause = e.cause.as_deref().unwrap_or(""),
                "write-ahead log restart failed"
            );
        }
    }
    Ok(seqs)
}
