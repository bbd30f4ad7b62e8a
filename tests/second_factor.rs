#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The TOTP second factor against a real database, both backends: enrolment, codes that work
//! once, wrong codes, recovery codes that work once, removal; and what the audit log keeps.

mod common;

use casekeep::accounts::second_factor::{self, Proof, RECOVERY_CODES};
use casekeep::accounts::{self};
use casekeep::audit::Actor;
use casekeep::error::ErrorCode;
use chrono::{DateTime, NaiveDateTime};
use common::{Backend, TestApp};
use totp_rs::{Algorithm, Secret, TOTP};

/// The code an authenticator app holding `secret` shows at `at`.
fn app_code(secret: &str, at: NaiveDateTime) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into()).unwrap();
    totp.generate(at.and_utc().timestamp() as u64)
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> String {
    let first = (code.as_bytes()[0] - b'0' + 1) % 10;
    format!("{first}{}", &code[1..])
}

fn at(unix: i64) -> NaiveDateTime {
    DateTime::from_timestamp(unix, 0).unwrap().naive_utc()
}

async fn enrol_sign_in_and_recover(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("worker", "caseworker", "granite-harbour-kettle-7");
    let user = app.with_db(|c| accounts::find_by_username(c, "worker").unwrap().unwrap());
    let actor = user.actor();
    // The start of a 30-second step (a multiple of 30), so that +30 s is the next step.
    let t0: i64 = 1_800_000_000;
    assert_eq!(t0 % 30, 0);

    app.with_db(|c| {
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        let enrolment = second_factor::begin(c, &user.id, "worker").unwrap();
        assert!(enrolment.url.starts_with("otpauth://totp/Casekeep:worker?"));
        assert!(enrolment
            .url
            .contains(&format!("secret={}", enrolment.secret)));
        // Begun is not enrolled: the account is not yet protected by it.
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        // Verifying against an unconfirmed factor is refused.
        let code = app_code(&enrolment.secret, at(t0));
        assert!(second_factor::verify(c, &user.id, "worker", &code, at(t0)).is_err());

        // A wrong code does not confirm, and says which field is wrong.
        let e = second_factor::confirm(c, &user.id, "worker", &other_than(&code), at(t0), &actor)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        assert_eq!(e.field.as_deref(), Some("code"));
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());

        let recovery =
            second_factor::confirm(c, &user.id, "worker", &code, at(t0), &actor).unwrap();
        assert_eq!(recovery.len(), RECOVERY_CODES);
        assert!(second_factor::is_enrolled(c, &user.id).unwrap());
        // Enrolling again is refused while one is set up.
        assert_eq!(
            second_factor::begin(c, &user.id, "worker")
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );

        // The confirming code is spent; the next step's code signs in, once.
        let refused = second_factor::verify(c, &user.id, "worker", &code, at(t0)).unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidCredentials);
        let next = app_code(&enrolment.secret, at(t0 + 30));
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &next, at(t0 + 30)).unwrap(),
            Proof::Code
        );
        assert!(second_factor::verify(c, &user.id, "worker", &next, at(t0 + 30)).is_err());
        // Still within the clock-drift window a step later, but spent: refused.
        assert!(second_factor::verify(c, &user.id, "worker", &next, at(t0 + 60)).is_err());
        // A wrong code, and a code from long ago, are refused.
        let later = app_code(&enrolment.secret, at(t0 + 90));
        let wrong = other_than(&later);
        assert!(second_factor::verify(c, &user.id, "worker", &wrong, at(t0 + 90)).is_err());
        let old = app_code(&enrolment.secret, at(t0 - 3600));
        assert!(second_factor::verify(c, &user.id, "worker", &old, at(t0 + 90)).is_err());

        // A recovery code works once, typed however; the rest still work.
        let typed = recovery[3].to_lowercase().replace('-', " ");
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &typed, at(t0 + 120)).unwrap(),
            Proof::RecoveryCode {
                remaining: RECOVERY_CODES as i64 - 1
            }
        );
        let again = second_factor::verify(c, &user.id, "worker", &recovery[3], at(t0 + 150));
        assert_eq!(again.unwrap_err().code, ErrorCode::InvalidCredentials);
        assert_eq!(
            second_factor::verify(c, &user.id, "worker", &recovery[0], at(t0 + 150)).unwrap(),
            Proof::RecoveryCode {
                remaining: RECOVERY_CODES as i64 - 2
            }
        );
        // Another account's recovery codes are nothing to this one.
        let made_up = "ABCD-EFGH-JKLM-NPQR";
        assert!(second_factor::verify(c, &user.id, "worker", made_up, at(t0 + 150)).is_err());

        // Removed (a lost phone, reset by an administrator): no longer enrolled, codes gone.
        second_factor::remove(c, &user.id, &Actor::console()).unwrap();
        assert!(!second_factor::is_enrolled(c, &user.id).unwrap());
        assert!(second_factor::verify(c, &user.id, "worker", &recovery[1], at(t0 + 180)).is_err());
    });

    // Enrolment and removal are audited; no secret or code is ever in the log.
    let entries = app.audit_tail(50);
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"second_factor.enrol"), "{actions:?}");
    assert!(actions.contains(&"second_factor.remove"), "{actions:?}");
    for e in &entries {
        assert!(!e.detail.contains("secret"), "{}", e.detail);
    }
}

on_both_backends!(enrol_sign_in_and_recover);
