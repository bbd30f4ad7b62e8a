//! Instance configuration: built-in defaults, then exactly the TOML file given with `--config`,
//! then `CASEKEEP_` environment variables (`__` separates nesting levels).
//!
//! The structure is versioned and strict: an unknown key is an error that names it, so a typo in
//! a production file never silently falls back to a default.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The only configuration format version this build understands.
pub const CONFIG_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub version: u32,
    /// Instance name ("production", "demo", ...): in logs, and shown in the UI for every instance
    /// other than "production" (so a demo or training instance is never mistaken for it).
    pub instance: String,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub accounts: AccountsConfig,
    pub records: RecordsConfig,
    pub attachments: AttachmentsConfig,
    pub ui: UiConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// The address users reach Casekeep at, when it differs from `listen` (reverse proxy).
    pub public_url: Option<url::Url>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite:///path/to/file.db` or `postgres://user:password@host:port/db`.
    /// Defaults to `casekeep.db` inside the data directory.
    pub url: Option<String>,
    pub pool_size: u32,
    /// Seconds to wait for a connection before failing a request.
    pub connect_timeout: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsConfig {
    /// Minutes without activity after which a session ends.
    pub session_idle_minutes: u32,
    /// Hours after sign-in after which a session ends whatever the activity.
    pub session_max_hours: u32,
    /// Failed sign-ins in a row that lock an account.
    pub lockout_threshold: u32,
    /// Minutes an account stays locked.
    pub lockout_minutes: u32,
    /// Sign-in attempts allowed per client address per minute (all accounts together).
    pub sign_in_attempts_per_minute: u32,
    /// Minimum length of a new password.
    pub password_min_length: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsConfig {
    /// How human case ids look: `{seq}` (a counter, zero-padded to 6 digits, required),
    /// `{year}` (of registration in Casekeep) and `{short_id}`, e.g. "CP-{year}-{seq}".
    pub case_id_format: String,
    /// The most records one bulk assign, transfer or referral may move (1 to 10000): a slip of
    /// the hand on a selection should not hand a whole caseload to someone.
    #[serde(default = "default_bulk_limit")]
    pub bulk_action_limit: u32,
    /// Days after registration by which a case's assessment is due (the task list shows it
    /// overdue afterwards, until an assessment approval is requested).
    #[serde(default = "default_assessment_days")]
    pub assessment_due_days: u32,
    /// Days after registration by which a case plan is due.
    #[serde(default = "default_case_plan_days")]
    pub case_plan_due_days: u32,
}

fn default_assessment_days() -> u32 {
    7
}

fn default_case_plan_days() -> u32 {
    30
}

fn default_bulk_limit() -> u32 {
    100
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentsConfig {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most bytes the attachments of one record may hold together (removed ones not counted).
    pub max_record_bytes: u64,
    /// File types accepted, as MIME names; a subset of what Casekeep can recognise
    /// ([`crate::attachments::kinds::KNOWN_TYPES`]), so an administrator can narrow the list but
    /// never add a type whose contents are not checked.
    pub allowed_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    /// Language used when neither the profile nor the browser names a supported one.
    pub default_language: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `casekeep=debug,info`.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON when standard error is not a terminal (the journal), text otherwise.
    Auto,
    Json,
    Text,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            instance: "default".into(),
            server: ServerConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
                public_url: None,
                tls_cert: None,
                tls_key: None,
                workers: None,
            },
            database: DatabaseConfig {
                url: None,
                pool_size: 8,
                connect_timeout: 10,
            },
            storage: StorageConfig {
                data_dir: PathBuf::from("./casekeep-data"),
            },
            accounts: AccountsConfig {
                session_idle_minutes: 30,
                session_max_hours: 12,
                lockout_threshold: 5,
                lockout_minutes: 15,
                sign_in_attempts_per_minute: 20,
                password_min_length: 12,
            },
            records: RecordsConfig {
                case_id_format: "CP-{year}-{seq}".into(),
                bulk_action_limit: default_bulk_limit(),
                assessment_due_days: default_assessment_days(),
                case_plan_due_days: default_case_plan_days(),
            },
            attachments: AttachmentsConfig {
                max_file_bytes: 10 * 1024 * 1024,
                max_record_bytes: 100 * 1024 * 1024,
                allowed_types: crate::attachments::kinds::KNOWN_TYPES
                    .iter()
                    .map(|t| (*t).to_owned())
                    .collect(),
            },
            ui: UiConfig {
                default_language: "en".into(),
            },
            log: LogConfig {
                level: "info".into(),
                format: LogFormat::Auto,
            },
        }
    }
}

/// Why a configuration could not be loaded. Messages name the key or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "configuration file {0} does not exist; pass the path of an existing file to --config"
    )]
    Missing(PathBuf),
    #[error("configuration file {path} cannot be read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, then the given file (exactly that path), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(file, Env::prefixed("CASEKEEP_").split("__"))
    }

    fn load_with_env(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            match std::fs::metadata(path) {
                Ok(m) if m.is_file() => {}
                Ok(_) => {
                    return Err(ConfigError::Unreadable {
                        path: path.to_owned(),
                        reason: "it is not a regular file".into(),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ConfigError::Missing(path.to_owned()))
                }
                Err(e) => {
                    return Err(ConfigError::Unreadable {
                        path: path.to_owned(),
                        reason: e.to_string(),
                    })
                }
            }
            // Read it ourselves first so that permission problems get a clear message.
            if let Err(e) = std::fs::read_to_string(path) {
                return Err(ConfigError::Unreadable {
                    path: path.to_owned(),
                    reason: e.to_string(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let config: Config = figment
            .merge(env)
            .extract()
            .map_err(|e| ConfigError::Invalid(describe_figment_error(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks that need no I/O: values in range and consistent with each other.
    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.version != CONFIG_VERSION {
            return bad(format!(
                "version = {} is not supported by this build; it reads version = {CONFIG_VERSION}",
                self.version
            ));
        }
        let name_ok = !self.instance.is_empty()
            && self.instance.len() <= 40
            && self
                .instance
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !name_ok {
            return bad(format!(
                "instance = {:?}: use 1 to 40 lower-case letters, digits, '-' or '_'",
                self.instance
            ));
        }
        match (&self.server.tls_cert, &self.server.tls_key) {
            (Some(_), None) => {
                return bad("server.tls_cert is set but server.tls_key is not".into())
            }
            (None, Some(_)) => {
                return bad("server.tls_key is set but server.tls_cert is not".into())
            }
            _ => {}
        }
        if let Some(u) = &self.server.public_url {
            if u.scheme() != "https" && u.scheme() != "http" {
                return bad("server.public_url must start with https:// or http://".into());
            }
        }
        if self.server.workers == Some(0) {
            return bad("server.workers must be at least 1".into());
        }
        if self.database.pool_size == 0 {
            return bad("database.pool_size must be at least 1".into());
        }
        self.database_url()?;
        let a = &self.accounts;
        if a.session_idle_minutes == 0 || a.session_max_hours == 0 {
            return bad(
                "accounts.session_idle_minutes and session_max_hours must be at least 1".into(),
            );
        }
        if a.lockout_threshold == 0 || a.lockout_minutes == 0 || a.sign_in_attempts_per_minute == 0
        {
            return bad(
                "accounts.lockout_threshold, lockout_minutes and sign_in_attempts_per_minute must be at least 1"
                    .into(),
            );
        }
        if a.password_min_length < 8 {
            return bad("accounts.password_min_length must be at least 8".into());
        }
        if !(1..=365).contains(&self.records.assessment_due_days)
            || !(1..=365).contains(&self.records.case_plan_due_days)
        {
            return bad(
                "records.assessment_due_days and case_plan_due_days must be between 1 and 365"
                    .into(),
            );
        }
        if !(1..=10_000).contains(&self.records.bulk_action_limit) {
            return bad("records.bulk_action_limit must be between 1 and 10000".into());
        }
        let f = &self.records.case_id_format;
        if !f.contains("{seq}") || f.len() > 60 {
            return bad("records.case_id_format must contain {seq} (and at most 60 characters), so that every id is unique".into());
        }
        crate::attachments::check_config(&self.attachments).map_err(ConfigError::Invalid)?;
        if !crate::i18n::is_supported(&self.ui.default_language) {
            return bad(format!(
                "ui.default_language = {:?} is not one of: {}",
                self.ui.default_language,
                crate::i18n::SUPPORTED.join(", ")
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return bad(format!(
                "log.level = {:?} is not a valid filter",
                self.log.level
            ));
        }
        Ok(())
    }

    /// The database to use, parsed. The default is SQLite inside the data directory.
    pub fn database_url(&self) -> Result<DatabaseUrl, ConfigError> {
        match &self.database.url {
            None => Ok(DatabaseUrl::Sqlite(
                self.storage.data_dir.join("casekeep.db"),
            )),
            Some(raw) => DatabaseUrl::parse(raw),
        }
    }

    /// Whether the server speaks HTTPS itself (always, except on loopback without a certificate).
    pub fn tls_enabled(&self) -> bool {
        self.server.tls_cert.is_some() || !self.server.listen.ip().is_loopback()
    }

    /// Whether browsers reach us over HTTPS (directly or through a TLS-terminating proxy), which
    /// decides the `Secure` cookie attribute and HSTS.
    pub fn served_over_https(&self) -> bool {
        self.tls_enabled()
            || self
                .server
                .public_url
                .as_ref()
                .is_some_and(|u| u.scheme() == "https")
    }
}

/// A database location. Its `Display` never shows a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::Invalid(
                    "database.url: sqlite:// needs a file path, e.g. sqlite:///var/lib/casekeep/production/casekeep.db".into(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed = url::Url::parse(raw).map_err(|e| {
                ConfigError::Invalid(format!("database.url is not a valid PostgreSQL URL: {e}"))
            })?;
            if parsed.host_str().unwrap_or("").is_empty() {
                return Err(ConfigError::Invalid(
                    "database.url: the PostgreSQL URL has no host".into(),
                ));
            }
            return Ok(Self::Postgres(raw.to_owned()));
        }
        Err(ConfigError::Invalid(
            "database.url must start with sqlite:// or postgres://".into(),
        ))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            Self::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("********"));
                    }
                    write!(f, "{u}")
                }
                Err(_) => write!(f, "postgres://(unparseable)"),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match self.url.as_deref().map(DatabaseUrl::parse) {
            Some(Ok(u)) => u.to_string(),
            Some(Err(_)) => "(invalid)".into(),
            None => "(default)".into(),
        };
        f.debug_struct("DatabaseConfig")
            .field("url", &url)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// Figment's messages are good but can quote values; quote keys only, never values, since a
/// value may be a secret.
fn describe_figment_error(e: figment::Error) -> String {
    use figment::error::Kind;
    let mut out = Vec::new();
    for err in e {
        let key = if err.path.is_empty() {
            String::new()
        } else {
            err.path.join(".")
        };
        let source = err
            .metadata
            .as_ref()
            .map(|m| match &m.source {
                Some(s) => format!(" (from {s})"),
                None => format!(" (from {})", m.name),
            })
            .unwrap_or_default();
        let what = match &err.kind {
            // The error's path already ends with the unknown field.
            Kind::UnknownField(field, _) => {
                let full = if key.is_empty() {
                    field.as_str()
                } else {
                    key.as_str()
                };
                format!("unknown key `{full}`{source}")
            }
            Kind::MissingField(field) => format!("missing key `{field}`{source}"),
            // Name the type found, never the value: it may be a secret.
            Kind::InvalidType(actual, expected) => {
                use figment::error::Actual;
                let found = match actual {
                    Actual::Bool(_) => "a boolean",
                    Actual::Unsigned(_) | Actual::Signed(_) => "an integer",
                    Actual::Float(_) => "a number",
                    Actual::Char(_) | Actual::Str(_) => "a string",
                    Actual::Bytes(_) => "bytes",
                    Actual::Seq => "a list",
                    Actual::Map => "a table",
                    _ => "a value of another type",
                };
                format!("`{key}` has the wrong type: found {found}, expected {expected}{source}")
            }
            Kind::InvalidValue(_, expected) => {
                format!("`{key}` has an invalid value: expected {expected}{source}")
            }
            Kind::Message(m) if m.contains("TOML") || m.contains("expected") => {
                format!("{m}{source}")
            }
            Kind::Message(_) => format!("`{key}` is invalid{source}"),
            other => format!("`{key}`: {other}{source}"),
        };
        out.push(what);
    }
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, body: &str) -> PathBuf {
        let p = dir.path().join("casekeep.toml");
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn database_url_display_hides_password() {
        let u = DatabaseUrl::parse("postgres://ck:s3cret@db.example:5432/ck").unwrap();
        let shown = u.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example"));
    }

    #[test]
    fn defaults_are_loopback_sqlite() {
        let c = Config::load_with_env(None, Env::prefixed("CASEKEEP_UNIT_NONE_")).unwrap();
        assert!(c.server.listen.ip().is_loopback());
        assert!(matches!(c.database_url().unwrap(), DatabaseUrl::Sqlite(_)));
        assert!(!c.tls_enabled());
    }

    #[test]
    fn tls_cert_without_key_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "version = 1\n[server]\ntls_cert = \"/x.pem\"\n");
        let e = Config::load_with_env(Some(&p), Env::prefixed("CASEKEEP_UNIT_NONE_")).unwrap_err();
        assert!(e.to_string().contains("tls_key"), "{e}");
    }

    #[test]
    fn wrong_version_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "version = 2\n");
        let e = Config::load_with_env(Some(&p), Env::prefixed("CASEKEEP_UNIT_NONE_")).unwrap_err();
        assert!(e.to_string().contains("version = 2"), "{e}");
    }

    #[test]
    fn attachment_types_can_be_narrowed_not_widened() {
        let dir = tempfile::tempdir().unwrap();
        let env = || Env::prefixed("CASEKEEP_UNIT_NONE_");
        let p = write(
            &dir,
            "version = 1\n[attachments]\nallowed_types = [\"image/png\"]\n",
        );
        let c = Config::load_with_env(Some(&p), env()).unwrap();
        assert_eq!(c.attachments.allowed_types, ["image/png"]);
        let p = write(
            &dir,
            "version = 1\n[attachments]\nallowed_types = [\"text/html\"]\n",
        );
        let e = Config::load_with_env(Some(&p), env()).unwrap_err();
        assert!(e.to_string().contains("text/html"), "{e}");
    }

    #[test]
    fn invalid_value_does_not_echo_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "version = 1\n[database]\npool_size = \"hunter2\"\n");
        let e = Config::load_with_env(Some(&p), Env::prefixed("CASEKEEP_UNIT_NONE_")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("database.pool_size"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }
}
