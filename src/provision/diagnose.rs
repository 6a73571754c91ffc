//! Turn what the cluster says into a reason people can act on (the architecture's failure
//! table). Pure: it reads an [`Observation`] and decides, so it is tested from fixtures.

use crate::cluster::Observation;
use crate::cluster::inspect::quota_number;

/// Why a store is not (yet) ready, in a small fixed vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    QuotaTooSmall,
    ImagePull,
    CrashLoop,
    Unschedulable,
    NoStorage,
    SetupFailed,
    Helm,
    Verify,
    Deadline,
    Cluster,
    /// The store's engine is not offered by this server.
    Engine,
}

impl FailureKind {
    /// Every kind, so metrics can show each reason at 0 before its first failure.
    pub const ALL: [FailureKind; 11] = [
        FailureKind::QuotaTooSmall,
        FailureKind::ImagePull,
        FailureKind::CrashLoop,
        FailureKind::Unschedulable,
        FailureKind::NoStorage,
        FailureKind::SetupFailed,
        FailureKind::Helm,
        FailureKind::Verify,
        FailureKind::Deadline,
        FailureKind::Cluster,
        FailureKind::Engine,
    ];

    /// The label value used in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::QuotaTooSmall => "quota_too_small",
            FailureKind::ImagePull => "image_pull",
            FailureKind::CrashLoop => "crash_loop",
            FailureKind::Unschedulable => "unschedulable",
            FailureKind::NoStorage => "no_storage",
            FailureKind::SetupFailed => "setup_failed",
            FailureKind::Helm => "helm",
            FailureKind::Verify => "checkout_verification",
            FailureKind::Deadline => "deadline",
            FailureKind::Cluster => "cluster",
            FailureKind::Engine => "engine_not_offered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FailureKind,
    pub reason: String,
}

/// The verdict on one look at the workloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything awaited is ready.
    Ready,
    /// Still coming up. `trouble` is a problem seen on the way that may or may not clear
    /// (a pull back-off, a crash loop, a pending claim); the deadline decides.
    Waiting {
        reason: String,
        trouble: Option<Finding>,
    },
    /// It will not come up without someone changing something.
    Failed(Finding),
}

/// The entries of one list in a quota refusal ("requested: limits.cpu=500m,limits.memory=1Gi,
/// used: ..."): each resource with its value, as [`quota_number`] counts it.
fn quota_entries(message: &str, list: &str) -> Vec<(String, i64)> {
    let Some(start) = message.find(&format!("{list}: ")) else {
        return Vec::new();
    };
    let rest = &message[start + list.len() + 2..];
    let mut out = Vec::new();
    for part in rest.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            break; // the next list ("used: ...") begins
        };
        let name = name.trim();
        match quota_number(name, value.trim()) {
            Some(v) if !name.contains(' ') => out.push((name.to_owned(), v)),
            _ => break,
        }
    }
    out
}

/// Whether a quota refusal can pass by itself: every resource asked for fits the quota's
/// limit, so the refusal is about what other pods use now (an update's surge pod, a setup
/// Job, pods still terminating). A request larger than the limit never fits; an unreadable
/// message is taken as that too.
fn quota_refusal_may_pass(message: &str) -> bool {
    let requested = quota_entries(message, "requested");
    let limited = quota_entries(message, "limited");
    !requested.is_empty()
        && requested.iter().all(|(name, asked)| {
            limited
                .iter()
                .find(|(n, _)| n == name)
                .is_some_and(|(_, limit)| asked <= limit)
        })
}

fn quota_problem(obs: &Observation) -> Option<(Finding, bool)> {
    let from_workloads = obs
        .workloads
        .iter()
        .filter_map(|w| w.failure.as_deref())
        .find(|m| m.contains("exceeded quota"));
    let from_events = obs
        .warnings
        .iter()
        .rev()
        .find(|e| e.reason == "FailedCreate" && e.message.contains("exceeded quota"))
        .map(|e| e.message.as_str());
    let message = from_workloads.or(from_events)?;
    // "... is forbidden: exceeded quota: shop-quota, requested: limits.memory=384Mi, used: ..., limited: ..."
    let detail = message
        .find("exceeded quota")
        .map_or(message, |i| &message[i..]);
    Some((
        Finding {
            kind: FailureKind::QuotaTooSmall,
            reason: format!("The store's quota is too small for its workloads: {detail}"),
        },
        quota_refusal_may_pass(message),
    ))
}

fn pod_trouble(obs: &Observation) -> Option<Finding> {
    for pod in &obs.pods {
        let component = pod.component.as_deref().unwrap_or(&pod.name);
        for c in &pod.containers {
            match c.waiting_reason.as_deref() {
                Some("ErrImagePull" | "ImagePullBackOff" | "InvalidImageName") => {
                    return Some(Finding {
                        kind: FailureKind::ImagePull,
                        reason: format!("The {component} image cannot be pulled: {}", c.image),
                    });
                }
                Some("CrashLoopBackOff") => {
                    return Some(Finding {
                        kind: FailureKind::CrashLoop,
                        reason: format!(
                            "{component} keeps crashing (container {}, {} restarts)",
                            c.name, c.restart_count
                        ),
                    });
                }
                _ => {}
            }
        }
        if let Some(message) = &pod.unschedulable {
            return Some(Finding {
                kind: FailureKind::Unschedulable,
                reason: format!("The cluster has no room for {component}: {message}"),
            });
        }
    }
    if let Some(pvc) = obs.pvcs.iter().find(|p| p.phase == "Pending") {
        let class = pvc.storage_class.as_deref().unwrap_or("(default)");
        let message = obs
            .warnings
            .iter()
            .rev()
            .find(|e| e.kind == "PersistentVolumeClaim" && e.name == pvc.name)
            .map_or_else(|| "waiting for a volume".to_owned(), |e| e.message.clone());
        return Some(Finding {
            kind: FailureKind::NoStorage,
            reason: format!(
                "No storage for {} (storage class {class}): {message}",
                pvc.name
            ),
        });
    }
    None
}

/// Are the engine's components ready?
pub fn workloads(obs: &Observation, components: &[&str]) -> Verdict {
    let mut waiting = Vec::new();
    for component in components {
        let ready = obs
            .workloads
            .iter()
            .filter(|w| w.component == *component)
            .map(|w| w.ready >= w.desired && w.desired > 0)
            .reduce(|a, b| a && b);
        match ready {
            Some(true) => {}
            Some(false) => waiting.push(format!("{component} to become ready")),
            None => waiting.push(format!("{component} to be created")),
        }
    }
    if waiting.is_empty() {
        return Verdict::Ready;
    }
    // A request larger than the quota fails at once; one that fits the quota but not
    // what is in use now waits (the deadline decides), since the pods in the way may be
    // on their way out.
    let quota = match quota_problem(obs) {
        Some((finding, false)) => return Verdict::Failed(finding),
        Some((finding, true)) => Some(finding),
        None => None,
    };
    let trouble = quota.or_else(|| pod_trouble(obs));
    let reason = match &trouble {
        Some(t) => t.reason.clone(),
        None => format!("Waiting for {}", waiting.join(" and ")),
    };
    Verdict::Waiting { reason, trouble }
}

/// The failure a pod of the given setup Job reported when it exited non-zero.
fn setup_failure<'a>(obs: &'a Observation, job: &str) -> Option<&'a str> {
    obs.pods
        .iter()
        .filter(|p| p.job.as_deref() == Some(job))
        .flat_map(|p| &p.containers)
        .find_map(|c| c.failure_message.as_deref())
}

/// Has the setup Job of this release revision finished? `doing` says what setup does,
/// in the engine's words.
pub fn setup(obs: &Observation, revision: u32, doing: &str) -> Verdict {
    let revision = revision.to_string();
    let job = obs
        .jobs
        .iter()
        .find(|j| j.revision.as_deref() == Some(revision.as_str()));
    if job.is_some_and(|j| j.complete) {
        return Verdict::Ready;
    }
    match quota_problem(obs) {
        Some((finding, false)) => return Verdict::Failed(finding),
        // Fits the quota once the pods in the way are gone (see `workloads`).
        Some((finding, true)) if job.is_none_or(|j| j.failed.is_none()) => {
            return Verdict::Waiting {
                reason: finding.reason.clone(),
                trouble: Some(finding),
            };
        }
        _ => {}
    }
    match job {
        None => Verdict::Waiting {
            reason: format!("Waiting for the setup job of revision {revision}"),
            trouble: None,
        },
        Some(j) if j.complete => Verdict::Ready,
        Some(j) => match (&j.failed, setup_failure(obs, &j.name)) {
            // The setup container's own words say what went wrong; the Job's condition
            // only says that it gave up.
            (Some(_), Some(said)) => Verdict::Failed(Finding {
                kind: FailureKind::SetupFailed,
                reason: format!("Store setup failed: {said}"),
            }),
            (Some((reason, message)), None) => Verdict::Failed(Finding {
                kind: FailureKind::SetupFailed,
                reason: format!("Store setup failed ({reason}): {message}"),
            }),
            (None, said) => {
                let trouble = pod_trouble(obs);
                let reason = match (&trouble, said) {
                    (Some(t), _) => t.reason.clone(),
                    (None, Some(said)) => format!("Store setup failed, retrying: {said}"),
                    (None, None) => doing.to_owned(),
                };
                Verdict::Waiting { reason, trouble }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::store::{
        ContainerObservation, EventObservation, JobObservation, PodObservation, PvcObservation,
        WorkloadObservation,
    };

    fn workload(component: &str, ready: i32) -> WorkloadObservation {
        WorkloadObservation {
            component: component.into(),
            name: format!("shop-{component}"),
            desired: 1,
            ready,
            failure: None,
        }
    }

    fn base(ready: i32) -> Observation {
        Observation {
            namespace_exists: true,
            workloads: vec![workload("mariadb", ready), workload("wordpress", ready)],
            ..Default::default()
        }
    }

    const COMPONENTS: &[&str] = &["mariadb", "wordpress"];
    const SETUP: &str = "Setting up WordPress and WooCommerce";

    #[test]
    fn ready_when_every_component_is_ready() {
        assert_eq!(workloads(&base(1), COMPONENTS), Verdict::Ready);
        let Verdict::Waiting {
            reason,
            trouble: None,
        } = workloads(&base(0), COMPONENTS)
        else {
            panic!()
        };
        assert_eq!(
            reason,
            "Waiting for mariadb to become ready and wordpress to become ready"
        );
        let empty = Observation {
            namespace_exists: true,
            ..Default::default()
        };
        let Verdict::Waiting { reason, .. } = workloads(&empty, COMPONENTS) else {
            panic!()
        };
        assert!(reason.contains("mariadb to be created"));
    }

    #[test]
    fn exceeded_quota_fails_at_once_naming_the_resource() {
        let mut obs = base(0);
        obs.warnings.push(EventObservation {
            reason: "FailedCreate".into(),
            message: "create Pod shop-mariadb-0 in StatefulSet shop-mariadb failed error: pods \"shop-mariadb-0\" is forbidden: exceeded quota: shop-quota, requested: limits.memory=384Mi, used: limits.memory=0, limited: limits.memory=100Mi".into(),
            kind: "StatefulSet".into(),
            name: "shop-mariadb".into(),
        });
        let Verdict::Failed(f) = workloads(&obs, COMPONENTS) else {
            panic!()
        };
        assert_eq!(f.kind, FailureKind::QuotaTooSmall);
        assert!(f.reason.contains("limits.memory=384Mi"), "{}", f.reason);
        let mut rs = base(0);
        rs.workloads[1].failure =
            Some("pods \"x\" is forbidden: exceeded quota: q, requested: requests.cpu=2".into());
        assert!(matches!(
            workloads(&rs, COMPONENTS),
            Verdict::Failed(Finding {
                kind: FailureKind::QuotaTooSmall,
                ..
            })
        ));
    }

    #[test]
    fn a_quota_refusal_that_fits_the_limit_waits_for_the_pods_in_the_way() {
        // During an update: the surge pod and the setup Job use the quota for a moment.
        let mut obs = base(0);
        obs.warnings.push(EventObservation {
            reason: "FailedCreate".into(),
            message: "create Pod shop-mariadb-0 in StatefulSet shop-mariadb failed error: pods \"shop-mariadb-0\" is forbidden: exceeded quota: shop-quota, requested: limits.cpu=500m,limits.memory=512Mi, used: limits.cpu=2,limits.memory=1792Mi, limited: limits.cpu=2,limits.memory=2Gi".into(),
            kind: "StatefulSet".into(),
            name: "shop-mariadb".into(),
        });
        let Verdict::Waiting {
            reason,
            trouble: Some(t),
        } = workloads(&obs, COMPONENTS)
        else {
            panic!("{:?}", workloads(&obs, COMPONENTS))
        };
        assert_eq!(t.kind, FailureKind::QuotaTooSmall);
        assert!(reason.contains("limited: limits.cpu=2"), "{reason}");
        // One resource larger than its limit is enough to fail.
        assert!(!quota_refusal_may_pass(
            "exceeded quota: q, requested: limits.cpu=500m,limits.memory=3Gi, used: limits.cpu=0,limits.memory=0, limited: limits.cpu=2,limits.memory=2Gi"
        ));
        assert!(quota_refusal_may_pass(
            "exceeded quota: q, requested: pods=1, used: pods=8, limited: pods=8"
        ));
        assert!(!quota_refusal_may_pass("exceeded quota: q"));
    }

    fn pod(component: &str, reason: &str, restarts: i32) -> PodObservation {
        PodObservation {
            name: format!("shop-{component}-0"),
            component: Some(component.into()),
            job: None,
            phase: "Pending".into(),
            ready: false,
            unschedulable: None,
            containers: vec![ContainerObservation {
                name: component.into(),
                image: format!("docker.io/library/{component}:bad"),
                ready: false,
                waiting_reason: Some(reason.into()),
                waiting_message: None,
                restart_count: restarts,
                failure_message: None,
            }],
        }
    }

    #[test]
    fn pod_troubles_name_the_component_and_detail() {
        let mut obs = base(0);
        obs.pods.push(pod("wordpress", "ImagePullBackOff", 0));
        let Verdict::Waiting {
            trouble: Some(t),
            reason,
        } = workloads(&obs, COMPONENTS)
        else {
            panic!()
        };
        assert_eq!(t.kind, FailureKind::ImagePull);
        assert!(
            reason.contains("docker.io/library/wordpress:bad"),
            "{reason}"
        );

        let mut obs = base(0);
        obs.pods.push(pod("mariadb", "CrashLoopBackOff", 7));
        let Verdict::Waiting {
            trouble: Some(t), ..
        } = workloads(&obs, COMPONENTS)
        else {
            panic!()
        };
        assert_eq!(t.kind, FailureKind::CrashLoop);
        assert!(
            t.reason.contains("7 restarts") && t.reason.starts_with("mariadb"),
            "{}",
            t.reason
        );

        let mut obs = base(0);
        let mut p = pod("mariadb", "ContainerCreating", 0);
        p.containers[0].waiting_reason = None;
        p.unschedulable = Some("0/4 nodes are available: 4 Insufficient cpu.".into());
        obs.pods.push(p);
        let Verdict::Waiting {
            trouble: Some(t), ..
        } = workloads(&obs, COMPONENTS)
        else {
            panic!()
        };
        assert_eq!(t.kind, FailureKind::Unschedulable);
        assert!(t.reason.contains("Insufficient cpu"));

        let mut obs = base(0);
        obs.pvcs.push(PvcObservation {
            name: "data-shop-mariadb-0".into(),
            phase: "Pending".into(),
            storage_class: Some("fast".into()),
        });
        obs.warnings.push(EventObservation {
            reason: "ProvisioningFailed".into(),
            message: "storageclass.storage.k8s.io \"fast\" not found".into(),
            kind: "PersistentVolumeClaim".into(),
            name: "data-shop-mariadb-0".into(),
        });
        let Verdict::Waiting {
            trouble: Some(t), ..
        } = workloads(&obs, COMPONENTS)
        else {
            panic!()
        };
        assert_eq!(t.kind, FailureKind::NoStorage);
        assert!(
            t.reason.contains("storage class fast") && t.reason.contains("not found"),
            "{}",
            t.reason
        );
    }

    #[test]
    fn setup_follows_the_job_of_the_current_revision() {
        let mut obs = base(1);
        assert!(matches!(setup(&obs, 2, SETUP), Verdict::Waiting { .. }));
        obs.jobs.push(JobObservation {
            name: "shop-setup-1-abc".into(),
            revision: Some("1".into()),
            complete: true,
            failed: None,
        });
        assert!(
            matches!(setup(&obs, 2, SETUP), Verdict::Waiting { .. }),
            "an old revision's job does not count"
        );
        obs.jobs.push(JobObservation {
            name: "shop-setup-2-def".into(),
            revision: Some("2".into()),
            complete: false,
            failed: Some((
                "BackoffLimitExceeded".into(),
                "Job has reached the specified backoff limit".into(),
            )),
        });
        let Verdict::Failed(f) = setup(&obs, 2, SETUP) else {
            panic!()
        };
        assert_eq!(f.kind, FailureKind::SetupFailed);
        assert!(f.reason.contains("BackoffLimitExceeded"));
        assert_eq!(setup(&obs, 1, SETUP), Verdict::Ready);
    }

    fn setup_pod(job: &str, said: Option<&str>) -> PodObservation {
        let mut p = pod("setup", "", 0);
        p.job = Some(job.into());
        p.containers[0].waiting_reason = None;
        p.containers[0].failure_message = said.map(Into::into);
        p
    }

    #[test]
    fn setup_failures_use_the_containers_own_words() {
        let said = "WooCommerce 10.6.1 could not be downloaded from https://downloads.wordpress.org/plugin/woocommerce.10.6.1.zip: A valid URL was not provided.";
        let mut obs = base(1);
        let mut job = JobObservation {
            name: "shop-setup-1-abc".into(),
            revision: Some("1".into()),
            complete: false,
            failed: None,
        };
        obs.jobs.push(job.clone());
        // A pod of another Job says nothing about this one.
        obs.pods.push(setup_pod("shop-setup-0-old", Some("stale")));
        let Verdict::Waiting { reason, .. } = setup(&obs, 1, SETUP) else {
            panic!()
        };
        assert_eq!(reason, "Setting up WordPress and WooCommerce");

        obs.pods.push(setup_pod("shop-setup-1-abc", Some(said)));
        let Verdict::Waiting { reason, .. } = setup(&obs, 1, SETUP) else {
            panic!()
        };
        assert_eq!(reason, format!("Store setup failed, retrying: {said}"));

        job.failed = Some(("BackoffLimitExceeded".into(), "backoff limit".into()));
        obs.jobs = vec![job];
        let Verdict::Failed(f) = setup(&obs, 1, SETUP) else {
            panic!()
        };
        assert_eq!(f.reason, format!("Store setup failed: {said}"));
    }

    #[test]
    fn termination_messages_keep_their_last_line() {
        use crate::cluster::store::last_line;
        assert_eq!(
            last_line("log line\n2026-11-26T10:00:00Z [setup] ERROR: no database\n\n").as_deref(),
            Some("no database")
        );
        assert_eq!(last_line("  \n"), None);
        assert_eq!(
            last_line(&"x".repeat(600)).map(|l| l.chars().count()),
            Some(501)
        );
    }
}
