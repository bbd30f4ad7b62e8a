//! User accounts: the model, its queries, and the account operations (create, sign in, change
//! password) that the CLI, the web UI and the API share.

pub mod handlers;
pub mod management;
pub mod password;
pub mod second_factor;
pub mod second_factor_pages;
pub mod sessions;
pub mod user_pages;
pub mod users_api;

use diesel::prelude::*;

use crate::access::roles;
use crate::audit::{self, Actor, Event, Outcome};
use crate::config::AccountsConfig;
use crate::db::schema::users;
use crate::db::{now, write_transaction, Db, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role_id: String,
    pub language: Option<String>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_sign_ins: i32,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub password_changed_at: chrono::NaiveDateTime,
    pub last_sign_in_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// The agency the user works for.
    pub agency_id: Option<String>,
}

impl User {
    pub fn actor(&self) -> Actor {
        self.acting_through(&Actor::default())
    }

    /// This user as the actor of a request (its address and browser) they are making.
    fn acting_through(&self, request: &Actor) -> Actor {
        Actor {
            user_id: Some(self.id.clone()),
            username: Some(self.username.clone()),
            role_id: Some(self.role_id.clone()),
            ..request.clone()
        }
    }
}

/// Looks a user up by name, ignoring case.
pub fn find_by_username(conn: &mut DbConnection, username: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_id(conn: &mut DbConnection, id: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut DbConnection) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// User names: 3 to 64 characters of letters, digits, `.`, `_`, `-` and `@`.
pub fn check_username(username: &str) -> AppResult<()> {
    let ok = (3..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "username",
            "A user name has 3 to 64 characters: letters, digits, '.', '_', '-' or '@'.",
        ))
    }
}

/// What it takes to create a user.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub role_id: &'a str,
    pub password: &'a str,
    pub must_change_password: bool,
}

/// Creates a user (hashing outside the transaction), audited as `user.create`.
pub fn create(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    new: NewUser<'_>,
    actor: &Actor,
) -> AppResult<User> {
    check_username(new.username)?;
    password::check_policy(new.password, new.username, accounts.password_min_length)?;
    let password_hash = password::hash(new.password)?;
    write_transaction(conn, |conn| {
        if roles::find(conn, new.role_id)?.is_none() {
            return Err(AppError::invalid(
                "role",
                format!(
                    "There is no role {:?}. Seeded roles: {}.",
                    new.role_id,
                    roles::seeded_ids().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if find_by_username(conn, new.username)?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A user named {:?} already exists.", new.username),
            ));
        }
        let at = now();
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            username: new.username.to_owned(),
            full_name: new.full_name.to_owned(),
            email: None,
            role_id: new.role_id.to_owned(),
            language: None,
            password_hash,
            must_change_password: new.must_change_password,
            disabled: false,
            failed_sign_ins: 0,
            locked_until: None,
            password_changed_at: at,
            last_sign_in_at: None,
            created_at: at,
            updated_at: at,
            agency_id: None,
        };
        diesel::insert_into(users::table)
            .values(&user)
            .execute(conn)?;
        // User fields of the forms offer the users as choices.
        crate::forms::store::config_changed(conn)?;
        audit::write(
            conn,
            actor,
            Event::new("user.create", Outcome::Done)
                .record("user", &user.id, None)
                .detail(serde_json::json!({ "role": user.role_id })),
        )?;
        Ok(user)
    })
}

/// Disables or re-enables an account, audited as `user.disable` / `user.enable`. Disabling ends
/// every session of the user at once (and the gate refuses a disabled user's credentials even
/// before that). The last enabled superuser cannot be disabled: nobody could undo it from the
/// browser.
pub fn set_disabled(
    conn: &mut DbConnection,
    user: &User,
    disabled: bool,
    actor: &Actor,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let current: bool = users::table
            .find(&user.id)
            .select(users::disabled)
            .first(conn)?;
        if current == disabled {
            let state = if disabled { "disabled" } else { "enabled" };
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("{} is already {state}.", user.username),
            ));
        }
        if disabled && user.role_id == "superuser" {
            let other_superusers: i64 = users::table
                .filter(users::role_id.eq("superuser"))
                .filter(users::disabled.eq(false))
                .filter(users::id.ne(&user.id))
                .count()
                .get_result(conn)?;
            if other_superusers == 0 {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "{} is the last enabled superuser; enable or create another first.",
                        user.username
                    ),
                ));
            }
        }
        diesel::update(users::table.find(&user.id))
            .set((users::disabled.eq(disabled), users::updated_at.eq(now())))
            .execute(conn)?;
        if disabled {
            sessions::delete_for_user(conn, &user.id, None)?;
        }
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        audit::write(
            conn,
            actor,
            Event::new(action, Outcome::Done).record("user", &user.id, None),
        )?;
        Ok(())
    })
}

/// Sets a new password. `must_change` marks it one-time (an administrator's reset). Every session
/// of the user ends, except `keep_session` (the one that made the change).
pub fn set_password(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user: &User,
    new_password: &str,
    must_change: bool,
    keep_session: Option<&str>,
    actor: &Actor,
) -> AppResult<()> {
    password::check_policy(new_password, &user.username, accounts.password_min_length)?;
    if password::verify(new_password, &user.password_hash) {
        return Err(AppError::invalid(
            "new_password",
            "The new password must differ from the current one.",
        ));
    }
    let password_hash = password::hash(new_password)?;
    write_transaction(conn, |conn| {
        let at = now();
        diesel::update(users::table.find(&user.id))
            .set((
                users::password_hash.eq(&password_hash),
                users::must_change_password.eq(must_change),
                users::password_changed_at.eq(at),
                users::failed_sign_ins.eq(0),
                users::locked_until.eq(None::<chrono::NaiveDateTime>),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        sessions::delete_for_user(conn, &user.id, keep_session)?;
        audit::write(
            conn,
            actor,
            Event::new("user.password_change", Outcome::Done)
                .record("user", &user.id, None)
                .detail(serde_json::json!({ "one_time": must_change })),
        )
        .map(|_| ())
    })
}

/// Checks a user name and password, applying lockout, and audits the attempt either way.
/// Unknown users, disabled users and wrong passwords all get the same answer.
pub async fn authenticate(
    db: &Db,
    accounts: &AccountsConfig,
    username: &str,
    password: &str,
    actor: &Actor,
) -> AppResult<User> {
    let name = username.to_owned();
    let user = db.run(move |conn| find_by_username(conn, &name)).await?;
    let given = password.to_owned();
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    // Argon2 takes tens of milliseconds of CPU: do it on the blocking pool without holding a
    // database connection.
    let matches = actix_web::web::block(move || match stored {
        Some(h) => password::verify(&given, &h),
        None => {
            password::verify_dummy(&given);
            false
        }
    })
    .await
    .map_err(AppError::internal)?;

    let accounts = accounts.clone();
    let actor = actor.clone();
    let attempted = username.to_owned();
    db.run(move |conn| record_attempt(conn, &accounts, user, matches, &attempted, &actor))
        .await
}

fn record_attempt(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user: Option<User>,
    password_matches: bool,
    attempted_username: &str,
    actor: &Actor,
) -> AppResult<User> {
    let invalid = || {
        AppError::new(
            ErrorCode::InvalidCredentials,
            "Wrong user name or password.",
        )
    };
    let Some(user) = user else {
        let mut who = actor.clone();
        who.username = Some(attempted_username.chars().take(64).collect());
        audit::write_alone(
            conn,
            &who,
            Event::new("sign_in", Outcome::Failed)
                .detail(serde_json::json!({ "reason": "unknown_user" })),
        )?;
        return Err(invalid());
    };
    let who = user.acting_through(actor);
    let at = now();
    let fail = |conn: &mut DbConnection, reason: &str| {
        audit::write(
            conn,
            &who,
            Event::new("sign_in", Outcome::Failed)
                .record("user", &user.id, None)
                .detail(serde_json::json!({ "reason": reason })),
        )
    };
    write_transaction::<_, AppError, _>(conn, |conn| {
        if user.disabled {
            fail(conn, "disabled")?;
            return Ok(Err(invalid()));
        }
        if let Some(until) = user.locked_until.filter(|u| *u > at) {
            fail(conn, "locked")?;
            let wait = (until - at).num_seconds().max(1) as u64;
            return Ok(Err(locked(wait)));
        }
        if !password_matches {
            if count_failure(conn, accounts, &user.id, at)? {
                fail(conn, "wrong_password_locked")?;
                return Ok(Err(locked(u64::from(accounts.lockout_minutes) * 60)));
            }
            fail(conn, "wrong_password")?;
            return Ok(Err(invalid()));
        }
        diesel::update(users::table.find(&user.id))
            .set((
                users::failed_sign_ins.eq(0),
                users::locked_until.eq(None::<chrono::NaiveDateTime>),
                users::last_sign_in_at.eq(Some(at)),
            ))
            .execute(conn)?;
        audit::write(
            conn,
            &who,
            Event::new("sign_in", Outcome::Done).record("user", &user.id, None),
        )?;
        Ok(Ok(user.clone()))
    })?
}

/// Counts a failed sign-in (wrong password or wrong second-factor code) and locks the account
/// when the threshold is reached; answers whether it is now locked. Counted atomically so that
/// concurrent attempts cannot slip past the threshold.
fn count_failure(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user_id: &str,
    at: chrono::NaiveDateTime,
) -> AppResult<bool> {
    diesel::update(users::table.find(user_id))
        .set(users::failed_sign_ins.eq(users::failed_sign_ins + 1))
        .execute(conn)?;
    let failures: i32 = users::table
        .find(user_id)
        .select(users::failed_sign_ins)
        .first(conn)?;
    if failures < accounts.lockout_threshold as i32 {
        return Ok(false);
    }
    let until = at + chrono::Duration::minutes(i64::from(accounts.lockout_minutes));
    diesel::update(users::table.find(user_id))
        .set((
            users::locked_until.eq(Some(until)),
            users::failed_sign_ins.eq(0),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Checks the second factor of a sign-in whose password was right: the account must still be
/// usable, and a wrong code counts as a failed sign-in towards the lockout. Audited either way.
pub fn check_second_factor(
    conn: &mut DbConnection,
    accounts: &AccountsConfig,
    user_id: &str,
    code: &str,
    actor: &Actor,
) -> AppResult<User> {
    let user = find_by_id(conn, user_id)?.ok_or_else(AppError::unauthenticated)?;
    let who = user.acting_through(actor);
    let at = now();
    let event = |outcome, reason: &str| {
        Event::new("sign_in.second_factor", outcome)
            .record("user", &user.id, None)
            .detail(serde_json::json!({ "reason": reason }))
    };
    write_transaction::<_, AppError, _>(conn, |conn| {
        if user.disabled {
            audit::write(conn, &who, event(Outcome::Failed, "disabled"))?;
            return Ok(Err(AppError::unauthenticated()));
        }
        if let Some(until) = user.locked_until.filter(|u| *u > at) {
            audit::write(conn, &who, event(Outcome::Failed, "locked"))?;
            return Ok(Err(locked((until - at).num_seconds().max(1) as u64)));
        }
        match second_factor::verify(conn, &user.id, &user.username, code, at) {
            Ok(proof) => {
                let reason = match proof {
                    second_factor::Proof::Code => "code",
                    second_factor::Proof::RecoveryCode { .. } => "recovery_code",
                };
                audit::write(conn, &who, event(Outcome::Done, reason))?;
                Ok(Ok(user.clone()))
            }
            Err(e) if e.code == ErrorCode::InvalidCredentials => {
                if count_failure(conn, accounts, &user.id, at)? {
                    audit::write(conn, &who, event(Outcome::Failed, "wrong_code_locked"))?;
                    return Ok(Err(locked(u64::from(accounts.lockout_minutes) * 60)));
                }
                audit::write(conn, &who, event(Outcome::Failed, "wrong_code"))?;
                Ok(Err(e))
            }
            Err(e) => Err(e),
        }
    })?
}

fn locked(retry_after: u64) -> AppError {
    AppError::new(
        ErrorCode::AccountLocked,
        "Too many failed sign-ins: this account is locked for a while. Try again later or ask an administrator.",
    )
    .with_retry_after(retry_after)
}
