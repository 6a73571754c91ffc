//! Prometheus metrics of the whole process: HTTP traffic here, the store queue from the
//! database at scrape time.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::domain::{Engine, StoreStatus};
use crate::provision::diagnose::FailureKind;
use crate::storage::QueueStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EngineOutcome {
    engine: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HelmLabels {
    command: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DependencyLabels {
    dependency: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The `method` label of an HTTP request: the standard methods by name, anything else
/// as `other`, so made-up methods cannot grow the label sets without bound.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

fn latency_histogram() -> Histogram {
    // 0.5 ms .. ~16 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: HistogramFamily<HttpLabels>,
    stores: Family<StatusLabels, Gauge>,
    queue_due: Gauge,
    queue_leased: Gauge,
    queue_oldest_due: Gauge,
    queue_oldest_lease: Gauge,
    provisioning: HistogramFamily<EngineOutcome>,
    teardown: HistogramFamily<EngineOutcome>,
    failures: Family<ReasonLabels, Counter>,
    helm: HistogramFamily<HelmLabels>,
    orphans: Gauge,
    connections: Gauge,
    connections_refused: Counter,
    dependencies: Family<DependencyLabels, Gauge>,
}

fn provisioning_histogram() -> Histogram {
    // 0.25 s .. ~34 min
    Histogram::new(exponential_buckets(0.25, 2.0, 14))
}

fn helm_histogram() -> Histogram {
    // 50 ms .. ~7 min
    Histogram::new(exponential_buckets(0.05, 2.0, 14))
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("storefleet");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            http_requests.clone(),
        );
        let http_duration: HistogramFamily<HttpLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method, route and status",
            http_duration.clone(),
        );
        let stores = Family::<StatusLabels, Gauge>::default();
        registry.register("stores", "Live stores by status", stores.clone());
        let queue_due = Gauge::default();
        registry.register(
            "work_queue_due",
            "Stores due for work and not leased",
            queue_due.clone(),
        );
        let queue_leased = Gauge::default();
        registry.register(
            "work_queue_leased",
            "Stores currently leased by a worker",
            queue_leased.clone(),
        );
        let queue_oldest_due = Gauge::default();
        registry.register(
            "work_queue_oldest_due_seconds",
            "How long the longest-waiting due store has waited",
            queue_oldest_due.clone(),
        );
        let queue_oldest_lease = Gauge::default();
        registry.register(
            "work_queue_oldest_lease_seconds",
            "How long the longest-held live lease has been held (a pass that does not end)",
            queue_oldest_lease.clone(),
        );
        let provisioning: HistogramFamily<EngineOutcome> =
            Family::new_with_constructor(provisioning_histogram);
        registry.register(
            "provisioning_duration_seconds",
            "Time from a store's request (or retry) to Ready or Failed, by engine and outcome",
            provisioning.clone(),
        );
        let teardown: HistogramFamily<EngineOutcome> =
            Family::new_with_constructor(provisioning_histogram);
        registry.register(
            "teardown_duration_seconds",
            "Time from a delete request until the store is gone, by engine and outcome",
            teardown.clone(),
        );
        let failures = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "store_failures",
            "Stores that failed, by reason",
            failures.clone(),
        );
        let helm: HistogramFamily<HelmLabels> = Family::new_with_constructor(helm_histogram);
        registry.register(
            "helm_duration_seconds",
            "helm invocations by command and outcome",
            helm.clone(),
        );
        let orphans = Gauge::default();
        registry.register(
            "orphaned_namespaces",
            "Namespaces labelled as Storefleet's with no live store (last sweep)",
            orphans.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "http_connections",
            "Open HTTP connections",
            connections.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "http_connections_refused",
            "HTTP connections closed at once because a connection limit was reached",
            connections_refused.clone(),
        );
        let dependencies = Family::<DependencyLabels, Gauge>::default();
        registry.register(
            "dependency_up",
            "Whether a dependency answered its last readiness check (1) or not (0)",
            dependencies.clone(),
        );
        // Counters born at their first event hide that event from `increase()` and
        // `rate()`: start every reason and every engine's outcome at zero.
        for kind in FailureKind::ALL {
            drop(failures.get_or_create(&ReasonLabels {
                reason: kind.as_str().to_owned(),
            }));
        }
        for engine in Engine::ALL {
            for outcome in ["ready", "failed"] {
                drop(provisioning.get_or_create(&EngineOutcome {
                    engine: engine.as_str().to_owned(),
                    outcome: outcome.to_owned(),
                }));
            }
            drop(teardown.get_or_create(&EngineOutcome {
                engine: engine.as_str().to_owned(),
                outcome: "gone".to_owned(),
            }));
        }
        Self {
            dependencies,
            connections,
            connections_refused,
            registry,
            provisioning,
            teardown,
            failures,
            helm,
            orphans,
            http_requests,
            http_duration,
            stores,
            queue_due,
            queue_leased,
            queue_oldest_due,
            queue_oldest_lease,
        }
    }

    pub fn observe_http(&self, method: &str, route: &str, status: u16, took: Duration) {
        let labels = HttpLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn set_queue(&self, stats: &QueueStats) {
        for status in StoreStatus::ALL {
            let n = stats
                .by_status
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            self.stores
                .get_or_create(&StatusLabels {
                    status: status.as_str().to_owned(),
                })
                .set(n);
        }
        self.queue_due.set(stats.due);
        self.queue_leased.set(stats.leased);
        self.queue_oldest_due.set(stats.oldest_due_secs);
        self.queue_oldest_lease.set(stats.oldest_lease_secs);
    }

    pub fn observe_provisioning(&self, engine: &str, outcome: &str, took: Duration) {
        self.provisioning
            .get_or_create(&EngineOutcome {
                engine: engine.to_owned(),
                outcome: outcome.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn observe_teardown(&self, engine: &str, outcome: &str, took: Duration) {
        self.teardown
            .get_or_create(&EngineOutcome {
                engine: engine.to_owned(),
                outcome: outcome.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn count_failure(&self, reason: &str) {
        self.failures
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    pub fn observe_helm(&self, command: &str, ok: bool, took: Duration) {
        self.helm
            .get_or_create(&HelmLabels {
                command: command.to_owned(),
                outcome: if ok { "ok" } else { "error" }.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// A connection opened (`+1`) or closed (`-1`).
    pub fn connection_opened(&self, delta: i64) {
        self.connections.inc_by(delta);
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    pub fn set_orphans(&self, n: i64) {
        self.orphans.set(n);
    }

    /// The outcome of a readiness check of `dependency` (`database`, `cluster`).
    pub fn set_dependency_up(&self, dependency: &str, up: bool) {
        self.dependencies
            .get_or_create(&DependencyLabels {
                dependency: dependency.to_owned(),
            })
            .set(i64::from(up));
    }

    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_and_outcomes_start_at_zero() {
        let text = Metrics::new().encode().unwrap();
        for kind in FailureKind::ALL {
            let line = format!(
                "storefleet_store_failures_total{{reason=\"{}\"}} 0\n",
                kind.as_str()
            );
            assert!(text.contains(&line), "{line} in {text}");
        }
        for engine in Engine::ALL {
            for outcome in ["ready", "failed"] {
                let line = format!(
                    "storefleet_provisioning_duration_seconds_count{{engine=\"{}\",outcome=\"{outcome}\"}} 0\n",
                    engine.as_str()
                );
                assert!(text.contains(&line), "{line} in {text}");
            }
        }
    }

    #[test]
    fn failure_kinds_are_all_listed_once() {
        // A new kind fails to compile here until it is added to `FailureKind::ALL` too.
        let position = |kind: FailureKind| match kind {
            FailureKind::QuotaTooSmall => 0,
            FailureKind::ImagePull => 1,
            FailureKind::CrashLoop => 2,
            FailureKind::Unschedulable => 3,
            FailureKind::NoStorage => 4,
            FailureKind::SetupFailed => 5,
            FailureKind::Helm => 6,
            FailureKind::Verify => 7,
            FailureKind::Deadline => 8,
            FailureKind::Cluster => 9,
            FailureKind::Engine => 10,
        };
        for (i, kind) in FailureKind::ALL.into_iter().enumerate() {
            assert_eq!(position(kind), i, "{kind:?}");
        }
    }

    #[test]
    fn dependency_up_follows_the_last_check_of_each_dependency() {
        let metrics = Metrics::new();
        metrics.set_dependency_up("database", true);
        metrics.set_dependency_up("cluster", false);
        let text = metrics.encode().unwrap();
        assert!(
            text.contains("# TYPE storefleet_dependency_up gauge"),
            "{text}"
        );
        assert!(
            text.contains("storefleet_dependency_up{dependency=\"database\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("storefleet_dependency_up{dependency=\"cluster\"} 0"),
            "{text}"
        );

        metrics.set_dependency_up("database", false);
        metrics.set_dependency_up("cluster", true);
        let text = metrics.encode().unwrap();
        assert!(
            text.contains("storefleet_dependency_up{dependency=\"database\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("storefleet_dependency_up{dependency=\"cluster\"} 1"),
            "{text}"
        );
    }
}
