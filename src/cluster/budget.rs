//! The engine's Kubernetes request budget as a tower layer on the kube client: every
//! request — reads, writes, watch (re)lists — waits for a permit (QPS with burst), so
//! no code path can forget it.

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tower::{Layer, Service};

/// Requests per second with a burst, shared by every client built with the layer.
#[derive(Debug, Clone)]
pub struct BudgetLayer {
    limiter: Arc<DefaultDirectRateLimiter>,
}

impl BudgetLayer {
    /// `qps` requests per second, up to `burst` at once (0s are taken as 1 and `qps`).
    pub fn new(qps: u32, burst: u32) -> Self {
        let qps = NonZeroU32::new(qps).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(qps);
        Self {
            limiter: Arc::new(RateLimiter::direct(
                Quota::per_second(qps).allow_burst(burst),
            )),
        }
    }
}

impl<S> Layer<S> for BudgetLayer {
    type Service = Budget<S>;

    fn layer(&self, inner: S) -> Budget<S> {
        Budget {
            inner,
            limiter: self.limiter.clone(),
            waiting: None,
            granted: false,
        }
    }
}

/// The service [`BudgetLayer`] makes: ready only once a permit is granted.
pub struct Budget<S> {
    inner: S,
    limiter: Arc<DefaultDirectRateLimiter>,
    /// Waiting for the next permit.
    waiting: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    /// A permit is held for the next call.
    granted: bool,
}

impl<S> std::fmt::Debug for Budget<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("granted", &self.granted)
            .finish_non_exhaustive()
    }
}

impl<S, R> Service<R> for Budget<S>
where
    S: Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if !self.granted {
            if self.waiting.is_none() {
                if self.limiter.check().is_ok() {
                    self.granted = true;
                } else {
                    let limiter = self.limiter.clone();
                    self.waiting = Some(Box::pin(async move { limiter.until_ready().await }));
                }
            }
            if let Some(waiting) = self.waiting.as_mut() {
                ready!(waiting.as_mut().poll(cx));
                self.waiting = None;
                self.granted = true;
            }
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.granted = false;
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt as _;
    use tower::ServiceExt as _;

    #[tokio::test]
    async fn requests_beyond_the_burst_wait_for_a_permit() {
        let layer = BudgetLayer::new(1, 3);
        let mut service = layer.layer(tower::service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
        for n in 0..3 {
            let ready = service.ready().now_or_never();
            assert!(ready.is_some(), "request {n} is within the burst");
            assert_eq!(service.call(n).await, Ok(n));
        }
        assert!(
            service.ready().now_or_never().is_none(),
            "the fourth waits for the next permit"
        );
        // A second client built with the same layer shares the budget.
        let mut other = layer.layer(tower::service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
        assert!(
            other.ready().now_or_never().is_none(),
            "the budget is shared"
        );
        // The permit comes within a second.
        tokio::time::timeout(std::time::Duration::from_secs(3), service.ready())
            .await
            .expect("a permit within the rate")
            .unwrap();
    }
}
