//! Guardrails in memory: store-creation rate limits per client IP and per user (a
//! sliding window with reservations, so only created stores count), the sign-up rate
//! limit per client IP (GCRA via governor) and login failure throttling. They are per process; the quota, which must be
//! exact, lives in the database.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
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

    /// Take one from `key`'s budget: its RateLimit state on success, a 429 saying
    /// "`what`: at most n per minute" and when to come back otherwise.
    fn take(
        &self,
        key: &str,
        clock: &DefaultClock,
        policy: &str,
        what: &str,
    ) -> Result<String, ApiError> {
        match self.limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                // Time until the bucket is full again: one slot every 60/q seconds.
                let used = self.per_minute.saturating_sub(remaining);
                let reset = (u64::from(used) * 60).div_ceil(u64::from(self.per_minute));
                Ok(format!("\"{}\";r={remaining};t={reset}", self.name))
            }
            Err(not_until) => {
                let secs = whole_seconds(not_until.wait_time_from(clock.now()));
                Err(ApiError::RateLimited {
                    retry_after: secs,
                    detail: format!(
                        "{what}: at most {} per minute. Try again in {secs} s.",
                        self.per_minute
                    ),
                    headers: RateLimitHeaders {
                        policy: policy.to_owned(),
                        state: format!("\"{}\";r=0;t={secs}", self.name),
                    },
                })
            }
        }
    }
}

/// Sign-ups per client address, `n` per minute: each one costs a password hash and a
/// row, so one address must not be able to create accounts in bulk.
pub struct SignupLimit {
    per_ip: Limit,
    clock: DefaultClock,
}

impl std::fmt::Debug for SignupLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignupLimit")
            .field("per_ip", &self.per_ip.per_minute)
            .finish()
    }
}

impl SignupLimit {
    pub fn new(per_ip_per_minute: u32) -> Self {
        Self {
            per_ip: Limit::new("signup", per_ip_per_minute),
            clock: DefaultClock::default(),
        }
    }

    pub fn check(&self, ip: &str) -> Result<Allowed, ApiError> {
        let policy = self.per_ip.policy();
        let state = self.per_ip.take(
            ip,
            &self.clock,
            &policy,
            "Too many sign-ups from your address",
        )?;
        Ok(Allowed(RateLimitHeaders { policy, state }))
    }

    pub fn shrink(&self) {
        self.per_ip.limiter.retain_recent();
    }
}

/// Result of a passed rate-limit check: the headers to send along.
#[derive(Debug, Clone)]
pub struct Allowed(pub RateLimitHeaders);

/// How far back a creation counts toward a per-minute creation limit.
const CREATE_WINDOW: Duration = Duration::from_secs(60);

/// At most `per_minute` store creations per key in any 60 s. Unlike a governor bucket,
/// a slot is first reserved and then either kept (the store was created) or given back
/// (the request was refused for any other reason), so refused attempts cost nothing.
/// Reservations count while their request runs, so parallel requests cannot overrun
/// the limit; a request that waits only on reservations in flight is told to retry in 1 s.
struct CreateWindow {
    name: &'static str,
    per_minute: u32,
    keys: Mutex<HashMap<String, Slots>>,
}

#[derive(Debug, Default)]
struct Slots {
    /// When each kept creation happened, oldest first, within the window.
    kept: std::collections::VecDeque<Instant>,
    /// Reservations whose request has not finished.
    pending: u32,
}

impl Slots {
    fn forget_old(&mut self, now: Instant) {
        while self
            .kept
            .front()
            .is_some_and(|t| now.duration_since(*t) >= CREATE_WINDOW)
        {
            self.kept.pop_front();
        }
    }
}

impl CreateWindow {
    fn new(name: &'static str, per_minute: u32) -> Self {
        Self {
            name,
            per_minute: per_minute.max(1),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn policy(&self) -> String {
        format!("\"{}\";q={};w=60", self.name, self.per_minute)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slots>> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserve one slot of `key`: its RateLimit state on success, a 429 saying
    /// "`what`: at most n per minute" and when to come back otherwise.
    fn reserve(
        &self,
        key: &str,
        now: Instant,
        policy: &str,
        what: &str,
    ) -> Result<String, ApiError> {
        let mut keys = self.lock();
        let slots = keys.entry(key.to_owned()).or_default();
        slots.forget_old(now);
        let used = slots.kept.len() + slots.pending as usize;
        let limit = self.per_minute as usize;
        if used >= limit {
            // The slots free up as the oldest kept creations leave the window.
            let must_expire = used - limit + 1;
            let secs = match slots.kept.get(must_expire - 1) {
                Some(t) => whole_seconds(CREATE_WINDOW.saturating_sub(now.duration_since(*t))),
                None => 1,
            };
            return Err(ApiError::RateLimited {
                retry_after: secs,
                detail: format!(
                    "{what}: at most {} per minute. Try again in {secs} s.",
                    self.per_minute
                ),
                headers: RateLimitHeaders {
                    policy: policy.to_owned(),
                    state: format!("\"{}\";r=0;t={secs}", self.name),
                },
            });
        }
        slots.pending += 1;
        let remaining = limit - used - 1;
        Ok(format!(
            "\"{}\";r={remaining};t={}",
            self.name,
            CREATE_WINDOW.as_secs()
        ))
    }

    /// End a reservation: keep its slot (a store was created) or give it back.
    fn settle(&self, key: &str, keep: bool, now: Instant) {
        let mut keys = self.lock();
        if let Some(slots) = keys.get_mut(key) {
            slots.pending = slots.pending.saturating_sub(1);
            if keep {
                slots.kept.push_back(now);
            }
        }
    }

    fn shrink(&self, now: Instant) {
        self.lock().retain(|_, slots| {
            slots.forget_old(now);
            slots.pending > 0 || !slots.kept.is_empty()
        });
    }
}

/// Store-creation limits: per client IP and per user, each `n` per minute. Only stores
/// actually created count (see [`CreateWindow`]).
pub struct CreateLimits {
    per_ip: CreateWindow,
    per_user: CreateWindow,
}

impl std::fmt::Debug for CreateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateLimits")
            .field("per_ip", &self.per_ip.per_minute)
            .field("per_user", &self.per_user.per_minute)
            .finish()
    }
}

/// A creation slot held in both budgets while the request runs. [`Self::keep`] when the
/// store was created; dropping it otherwise gives the slots back.
#[derive(Debug)]
pub struct CreateReservation {
    limits: Arc<CreateLimits>,
    ip: String,
    user: String,
    headers: RateLimitHeaders,
    settled: bool,
}

impl CreateReservation {
    /// The RateLimit headers to send with the answer.
    pub fn headers(&self) -> &RateLimitHeaders {
        &self.headers
    }

    /// The store was created: the slots stay used for a minute.
    pub fn keep(mut self) {
        self.settle(true);
    }

    fn settle(&mut self, keep: bool) {
        if !self.settled {
            let now = Instant::now();
            self.limits.per_user.settle(&self.user, keep, now);
            self.limits.per_ip.settle(&self.ip, keep, now);
            self.settled = true;
        }
    }
}

impl Drop for CreateReservation {
    fn drop(&mut self) {
        self.settle(false);
    }
}

impl CreateLimits {
    pub fn new(per_ip_per_minute: u32, per_user_per_minute: u32) -> Self {
        Self {
            per_ip: CreateWindow::new("ip", per_ip_per_minute),
            per_user: CreateWindow::new("user", per_user_per_minute),
        }
    }

    /// Reserve one creation in both budgets, or say when to come back.
    pub fn reserve(self: &Arc<Self>, ip: &str, user: &str) -> Result<CreateReservation, ApiError> {
        let policy = format!("{}, {}", self.per_ip.policy(), self.per_user.policy());
        let now = Instant::now();
        let user_state = self.per_user.reserve(
            user,
            now,
            &policy,
            "Too many stores created for your account",
        )?;
        let ip_state = match self.per_ip.reserve(
            ip,
            now,
            &policy,
            "Too many stores created from your address",
        ) {
            Ok(state) => state,
            Err(e) => {
                self.per_user.settle(user, false, now);
                return Err(e);
            }
        };
        Ok(CreateReservation {
            limits: self.clone(),
            ip: ip.to_owned(),
            user: user.to_owned(),
            headers: RateLimitHeaders {
                policy,
                state: format!("{user_state}, {ip_state}"),
            },
            settled: false,
        })
    }

    /// Forget keys with nothing in the window, so memory stays bounded.
    pub fn shrink(&self) {
        let now = Instant::now();
        self.per_ip.shrink(now);
        self.per_user.shrink(now);
    }
}

fn whole_seconds(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

/// Failed sign-ins per email and per client IP within a window; past the limit, sign-in
/// is refused until the window ends, whatever the password.
///
/// Attempts still being checked count against the limit too: a password check takes
/// about 100 ms, and counting only finished failures let 60 parallel guesses all through
/// before the first failure was recorded. A correct password does not clear the count,
/// so someone who knows it cannot reopen the window for a guesser running alongside.
#[derive(Debug)]
pub struct LoginThrottle {
    window: Duration,
    max_per_email: u32,
    max_per_ip: u32,
    entries: Mutex<HashMap<String, Tally>>,
}

#[derive(Debug, Clone, Copy)]
struct Tally {
    failures: u32,
    in_flight: u32,
    since: Instant,
}

/// A sign-in attempt admitted by [`LoginThrottle::begin`]. Say how it ended with
/// [`LoginAttempt::failed`]; dropping it otherwise (success, an error) only frees its slot.
#[derive(Debug)]
pub struct LoginAttempt {
    throttle: Arc<LoginThrottle>,
    keys: [String; 2],
    finished: bool,
}

impl LoginAttempt {
    pub fn failed(mut self) {
        self.throttle.finish(&self.keys, true);
        self.finished = true;
    }
}

impl Drop for LoginAttempt {
    fn drop(&mut self) {
        if !self.finished {
            self.throttle.finish(&self.keys, false);
        }
    }
}

impl LoginThrottle {
    pub fn new(window: Duration, max_per_email: u32, max_per_ip: u32) -> Self {
        Self {
            window,
            max_per_email,
            max_per_ip,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email_key: &str, ip: &str) -> [String; 2] {
        [format!("email:{email_key}"), format!("ip:{ip}")]
    }

    /// Admit one attempt, or refuse when finished failures plus attempts in flight
    /// already reach either key's limit.
    pub fn begin(self: &Arc<Self>, email_key: &str, ip: &str) -> Result<LoginAttempt, ApiError> {
        let now = Instant::now();
        let keys = Self::keys(email_key, ip);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, t| t.in_flight > 0 || now.duration_since(t.since) < window);
        }
        for (key, max) in keys.iter().zip([self.max_per_email, self.max_per_ip]) {
            let Some(tally) = entries.get_mut(key) else {
                continue;
            };
            let elapsed = now.duration_since(tally.since);
            if elapsed >= self.window {
                // The window is over: its failures no longer count.
                *tally = Tally {
                    failures: 0,
                    in_flight: tally.in_flight,
                    since: now,
                };
                continue;
            }
            if tally.failures + tally.in_flight >= max {
                // Blocked by finished failures: until the window ends; by attempts
                // still in flight: a moment, until they are decided.
                let secs = if tally.failures >= max {
                    whole_seconds(self.window - elapsed)
                } else {
                    1
                };
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
        for key in &keys {
            entries
                .entry(key.clone())
                .or_insert(Tally {
                    failures: 0,
                    in_flight: 0,
                    since: now,
                })
                .in_flight += 1;
        }
        Ok(LoginAttempt {
            throttle: self.clone(),
            keys,
            finished: false,
        })
    }

    fn finish(&self, keys: &[String; 2], failed: bool) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if let Some(tally) = entries.get_mut(key) {
                tally.in_flight = tally.in_flight.saturating_sub(1);
                if failed {
                    tally.failures += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_limit_allows_the_budget_then_refuses_with_whole_seconds() {
        let limits = Arc::new(CreateLimits::new(3, 100));
        for i in 0..3 {
            let ok = limits.reserve("1.2.3.4", &format!("u{i}")).unwrap();
            assert!(ok.headers().policy.contains("\"ip\";q=3;w=60"));
            ok.keep();
        }
        let Err(ApiError::RateLimited {
            retry_after,
            headers,
            ..
        }) = limits.reserve("1.2.3.4", "u9")
        else {
            panic!("fourth create from one IP must be limited");
        };
        assert!((55..=60).contains(&retry_after), "{retry_after}");
        assert!(headers.state.contains("r=0"));
        assert!(
            limits.reserve("5.6.7.8", "u9").is_ok(),
            "other IPs are unaffected"
        );
    }

    #[test]
    fn refused_creations_give_their_slot_back_and_pending_ones_hold_it() {
        let limits = Arc::new(CreateLimits::new(100, 2));
        // Refused (dropped) attempts cost nothing.
        for _ in 0..10 {
            drop(limits.reserve("ip", "u").unwrap());
        }
        let first = limits.reserve("ip", "u").unwrap();
        assert!(
            first.headers().state.contains("\"user\";r=1"),
            "{:?}",
            first.headers()
        );
        let second = limits.reserve("ip", "u").unwrap();
        // Two requests in flight hold the budget of two: a third waits a moment.
        let Err(ApiError::RateLimited { retry_after, .. }) = limits.reserve("ip", "u") else {
            panic!("a third parallel creation must wait");
        };
        assert_eq!(retry_after, 1);
        first.keep();
        drop(second);
        let third = limits.reserve("ip", "u").unwrap();
        third.keep();
        let Err(ApiError::RateLimited { retry_after, .. }) = limits.reserve("ip", "u") else {
            panic!("two kept creations fill the budget");
        };
        assert!(retry_after > 1, "{retry_after}");
        // A refusal by the IP budget gives the user's reservation back.
        let tight = Arc::new(CreateLimits::new(1, 5));
        tight.reserve("ip", "a").unwrap().keep();
        assert!(tight.reserve("ip", "b").is_err());
        tight.shrink();
        assert_eq!(tight.per_user.lock().get("b").map(|s| s.pending), None);
    }

    #[test]
    fn login_throttle_counts_attempts_in_flight_and_success_clears_nothing() {
        let t = Arc::new(LoginThrottle::new(Duration::from_secs(60), 2, 10));
        let a = t.begin("a@b.c", "ip").unwrap();
        let b = t.begin("a@b.c", "ip").unwrap();
        // Two attempts still being checked fill the budget of two.
        let Err(ApiError::RateLimited { retry_after, .. }) = t.begin("a@b.c", "ip") else {
            panic!("a third parallel attempt must wait");
        };
        assert_eq!(retry_after, 1);
        assert!(
            t.begin("other@b.c", "ip2").is_ok(),
            "other emails are unaffected"
        );
        a.failed();
        drop(b); // a success frees its slot but clears no failure
        let c = t.begin("a@b.c", "ip").unwrap();
        c.failed();
        let Err(ApiError::RateLimited { retry_after, .. }) = t.begin("a@b.c", "ip") else {
            panic!("two failures reach the limit");
        };
        assert!(retry_after > 1, "{retry_after}");
    }

    #[test]
    fn signup_limit_is_per_address() {
        let limit = SignupLimit::new(2);
        limit.check("1.2.3.4").unwrap();
        limit.check("1.2.3.4").unwrap();
        let Err(ApiError::RateLimited { detail, .. }) = limit.check("1.2.3.4") else {
            panic!("a third sign-up within the minute must be refused");
        };
        assert!(detail.contains("sign-ups"), "{detail}");
        assert!(limit.check("5.6.7.8").is_ok());
    }
}
