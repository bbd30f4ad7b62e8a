//! The one test harness: starts the real Casekeep server in-process on a random port, over a
//! temporary SQLite file or a fresh database in the throwaway PostgreSQL cluster that
//! `make test` starts (its URL in TEST_POSTGRES_URL).

#![allow(dead_code)]

pub mod api;

use std::path::PathBuf;

use casekeep::accounts;
use casekeep::audit::Actor;
use casekeep::config::Config;
use casekeep::db::DbConnection;
use casekeep::server;
use casekeep::web::AppState;
use diesel::prelude::*;

pub const ADMIN_PASSWORD: &str = "first-superuser-known-secret";
pub const UA: &str = "casekeep-tests";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named scenario (an `async fn(Backend)`) once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[actix_web::test] async fn $name() { super::$name($crate::common::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[actix_web::test] async fn $name() { super::$name($crate::common::Backend::Postgres).await } )*
        }
    };
}

/// A fresh PostgreSQL database in the test cluster, dropped when this value is.
pub struct PgDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub fn create() -> Self {
        let admin_url = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
            panic!(
                "TEST_POSTGRES_URL is not set. Run `make test`, which starts a throwaway \
                 PostgreSQL cluster, or `bash scripts/with-postgres.sh cargo test`."
            )
        });
        let name = format!("ck_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin_url).expect("connect to the test cluster");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            admin_url,
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// Where a test's data lives.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub pg: Option<PgDatabase>,
}

impl TestStore {
    pub fn new(backend: Backend) -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            pg: (backend == Backend::Postgres).then(PgDatabase::create),
        }
    }

    /// A configuration for this store: loopback, random port, one worker.
    pub fn config(&self) -> Config {
        let mut config = Config {
            instance: "test".into(),
            ..Config::default()
        };
        config.server.listen = "127.0.0.1:0".parse().expect("addr");
        config.server.workers = Some(1);
        config.storage.data_dir = self.dir.path().join("data");
        config.database.url = Some(match &self.pg {
            Some(pg) => pg.url.clone(),
            None => format!(
                "sqlite://{}",
                self.dir.path().join("data/casekeep.db").display()
            ),
        });
        config.database.pool_size = 4;
        // Generous by default; the rate-limit test sets its own.
        config.accounts.sign_in_attempts_per_minute = 1000;
        config
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub backend: Backend,
    handle: actix_web::dev::ServerHandle,
    // Dropped last: the database outlives the server.
    pub store: TestStore,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server, letting the test adjust the configuration first. The first
    /// administrator (`admin`) gets the known password [`ADMIN_PASSWORD`], already changed.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let store = TestStore::new(backend);
        let mut config = store.config();
        adjust(&mut config);
        let app = server::build(config).await.expect("server starts");
        assert!(
            app.initial_admin.is_some(),
            "a fresh database gets a first admin"
        );
        let base = app.base_url();
        let state = app.state.clone();
        let handle = app.handle();
        actix_web::rt::spawn(app.into_server());
        let test_app = Self {
            base,
            state,
            backend,
            handle,
            store,
        };
        test_app.with_db(|conn| {
            let admin = accounts::find_by_username(conn, "admin").unwrap().unwrap();
            let accounts_config = casekeep::config::Config::default().accounts;
            accounts::set_password(
                conn,
                &accounts_config,
                &admin,
                ADMIN_PASSWORD,
                false,
                None,
                &Actor::console(),
            )
            .unwrap();
            // Scenarios sign in as the superuser with a password alone; requiring a second
            // factor by role is tested where it is the subject (second_factor.rs and the
            // access matrix), which turn it back on.
            use casekeep::db::schema::roles;
            diesel::update(roles::table)
                .set(roles::requires_second_factor.eq(false))
                .execute(conn)
                .unwrap();
        });
        test_app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Direct database access for arranging and checking state.
    pub fn with_db<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut conn = self.state.db.get().expect("db connection");
        f(&mut conn)
    }

    pub fn create_user(&self, username: &str, role: &str, password: &str) {
        self.with_db(|conn| {
            accounts::create(
                conn,
                &self.state.config.accounts,
                accounts::NewUser {
                    username,
                    full_name: "Test Person",
                    role_id: role,
                    password,
                    must_change_password: false,
                },
                &Actor::console(),
            )
            .unwrap();
        });
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests check them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(UA)
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap()
    }

    /// Loads the sign-in page and returns the form's CSRF token (its cookie stays in the client).
    pub async fn sign_in_form(&self, client: &reqwest::Client) -> String {
        let page = client.get(self.url("/sign-in")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        csrf_token(&page.text().await.unwrap())
    }

    /// Signs in through the form; returns the response (a redirect on success).
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let token = self.sign_in_form(client).await;
        client
            .post(self.url("/sign-in"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The newest audit entries, newest first.
    pub fn audit_tail(&self, n: i64) -> Vec<casekeep::audit::Entry> {
        self.with_db(|conn| casekeep::audit::recent(conn, n).unwrap())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the returned future only reports completion.
        drop(self.handle.stop(false));
    }
}

/// The value of the first `csrf_token` hidden field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a csrf_token field") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
