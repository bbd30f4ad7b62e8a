//! Rate limit on sign-in attempts per client address, on top of the per-account lockout: the
//! lockout stops guessing one account's password, this stops trying many accounts from one place.
//! Kept in memory per node; the lockout, in the database, holds across nodes.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{AppError, AppResult, ErrorCode};

pub struct SignInLimits {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimits {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Counts one attempt from `ip`; refuses once the address is over its quota.
    pub fn attempt(&self, ip: Option<&str>) -> AppResult<()> {
        let Some(ip) = ip.and_then(|s| s.parse::<IpAddr>().ok()) else {
            return Ok(());
        };
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                + 1;
            AppError::new(
                ErrorCode::RateLimited,
                "Too many sign-in attempts from this address. Wait a minute and try again.",
            )
            .with_retry_after(wait)
        })?;
        // Keep memory bounded under address-spraying.
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}
