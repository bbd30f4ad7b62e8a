#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Migrations up, down and up again on both backends, leaving a working schema.

mod common;

use casekeep::db::{migrations, Db, DbConnection};
use common::{Backend, TestStore};
use diesel::prelude::*;

fn table_exists(conn: &mut DbConnection, table: &str) -> bool {
    diesel::sql_query(format!("SELECT COUNT(*) FROM {table}"))
        .execute(conn)
        .is_ok()
}

async fn up_down_up(backend: Backend) {
    let store = TestStore::new(backend);
    let db = Db::connect(&store.config()).expect("connect");
    let mut conn = db.get().unwrap();
    let all = migrations::pending(&mut conn).unwrap();
    assert!(!all.is_empty());
    assert!(
        !table_exists(&mut conn, "__diesel_schema_migrations"),
        "pending() is read-only"
    );

    let applied = migrations::run_pending(&mut conn).unwrap();
    assert_eq!(applied, all);
    assert!(migrations::pending(&mut conn).unwrap().is_empty());
    for table in [
        "roles",
        "users",
        "sessions",
        "audit_log",
        "audit_chain_head",
    ] {
        assert!(table_exists(&mut conn, table), "{table} after up");
    }
    casekeep::access::roles::ensure_seeded(&mut conn).unwrap();

    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), all.len());
    for table in [
        "roles",
        "users",
        "sessions",
        "audit_log",
        "audit_chain_head",
    ] {
        assert!(!table_exists(&mut conn, table), "{table} after down");
    }
    assert_eq!(migrations::pending(&mut conn).unwrap(), all);

    migrations::run_pending(&mut conn).unwrap();
    casekeep::access::roles::ensure_seeded(&mut conn).unwrap();
    // The schema works after the round trip: a user can be created and the audit chain holds.
    casekeep::accounts::create(
        &mut conn,
        &casekeep::config::Config::default().accounts,
        casekeep::accounts::NewUser {
            username: "after.roundtrip",
            full_name: "",
            role_id: "caseworker",
            password: "roundtrip-password-1",
            must_change_password: false,
        },
        &casekeep::audit::Actor::console(),
    )
    .unwrap();
    assert_eq!(casekeep::audit::verify(&mut conn).unwrap(), Ok(1));
    // Seeding is idempotent and keeps what is there.
    casekeep::access::roles::ensure_seeded(&mut conn).unwrap();
    let roles: i64 = casekeep::db::schema::roles::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(roles, casekeep::access::roles::seeded_ids().count() as i64);
}

async fn schema_constraints(backend: Backend) {
    let store = TestStore::new(backend);
    let db = Db::connect(&store.config()).expect("connect");
    let mut conn = db.get().unwrap();
    migrations::run_pending(&mut conn).unwrap();
    // Foreign keys are enforced on both backends (SQLite needs them switched on).
    let orphan = diesel::sql_query(
        "INSERT INTO sessions (id_hash, user_id, kind, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ('h', 'no-such-user', 'browser', 't', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .execute(&mut conn);
    assert!(orphan.is_err(), "a session for a missing user is refused");
}

on_both_backends!(up_down_up, schema_constraints);
