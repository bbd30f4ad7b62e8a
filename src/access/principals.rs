//! Who recently presented which credentials, for a few seconds.
//!
//! Working out the principal takes a session lookup, the user and the role: three queries on
//! every request, more than the rest of reading one case. Integrations and busy pages send the
//! same credentials many times a second, so the gate keeps the answer briefly, keyed by a SHA-256
//! of the credentials (never the credentials themselves).
//!
//! Changes made by this server to accounts (sign-out, password, language; later roles and
//! disabling) call [`PrincipalCache::clear`] once they have committed, and take effect on the
//! next request. Changes made by another process (the `casekeep user` commands) take effect once
//! an entry is older than [`MAX_AGE`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::Principal;

/// The longest an account change made outside this server can go unnoticed.
pub const MAX_AGE: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 10_000;

/// The key of presented credentials: which kind they are, and a SHA-256 of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialKey([u8; 32]);

impl CredentialKey {
    pub fn new(kind: &str, credentials: &str) -> Self {
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        h.update([0u8]);
        h.update(credentials.as_bytes());
        Self(h.finalize().into())
    }
}

struct Cached {
    principal: Principal,
    /// When the session itself ends, if the credentials are a session.
    session_expires_at: Option<chrono::NaiveDateTime>,
    stored_at: Instant,
}

#[derive(Default)]
struct Inner {
    /// Bumped by every clear, so that a lookup that began before a change cannot store what it
    /// read before the change committed.
    generation: u64,
    entries: HashMap<CredentialKey, Cached>,
}

/// A lookup ticket: taken before reading the database, handed back to [`PrincipalCache::store`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

#[derive(Default)]
pub struct PrincipalCache {
    inner: Mutex<Inner>,
}

impl PrincipalCache {
    /// The principal for these credentials if it was worked out less than [`MAX_AGE`] ago and
    /// its session has not ended; otherwise a ticket for storing the fresh answer.
    pub fn get(&self, key: &CredentialKey) -> Result<Principal, Ticket> {
        let Ok(mut inner) = self.inner.lock() else {
            return Err(Ticket(u64::MAX));
        };
        let now = crate::db::now();
        match inner.entries.get(key) {
            Some(c)
                if c.stored_at.elapsed() < MAX_AGE
                    && c.session_expires_at.is_none_or(|end| end > now) =>
            {
                Ok(c.principal.clone())
            }
            Some(_) => {
                inner.entries.remove(key);
                Err(Ticket(inner.generation))
            }
            None => Err(Ticket(inner.generation)),
        }
    }

    /// Remembers a principal, unless an account changed since the ticket was taken.
    pub fn store(
        &self,
        ticket: Ticket,
        key: CredentialKey,
        principal: &Principal,
        session_expires_at: Option<chrono::NaiveDateTime>,
    ) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != ticket.0 {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.retain(|_, c| c.stored_at.elapsed() < MAX_AGE);
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
        }
        inner.entries.insert(
            key,
            Cached {
                principal: principal.clone(),
                session_expires_at,
                stored_at: Instant::now(),
            },
        );
    }

    /// Forgets everything: call after any committed change to users, roles or sessions.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.generation = inner.generation.wrapping_add(1);
            inner.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::AuthMethod;

    fn someone() -> Principal {
        Principal {
            user_id: "u1".into(),
            username: "someone".into(),
            full_name: String::new(),
            role_id: "caseworker".into(),
            role_name: "Caseworker".into(),
            language: None,
            must_change_password: false,
            second_factor_missing: false,
            permissions: Default::default(),
            record_scope: crate::access::ScopeKind::Own,
            agency_id: None,
            user_groups: Vec::new(),
            section_access: Default::default(),
            auth: AuthMethod::Basic,
            csrf_token: String::new(),
        }
    }

    #[test]
    fn remembers_until_cleared() {
        let cache = PrincipalCache::default();
        let key = CredentialKey::new("bearer", "token-1");
        let ticket = cache.get(&key).unwrap_err();
        cache.store(ticket, key.clone(), &someone(), None);
        assert_eq!(cache.get(&key).unwrap().username, "someone");
        assert!(cache.get(&CredentialKey::new("cookie", "token-1")).is_err());
        cache.clear();
        assert!(cache.get(&key).is_err());
    }

    #[test]
    fn a_lookup_that_began_before_a_change_is_not_stored() {
        let cache = PrincipalCache::default();
        let key = CredentialKey::new("bearer", "token-1");
        let ticket = cache.get(&key).unwrap_err();
        cache.clear();
        cache.store(ticket, key.clone(), &someone(), None);
        assert!(cache.get(&key).is_err());
    }

    #[test]
    fn an_ended_session_is_not_served() {
        let cache = PrincipalCache::default();
        let key = CredentialKey::new("cookie", "token-1");
        let ticket = cache.get(&key).unwrap_err();
        let ended = crate::db::now() - chrono::Duration::seconds(1);
        cache.store(ticket, key.clone(), &someone(), Some(ended));
        assert!(cache.get(&key).is_err());
    }
}
