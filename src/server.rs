//! Starting Casekeep: open and migrate the database, make sure someone can sign in, bind
//! (HTTPS unless on loopback), and tell systemd when ready.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::HttpServer;

use crate::accounts::{self, password, sessions};
use crate::audit::Actor;
use crate::config::Config;
use crate::db::{migrations, Db};
use crate::web::{self, routes, AppState};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Database(#[from] crate::db::DbError),
    #[error("{0}")]
    Tls(#[from] crate::tls::TlsError),
    #[error("cannot use the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error("cannot listen on {addr}: {reason} (is another process using it? set server.listen)")]
    Bind { addr: SocketAddr, reason: String },
    #[error("start-up failed: {0}")]
    Other(String),
}

impl From<crate::error::AppError> for StartError {
    fn from(e: crate::error::AppError) -> Self {
        Self::Other(match e.cause {
            Some(c) => format!("{}: {c}", e.message),
            None => e.message,
        })
    }
}

/// The credentials of the first administrator, created when the database has no user at all.
pub struct InitialAdmin {
    pub username: String,
    pub password: String,
}

/// A server bound and ready to run.
pub struct Application {
    server: Server,
    pub addr: SocketAddr,
    pub tls_fingerprint: Option<String>,
    pub initial_admin: Option<InitialAdmin>,
    pub state: AppState,
}

impl Application {
    pub fn base_url(&self) -> String {
        let scheme = if self.tls_fingerprint.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Runs until stopped: SIGTERM finishes in-flight requests first (graceful), SIGINT and
    /// SIGQUIT stop at once. `on_ready` is
    /// called once the workers run and the signal handlers are installed (the server's first
    /// poll), so that "ready" really means ready, and a SIGTERM right after is handled gracefully.
    pub async fn run(self, on_ready: impl FnOnce()) -> std::io::Result<()> {
        use std::future::Future;
        use std::task::Poll;
        let mut server = self.server;
        let first =
            std::future::poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut server).poll(cx))).await;
        if let Poll::Ready(result) = first {
            return result;
        }
        on_ready();
        server.await
    }

    /// A handle to stop the server (tests).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Moves the server out, for spawning it on the runtime (tests).
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Opens the database, applies pending migrations and seeds the built-in roles.
pub fn open_database(config: &Config) -> Result<Db, StartError> {
    let db = Db::connect(config)?;
    let mut conn = db.get()?;
    let applied = migrations::run_pending(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    crate::access::roles::ensure_seeded(&mut conn)?;
    crate::forms::store::ensure_seeded(&mut conn)?;
    crate::db::refresh_statistics(&mut conn, false)?;
    Ok(db)
}

/// Creates `admin` with a one-time password when there is no user yet.
fn ensure_first_admin(db: &Db, config: &Config) -> Result<Option<InitialAdmin>, StartError> {
    let mut conn = db.get()?;
    if accounts::count(&mut conn)? > 0 {
        return Ok(None);
    }
    let one_time = password::generate_one_time()?;
    accounts::create(
        &mut conn,
        &config.accounts,
        accounts::NewUser {
            username: "admin",
            full_name: "Administrator",
            role_id: "superuser",
            password: &one_time,
            must_change_password: true,
        },
        &Actor::console(),
    )?;
    Ok(Some(InitialAdmin {
        username: "admin".into(),
        password: one_time,
    }))
}

fn ensure_data_dir(config: &Config) -> Result<(), StartError> {
    let dir = &config.storage.data_dir;
    let err = |reason: String| StartError::DataDir {
        path: dir.display().to_string(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    // The data directory holds case data: keep it private to the service account.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir)
        .map_err(|e| err(e.to_string()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| err(format!("cannot restrict its permissions: {e}")))?;
    }
    Ok(())
}

/// Prepares everything and binds the listening socket; the returned application is not yet
/// serving until [`Application::run`] is awaited.
pub async fn build(config: Config) -> Result<Application, StartError> {
    ensure_data_dir(&config)?;
    let blocking_config = config.clone();
    let (db, initial_admin) = actix_web::rt::task::spawn_blocking(move || {
        let db = open_database(&blocking_config)?;
        let admin = ensure_first_admin(&db, &blocking_config)?;
        Ok::<_, StartError>((db, admin))
    })
    .await
    .map_err(|e| StartError::Other(e.to_string()))??;

    let tls = if config.tls_enabled() {
        Some(crate::tls::prepare(&config)?)
    } else {
        None
    };
    let listener = TcpListener::bind(config.server.listen).map_err(|e| StartError::Bind {
        addr: config.server.listen,
        reason: e.to_string(),
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Other(e.to_string()))?;

    let workers = config
        .server
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let journal =
        crate::audit::Journal::start(&db).map_err(|e| StartError::Other(e.to_string()))?;
    let state = AppState::new(config, db, journal);
    let table = Arc::new(routes::table());
    let app_state = state.clone();
    let http = HttpServer::new(move || web::app(app_state.clone(), table.clone()))
        .workers(workers)
        .shutdown_timeout(30);
    let tls_fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
    let http = match tls {
        Some(t) => {
            if t.generated {
                tracing::warn!(path = %t.cert_path.display(), "generated a self-signed TLS certificate; configure server.tls_cert for production");
            }
            http.listen_rustls_0_23(listener, t.server_config)
        }
        None => http.listen(listener),
    }
    .map_err(|e| StartError::Bind {
        addr,
        reason: e.to_string(),
    })?;
    let server = http.run();
    spawn_housekeeping(state.clone());
    Ok(Application {
        server,
        addr,
        tls_fingerprint,
        initial_admin,
        state,
    })
}

/// Periodic work: removing expired sessions, planner statistics, trimming the write-ahead log,
/// and the systemd watchdog ping.
fn spawn_housekeeping(state: AppState) {
    let purge_state = state.clone();
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            // Two independent chores: one failing must not stop the other.
            let accounts = purge_state.config.accounts.clone();
            match purge_state
                .db
                .run(move |conn| sessions::purge_expired(conn, &accounts))
                .await
            {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    cause = e.cause.as_deref().unwrap_or(""),
                    "session clean-up failed"
                ),
            }
            if let Err(e) = purge_state
                .db
                .run(|conn| crate::db::refresh_statistics(conn, false))
                .await
            {
                tracing::warn!(
                    cause = e.cause.as_deref().unwrap_or(""),
                    "refreshing database statistics failed"
                );
            }
            if let Err(e) = purge_state.db.run(crate::db::checkpoint).await {
                tracing::warn!(
                    cause = e.cause.as_deref().unwrap_or(""),
                    "checkpointing the write-ahead log failed"
                );
            }
        }
    });
    if let Some(interval) = sd_notify::watchdog_enabled() {
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(interval / 2);
            loop {
                tick.tick().await;
                // Only report alive while the database answers: a wedged node gets restarted.
                if state.db.ping().await.is_ok() {
                    let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
                }
            }
        });
    }
}

/// `casekeep serve`: start, print how to reach it, notify systemd, run until stopped.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let instance = config.instance.clone();
    let backend = config
        .database_url()
        .map(|u| u.backend_name())
        .unwrap_or("unknown");
    let app = build(config).await?;
    // People reach Casekeep at public_url when one is set (a proxy or DNS name), else at the
    // address it listens on.
    let listening = app.base_url();
    let url = app
        .state
        .config
        .server
        .public_url
        .as_ref()
        .map(|u| u.to_string())
        .unwrap_or_else(|| listening.clone());
    let addr = app.addr;
    let fingerprint = app.tls_fingerprint.clone();
    let admin = app
        .initial_admin
        .as_ref()
        .map(|a| (a.username.clone(), a.password.clone()));
    let result = app
        .run(move || {
            tracing::info!(%instance, backend, address = %addr, "Casekeep is listening");
            // Printed, not logged: people starting Casekeep by hand read this.
            println!(
                "Casekeep {} ({instance}) is listening on {listening}",
                env!("CARGO_PKG_VERSION")
            );
            if url != listening {
                println!("Users reach it at {url}");
            }
            if let Some(fp) = &fingerprint {
                println!("TLS certificate SHA-256 fingerprint: {fp}");
            }
            if let Some((username, password)) = &admin {
                println!();
                println!("First start: an administrator account was created.");
                println!("  user name: {username}");
                println!("  one-time password: {password}");
                println!("Sign in at {url} and choose a new password (you will be asked to).");
                println!();
            }
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        })
        .await;
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("Casekeep stopped");
    result.map_err(|e| StartError::Other(e.to_string()))
}
