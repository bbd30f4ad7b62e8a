//! The command line. Exit status: 0 success, 2 bad usage (clap), 1 any other failure, always with
//! one line on standard error saying what went wrong and what to do.

use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::accounts;
use crate::audit::{self, Actor};
use crate::config::{Config, DatabaseUrl};
use crate::db::{migrations, Db};
use crate::server;

#[derive(Parser)]
#[command(
    name = "casekeep",
    version,
    about = "Child-protection case management appliance"
)]
pub struct Cli {
    /// The instance's configuration file (e.g. /etc/casekeep/production.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web server until stopped (SIGTERM ends it gracefully).
    Serve,
    /// Check the configuration, data directory, certificate and database, then exit.
    CheckConfig,
    /// Apply pending database migrations (also done at every start).
    Migrate {
        /// Revert the most recent migration instead (for rolling back an upgrade). A down
        /// migration can delete data, so this also needs --force; restoring a backup is safer.
        #[arg(long)]
        revert_last: bool,
        /// Confirm --revert-last.
        #[arg(long, requires = "revert_last")]
        force: bool,
    },
    /// Print the version.
    Version,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Audit log commands.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Demo and training instances.
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Fill the instance with synthetic cases (never on an instance named "production").
    Generate {
        /// How many cases to create.
        #[arg(long)]
        cases: usize,
        /// The user who will own them.
        #[arg(long)]
        owner: String,
        /// Seed of the random generator: the same seed gives the same cases.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// Role id: superuser, system-admin, caseworker, case-manager, referral-recipient, dpo,
        /// auditor, or one created later.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        full_name: String,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the user choose a new password at first sign-in.
        #[arg(long)]
        one_time: bool,
    },
    /// Set a user's password, read from standard input; ends their sessions.
    SetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the user choose a new password at next sign-in.
        #[arg(long)]
        one_time: bool,
    },
    /// Disable a user: they can no longer sign in, and their sessions end at once. Nothing of
    /// theirs is deleted.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user again.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Turn off a user's two-step sign-in (a lost phone and no recovery code left); ends their
    /// sessions. They can set it up again from their account page.
    ResetSecondFactor {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; fail naming the first entry altered, removed or reordered.
    Verify,
}

/// A failure to report on one line.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

fn app_failure(e: crate::error::AppError) -> Failure {
    // Console operators see the cause too (they run the machine), but never secrets: causes
    // come from our own code and the database driver, with URLs redacted.
    match e.cause {
        Some(cause) if e.code == crate::error::ErrorCode::Internal => {
            Failure(format!("{}: {cause}", e.message))
        }
        _ => Failure(e.message),
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Version = cli.command {
        println!("casekeep {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Version => Ok(()),
        Command::Serve => serve(config),
        Command::CheckConfig => check_config(&config),
        Command::Migrate { revert_last, force } => migrate(&config, revert_last, force),
        Command::User(cmd) => user(&config, cmd),
        Command::Audit(AuditCommand::Verify) => audit_verify(&config),
        Command::Demo(DemoCommand::Generate { cases, owner, seed }) => {
            demo_generate(&config, cases, &owner, seed)
        }
    }
}

fn serve(config: Config) -> Result<(), Failure> {
    crate::logging::init(&config.log);
    let system = actix_web::rt::System::new();
    system
        .block_on(server::serve(config))
        .map_err(Failure::from)
}

fn migrate(config: &Config, revert_last: bool, force: bool) -> Result<(), Failure> {
    if revert_last && !force {
        return Err(Failure(
            "reverting a migration can delete data (its tables and their rows); take a backup, then add --force"
                .into(),
        ));
    }
    let db = Db::connect(config)?;
    let mut conn = db.get().map_err(app_failure)?;
    if revert_last {
        let v = migrations::revert_last(&mut conn)?;
        println!("reverted migration {v}");
        return Ok(());
    }
    let applied = migrations::run_pending(&mut conn)?;
    crate::access::roles::ensure_seeded(&mut conn).map_err(app_failure)?;
    crate::forms::store::ensure_seeded(&mut conn).map_err(app_failure)?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        println!("applied migrations: {}", applied.join(", "));
    }
    Ok(())
}

/// Reads a password from standard input: everything up to the first line break.
fn read_password() -> Result<String, Failure> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .map_err(|e| Failure(format!("cannot read the password from standard input: {e}")))?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        return Err(Failure(
            "no password on standard input; pipe it in, e.g. `printf '%s\\n' \"$PW\" | casekeep user create ...`".into(),
        ));
    }
    Ok(password)
}

fn user(config: &Config, cmd: UserCommand) -> Result<(), Failure> {
    let password = match cmd {
        UserCommand::Create { .. } | UserCommand::SetPassword { .. } => read_password()?,
        UserCommand::ResetSecondFactor { .. }
        | UserCommand::Disable { .. }
        | UserCommand::Enable { .. } => String::new(),
    };
    let db = server::open_database(config)?;
    let mut conn = db.get().map_err(app_failure)?;
    match cmd {
        UserCommand::Create {
            username,
            role,
            full_name,
            one_time,
            ..
        } => {
            let user = accounts::create(
                &mut conn,
                &config.accounts,
                accounts::NewUser {
                    username: &username,
                    full_name: &full_name,
                    role_id: &role,
                    password: &password,
                    must_change_password: one_time,
                },
                &Actor::console(),
            )
            .map_err(app_failure)?;
            println!("created user {} with role {}", user.username, user.role_id);
        }
        UserCommand::SetPassword {
            username, one_time, ..
        } => {
            let user = accounts::find_by_username(&mut conn, &username)
                .map_err(app_failure)?
                .ok_or_else(|| Failure(format!("there is no user named {username:?}")))?;
            accounts::set_password(
                &mut conn,
                &config.accounts,
                &user,
                &password,
                one_time,
                None,
                &Actor::console(),
            )
            .map_err(app_failure)?;
            println!(
                "password of {} changed; their sessions have ended",
                user.username
            );
        }
        UserCommand::Disable { username } => set_disabled(&mut conn, &username, true)?,
        UserCommand::Enable { username } => set_disabled(&mut conn, &username, false)?,
        UserCommand::ResetSecondFactor { username } => {
            let user = accounts::find_by_username(&mut conn, &username)
                .map_err(app_failure)?
                .ok_or_else(|| Failure(format!("there is no user named {username:?}")))?;
            if !accounts::second_factor::is_enrolled(&mut conn, &user.id).map_err(app_failure)? {
                return Err(Failure(format!(
                    "{} has no two-step sign-in to reset",
                    user.username
                )));
            }
            accounts::second_factor::remove(&mut conn, &user.id, &Actor::console())
                .map_err(app_failure)?;
            accounts::sessions::delete_for_user(&mut conn, &user.id, None).map_err(app_failure)?;
            println!(
                "two-step sign-in of {} turned off; their sessions have ended",
                user.username
            );
        }
    }
    Ok(())
}

fn set_disabled(
    conn: &mut crate::db::DbConnection,
    username: &str,
    disable: bool,
) -> Result<(), Failure> {
    let user = accounts::find_by_username(conn, username)
        .map_err(app_failure)?
        .ok_or_else(|| Failure(format!("there is no user named {username:?}")))?;
    accounts::set_disabled(conn, &user, disable, &Actor::console()).map_err(app_failure)?;
    if disable {
        println!("{} disabled; their sessions have ended", user.username);
    } else {
        println!("{} enabled", user.username);
    }
    Ok(())
}

fn demo_generate(config: &Config, cases: usize, owner: &str, seed: u64) -> Result<(), Failure> {
    if config.instance == "production" {
        return Err(Failure(
            "refusing to put synthetic cases into the instance named \"production\"; use a demo or training instance".into(),
        ));
    }
    let db = server::open_database(config)?;
    let mut conn = db.get().map_err(app_failure)?;
    let user = accounts::find_by_username(&mut conn, owner)
        .map_err(app_failure)?
        .ok_or_else(|| {
            Failure(format!(
                "there is no user named {owner:?}; create one with `casekeep user create`"
            ))
        })?;
    let principal = crate::access::gate::load_principal(
        &mut conn,
        &user.id,
        crate::access::AuthMethod::Basic,
        String::new(),
    )
    .map_err(app_failure)?
    .ok_or_else(|| Failure(format!("user {owner:?} is disabled")))?;
    let started = std::time::Instant::now();
    let created = crate::demo::generate(
        &mut conn,
        &principal,
        cases,
        seed,
        &config.records.case_id_format,
        |done| {
            if done % 5000 == 0 || done == cases {
                eprintln!("{done} of {cases} cases created");
            }
        },
    )
    .map_err(app_failure)?;
    crate::db::refresh_statistics(&mut conn, true).map_err(app_failure)?;
    println!(
        "created {created} synthetic cases owned by {owner} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn audit_verify(config: &Config) -> Result<(), Failure> {
    let db = Db::connect(config)?;
    let mut conn = db.get().map_err(app_failure)?;
    match audit::verify(&mut conn).map_err(app_failure)? {
        Ok(n) => {
            let noun = if n == 1 { "entry" } else { "entries" };
            println!("audit log intact: {n} {noun} verified");
            Ok(())
        }
        Err(broken) => Err(Failure(format!("audit log chain broken: {broken}"))),
    }
}

/// Validates everything a start needs, printing one line per check. Never prints secrets.
fn check_config(config: &Config) -> Result<(), Failure> {
    println!(
        "configuration: ok (instance {:?}, version {})",
        config.instance, config.version
    );
    // Data directory: exists (or can be created) and is writable.
    let dir = &config.storage.data_dir;
    // Private from the start, as serve would make it: it holds case data.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Failure(format!(
                "data directory {} cannot be created: {e}",
                dir.display()
            ))
        })?;
    let probe = dir.join(format!(".casekeep-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(|e| {
        Failure(format!(
            "data directory {} is not writable: {e}",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    println!("data directory: {} (writable)", dir.display());
    let files = &config.attachments;
    println!(
        "attachments: stored in {} (at most {} per file, {} per record; {} file types allowed)",
        dir.join(crate::attachments::store::FILES_DIR).display(),
        crate::attachments::service::human_size(files.max_file_bytes),
        crate::attachments::service::human_size(files.max_record_bytes),
        files.allowed_types.len()
    );

    // TLS.
    if let (Some(cert), Some(key)) = (&config.server.tls_cert, &config.server.tls_key) {
        let certs = crate::tls::load_certs(cert)?;
        crate::tls::load_key(key)?;
        crate::tls::prepare(config)?;
        let fp = certs
            .first()
            .map(|c| crate::tls::fingerprint(c.as_ref()))
            .unwrap_or_default();
        println!("tls: {} (SHA-256 {fp})", cert.display());
    } else if config.tls_enabled() {
        let generated = dir.join("tls/cert.pem");
        if generated.exists() {
            let certs = crate::tls::load_certs(&generated)?;
            let fp = certs
                .first()
                .map(|c| crate::tls::fingerprint(c.as_ref()))
                .unwrap_or_default();
            println!(
                "tls: self-signed certificate {} (SHA-256 {fp})",
                generated.display()
            );
        } else {
            println!(
                "tls: no certificate configured; a self-signed one will be generated in {}",
                dir.join("tls").display()
            );
        }
    } else {
        println!(
            "tls: off (plain HTTP on loopback address {})",
            config.server.listen
        );
    }

    // Database: reachable, and how far behind migrations are.
    let url = config.database_url()?;
    if let DatabaseUrl::Sqlite(path) = &url {
        if !path.exists() {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(dir);
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure(format!(
                    "database directory {} cannot be created: {e}",
                    parent.display()
                ))
            })?;
            println!("database: {url} (will be created at first start)");
            println!("all checks passed");
            return Ok(());
        }
    }
    let db = Db::connect(config)?;
    let mut conn = db.get().map_err(app_failure)?;
    let pending = migrations::pending(&mut conn)?;
    println!(
        "database: {url} (reachable, {} pending migration{})",
        pending.len(),
        if pending.len() == 1 { "" } else { "s" }
    );
    println!("all checks passed");
    Ok(())
}
