//! The TOTP second factor (RFC 6238): enrolment with any authenticator app, verification of a
//! code, and one-use recovery codes for a lost phone.
//!
//! Codes are six digits, SHA-1, 30-second steps: what every authenticator app supports (some
//! apps silently ignore other algorithms). A code is accepted for the current step or one step
//! either side (clock drift), and only for a step later than the last one accepted, so a code
//! overheard or replayed is refused. That check and the recovery codes' single use are each one
//! conditional UPDATE, which makes them hold across processes sharing a database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::{recovery_codes, second_factors};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// Steps either side of now a code may be for.
const SKEW_STEPS: i64 = 1;
/// 160-bit secrets, the size RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show above the code.
const ISSUER: &str = "Casekeep";

/// A begun enrolment: what the user types or scans into their app.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, shown for typing in.
    pub secret: String,
    /// `otpauth://totp/...`, what a QR code of the secret holds.
    pub url: String,
}

/// How a sign-in's second factor was proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    Code,
    /// A recovery code, now spent; this many are left.
    RecoveryCode {
        remaining: i64,
    },
}

fn totp(secret_base32: &str, account: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| AppError::internal(format!("stored TOTP secret unreadable: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|e| AppError::internal(format!("TOTP parameters refused: {e}")))
}

/// The time step of a code matching `code` near `unix_time`, if any.
fn matching_step(totp: &TOTP, code: &str, unix_time: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = unix_time / STEP_SECONDS as i64;
    (now_step - SKEW_STEPS..=now_step + SKEW_STEPS).find(|step| {
        let at = u64::try_from(step * STEP_SECONDS as i64).unwrap_or(0);
        bool::from(totp.generate(at).as_bytes().ct_eq(code.as_bytes()))
    })
}

/// Starts (or restarts) enrolment: a new secret, not protecting the account until confirmed.
/// An account whose second factor is already confirmed must remove it first.
pub fn begin(conn: &mut DbConnection, user_id: &str, username: &str) -> AppResult<Enrolment> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    let url = totp(&secret, username)?.get_url();
    write_transaction(conn, |conn| {
        if is_enrolled(conn, user_id)? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "A second factor is already set up for this account; remove it first.",
            ));
        }
        diesel::delete(second_factors::table.find(user_id)).execute(conn)?;
        diesel::insert_into(second_factors::table)
            .values((
                second_factors::user_id.eq(user_id),
                second_factors::secret.eq(&secret),
                second_factors::last_step.eq(0_i64),
                second_factors::created_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    Ok(Enrolment { secret, url })
}

/// The enrolment begun and not yet confirmed, if any: the page shows it again until confirmed.
pub fn pending(
    conn: &mut DbConnection,
    user_id: &str,
    username: &str,
) -> AppResult<Option<Enrolment>> {
    let secret = second_factors::table
        .find(user_id)
        .filter(second_factors::confirmed_at.is_null())
        .select(second_factors::secret)
        .first::<String>(conn)
        .optional()?;
    secret
        .map(|secret| {
            let url = totp(&secret, username)?.get_url();
            Ok(Enrolment { secret, url })
        })
        .transpose()
}

impl Enrolment {
    /// The URL as a QR code, an SVG image to put in the page (no script, no request to
    /// anyone: the secret never leaves the server except to this page).
    pub fn qr_svg(&self) -> AppResult<String> {
        let code = qrcode::QrCode::new(self.url.as_bytes())
            .map_err(|e| AppError::internal(format!("QR code: {e}")))?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build())
    }

    /// The secret in groups of four, easier to type.
    pub fn secret_grouped(&self) -> String {
        self.secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Confirms an enrolment with a code from the app, which proves the app holds the secret.
/// Answers the recovery codes, which are shown this once and never again.
pub fn confirm(
    conn: &mut DbConnection,
    user_id: &str,
    username: &str,
    code: &str,
    at: NaiveDateTime,
    actor: &Actor,
) -> AppResult<Vec<String>> {
    let codes = new_recovery_codes()?;
    write_transaction(conn, |conn| {
        let (secret, confirmed_at) = second_factors::table
            .find(user_id)
            .select((second_factors::secret, second_factors::confirmed_at))
            .first::<(String, Option<NaiveDateTime>)>(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "Start setting up the second factor first.",
                )
            })?;
        if confirmed_at.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "The second factor is already set up.",
            ));
        }
        let step = matching_step(&totp(&secret, username)?, code, at.and_utc().timestamp())
            .ok_or_else(wrong_enrolment_code)?;
        diesel::update(second_factors::table.find(user_id))
            .set((
                second_factors::confirmed_at.eq(Some(at)),
                second_factors::last_step.eq(step),
            ))
            .execute(conn)?;
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        for code in &codes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::user_id.eq(user_id),
                    recovery_codes::code_hash.eq(hash_recovery_code(code)),
                    recovery_codes::created_at.eq(at),
                ))
                .execute(conn)?;
        }
        audit::write(
            conn,
            actor,
            Event::new("second_factor.enrol", Outcome::Done)
                .detail(serde_json::json!({ "user_id": user_id })),
        )?;
        Ok(())
    })?;
    Ok(codes)
}

/// Whether the account has a confirmed second factor.
pub fn is_enrolled(conn: &mut DbConnection, user_id: &str) -> AppResult<bool> {
    Ok(second_factors::table
        .find(user_id)
        .select(second_factors::confirmed_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some())
}

/// Checks a code typed at sign-in: a current code from the app, or an unused recovery code.
/// Either is spent by the check. A wrong, reused or unknown code is refused.
pub fn verify(
    conn: &mut DbConnection,
    user_id: &str,
    username: &str,
    code: &str,
    at: NaiveDateTime,
) -> AppResult<Proof> {
    let secret = second_factors::table
        .find(user_id)
        .filter(second_factors::confirmed_at.is_not_null())
        .select(second_factors::secret)
        .first::<String>(conn)
        .optional()?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "No second factor is set up."))?;
    if let Some(step) = matching_step(&totp(&secret, username)?, code, at.and_utc().timestamp()) {
        // Accepted only if no code of this or a later step was accepted before.
        let spent = diesel::update(
            second_factors::table
                .find(user_id)
                .filter(second_factors::last_step.lt(step)),
        )
        .set(second_factors::last_step.eq(step))
        .execute(conn)?;
        return if spent == 1 {
            Ok(Proof::Code)
        } else {
            Err(wrong_code())
        };
    }
    let normalised = normalise_recovery_code(code);
    if normalised.len() != RECOVERY_CODE_LEN {
        return Err(wrong_code());
    }
    let spent = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash_recovery_code(&normalised)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(at)))
    .execute(conn)?;
    if spent != 1 {
        return Err(wrong_code());
    }
    let remaining = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result::<i64>(conn)?;
    Ok(Proof::RecoveryCode { remaining })
}

/// Removes an account's second factor and recovery codes (the user's own choice, or an
/// administrator's reset for a lost phone), audited.
pub fn remove(conn: &mut DbConnection, user_id: &str, actor: &Actor) -> AppResult<()> {
    write_transaction(conn, |conn| {
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
            .execute(conn)?;
        let removed = diesel::delete(second_factors::table.find(user_id)).execute(conn)?;
        if removed > 0 {
            audit::write(
                conn,
                actor,
                Event::new("second_factor.remove", Outcome::Done)
                    .detail(serde_json::json!({ "user_id": user_id })),
            )?;
        }
        Ok(())
    })
}

/// Recovery codes: 16 characters of an alphabet without look-alikes (80 bits), shown in groups
/// of four; typed with or without the dashes, in either case.
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_CODE_LEN: usize = 16;

fn new_recovery_codes() -> AppResult<Vec<String>> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CODE_LEN];
            getrandom::fill(&mut bytes)
                .map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
            // 32 symbols: five bits of each byte, uniformly.
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect();
            Ok(chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-"))
        })
        .collect()
}

fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn hash_recovery_code(code: &str) -> String {
    hex::encode(Sha256::digest(normalise_recovery_code(code).as_bytes()))
}

fn wrong_code() -> AppError {
    AppError::new(
        ErrorCode::InvalidCredentials,
        "That code is not right. Type the current code from your authenticator app, or an unused \
         recovery code.",
    )
}

fn wrong_enrolment_code() -> AppError {
    AppError::validation(vec![Problem {
        field: "code".into(),
        kind: "wrong_code",
        message: "That code is not right: type the six digits your authenticator app shows now."
            .into(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, with six digits (the last six of the eight listed).
    #[test]
    fn codes_are_those_of_rfc_6238() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = totp(&secret, "someone").unwrap();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(t.generate(time), code);
            assert_eq!(matching_step(&t, code, time as i64), Some(time as i64 / 30));
        }
        // A step either side is accepted, two steps away is not.
        assert!(matching_step(&t, "287082", 59 + 30).is_some());
        assert!(matching_step(&t, "287082", 59 + 60).is_none());
        assert!(matching_step(&t, "28708", 59).is_none());
        assert!(matching_step(&t, "2870822", 59).is_none());
    }

    #[test]
    fn recovery_codes_are_long_distinct_and_forgiving_to_type() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_eq!(normalise_recovery_code(code).len(), RECOVERY_CODE_LEN);
            let typed = code.to_lowercase().replace('-', " ");
            assert_eq!(hash_recovery_code(&typed), hash_recovery_code(code));
        }
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
    }
}
