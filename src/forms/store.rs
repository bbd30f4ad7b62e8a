//! Forms, lookups and the reference data they draw on, as stored configuration.
//!
//! Every change to configuration (a section, a lookup, a location, an agency, a user) calls
//! [`config_changed`] in its own transaction. That gives the configuration a new random stamp;
//! the in-memory catalogs are keyed by it, so the next request anywhere sees the change.

use diesel::prelude::*;

use crate::db::schema::config_version;
use crate::db::DbConnection;
use crate::error::AppResult;

/// Marks the configuration as changed. Call inside the transaction that makes the change.
pub fn config_changed(conn: &mut DbConnection) -> AppResult<()> {
    diesel::update(config_version::table.find(1))
        .set((
            config_version::version.eq(config_version::version + 1),
            config_version::stamp.eq(uuid::Uuid::new_v4().simple().to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The configuration's change count and stamp.
pub fn config_state(conn: &mut DbConnection) -> AppResult<(i64, String)> {
    Ok(config_version::table
        .find(1)
        .select((config_version::version, config_version::stamp))
        .first(conn)?)
}
