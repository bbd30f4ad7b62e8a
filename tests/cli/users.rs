//! The `casekeep user` commands: create, set-password, disable and enable, reset-second-factor.

use super::*;

#[test]
fn user_create_and_set_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let args = [
        "--config",
        &config,
        "user",
        "create",
        "--username",
        "amina.k",
        "--role",
        "caseworker",
        "--password-stdin",
    ];
    let run = casekeep(dir.path(), &args, &[], Some("long-enough-password-1\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("created user amina.k with role caseworker"));

    let run = casekeep(dir.path(), &args, &[], Some("long-enough-password-1\n"));
    assert_one_line_error(&run);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);

    let mut bad_role = args;
    bad_role[5] = "other.user";
    bad_role[7] = "wizard";
    let run = casekeep(dir.path(), &bad_role, &[], Some("long-enough-password-1\n"));
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("no role \"wizard\"") && run.stderr.contains("caseworker"),
        "{}",
        run.stderr
    );

    let mut fresh = args;
    fresh[5] = "third.user";
    let run = casekeep(dir.path(), &fresh, &[], Some("short\n"));
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("at least 12 characters"),
        "{}",
        run.stderr
    );
    let run = casekeep(dir.path(), &fresh, &[], None);
    assert_one_line_error(&run);
    assert!(run.stderr.contains("standard input"), "{}", run.stderr);

    let set = [
        "--config",
        &config,
        "user",
        "set-password",
        "--username",
        "amina.k",
        "--password-stdin",
    ];
    let run = casekeep(dir.path(), &set, &[], Some("another-long-password-2\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut nobody = set;
    nobody[5] = "nobody";
    let run = casekeep(dir.path(), &nobody, &[], Some("another-long-password-2\n"));
    assert_one_line_error(&run);
    assert!(run.stderr.contains("no user named \"nobody\""));

    // Two-step sign-in: nothing to reset yet, then set up, then reset from the console.
    let reset = [
        "--config",
        &config,
        "user",
        "reset-second-factor",
        "--username",
        "amina.k",
    ];
    let run = casekeep(dir.path(), &reset, &[], None);
    assert_one_line_error(&run);
    assert!(run.stderr.contains("no two-step sign-in"), "{}", run.stderr);
    enrol_second_factor(dir.path(), "amina.k");
    let run = casekeep(dir.path(), &reset, &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("turned off"), "{}", run.stdout);
    let run = casekeep(dir.path(), &reset, &[], None);
    assert_one_line_error(&run);

    // Disable and enable: refused twice in a row, and the last superuser is never disabled.
    let toggle = |what: &str, who: &str| {
        let args = ["--config", &config, "user", what, "--username", who];
        casekeep(dir.path(), &args, &[], None)
    };
    let run = toggle("disable", "amina.k");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("amina.k disabled"), "{}", run.stdout);
    let run = toggle("disable", "amina.k");
    assert_one_line_error(&run);
    assert!(run.stderr.contains("already disabled"), "{}", run.stderr);
    let run = toggle("enable", "amina.k");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut root = args;
    root[5] = "root.admin";
    root[7] = "superuser";
    let run = casekeep(dir.path(), &root, &[], Some("long-enough-password-1\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = toggle("disable", "root.admin");
    assert_one_line_error(&run);
    assert!(
        run.stderr.contains("last enabled superuser"),
        "{}",
        run.stderr
    );
    let run = toggle("disable", "nobody");
    assert_one_line_error(&run);

    // Every change is in the audit log, attributed to the console, and the chain holds.
    let run = casekeep(
        dir.path(),
        &["--config", &config, "audit", "verify"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("audit log intact"), "{}", run.stdout);
}

/// Sets up a second factor for a user straight in the instance's SQLite database.
fn enrol_second_factor(dir: &Path, username: &str) {
    use casekeep::accounts::{self, second_factor};
    use diesel::Connection;
    let url = dir.join("db/casekeep.db").display().to_string();
    let mut conn =
        casekeep::db::DbConnection::Sqlite(diesel::SqliteConnection::establish(&url).unwrap());
    let user = accounts::find_by_username(&mut conn, username)
        .unwrap()
        .unwrap();
    let enrolment = second_factor::begin(&mut conn, &user.id, username).unwrap();
    let bytes = totp_rs::Secret::Encoded(enrolment.secret)
        .to_bytes()
        .unwrap();
    let totp =
        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into()).unwrap();
    let now = casekeep::db::now();
    let code = totp.generate(now.and_utc().timestamp() as u64);
    second_factor::confirm(&mut conn, &user.id, username, &code, now, &user.actor()).unwrap();
}
