//! One diesel codebase over SQLite (embedded default) and PostgreSQL (production).
//!
//! Queries are written once against [`DbConnection`]; only connection set-up, migrations and
//! write-transaction start differ per backend. Database work runs on actix's blocking pool through
//! [`Db::run`], never on the async executor.

pub mod migrations;
pub mod schema;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::PgConnection;

use crate::config::{Config, DatabaseUrl};
use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = Pool<ConnectionManager>;
pub type PooledDb = PooledConnection<ConnectionManager>;

/// Opens connections of the configured backend only. diesel's generic manager would call
/// `DbConnection::establish`, which tries every backend in turn (asking SQLite to open a
/// PostgreSQL URL as a file name) and replaces the real failure with "invalid connection url".
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    conn_string: String,
    postgres: bool,
}

impl ConnectionManager {
    /// A message about this connection with the password (if any) replaced.
    fn without_password(&self, message: &str) -> String {
        match url::Url::parse(&self.conn_string) {
            Ok(u) if self.postgres => match u.password().filter(|p| !p.is_empty()) {
                Some(pw) => message.replace(pw, "********"),
                None => message.to_owned(),
            },
            _ => message.to_owned(),
        }
    }

    fn establish(&self) -> diesel::ConnectionResult<DbConnection> {
        if self.postgres {
            PgConnection::establish(&self.conn_string).map(DbConnection::Pg)
        } else {
            SqliteConnection::establish(&self.conn_string).map(DbConnection::Sqlite)
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.establish()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Why the database could not be opened. Messages never contain the password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migration(String),
}

/// The shared database handle: a connection pool plus which backend it is.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    /// For connections outside the pool (the audit journal's).
    manager: ConnectionManager,
    backend: &'static str,
}

impl Db {
    /// Opens (and for SQLite, creates) the configured database and checks it answers.
    pub fn connect(config: &Config) -> Result<Self, DbError> {
        let url = config.database_url().map_err(|e| DbError::Connect {
            url: "(invalid)".into(),
            reason: e.to_string(),
        })?;
        let shown = url.to_string();
        let connect_err = |reason: String| DbError::Connect {
            url: shown.clone(),
            reason,
        };
        let conn_string = match &url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        connect_err(format!("cannot create directory {}: {e}", parent.display()))
                    })?;
                }
                // The multi-connection dispatches on the scheme; SQLite itself takes a plain path.
                format!("sqlite://{}", path.display())
            }
            DatabaseUrl::Postgres(raw) => {
                with_connect_timeout(raw, config.database.connect_timeout)
            }
        };
        // Establish one connection first: r2d2 would retry silently until its timeout and then
        // report only "timed out", losing the real reason (wrong password, unknown host...).
        let manager = ConnectionManager {
            conn_string,
            postgres: matches!(url, DatabaseUrl::Postgres(_)),
        };
        let mut first = manager
            .establish()
            .map_err(|e| connect_err(redact(&e.to_string(), &url)))?;
        if let DbConnection::Sqlite(c) = &mut first {
            // WAL is a property of the database file: set it once here, not from every pooled
            // connection at the same time (switching needs an exclusive lock). WAL lets readers
            // proceed during a write.
            diesel::sql_query("PRAGMA journal_mode = WAL")
                .execute(c)
                .map_err(|e| connect_err(format!("cannot switch to WAL mode: {e}")))?;
        }
        drop(first);
        let pool = Pool::builder()
            .max_size(config.database.pool_size)
            .connection_timeout(Duration::from_secs(config.database.connect_timeout))
            .connection_customizer(Box::new(ConnectionSetup))
            .build(manager.clone())
            .map_err(|e| connect_err(redact(&e.to_string(), &url)))?;
        Ok(Self {
            pool,
            manager,
            backend: url.backend_name(),
        })
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A connection for blocking code (CLI commands, start-up).
    pub fn get(&self) -> AppResult<PooledDb> {
        Ok(self.pool.get()?)
    }

    /// A connection of its own, set up like the pool's, for a thread that must never wait for
    /// the pool.
    pub fn dedicated(&self) -> AppResult<DbConnection> {
        let mut conn = self.manager.connect().map_err(|e| {
            let reason = self.manager.without_password(&e.to_string());
            AppError::internal(format!("cannot open a database connection: {reason}"))
        })?;
        ConnectionSetup
            .on_acquire(&mut conn)
            .map_err(|e| AppError::internal(format!("cannot set up a database connection: {e}")))?;
        Ok(conn)
    }

    /// Runs database work on the blocking thread pool so it never stalls the async executor.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Whether the database answers a trivial query (for `/health`).
    pub async fn ping(&self) -> AppResult<()> {
        self.run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// How long an SQLite connection waits for a lock held by another before failing.
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

/// The turn to write to SQLite, for this process.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sqlite_writer_turn() -> std::sync::MutexGuard<'static, ()> {
    // A panic while writing rolled its transaction back: the turn itself is still good.
    SQLITE_WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `work` in a transaction that may write (joining the caller's, if one is open). On SQLite
/// it starts with `BEGIN IMMEDIATE`, so the
/// write lock is taken up front: a deferred transaction that reads and then writes can fail with
/// SQLITE_BUSY when another writer committed in between, which busy_timeout cannot fix.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Inside a transaction already: join it, so that the work commits or rolls back with it
    // (SQLite cannot nest BEGIN, and a change and its audit entry belong together anyway).
    let depth =
        <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?;
    if depth.is_some() {
        return work(conn);
    }
    // SQLite admits one writer at a time and makes the others poll with growing sleeps (up to
    // 100 ms between tries), so under load a writer could wait long after the lock came free.
    // Writers of this process queue on a mutex instead and take the lock the moment it is free;
    // the busy timeout still covers other processes.
    let _turn = match conn {
        DbConnection::Sqlite(c) => {
            let turn = sqlite_writer_turn();
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConnection::Pg(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?;
            None
        }
    };
    match work(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) =
                <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Keeps the query planner's statistics current. Without them SQLite cannot tell a rare search
/// term from a common one and may walk a whole list index for a name that matches a few records.
/// `full` analyses everything (first start, after bulk loading); otherwise SQLite re-analyses only
/// what changed enough, and PostgreSQL is left to autovacuum.
pub fn refresh_statistics(conn: &mut DbConnection, full: bool) -> AppResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            #[derive(QueryableByName)]
            struct Found {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let analysed = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'",
            )
            .get_result::<Found>(c)?
            .n > 0;
            let sql = if full || !analysed {
                "ANALYZE"
            } else {
                "PRAGMA optimize"
            };
            diesel::sql_query(sql).execute(c)?;
        }
        DbConnection::Pg(c) => {
            if full {
                diesel::sql_query("ANALYZE").execute(c)?;
            }
        }
    }
    Ok(())
}

/// Copies SQLite's write-ahead log back into the database file and truncates it. SQLite does
/// this by itself every thousand pages, but only as far as no reader still needs: a server that
/// is never idle can grow the log to the size of the database. Waits (up to the busy timeout)
/// for readers to move on; nothing to do on PostgreSQL.
pub fn checkpoint(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        let _turn = sqlite_writer_turn();
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(c)?;
    }
    Ok(())
}

/// Copies the write-ahead log into the database file and has the next writer start the log
/// afresh, waiting (busy timeout) for readers of older snapshots to finish. Under steady reads
/// and writes SQLite's own passive checkpoints never find a moment to restart the log, which
/// then grows without bound, and every page read searches a longer log index. A frequent writer
/// (the audit journal) calls this every so often; nothing to do on PostgreSQL.
pub fn restart_log(conn: &mut DbConnection) -> AppResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        let _turn = sqlite_writer_turn();
        // Writers wait meanwhile, so wait for readers briefly only: if they are not done within
        // 20 ms, the log is restarted next time (SQLite reports it busy; that is no error).
        diesel::sql_query("PRAGMA busy_timeout = 20").execute(c)?;
        let checkpointed = diesel::sql_query("PRAGMA wal_checkpoint(RESTART)").execute(c);
        diesel::sql_query(BUSY_TIMEOUT).execute(c)?;
        checkpointed?;
    }
    Ok(())
}

/// Per-connection settings applied when the pool opens a connection.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        match conn {
            DbConnection::Sqlite(c) => {
                // busy_timeout first, so that the others wait instead of failing; writers then
                // queue rather than erroring; foreign keys are off by default in SQLite.
                for pragma in [
                    BUSY_TIMEOUT,
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA synchronous = NORMAL",
                    "PRAGMA temp_store = MEMORY",
                    // Once a checkpoint has emptied the log, shrink its file to this size.
                    "PRAGMA journal_size_limit = 67108864",
                ] {
                    diesel::sql_query(pragma)
                        .execute(c)
                        .map_err(diesel::r2d2::Error::QueryError)?;
                }
            }
            DbConnection::Pg(c) => {
                diesel::sql_query("SET TIME ZONE 'UTC'")
                    .execute(c)
                    .map_err(diesel::r2d2::Error::QueryError)?;
            }
        }
        Ok(())
    }
}

/// libpq waits for the operating system's TCP timeout (minutes) on an unreachable host unless told
/// otherwise; a URL that sets its own `connect_timeout` keeps it.
fn with_connect_timeout(raw: &str, seconds: u64) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if !u.query_pairs().any(|(k, _)| k == "connect_timeout") => {
            u.query_pairs_mut()
                .append_pair("connect_timeout", &seconds.max(1).to_string());
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// Connection errors from libpq can echo parts of the URL; never let the password through.
fn redact(message: &str, url: &DatabaseUrl) -> String {
    let mut out = message.trim().to_owned();
    if let DatabaseUrl::Postgres(raw) = url {
        if let Ok(u) = url::Url::parse(raw) {
            if let Some(pw) = u.password().filter(|p| !p.is_empty()) {
                out = out.replace(pw, "********");
            }
        }
    }
    out.replace('\n', " ")
}

/// Current time, truncated to microseconds so SQLite and PostgreSQL store the same value.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
