#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The binary as administrators use it: configuration loading, exit codes and messages.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `casekeep` in `dir` with only the given CASEKEEP_ variables set.
fn casekeep(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casekeep"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CASEKEEP_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn write_config(dir: &Path, body: &str) -> String {
    let path = dir.join("casekeep.toml");
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

fn sqlite_config(dir: &Path) -> String {
    write_config(
        dir,
        &format!(
            "version = 1\ninstance = \"demo\"\n[server]\nlisten = \"127.0.0.1:8080\"\n[database]\nurl = \"sqlite://{0}/db/casekeep.db\"\n[storage]\ndata_dir = \"{0}/data\"\n",
            dir.display()
        ),
    )
}

/// Exit status 1 and one error line on stderr, the last one, starting with the program's name
/// (`serve` may have logged before it failed).
fn assert_one_line_error(run: &Run) {
    assert_eq!(run.code, 1, "stdout: {} stderr: {}", run.stdout, run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("casekeep: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim_end().lines().last(),
        Some(errors[0]),
        "{}",
        run.stderr
    );
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let run = casekeep(dir.path(), &["version"], &[], None);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout.trim(),
        format!("casekeep {}", env!("CARGO_PKG_VERSION"))
    );
    let run = casekeep(dir.path(), &["--help"], &[], None);
    assert_eq!(run.code, 0);
    for command in [
        "serve",
        "check-config",
        "migrate",
        "version",
        "user",
        "audit",
    ] {
        assert!(run.stdout.contains(command), "{command} missing from help");
    }
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["no-such-command"][..],
        &["user", "create", "--username", "amina"],
        &[
            "user",
            "create",
            "--username",
            "amina",
            "--role",
            "caseworker",
        ],
        &["serve", "--bogus"],
    ] {
        let run = casekeep(dir.path(), args, &[], None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
}

#[test]
fn unknown_key_is_rejected_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "version = 1\n[server]\nlisen = \"127.0.0.1:9000\"\n",
    );
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[],
        None,
    );
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("unknown key `server.lisen`"),
        "{}",
        run.stderr
    );

    let config = write_config(dir.path(), "version = 1\ncolour = \"blue\"\n");
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[],
        None,
    );
    assert!(
        run.stderr.contains("unknown key `colour`"),
        "{}",
        run.stderr
    );

    // Unknown environment keys too, named with their source.
    let run = casekeep(
        dir.path(),
        &["check-config"],
        &[("CASEKEEP_SERVER__LISTN", "127.0.0.1:1")],
        None,
    );
    assert_one_line_error(&run);
    assert!(run.stderr.contains("server.listn"), "{}", run.stderr);
}

#[test]
fn environment_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("127.0.0.1:8080"), "{}", run.stdout);
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[
            ("CASEKEEP_SERVER__LISTEN", "127.0.0.1:9443"),
            ("CASEKEEP_INSTANCE", "training"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("127.0.0.1:9443"), "{}", run.stdout);
    assert!(run.stdout.contains("\"training\""), "{}", run.stdout);
    assert!(!run.stdout.contains("127.0.0.1:8080"));
}

#[test]
fn missing_config_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let missing = missing.to_str().unwrap();
    for command in ["check-config", "serve", "migrate"] {
        let run = casekeep(dir.path(), &["--config", missing, command], &[], None);
        assert_one_line_error(&run);
        assert!(
            run.stderr.contains(missing) && run.stderr.contains("does not exist"),
            "{}",
            run.stderr
        );
    }
    // A directory is not a configuration file either.
    let run = casekeep(
        dir.path(),
        &["--config", dir.path().to_str().unwrap(), "check-config"],
        &[],
        None,
    );
    assert_one_line_error(&run);
}

#[test]
fn invalid_values_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "version = 1\n[server]\nlisten = \"not-an-address\"\n",
            "server.listen",
        ),
        ("version = 3\n", "version = 3"),
        ("version = 1\ninstance = \"Prod Instance!\"\n", "instance"),
        (
            "version = 1\n[database]\nurl = \"mysql://db/x\"\n",
            "database.url",
        ),
        (
            "version = 1\n[ui]\ndefault_language = \"xx\"\n",
            "ui.default_language",
        ),
        ("version = 1\n[server\n", "TOML"),
    ];
    for (body, expected) in cases {
        let config = write_config(dir.path(), body);
        let run = casekeep(
            dir.path(),
            &["--config", &config, "check-config"],
            &[],
            None,
        );
        assert_one_line_error(&run);
        assert!(run.stderr.contains(expected), "{body:?}: {}", run.stderr);
    }
}

#[test]
fn check_config_checks_paths_and_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("all checks passed"));

    // An unreadable certificate is reported with its path.
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[
            ("CASEKEEP_SERVER__TLS_CERT", "/nonexistent/cert.pem"),
            ("CASEKEEP_SERVER__TLS_KEY", "/nonexistent/key.pem"),
        ],
        None,
    );
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("/nonexistent/cert.pem"),
        "{}",
        run.stderr
    );

    // A certificate file that is not a certificate.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "hello").unwrap();
    let junk = junk.to_str().unwrap();
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[
            ("CASEKEEP_SERVER__TLS_CERT", junk),
            ("CASEKEEP_SERVER__TLS_KEY", junk),
        ],
        None,
    );
    assert_one_line_error(&run);
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);

    // A data directory that cannot be created.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[(
            "CASEKEEP_STORAGE__DATA_DIR",
            blocker.join("sub").to_str().unwrap(),
        )],
        None,
    );
    assert_one_line_error(&run);
    assert!(run.stderr.contains("data directory"), "{}", run.stderr);
}

#[test]
fn unreachable_postgres_fails_clearly_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://casekeep:Sup3r-Secret-Pw@127.0.0.1:1/casekeep";
    for command in ["check-config", "migrate", "serve"] {
        let run = casekeep(
            dir.path(),
            &[command],
            &[("CASEKEEP_DATABASE__URL", url)],
            None,
        );
        assert_one_line_error(&run);
        assert!(
            run.stderr.contains("cannot open the database"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("127.0.0.1:1"), "{}", run.stderr);
        // The driver's own reason, not a generic "invalid URL".
        assert!(run.stderr.contains("Connection refused"), "{}", run.stderr);
        assert!(
            !run.stderr.contains("Sup3r-Secret-Pw") && !run.stdout.contains("Sup3r-Secret-Pw"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"));
    }
}

#[test]
fn wrong_postgres_password_fails_clearly() {
    let admin_url = std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: run `make test` (it starts a throwaway PostgreSQL cluster)",
    );
    use diesel::prelude::*;
    let mut conn = diesel::PgConnection::establish(&admin_url).unwrap();
    // scripts/with-postgres.sh makes this role authenticate with scram-sha-256 (all others trust).
    let _ = diesel::sql_query("CREATE ROLE casekeep_pw LOGIN PASSWORD 'the-right-one'")
        .execute(&mut conn);
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_username("casekeep_pw").unwrap();
    url.set_password(Some("Wrong-Pw-123")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = casekeep(
        dir.path(),
        &["check-config"],
        &[("CASEKEEP_DATABASE__URL", url.as_str())],
        None,
    );
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("password authentication failed"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Wrong-Pw-123"), "{}", run.stderr);
}

#[test]
fn check_config_never_prints_secrets() {
    let admin_url = std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: run `make test` (it starts a throwaway PostgreSQL cluster)",
    );
    let mut url = url::Url::parse(&admin_url).unwrap();
    // Trust authentication accepts any password: a real-looking one must still not be shown.
    url.set_password(Some("Hidden-Pw-987")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = casekeep(
        dir.path(),
        &["check-config"],
        &[("CASEKEEP_DATABASE__URL", url.as_str())],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("reachable"), "{}", run.stdout);
    assert!(run.stdout.contains("********"), "{}", run.stdout);
    assert!(!run.stdout.contains("Hidden-Pw-987") && !run.stderr.contains("Hidden-Pw-987"));
}

#[test]
fn migrate_command() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let run = casekeep(dir.path(), &["--config", &config, "migrate"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("applied migrations"), "{}", run.stdout);
    let run = casekeep(dir.path(), &["--config", &config, "migrate"], &[], None);
    assert!(run.stdout.contains("up to date"), "{}", run.stdout);
    // Reverting the first migration would delete everything: refused, and nothing is lost.
    let create = [
        "--config",
        &config,
        "user",
        "create",
        "--username",
        "kept.user",
        "--role",
        "auditor",
        "--password-stdin",
    ];
    assert_eq!(
        casekeep(dir.path(), &create, &[], Some("kept-user-password-1\n")).code,
        0
    );
    // Reverting needs --force: a down migration can delete data.
    let run = casekeep(
        dir.path(),
        &["--config", &config, "migrate", "--revert-last"],
        &[],
        None,
    );
    assert_one_line_error(&run);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    let revert = ["--config", &config, "migrate", "--revert-last", "--force"];
    let run = casekeep(dir.path(), &revert, &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("reverted migration"), "{}", run.stdout);
    let run = casekeep(dir.path(), &["--config", &config, "migrate"], &[], None);
    assert!(run.stdout.contains("applied migrations"), "{}", run.stdout);
    // The first migration is never reverted, whatever the flags: the users are still there.
    let mut last = casekeep(dir.path(), &revert, &[], None);
    while last.code == 0 {
        last = casekeep(dir.path(), &revert, &[], None);
    }
    assert_one_line_error(&last);
    assert!(
        last.stderr
            .contains("refusing to revert the first migration"),
        "{}",
        last.stderr
    );
    let run = casekeep(dir.path(), &["--config", &config, "migrate"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = casekeep(dir.path(), &create, &[], Some("kept-user-password-1\n"));
    assert!(
        run.stderr.contains("already exists"),
        "the data is still there: {}",
        run.stderr
    );
}

#[test]
fn serve_refuses_a_port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = dir.path().join("data");
    let run = casekeep(
        dir.path(),
        &["serve"],
        &[
            ("CASEKEEP_SERVER__LISTEN", &addr),
            ("CASEKEEP_STORAGE__DATA_DIR", data.to_str().unwrap()),
        ],
        None,
    );
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains(&addr) && run.stderr.contains("cannot listen"),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_generates_a_self_signed_certificate_off_loopback() {
    // Listening on a non-loopback address means HTTPS; with no certificate configured one is
    // generated and its fingerprint printed. 0.0.0.0 with port 0 binds but we stop at once.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_casekeep"))
        .current_dir(dir.path())
        .arg("serve")
        .env("CASEKEEP_SERVER__LISTEN", "0.0.0.0:0")
        .env("CASEKEEP_STORAGE__DATA_DIR", &data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut buf = [0u8; 4096];
    use std::io::Read;
    while !seen.contains("fingerprint") && std::time::Instant::now() < deadline {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    // SIGTERM: graceful shutdown.
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(seen.contains("https://"), "{seen}");
    assert!(
        seen.contains("TLS certificate SHA-256 fingerprint"),
        "{seen}"
    );
    assert!(data.join("tls/cert.pem").exists());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data.join("tls/key.pem"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o077, 0, "the private key is private");
    assert!(
        status.success(),
        "SIGTERM ends the server cleanly: {status:?}"
    );
}

#[test]
fn a_postgres_configuration_file_works() {
    let pg = common::PgDatabase::create();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "version = 1\ninstance = \"production\"\n[server]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"https://cases.example.gov\"\n[database]\nurl = \"{}\"\n[storage]\ndata_dir = \"{}/data\"\n",
            pg.url,
            dir.path().display()
        ),
    );
    let run = casekeep(
        dir.path(),
        &["--config", &config, "check-config"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(" pending migration") && !run.stdout.contains("(reachable, 0 pending"),
        "{}",
        run.stdout
    );
    let run = casekeep(dir.path(), &["--config", &config, "migrate"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = casekeep(
        dir.path(),
        &[
            "--config",
            &config,
            "user",
            "create",
            "--username",
            "sara.m",
            "--role",
            "case-manager",
            "--password-stdin",
        ],
        &[],
        Some("a-manager-password-7\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = casekeep(
        dir.path(),
        &["--config", &config, "audit", "verify"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 entry verified"), "{}", run.stdout);
}

#[path = "cli/users.rs"]
mod users;
