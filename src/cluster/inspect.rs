//! What a store page shows of its namespace beyond health: the pods' resource requests
//! and limits, the namespace's ResourceQuota, live usage from the metrics API where the
//! cluster serves it, and the namespace's recent events. Read on demand (an owner opens
//! the page), four list calls through the same budgeted client as the engine; the
//! results come back as plain data so that the store page's computations are pure.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Pod, ResourceQuota};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};

use super::store::{Cluster, ClusterResult};

/// CPU in millicores and memory in bytes; `None` when not set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts {
    pub cpu_millicores: Option<i64>,
    pub memory_bytes: Option<i64>,
}

impl Amounts {
    /// The `cpu` and `memory` entries of a requests, limits or usage map.
    pub fn of(map: Option<&BTreeMap<String, Quantity>>) -> Self {
        let get = |key: &str| map.and_then(|m| m.get(key)).map(|q| q.0.as_str());
        Self {
            cpu_millicores: get("cpu").and_then(parse_cpu_millicores),
            memory_bytes: get("memory").and_then(parse_bytes),
        }
    }
}

/// One container's declared resources and image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub requests: Amounts,
    pub limits: Amounts,
    /// Environment variables given as plain values (never from Secrets or ConfigMaps).
    pub env: BTreeMap<String, String>,
}

/// One pod of the store, as its spec declares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSpecObservation {
    pub name: String,
    pub component: Option<String>,
    pub job: Option<String>,
    pub phase: String,
    pub containers: Vec<ContainerSpec>,
    pub restarts: i32,
}

/// One ResourceQuota: hard limits and what is used, by resource name, as Kubernetes
/// writes the quantities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuotaObservation {
    pub name: String,
    pub hard: BTreeMap<String, String>,
    pub used: BTreeMap<String, String>,
}

/// One Kubernetes event of the namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterEvent {
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// `Normal` or `Warning`.
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub kind: String,
    pub name: String,
    pub count: i32,
}

/// Live usage of one pod's containers (metrics.k8s.io).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodUsage {
    pub pod: String,
    pub containers: Vec<(String, Amounts)>,
}

/// Everything a store page reads of its namespace, at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub pods: Vec<PodSpecObservation>,
    pub quotas: Vec<QuotaObservation>,
    pub events: Vec<ClusterEvent>,
    /// Live usage, or why there is none.
    pub usage: Result<Vec<PodUsage>, String>,
}

const COMPONENT: &str = "app.kubernetes.io/component";

/// The metrics API's pod metrics (served by metrics-server when it runs).
fn pod_metrics() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".to_owned(),
        version: "v1beta1".to_owned(),
        api_version: "metrics.k8s.io/v1beta1".to_owned(),
        kind: "PodMetrics".to_owned(),
        plural: "pods".to_owned(),
    }
}

impl Cluster {
    /// Pods, quotas, events and (when served) pod metrics of one namespace.
    pub async fn inspect_namespace(&self, namespace: &str) -> ClusterResult<Inspection> {
        let client = self.client();
        let lp = ListParams::default();
        let pods = Api::<Pod>::namespaced(client.clone(), namespace);
        let quotas = Api::<ResourceQuota>::namespaced(client.clone(), namespace);
        let events = Api::<Event>::namespaced(client.clone(), namespace);
        let metrics = Api::<DynamicObject>::namespaced_with(client, namespace, &pod_metrics());
        let (pods, quotas, events, metrics) = tokio::join!(
            pods.list(&lp),
            quotas.list(&lp),
            events.list(&lp),
            metrics.list(&lp)
        );
        Ok(Inspection {
            pods: pods?.items.iter().map(pod_spec_observation).collect(),
            quotas: quotas?.items.into_iter().map(quota_observation).collect(),
            events: events?.items.into_iter().map(cluster_event).collect(),
            usage: match metrics {
                Ok(list) => Ok(list.items.iter().map(pod_usage).collect()),
                Err(e) => Err(usage_unavailable(&e)),
            },
        })
    }
}

/// Why live usage cannot be shown, in words.
fn usage_unavailable(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 404 => {
            "The cluster does not serve the metrics API (metrics.k8s.io): no metrics-server runs \
             there, so only requests and limits are known."
                .to_owned()
        }
        kube::Error::Api(s) if s.code == 403 => {
            "Storefleet may not read the metrics API (metrics.k8s.io) in this store's namespace; \
             the store role grants it (charts/storefleet)."
                .to_owned()
        }
        kube::Error::Api(s) if s.code == 503 => {
            "The cluster's metrics API (metrics.k8s.io) is registered but not answering (is \
             metrics-server running?)."
                .to_owned()
        }
        other => format!("The cluster's metrics API did not answer: {other}"),
    }
}

pub(crate) fn pod_spec_observation(pod: &Pod) -> PodSpecObservation {
    let label = |key: &str| {
        pod.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(key).cloned())
    };
    let status = pod.status.clone().unwrap_or_default();
    let restarts = status
        .container_statuses
        .unwrap_or_default()
        .iter()
        .map(|c| c.restart_count)
        .sum();
    let containers = pod
        .spec
        .as_ref()
        .map(|s| {
            s.containers
                .iter()
                .map(|c| ContainerSpec {
                    name: c.name.clone(),
                    image: c.image.clone().unwrap_or_default(),
                    requests: Amounts::of(c.resources.as_ref().and_then(|r| r.requests.as_ref())),
                    limits: Amounts::of(c.resources.as_ref().and_then(|r| r.limits.as_ref())),
                    env: c
                        .env
                        .iter()
                        .flatten()
                        .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    PodSpecObservation {
        component: label(COMPONENT),
        job: label("batch.kubernetes.io/job-name"),
        name: pod.metadata.name.clone().unwrap_or_default(),
        phase: status.phase.unwrap_or_default(),
        containers,
        restarts,
    }
}

fn quantities(map: Option<BTreeMap<String, Quantity>>) -> BTreeMap<String, String> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

fn quota_observation(q: ResourceQuota) -> QuotaObservation {
    let status = q.status.unwrap_or_default();
    QuotaObservation {
        name: q.metadata.name.unwrap_or_default(),
        hard: quantities(status.hard.or_else(|| q.spec.and_then(|s| s.hard))),
        used: quantities(status.used),
    }
}

fn cluster_event(e: Event) -> ClusterEvent {
    let at = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .and_then(|t| chrono::DateTime::from_timestamp_millis(t.as_millisecond()));
    ClusterEvent {
        at,
        type_: e.type_.unwrap_or_else(|| "Normal".to_owned()),
        reason: e.reason.unwrap_or_default(),
        message: e.message.unwrap_or_default(),
        kind: e.involved_object.kind.unwrap_or_default(),
        name: e.involved_object.name.unwrap_or_default(),
        count: e.count.unwrap_or(1).max(1),
    }
}

fn pod_usage(m: &DynamicObject) -> PodUsage {
    let containers = m
        .data
        .get("containers")
        .and_then(|c| c.as_array())
        .map(|list| {
            list.iter()
                .map(|c| {
                    let name = c.get("name").and_then(|n| n.as_str()).unwrap_or_default();
                    let usage = |key: &str| {
                        c.get("usage")
                            .and_then(|u| u.get(key))
                            .and_then(|v| v.as_str())
                    };
                    (
                        name.to_owned(),
                        Amounts {
                            cpu_millicores: usage("cpu").and_then(parse_cpu_millicores),
                            memory_bytes: usage("memory").and_then(parse_bytes),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    PodUsage {
        pod: m.metadata.name.clone().unwrap_or_default(),
        containers,
    }
}

/// Split a Kubernetes quantity into its number and suffix (`"250m"` → `(250.0, "m")`).
fn split_quantity(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    // `1e3` style exponents: the `e`/`E` belongs to the number.
    let (number, suffix) = match text[at..].strip_prefix(['e', 'E']) {
        Some(rest) if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '-') => {
            (text, "")
        }
        _ => (&text[..at], &text[at..]),
    };
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some((value, suffix))
}

/// Multiplier of a quantity suffix (binary `Ki`…`Ei`, decimal `n`…`E`).
fn suffix_factor(suffix: &str) -> Option<f64> {
    Some(match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "Ei" => 1024.0_f64.powi(6),
        _ => return None,
    })
}

fn quantity_value(text: &str) -> Option<f64> {
    let (value, suffix) = split_quantity(text)?;
    Some(value * suffix_factor(suffix)?)
}

/// A CPU quantity in millicores (`"250m"` → 250, `"1.5"` → 1500, `"12345n"` → 1, rounded up
/// so that a busy-but-tiny container does not show as zero).
pub fn parse_cpu_millicores(text: &str) -> Option<i64> {
    let cores = quantity_value(text)?;
    (cores >= 0.0).then(|| (cores * 1000.0 - 1e-9).ceil().max(0.0) as i64)
}

/// A memory (or storage) quantity in bytes (`"512Mi"` → 536870912, `"1G"` → 1e9).
pub fn parse_bytes(text: &str) -> Option<i64> {
    let bytes = quantity_value(text)?;
    (bytes >= 0.0).then(|| bytes.round() as i64)
}

/// A quota entry as a number: CPU resources in millicores, memory and storage in bytes,
/// counts (`pods`, `services`, ...) as they are.
pub fn quota_number(resource: &str, text: &str) -> Option<i64> {
    if resource == "cpu" || resource.ends_with(".cpu") {
        parse_cpu_millicores(text)
    } else {
        let v = quantity_value(text)?;
        (v >= 0.0).then(|| v.round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities_become_millicores() {
        for (text, want) in [
            ("250m", Some(250)),
            ("1", Some(1000)),
            ("1.5", Some(1500)),
            ("0.1", Some(100)),
            ("12345678n", Some(13)),
            ("500u", Some(1)),
            ("0", Some(0)),
            ("2k", Some(2_000_000)),
            ("1e3", Some(1_000_000)),
            ("-1", None),
            ("lots", None),
            ("5Zi", None),
            ("", None),
        ] {
            assert_eq!(parse_cpu_millicores(text), want, "{text:?}");
        }
    }

    #[test]
    fn memory_quantities_become_bytes() {
        for (text, want) in [
            ("128Mi", Some(134_217_728)),
            ("1Gi", Some(1_073_741_824)),
            ("1G", Some(1_000_000_000)),
            ("500M", Some(500_000_000)),
            ("64Ki", Some(65_536)),
            ("1024", Some(1024)),
            ("1.5Gi", Some(1_610_612_736)),
            ("129e6", Some(129_000_000)),
            ("12Mb", None),
        ] {
            assert_eq!(parse_bytes(text), want, "{text:?}");
        }
    }

    #[test]
    fn quota_entries_are_numbers_in_their_unit() {
        assert_eq!(quota_number("requests.cpu", "1500m"), Some(1500));
        assert_eq!(quota_number("limits.cpu", "2"), Some(2000));
        assert_eq!(quota_number("cpu", "2"), Some(2000));
        assert_eq!(quota_number("requests.memory", "1Gi"), Some(1_073_741_824));
        assert_eq!(quota_number("pods", "10"), Some(10));
        assert_eq!(
            quota_number("requests.storage", "20Gi"),
            Some(21_474_836_480)
        );
    }

    #[test]
    fn pod_metrics_are_read_from_the_metrics_api_shape() {
        let obj: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "metrics.k8s.io/v1beta1",
            "kind": "PodMetrics",
            "metadata": {"name": "shop-wordpress-0", "namespace": "store-x"},
            "timestamp": "2026-01-01T00:00:00Z",
            "window": "15s",
            "containers": [
                {"name": "wordpress", "usage": {"cpu": "4521843n", "memory": "81232Ki"}},
                {"name": "sidecar", "usage": {}}
            ]
        }))
        .unwrap();
        let usage = pod_usage(&obj);
        assert_eq!(usage.pod, "shop-wordpress-0");
        assert_eq!(
            usage.containers,
            vec![
                (
                    "wordpress".to_owned(),
                    Amounts {
                        cpu_millicores: Some(5),
                        memory_bytes: Some(81232 * 1024)
                    }
                ),
                ("sidecar".to_owned(), Amounts::default()),
            ]
        );
    }
}
