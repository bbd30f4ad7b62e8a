//! Server-side sessions in the database, so several Casekeep nodes can share them.
//!
//! The client holds a random 256-bit token; the database holds only its SHA-256, so a copy of the
//! database cannot be turned into live sessions. Browser sessions and API bearer tokens are the
//! same thing with a different `kind`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::AccountsConfig;
use crate::db::schema::sessions;
use crate::db::{now, DbConnection};
use crate::error::{AppError, AppResult};

pub const KIND_BROWSER: &str = "browser";
pub const KIND_API: &str = "api";
/// A sign-in half done: the password was right, the second factor is still to come. Such a
/// session is never a principal; it only lets its holder type a code, for a few minutes.
pub const KIND_SECOND_FACTOR: &str = "second_factor";
const SECOND_FACTOR_MINUTES: i64 = 5;

/// `last_seen_at` is refreshed at most this often, to avoid a database write per request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A freshly created session: the secret goes to the client once and is never stored.
pub struct Issued {
    pub token: String,
    pub session: Session,
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> AppResult<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a new session (always a new id: sign-in never reuses one, which defeats fixation).
pub fn create(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user_id: &str,
    kind: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> AppResult<Issued> {
    let token = random_token()?;
    let at = now();
    let session = Session {
        id_hash: hash_token(&token),
        user_id: user_id.to_owned(),
        kind: kind.to_owned(),
        csrf_token: random_token()?,
        created_at: at,
        last_seen_at: at,
        expires_at: at + chrono::Duration::hours(i64::from(accounts.session_max_hours)),
        ip: ip.map(str::to_owned),
        user_agent: user_agent.map(|a| a.chars().take(400).collect()),
    };
    diesel::insert_into(sessions::table)
        .values(&session)
        .execute(conn)?;
    Ok(Issued { token, session })
}

/// Finds the live session for a token, ending it if it has been idle too long or is past its
/// lifetime, and refreshing its last-seen time.
pub fn resolve(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    token: &str,
) -> AppResult<Option<Session>> {
    let id_hash = hash_token(token);
    let Some(session) = sessions::table
        .find(&id_hash)
        .filter(sessions::kind.ne(KIND_SECOND_FACTOR))
        .select(Session::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let at = now();
    let idle_limit = chrono::Duration::minutes(i64::from(accounts.session_idle_minutes));
    if session.expires_at <= at || session.last_seen_at + idle_limit <= at {
        delete(conn, &id_hash)?;
        return Ok(None);
    }
    if (at - session.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECONDS {
        diesel::update(sessions::table.find(&id_hash))
            .set(sessions::last_seen_at.eq(at))
            .execute(conn)?;
    }
    Ok(Some(session))
}

/// Starts a half-done sign-in that waits for the second factor.
pub fn create_second_factor_wait(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user_id: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> AppResult<Issued> {
    let mut issued = create(conn, accounts, user_id, KIND_SECOND_FACTOR, ip, user_agent)?;
    let expires_at = issued.session.created_at + chrono::Duration::minutes(SECOND_FACTOR_MINUTES);
    diesel::update(sessions::table.find(&issued.session.id_hash))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)?;
    issued.session.expires_at = expires_at;
    Ok(issued)
}

/// The half-done sign-in a token names, while it lasts.
pub fn find_second_factor_wait(conn: &mut DbConnection, token: &str) -> AppResult<Option<Session>> {
    Ok(sessions::table
        .find(hash_token(token))
        .filter(sessions::kind.eq(KIND_SECOND_FACTOR))
        .filter(sessions::expires_at.gt(now()))
        .select(Session::as_select())
        .first(conn)
        .optional()?)
}

pub fn delete(conn: &mut DbConnection, id_hash: &str) -> AppResult<()> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user, optionally keeping one (the one that changed the password).
pub fn delete_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
) -> AppResult<()> {
    let mine = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(k) => diesel::delete(mine.filter(sessions::id_hash.ne(k))).execute(conn)?,
        None => diesel::delete(mine).execute(conn)?,
    };
    Ok(())
}

/// Removes expired sessions; returns how many.
pub fn purge_expired(conn: &mut DbConnection, accounts: &AccountsConfig) -> AppResult<usize> {
    let at = now();
    let idle_cutoff = at - chrono::Duration::minutes(i64::from(accounts.session_idle_minutes));
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(at)
                .or(sessions::last_seen_at.le(idle_cutoff)),
        ),
    )
    .execute(conn)?)
}
