//! Guardrails in memory: store-creation rate limits per client IP and per user (GCRA via
//! governor) and login failure throttling. They are per process; the quota, which must be
//! exact, lives in the database.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::error::{ApiError, RateLimitHeaders};

type Keyed =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

struct Limit {
    name: &'static str,
    per_minute: u32,
    limiter: Keyed,
}

impl Limit {
    fn new(name: &'static str, per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            name,
            per_minute: n.get(),
            limiter: RateLimiter::keyed(Quota::per_minute(n)).with_middleware(),
        }
    }

    fn policy(&self) -> String {
        format!("\"{}\";q={};w=60", self.name, self.per_minute)
    }
}

/// Result of a passed rate-limit check: the headers to send along.
#[derive(Debug, Clone)]
pub struct Allowed(pub RateLimitHeaders);

/// Store-creation limits: per client IP and per user, each `n` per minute.
pub struct CreateLimits {
    per_ip: Limit,
    per_user: Limit,
    clock: DefaultClock,
}

impl std::fmt::Debug for CreateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateLimits")
            .field("per_ip", &self.per_ip.per_minute)
            .field("per_user", &self.per_user.per_minute)
            .finish()
    }
}

impl CreateLimits {
    pub fn new(per_ip_per_minute: u32, per_user_per_minute: u32) -> Self {
        Self {
            per_ip: Limit::new("ip", per_ip_per_minute),
            per_user: Limit::new("user", per_user_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Take one creation from both budgets, or say when to come back.
    pub fn check(&self, ip: &str, user: &str) -> Result<Allowed, ApiError> {
        let policy = format!("{}, {}", self.per_ip.policy(), self.per_user.policy());
        let mut states = Vec::new();
        for (limit, key) in [(&self.per_user, user), (&self.per_ip, ip)] {
            match limit.limiter.check_key(&key.to_owned()) {
                Ok(snapshot) => {
                    let remaining = snapshot.remaining_burst_capacity();
                    // Time until the bucket is full again: one slot every 60/q seconds.
                    let used = limit.per_minute.saturating_sub(remaining);
                    let reset = (u64::from(used) * 60).div_ceil(u64::from(limit.per_minute));
                    states.push(format!("\"{}\";r={remaining};t={reset}", limit.name));
                }
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    let secs = whole_seconds(wait);
                    let who = if limit.name == "ip" {
                        "from your address"
                    } else {
                        "for your account"
                    };
                    return Err(ApiError::RateLimited {
                        retry_after: secs,
                        detail: format!(
                            "Too many stores created {who}: at most {} per minute. Try again in {secs} s.",
                            limit.per_minute
                        ),
                        headers: RateLimitHeaders {
                            policy,
                            state: format!("\"{}\";r=0;t={secs}", limit.name),
                        },
                    });
                }
            }
        }
        Ok(Allowed(RateLimitHeaders {
            policy,
            state: states.join(", "),
        }))
    }

    /// Forget keys whose budget is full again, so memory stays bounded.
    pub fn shrink(&self) {
        self.per_ip.limiter.retain_recent();
        self.per_user.limiter.retain_recent();
    }
}

fn whole_seconds(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

/// Failed sign-ins per email and per client IP within a window; past the limit, sign-in
/// is refused until the window ends, whatever the password.
#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    max_per_email: u32,
    max_per_ip: u32,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(window: Duration, max_per_email: u32, max_per_ip: u32) -> Self {
        Self {
            window,
            max_per_email,
            max_per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email_key: &str, ip: &str) -> [String; 2] {
        [format!("email:{email_key}"), format!("ip:{ip}")]
    }

    /// Refuse when either key is over its limit.
    pub fn check(&self, email_key: &str, ip: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [by_email, by_ip] = Self::keys(email_key, ip);
        for (key, max) in [(by_email, self.max_per_email), (by_ip, self.max_per_ip)] {
            if let Some((count, since)) = failures.get(&key) {
                let elapsed = now.duration_since(*since);
                if *count >= max && elapsed < self.window {
                    let secs = whole_seconds(self.window - elapsed);
                    return Err(ApiError::RateLimited {
                        retry_after: secs,
                        detail: format!("Too many failed sign-ins. Try again in {secs} s."),
                        headers: RateLimitHeaders {
                            policy: format!("\"login\";q={max};w={}", self.window.as_secs()),
                            state: format!("\"login\";r=0;t={secs}"),
                        },
                    });
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, email_key: &str, ip: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        for key in Self::keys(email_key, ip) {
            let entry = failures.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= self.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn record_success(&self, email_key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&format!("email:{email_key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_limit_allows_the_budget_then_refuses_with_whole_seconds() {
        let limits = CreateLimits::new(3, 100);
        for i in 0..3 {
            let ok = limits.check("1.2.3.4", &format!("u{i}")).unwrap();
            assert!(ok.0.policy.contains("\"ip\";q=3;w=60"));
        }
        let Err(ApiError::RateLimited {
            retry_after,
            headers,
            ..
        }) = limits.check("1.2.3.4", "u9")
        else {
            panic!("fourth create from one IP must be limited");
        };
        assert!((1..=20).contains(&retry_after), "{retry_after}");
        assert!(headers.state.contains("r=0"));
        assert!(
            limits.check("5.6.7.8", "u9").is_ok(),
            "other IPs are unaffected"
        );
    }

    #[test]
    fn login_throttle_blocks_after_failures_and_success_clears_email() {
        let t = LoginThrottle::new(Duration::from_secs(60), 2, 10);
        t.check("a@b.c", "ip").unwrap();
        t.record_failure("a@b.c", "ip");
        t.record_failure("a@b.c", "ip");
        assert!(t.check("a@b.c", "ip").is_err());
        assert!(t.check("other@b.c", "ip2").is_ok());
        t.record_success("a@b.c");
        assert!(t.check("a@b.c", "ip").is_ok());
    }
}
