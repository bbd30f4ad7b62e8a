//! Password hashing (argon2id with the crate's recommended parameters) and the password policy.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

/// Hashes a password into a PHC string (`$argon2id$v=19$...`), with a fresh random salt.
pub fn hash(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash. A malformed stored hash counts as a mismatch (and is
/// logged), so that a damaged row can never let anyone in.
pub fn verify(password: &str, stored: &str) -> bool {
    match Argon2::default().verify_password(password.as_bytes(), stored) {
        Ok(()) => true,
        Err(argon2::password_hash::Error::PasswordInvalid) => false,
        Err(e) => {
            tracing::error!(error = %e, "stored password hash cannot be checked");
            false
        }
    }
}

/// Spends the same time as a real check, for user names that do not exist, so that response times
/// do not reveal which accounts exist.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get_or_init(|| hash("casekeep-timing-equaliser").ok()) {
        let _ = verify(password, h);
    }
}

/// The rules a new password must meet.
pub fn check_policy(password: &str, username: &str, min_length: u32) -> AppResult<()> {
    let length = password.chars().count();
    if length < min_length as usize {
        return Err(AppError::invalid(
            "password",
            format!("The password must have at least {min_length} characters."),
        ));
    }
    if length > 1024 {
        return Err(AppError::invalid(
            "password",
            "The password must have at most 1024 characters.",
        ));
    }
    if password.trim().is_empty() || password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(AppError::invalid(
            "password",
            "The password must not contain the user name.",
        ));
    }
    Ok(())
}

/// A random one-time password from an alphabet without look-alike characters.
pub fn generate_one_time() -> AppResult<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    // 20 characters from 55 symbols: about 115 bits. The modulo bias (256 % 55) is negligible.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("anything", "not-a-hash"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("short", "amina", 12).is_err());
        assert!(check_policy("amina-is-my-password", "amina", 12).is_err());
        assert!(check_policy("a long enough secret", "amina", 12).is_ok());
    }

    #[test]
    fn one_time_passwords_differ() {
        let a = generate_one_time().unwrap();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate_one_time().unwrap());
    }
}
