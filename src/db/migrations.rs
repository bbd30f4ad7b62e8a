//! Embedded migrations, one directory per backend.

use diesel::migration::MigrationVersion;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConnection, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(versions),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES).map(versions),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts the most recent migration; returns its version. Refuses to revert the first one,
/// which would drop every table with all the data in it: that is a restore from backup, not a
/// rollback.
pub fn revert_last(conn: &mut DbConnection) -> Result<String, DbError> {
    let applied = applied_versions(conn);
    if applied.len() <= 1 {
        return Err(DbError::Migration(
            "refusing to revert the first migration: it would delete every table and all data in them; restore a backup instead".into(),
        ));
    }
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE).map(|v| v.to_string()),
        DbConnection::Pg(c) => c.revert_last_migration(POSTGRES).map(|v| v.to_string()),
    };
    reverted.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts every applied migration (tests only: it deletes everything).
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).map(versions),
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES).map(versions),
    };
    reverted.map_err(|e| DbError::Migration(e.to_string()))
}

/// Migrations that exist in this build but are not applied yet. Read-only: unlike diesel's own
/// `pending_migrations`, it never creates the bookkeeping table (so `check-config` changes nothing).
pub fn pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    use diesel::migration::MigrationSource;

    let embedded: Vec<String> = match conn {
        DbConnection::Sqlite(_) => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE)
            .map(|m| m.iter().map(|m| m.name().version().to_string()).collect()),
        DbConnection::Pg(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES)
            .map(|m| m.iter().map(|m| m.name().version().to_string()).collect()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    let applied = applied_versions(conn);
    Ok(embedded
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect())
}

/// Versions recorded as applied. A database never migrated has no bookkeeping table: none.
fn applied_versions(conn: &mut DbConnection) -> Vec<String> {
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load::<Applied>(conn)
        .map(|rows| rows.into_iter().map(|r| r.version).collect())
        .unwrap_or_default()
}

fn versions(v: Vec<MigrationVersion<'_>>) -> Vec<String> {
    v.iter().map(|v| v.to_string()).collect()
}
