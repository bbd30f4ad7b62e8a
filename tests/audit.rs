#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The audit chain detects altered, removed and reordered entries, on both backends, and
//! `casekeep audit verify` names the first broken entry.

mod common;

use casekeep::audit::{self, Actor, ChainBreak, Event, Outcome};
use casekeep::db::DbConnection;
use common::{Backend, TestStore};
use diesel::prelude::*;

fn disable_protection(conn: &mut DbConnection) {
    // What an attacker with direct database access would do first.
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("DROP TRIGGER audit_log_no_update")
                .execute(c)
                .unwrap();
            diesel::sql_query("DROP TRIGGER audit_log_no_delete")
                .execute(c)
                .unwrap();
        }
        DbConnection::Pg(c) => {
            diesel::sql_query("DROP TRIGGER audit_log_no_update ON audit_log")
                .execute(c)
                .unwrap();
        }
    }
}

fn fill(conn: &mut DbConnection, n: usize) {
    for i in 0..n {
        let actor = Actor {
            username: Some(format!("user{i}")),
            ..Actor::console()
        };
        audit::write_alone(
            conn,
            &actor,
            Event::new("test.event", Outcome::Done).record("case", &format!("c{i}"), None),
        )
        .unwrap();
    }
}

fn fresh(backend: Backend) -> (TestStore, casekeep::db::PooledDb) {
    let store = TestStore::new(backend);
    let db = casekeep::server::open_database(&store.config()).unwrap();
    let conn = db.get().unwrap();
    (store, conn)
}

async fn entries_cannot_be_changed_through_sql(backend: Backend) {
    let (_store, mut conn) = fresh(backend);
    fill(&mut conn, 2);
    let update =
        diesel::sql_query("UPDATE audit_log SET action = 'x' WHERE seq = 1").execute(&mut *conn);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = diesel::sql_query("DELETE FROM audit_log WHERE seq = 1").execute(&mut *conn);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(2));
}

async fn altered_entry_is_found(backend: Backend) {
    let (_store, mut conn) = fresh(backend);
    fill(&mut conn, 5);
    disable_protection(&mut conn);
    diesel::sql_query("UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 3")
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Altered { seq: 3 })
    );
}

async fn removed_entry_is_found(backend: Backend) {
    let (_store, mut conn) = fresh(backend);
    fill(&mut conn, 5);
    disable_protection(&mut conn);
    diesel::sql_query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Missing {
            expected_seq: 2,
            found_seq: 3
        })
    );
}

async fn removed_tail_is_found(backend: Backend) {
    let (_store, mut conn) = fresh(backend);
    fill(&mut conn, 4);
    disable_protection(&mut conn);
    diesel::sql_query("DELETE FROM audit_log WHERE seq = 4")
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Truncated {
            last_seq: 3,
            head_seq: 4
        })
    );
}

async fn reordered_entries_are_found(backend: Backend) {
    let (_store, mut conn) = fresh(backend);
    fill(&mut conn, 4);
    disable_protection(&mut conn);
    // Swap the sequence numbers of entries 2 and 3, recomputing each entry's own hash so that
    // only the chain links betray the move.
    let mut entries = audit::recent(&mut conn, 10).unwrap();
    entries.reverse();
    let (mut two, mut three) = (entries[1].clone(), entries[2].clone());
    std::mem::swap(&mut two.seq, &mut three.seq);
    two.entry_hash = two.compute_hash();
    three.entry_hash = three.compute_hash();
    use casekeep::db::schema::audit_log;
    diesel::delete(audit_log::table.filter(audit_log::seq.eq_any([2_i64, 3])))
        .execute(&mut *conn)
        .unwrap();
    diesel::insert_into(audit_log::table)
        .values(&two)
        .execute(&mut *conn)
        .unwrap();
    diesel::insert_into(audit_log::table)
        .values(&three)
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(
        audit::verify(&mut conn).unwrap(),
        Err(ChainBreak::Reordered { seq: 2 })
    );
}

async fn concurrent_writers_keep_one_chain(backend: Backend) {
    let store = TestStore::new(backend);
    let db = casekeep::server::open_database(&store.config()).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut conn = db.get().unwrap();
                fill(&mut conn, 10);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut conn = db.get().unwrap();
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(40));
}

on_both_backends!(
    entries_cannot_be_changed_through_sql,
    altered_entry_is_found,
    removed_entry_is_found,
    removed_tail_is_found,
    reordered_entries_are_found,
    concurrent_writers_keep_one_chain,
);

#[test]
fn verify_command_names_the_broken_entry() {
    let store = TestStore::new(Backend::Sqlite);
    let config = store.config();
    {
        let db = casekeep::server::open_database(&config).unwrap();
        let mut conn = db.get().unwrap();
        fill(&mut conn, 3);
        disable_protection(&mut conn);
        diesel::sql_query("UPDATE audit_log SET outcome = 'denied' WHERE seq = 2")
            .execute(&mut *conn)
            .unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casekeep"))
        .args(["audit", "verify"])
        .env(
            "CASEKEEP_DATABASE__URL",
            config.database.url.clone().unwrap(),
        )
        .env("CASEKEEP_STORAGE__DATA_DIR", &config.storage.data_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "casekeep: error: audit log chain broken: entry 2 was altered"
    );
}
