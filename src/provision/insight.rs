//! A store page's view of its namespace, computed from one [`Inspection`]: resource
//! requests, limits and live usage per component, the namespace's quota, the versions
//! of the software the store runs (from the images its pods run), and the namespace's
//! recent Kubernetes events in an owner's words. Pure, so it is tested without a
//! cluster.

use std::collections::BTreeMap;

use crate::cluster::inspect::{
    Amounts, ClusterEvent, Inspection, PodSpecObservation, quota_number,
};
use crate::domain::Engine;

/// What one component of the store asks for, may use at most, and uses now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentResources {
    pub component: String,
    /// Pods of the component that run or wait to run.
    pub pods: usize,
    pub requests: Amounts,
    pub limits: Amounts,
    /// `None` when the metrics API is unavailable or has no sample of these pods yet.
    pub usage: Option<Amounts>,
}

/// One entry of the namespace's ResourceQuota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaLine {
    pub quota: String,
    pub resource: String,
    pub used: String,
    pub hard: String,
    /// `used` and `hard` as numbers: millicores for CPU, bytes for memory and storage,
    /// plain counts otherwise.
    pub used_value: Option<i64>,
    pub hard_value: Option<i64>,
    pub unit: &'static str,
}

/// One piece of software the store runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningVersion {
    pub component: String,
    pub product: String,
    /// `None` when the image does not say (pinned by digest, or bundled).
    pub version: Option<String>,
    /// Where the version comes from: the container image, or the setup job's settings.
    pub source: String,
}

/// One Kubernetes event in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInWords {
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    pub warning: bool,
    pub words: String,
    pub reason: String,
    /// `Kind/name` of what the event is about.
    pub object: String,
    pub message: String,
    pub count: i32,
}

/// Everything a store page shows from one inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInsight {
    pub components: Vec<ComponentResources>,
    pub quota: Vec<QuotaLine>,
    /// Why live usage is not shown, when it is not.
    pub usage_unavailable_reason: Option<String>,
    pub versions: Vec<RunningVersion>,
    pub events: Vec<EventInWords>,
}

impl StoreInsight {
    pub fn of(engine: Engine, components: &[&str], setup: &str, inspection: &Inspection) -> Self {
        Self {
            components: resources(components, setup, inspection),
            quota: quota(inspection),
            usage_unavailable_reason: inspection.usage.as_ref().err().cloned(),
            versions: versions(engine, components, inspection),
            events: recent_events(components, inspection),
        }
    }
}

/// How many recent events a store page shows.
pub const RECENT_EVENTS: usize = 20;

/// The software a component runs, in its maker's name.
fn product_of(component: &str) -> Option<&'static str> {
    Some(match component {
        "wordpress" => "WordPress",
        "mariadb" => "MariaDB",
        "postgres" => "PostgreSQL",
        "redis" => "Redis",
        "medusa-server" | "medusa-worker" => "Medusa",
        _ => return None,
    })
}

/// How an owner calls a component in a sentence.
fn subject(component: &str) -> String {
    match component {
        "wordpress" => "The WordPress web server".to_owned(),
        "mariadb" | "postgres" => "The database".to_owned(),
        "redis" => "The cache (Redis)".to_owned(),
        "medusa-server" => "The Medusa server".to_owned(),
        "medusa-worker" => "The Medusa background worker".to_owned(),
        "setup" => "The store's setup job".to_owned(),
        other => format!("Part {other:?} of the store"),
    }
}

fn live(pod: &PodSpecObservation) -> bool {
    !matches!(pod.phase.as_str(), "Succeeded" | "Failed")
}

/// The component a pod belongs to: its component label, or the setup component for a
/// job's pod.
fn component_of(pod: &PodSpecObservation, setup: &str) -> String {
    match (&pod.component, &pod.job) {
        (Some(c), _) => c.clone(),
        (None, Some(_)) => setup.to_owned(),
        (None, None) => "other".to_owned(),
    }
}

fn add(total: Option<i64>, part: Option<i64>) -> Option<i64> {
    match (total, part) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

fn sum(parts: impl Iterator<Item = Amounts>) -> Amounts {
    parts.fold(Amounts::default(), |acc, a| Amounts {
        cpu_millicores: add(acc.cpu_millicores, a.cpu_millicores),
        memory_bytes: add(acc.memory_bytes, a.memory_bytes),
    })
}

/// Requests, limits and usage per component of the store's live pods, in the engine's
/// order of components (then the setup job, then anything else).
pub fn resources(
    components: &[&str],
    setup: &str,
    inspection: &Inspection,
) -> Vec<ComponentResources> {
    let mut groups: BTreeMap<String, Vec<&PodSpecObservation>> = BTreeMap::new();
    for pod in inspection.pods.iter().filter(|p| live(p)) {
        groups
            .entry(component_of(pod, setup))
            .or_default()
            .push(pod);
    }
    let rank = |name: &str| {
        components
            .iter()
            .position(|c| *c == name)
            .unwrap_or(if name == setup {
                components.len()
            } else {
                usize::MAX
            })
    };
    let mut names: Vec<String> = groups.keys().cloned().collect();
    names.sort_by_key(|n| (rank(n), n.clone()));
    names
        .into_iter()
        .map(|name| {
            let pods = &groups[&name];
            let containers = || pods.iter().flat_map(|p| p.containers.iter());
            let usage = inspection.usage.as_ref().ok().and_then(|usage| {
                let sampled: Vec<Amounts> = pods
                    .iter()
                    .filter_map(|p| usage.iter().find(|u| u.pod == p.name))
                    .flat_map(|u| u.containers.iter().map(|(_, a)| *a))
                    .collect();
                (!sampled.is_empty()).then(|| sum(sampled.into_iter()))
            });
            ComponentResources {
                pods: pods.len(),
                requests: sum(containers().map(|c| c.requests)),
                limits: sum(containers().map(|c| c.limits)),
                usage,
                component: name,
            }
        })
        .collect()
}

/// The namespace's quota entries, CPU and memory first.
pub fn quota(inspection: &Inspection) -> Vec<QuotaLine> {
    let mut out = Vec::new();
    for q in &inspection.quotas {
        for (resource, hard) in &q.hard {
            let used = q
                .used
                .get(resource)
                .cloned()
                .unwrap_or_else(|| "0".to_owned());
            let unit = if resource == "cpu" || resource.ends_with(".cpu") {
                "millicores"
            } else if resource.contains("memory") || resource.contains("storage") {
                "bytes"
            } else {
                "count"
            };
            out.push(QuotaLine {
                quota: q.name.clone(),
                resource: resource.clone(),
                used_value: quota_number(resource, &used),
                hard_value: quota_number(resource, hard),
                used,
                hard: hard.clone(),
                unit,
            });
        }
    }
    let order = |r: &str| match r {
        "requests.cpu" | "cpu" => 0,
        "limits.cpu" => 1,
        "requests.memory" | "memory" => 2,
        "limits.memory" => 3,
        _ => 4,
    };
    out.sort_by(|a, b| {
        (order(&a.resource), &a.resource, &a.quota).cmp(&(
            order(&b.resource),
            &b.resource,
            &b.quota,
        ))
    });
    out
}

/// `registry/repo:tag@sha256:…` → the tag, when the reference has one.
fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':')
        .map(|(_, tag)| tag)
        .filter(|t| !t.is_empty())
}

/// The version at the start of a tag (`6.8.3-php8.3-apache` → `6.8.3`, `v2.1` → `2.1`);
/// `None` for tags that carry no version (`latest`).
fn version_of_tag(tag: &str) -> Option<String> {
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let end = tag
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(tag.len());
    let version = tag[..end].trim_end_matches('.');
    (version.starts_with(|c: char| c.is_ascii_digit())).then(|| version.to_owned())
}

/// What the store runs: one line per product, from the images of its components' pods
/// (a running pod's when there is one), plus WooCommerce from the setup job's settings.
pub fn versions(
    engine: Engine,
    components: &[&str],
    inspection: &Inspection,
) -> Vec<RunningVersion> {
    let mut out: Vec<RunningVersion> = Vec::new();
    for component in components {
        let Some(product) = product_of(component) else {
            continue;
        };
        if out.iter().any(|v| v.product == product) {
            continue;
        }
        let mut pods: Vec<&PodSpecObservation> = inspection
            .pods
            .iter()
            .filter(|p| p.component.as_deref() == Some(component))
            .collect();
        pods.sort_by_key(|p| p.phase != "Running");
        let Some(container) = pods.first().and_then(|p| {
            p.containers
                .iter()
                .find(|c| c.name == *component || component.starts_with(&c.name))
                .or_else(|| p.containers.first())
        }) else {
            continue;
        };
        let version = image_tag(&container.image).and_then(version_of_tag);
        out.push(RunningVersion {
            component: (*component).to_owned(),
            product: product.to_owned(),
            source: format!("image {}", container.image),
            version,
        });
    }
    if engine == Engine::WooCommerce {
        let setup_env = inspection
            .pods
            .iter()
            .filter(|p| p.job.is_some())
            .flat_map(|p| p.containers.iter())
            .find(|c| c.env.contains_key("WOOCOMMERCE_SOURCE"));
        if let Some(c) = setup_env {
            let source = c.env["WOOCOMMERCE_SOURCE"].as_str();
            let (version, source) = if source == "image" {
                (None, "bundled in the WordPress image".to_owned())
            } else {
                (
                    c.env
                        .get("WOOCOMMERCE_VERSION")
                        .cloned()
                        .filter(|v| !v.is_empty()),
                    format!("installed from {source} by the setup job"),
                )
            };
            let at = out
                .iter()
                .position(|v| v.product == "WordPress")
                .map_or(0, |i| i + 1);
            out.insert(
                at,
                RunningVersion {
                    component: "setup".to_owned(),
                    product: "WooCommerce".to_owned(),
                    version,
                    source,
                },
            );
        }
    }
    out
}

/// The part of the store an event is about, from the pods and the object's name.
fn event_subject(e: &ClusterEvent, components: &[&str], pods: &[PodSpecObservation]) -> String {
    let from_pod = pods
        .iter()
        .find(|p| e.kind == "Pod" && p.name == e.name)
        .map(|p| component_of(p, "setup"));
    let from_name = || {
        let mut sorted: Vec<&&str> = components.iter().collect();
        sorted.sort_by_key(|c| std::cmp::Reverse(c.len()));
        sorted
            .into_iter()
            .find(|c| e.name.contains(**c))
            .map(|c| (*c).to_owned())
            .or_else(|| (e.kind == "Job" || e.name.contains("setup")).then(|| "setup".to_owned()))
    };
    match from_pod.or_else(from_name) {
        Some(c) if c != "other" => subject(&c),
        _ if e.kind.is_empty() => "The store".to_owned(),
        _ => format!("{} {}", e.kind, e.name),
    }
}

/// The image a Pulling/Pulled message names (`Pulling image "x"`), short.
fn image_in(message: &str) -> Option<String> {
    let start = message.find('"')? + 1;
    let end = start + message[start..].find('"')?;
    let image = &message[start..end];
    Some(
        image
            .rsplit('/')
            .next()
            .unwrap_or(image)
            .split('@')
            .next()
            .unwrap_or(image)
            .to_owned(),
    )
}

/// One event in an owner's words.
pub fn in_words(e: &ClusterEvent, components: &[&str], pods: &[PodSpecObservation]) -> String {
    let who = event_subject(e, components, pods);
    let image = || image_in(&e.message).unwrap_or_else(|| "its software".to_owned());
    let lower = e.message.to_ascii_lowercase();
    match e.reason.as_str() {
        "Scheduled" => format!("{who} was given a place on a server"),
        "FailedScheduling" => {
            format!("{who} is waiting for a server with enough room (CPU, memory or storage)")
        }
        "Pulling" => format!("{who}: downloading {}", image()),
        "Pulled" if lower.contains("already present") => {
            format!("{who}: {} was already on the server", image())
        }
        "Pulled" => format!("{who}: downloaded {}", image()),
        "Failed" | "ErrImagePull" | "ImagePullBackOff"
            if lower.contains("pull") || lower.contains("image") =>
        {
            format!("{who}: its software image could not be downloaded; retrying")
        }
        "BackOff" if lower.contains("pull") => {
            format!("{who}: its software image could not be downloaded; retrying")
        }
        "BackOff" => format!("{who} keeps stopping; waiting a little before restarting it"),
        "Created" => format!("{who}: prepared to start"),
        "Started" => format!("{who} started"),
        "Killing" => format!("{who} was stopped to be restarted or replaced"),
        "Unhealthy" if lower.contains("liveness") => {
            format!("{who} stopped answering its health check and will be restarted")
        }
        "Unhealthy" if lower.contains("startup") => {
            format!("{who} is still starting up (its start-up check has not passed yet)")
        }
        "Unhealthy" => format!("{who} is not ready to answer visitors yet (health check failing)"),
        "OOMKilling" | "OOMKilled" => format!("{who} ran out of memory and was restarted"),
        "Evicted" => format!("{who} was moved off its server, which ran short of resources"),
        "Preempting" | "Preempted" => {
            format!("{who} made way for more important work and will come back")
        }
        "FailedMount" | "FailedAttachVolume" => {
            format!("{who}: its storage could not be attached yet")
        }
        "SuccessfulAttachVolume" => format!("{who}: storage attached"),
        "ProvisioningSucceeded" => "Storage for the store was created".to_owned(),
        "Provisioning" | "ExternalProvisioning" => {
            "Storage for the store is being created".to_owned()
        }
        "ProvisioningFailed" => "Storage for the store could not be created".to_owned(),
        "WaitForFirstConsumer" | "WaitForPodScheduled" => {
            "Storage will be created once its server is chosen".to_owned()
        }
        "SuccessfulCreate" => format!("{who}: a new copy was started"),
        "SuccessfulDelete" => format!("{who}: an old copy was removed"),
        "ScalingReplicaSet" => format!("{who}: rolling out a change"),
        "FailedCreate" => format!("{who}: a new copy could not be started (quota or policy)"),
        "Completed" | "SawCompletedJob" => format!("{who} finished"),
        "BackoffLimitExceeded" | "DeadlineExceeded" => {
            format!("{who} gave up after repeated failures")
        }
        "SandboxChanged" => format!("{who} is being set up again on its server"),
        "FailedKillPod" => format!("{who} could not be stopped cleanly"),
        "NodeNotReady" => format!("{who}: its server is not responding"),
        "SuccessfulRescale" => format!("{who}: the number of copies changed with demand"),
        _ if e.type_ == "Warning" => format!("{who}: something needs attention"),
        _ => format!("{who}: {}", e.reason),
    }
}

/// The namespace's most recent events, newest first, in words.
pub fn recent_events(components: &[&str], inspection: &Inspection) -> Vec<EventInWords> {
    let mut events: Vec<&ClusterEvent> = inspection.events.iter().collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events
        .into_iter()
        .take(RECENT_EVENTS)
        .map(|e| EventInWords {
            at: e.at,
            warning: e.type_ == "Warning",
            words: in_words(e, components, &inspection.pods),
            reason: e.reason.clone(),
            object: format!("{}/{}", e.kind, e.name),
            message: e.message.clone(),
            count: e.count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::inspect::{ContainerSpec, PodUsage, QuotaObservation};

    const WOO: &[&str] = &["mariadb", "wordpress"];
    const MEDUSA: &[&str] = &["postgres", "redis", "medusa-server", "medusa-worker"];

    fn amounts(cpu: i64, mem_mi: i64) -> Amounts {
        Amounts {
            cpu_millicores: Some(cpu),
            memory_bytes: Some(mem_mi * 1024 * 1024),
        }
    }

    fn pod(name: &str, component: Option<&str>, phase: &str, image: &str) -> PodSpecObservation {
        PodSpecObservation {
            name: name.to_owned(),
            component: component.map(str::to_owned),
            job: None,
            phase: phase.to_owned(),
            containers: vec![ContainerSpec {
                name: component.unwrap_or("main").to_owned(),
                image: image.to_owned(),
                requests: amounts(100, 128),
                limits: amounts(500, 512),
                env: BTreeMap::new(),
            }],
            restarts: 0,
        }
    }

    fn setup_pod(source: &str, version: &str) -> PodSpecObservation {
        let mut p = pod(
            "shop-setup-1-abcde",
            None,
            "Succeeded",
            "docker.io/library/wordpress:6.8.3-php8.3-apache",
        );
        p.job = Some("shop-setup-1".to_owned());
        p.containers[0].env = BTreeMap::from([
            ("WOOCOMMERCE_SOURCE".to_owned(), source.to_owned()),
            ("WOOCOMMERCE_VERSION".to_owned(), version.to_owned()),
        ]);
        p
    }

    fn woo(usage: Result<Vec<PodUsage>, String>) -> Inspection {
        Inspection {
            pods: vec![
                pod(
                    "shop-mariadb-0",
                    Some("mariadb"),
                    "Running",
                    "docker.io/library/mariadb:11.4.7",
                ),
                pod(
                    "shop-wordpress-0",
                    Some("wordpress"),
                    "Running",
                    "docker.io/library/wordpress:6.8.3-php8.3-apache",
                ),
                pod(
                    "shop-wordpress-1",
                    Some("wordpress"),
                    "Pending",
                    "docker.io/library/wordpress:6.8.3-php8.3-apache",
                ),
                setup_pod("wordpress.org", "10.6.1"),
            ],
            quotas: vec![QuotaObservation {
                name: "store-quota".to_owned(),
                hard: BTreeMap::from([
                    ("limits.memory".to_owned(), "4Gi".to_owned()),
                    ("pods".to_owned(), "20".to_owned()),
                    ("requests.cpu".to_owned(), "2".to_owned()),
                ]),
                used: BTreeMap::from([
                    ("requests.cpu".to_owned(), "300m".to_owned()),
                    ("limits.memory".to_owned(), "1536Mi".to_owned()),
                ]),
            }],
            events: vec![],
            usage,
        }
    }

    #[test]
    fn resources_are_summed_per_component_in_engine_order_without_finished_pods() {
        let usage = vec![
            PodUsage {
                pod: "shop-wordpress-0".to_owned(),
                containers: vec![("wordpress".to_owned(), amounts(7, 90))],
            },
            PodUsage {
                pod: "shop-mariadb-0".to_owned(),
                containers: vec![("mariadb".to_owned(), amounts(3, 200))],
            },
        ];
        let got = resources(WOO, "setup", &woo(Ok(usage)));
        let names: Vec<&str> = got.iter().map(|c| c.component.as_str()).collect();
        assert_eq!(
            names,
            ["mariadb", "wordpress"],
            "the finished setup pod uses nothing"
        );
        let wp = &got[1];
        assert_eq!(wp.pods, 2);
        assert_eq!(wp.requests, amounts(200, 256));
        assert_eq!(wp.limits, amounts(1000, 1024));
        assert_eq!(
            wp.usage,
            Some(amounts(7, 90)),
            "the pending pod has no sample"
        );
        assert_eq!(got[0].usage, Some(amounts(3, 200)));
    }

    #[test]
    fn without_the_metrics_api_there_is_no_usage_and_missing_values_stay_unknown() {
        let mut inspection = woo(Err("no metrics-server".to_owned()));
        inspection.pods[0].containers[0].limits = Amounts::default();
        let got = resources(WOO, "setup", &inspection);
        assert!(got.iter().all(|c| c.usage.is_none()));
        assert_eq!(
            got[0].limits,
            Amounts::default(),
            "no limit is not a limit of 0"
        );
        // A running setup job counts under the setup component, after the engine's own.
        inspection.pods[3].phase = "Running".to_owned();
        inspection
            .pods
            .push(pod("stray", None, "Running", "busybox"));
        let names: Vec<String> = resources(WOO, "setup", &inspection)
            .into_iter()
            .map(|c| c.component)
            .collect();
        assert_eq!(names, ["mariadb", "wordpress", "setup", "other"]);
    }

    #[test]
    fn quota_lines_are_numbers_with_units_cpu_and_memory_first() {
        let got = quota(&woo(Err(String::new())));
        let summary: Vec<(&str, Option<i64>, Option<i64>, &str)> = got
            .iter()
            .map(|q| (q.resource.as_str(), q.used_value, q.hard_value, q.unit))
            .collect();
        assert_eq!(
            summary,
            [
                ("requests.cpu", Some(300), Some(2000), "millicores"),
                (
                    "limits.memory",
                    Some(1536 * 1024 * 1024),
                    Some(4 * 1024 * 1024 * 1024),
                    "bytes"
                ),
                ("pods", Some(0), Some(20), "count"),
            ]
        );
    }

    #[test]
    fn versions_come_from_the_images_and_the_setup_jobs_settings() {
        let got = versions(Engine::WooCommerce, WOO, &woo(Err(String::new())));
        let summary: Vec<(&str, Option<&str>)> = got
            .iter()
            .map(|v| (v.product.as_str(), v.version.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("MariaDB", Some("11.4.7")),
                ("WordPress", Some("6.8.3")),
                ("WooCommerce", Some("10.6.1"))
            ]
        );
        assert_eq!(
            got[1].source,
            "image docker.io/library/wordpress:6.8.3-php8.3-apache"
        );
        // WooCommerce baked into the image: the version is not claimed.
        let mut inspection = woo(Err(String::new()));
        inspection.pods[3] = setup_pod("image", "10.6.1");
        let wc = versions(Engine::WooCommerce, WOO, &inspection)
            .pop()
            .unwrap();
        assert_eq!((wc.product.as_str(), wc.version), ("WooCommerce", None));
        assert_eq!(wc.source, "bundled in the WordPress image");
    }

    #[test]
    fn medusa_versions_name_each_product_once_and_digests_claim_no_version() {
        let inspection = Inspection {
            pods: vec![
                pod(
                    "m-postgres-0",
                    Some("postgres"),
                    "Running",
                    "docker.io/library/postgres:15.14-bookworm",
                ),
                pod(
                    "m-redis-0",
                    Some("redis"),
                    "Running",
                    "registry.local:5000/redis@sha256:abcd",
                ),
                pod(
                    "m-server-x",
                    Some("medusa-server"),
                    "Running",
                    "localhost/storefleet-medusa:v2.21.2",
                ),
                pod(
                    "m-worker-x",
                    Some("medusa-worker"),
                    "Running",
                    "localhost/storefleet-medusa:v2.21.2",
                ),
            ],
            quotas: vec![],
            events: vec![],
            usage: Err(String::new()),
        };
        let got: Vec<(String, Option<String>)> = versions(Engine::Medusa, MEDUSA, &inspection)
            .into_iter()
            .map(|v| (v.product, v.version))
            .collect();
        assert_eq!(
            got,
            [
                ("PostgreSQL".to_owned(), Some("15.14".to_owned())),
                ("Redis".to_owned(), None),
                ("Medusa".to_owned(), Some("2.21.2".to_owned())),
            ]
        );
        assert_eq!(version_of_tag("latest"), None);
        assert_eq!(
            image_tag("registry.local:5000/redis"),
            None,
            "a registry port is no tag"
        );
    }

    fn event(reason: &str, kind: &str, name: &str, message: &str, warning: bool) -> ClusterEvent {
        ClusterEvent {
            at: None,
            type_: if warning { "Warning" } else { "Normal" }.to_owned(),
            reason: reason.to_owned(),
            message: message.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            count: 1,
        }
    }

    #[test]
    fn kubernetes_events_are_told_in_owner_words() {
        let pods = woo(Err(String::new())).pods;
        let cases = [
            (
                event(
                    "Scheduled",
                    "Pod",
                    "shop-wordpress-0",
                    "Successfully assigned store-x/shop-wordpress-0 to kwok-node-1",
                    false,
                ),
                "The WordPress web server was given a place on a server",
            ),
            (
                event(
                    "Pulling",
                    "Pod",
                    "shop-mariadb-0",
                    "Pulling image \"docker.io/library/mariadb:11.4.7\"",
                    false,
                ),
                "The database: downloading mariadb:11.4.7",
            ),
            (
                event(
                    "Pulled",
                    "Pod",
                    "shop-mariadb-0",
                    "Container image \"docker.io/library/mariadb:11.4.7\" already present on machine",
                    false,
                ),
                "The database: mariadb:11.4.7 was already on the server",
            ),
            (
                event(
                    "BackOff",
                    "Pod",
                    "shop-wordpress-0",
                    "Back-off restarting failed container wordpress in pod shop-wordpress-0",
                    true,
                ),
                "The WordPress web server keeps stopping; waiting a little before restarting it",
            ),
            (
                event(
                    "BackOff",
                    "Pod",
                    "shop-wordpress-0",
                    "Back-off pulling image \"wordpress:nope\"",
                    true,
                ),
                "The WordPress web server: its software image could not be downloaded; retrying",
            ),
            (
                event(
                    "Unhealthy",
                    "Pod",
                    "shop-wordpress-0",
                    "Readiness probe failed: HTTP probe failed with statuscode: 500",
                    true,
                ),
                "The WordPress web server is not ready to answer visitors yet (health check failing)",
            ),
            (
                event(
                    "Unhealthy",
                    "Pod",
                    "shop-mariadb-0",
                    "Liveness probe failed: timeout",
                    true,
                ),
                "The database stopped answering its health check and will be restarted",
            ),
            (
                event(
                    "Killing",
                    "Pod",
                    "shop-wordpress-0",
                    "Stopping container wordpress",
                    false,
                ),
                "The WordPress web server was stopped to be restarted or replaced",
            ),
            (
                event(
                    "FailedScheduling",
                    "Pod",
                    "shop-wordpress-1",
                    "0/3 nodes are available: 3 Insufficient cpu.",
                    true,
                ),
                "The WordPress web server is waiting for a server with enough room (CPU, memory or storage)",
            ),
            (
                event(
                    "SuccessfulCreate",
                    "StatefulSet",
                    "shop-mariadb",
                    "create Pod shop-mariadb-0 in StatefulSet shop-mariadb successful",
                    false,
                ),
                "The database: a new copy was started",
            ),
            (
                event("Completed", "Job", "shop-setup-1", "Job completed", false),
                "The store's setup job finished",
            ),
            (
                event(
                    "ProvisioningSucceeded",
                    "PersistentVolumeClaim",
                    "data-shop-mariadb-0",
                    "Successfully provisioned volume pvc-1",
                    false,
                ),
                "Storage for the store was created",
            ),
            (
                event("SomethingNew", "Pod", "unknown-pod", "odd", true),
                "Pod unknown-pod: something needs attention",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(
                in_words(&e, WOO, &pods),
                want,
                "{}: {}",
                e.reason,
                e.message
            );
        }
        // Medusa: the longest component name wins (medusa-server, not a shorter match).
        let e = event("Started", "Deployment", "m-medusa-worker", "", false);
        assert_eq!(
            in_words(&e, MEDUSA, &[]),
            "The Medusa background worker started"
        );
    }

    #[test]
    fn recent_events_are_newest_first_and_keep_the_raw_reason() {
        let at = |s: i64| chrono::DateTime::from_timestamp(1_700_000_000 + s, 0);
        let mut inspection = woo(Err(String::new()));
        inspection.events = (0..30)
            .map(|i| {
                let mut e = event(
                    "Started",
                    "Pod",
                    "shop-mariadb-0",
                    "Started container mariadb",
                    i % 2 == 0,
                );
                e.at = at(i);
                e
            })
            .collect();
        let got = recent_events(WOO, &inspection);
        assert_eq!(got.len(), RECENT_EVENTS);
        assert_eq!(got[0].at, at(29));
        assert!(got.windows(2).all(|w| w[0].at >= w[1].at));
        assert_eq!(got[0].reason, "Started");
        assert_eq!(got[0].object, "Pod/shop-mariadb-0");
        assert_eq!(got[0].message, "Started container mariadb");
        assert!(!got[0].warning && got[1].warning);
    }
}
