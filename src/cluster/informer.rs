//! A watch-fed cache of what the engine looks at in store namespaces, the way controllers
//! use informers: kube::runtime reflectors, one per kind across the cluster (store
//! namespaces, and the StatefulSets, Deployments, Jobs and Pods that carry a store-id
//! label), instead of a round of LIST calls per store per look. Objects are shrunk as
//! they arrive (`.modify()`: no managed fields, annotations or pod templates), so 1,000
//! stores cost a few megabytes.
//!
//! What kube::runtime does not do, and stays here: waking a worker that waits on one
//! namespace when anything in it changes ([`Informer::watch`]); telling when a store's
//! namespace disappears; refusing to answer from a cache whose watch is broken (callers
//! then read the API directly); and a backoff that a relist does not reset (the
//! watcher's resets on every event, and a relist starts with one, so against a dead API
//! server it retried about once a second).

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::utils::Backoff;
use kube::runtime::{WatchStreamExt as _, watcher};
use kube::{Resource, ResourceExt as _};
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::store::{
    self, JobObservation, MANAGED_BY, NamespaceState, PodObservation, STORE_ID_LABEL,
    WorkloadObservation,
};

/// A Deployment condition that means the controller cannot make progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCondition {
    pub message: String,
    /// When the condition last changed (ms since the epoch), if the API said.
    pub at_ms: Option<i64>,
}

/// A StatefulSet or Deployment, as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRecord {
    pub release: Option<String>,
    pub workload: WorkloadObservation,
    pub failures: Vec<FailureCondition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub release: Option<String>,
    pub job: JobObservation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRecord {
    pub release: Option<String>,
    pub pod: PodObservation,
}

/// One namespace's objects, copied out of the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub namespace: NamespaceState,
    pub workloads: Vec<WorkloadRecord>,
    pub jobs: Vec<JobRecord>,
    pub pods: Vec<PodRecord>,
}

#[derive(Debug)]
struct Waiter {
    notify: Arc<Notify>,
    users: usize,
}

/// Waits between attempts of a watch that keeps failing.
const RETRY_MIN: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(60);

/// How long one watch request lasts (server side).
const WATCH_TIMEOUT_SECS: u32 = 20;

/// The kinds watched; each must have listed before the cache answers.
const KINDS: usize = 5;

/// What the watch tasks share with readers and waiters.
#[derive(Debug)]
struct Shared {
    /// Per kind: listed, and the watch has not broken since.
    synced: [AtomicBool; KINDS],
    waiters: Mutex<HashMap<String, Waiter>>,
    /// Store ids (the namespace label) of store namespaces that disappeared.
    gone: tokio::sync::broadcast::Sender<String>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            synced: Default::default(),
            waiters: Mutex::default(),
            gone: tokio::sync::broadcast::channel(1024).0,
        }
    }
}

impl Shared {
    fn wake(&self, namespace: &str) {
        let waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = waiters.get(namespace) {
            w.notify.notify_waiters();
        }
    }

    fn wake_all(&self) {
        let waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        for w in waiters.values() {
            w.notify.notify_waiters();
        }
    }
}

/// Doubles from [`RETRY_MIN`] to [`RETRY_MAX`]; the watcher's own resets are ignored
/// and only a completed listing (`recovered`) starts it over.
#[derive(Debug)]
struct RelistBackoff {
    next: Duration,
    recovered: Arc<AtomicBool>,
}

impl Iterator for RelistBackoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.recovered.swap(false, Ordering::SeqCst) {
            self.next = RETRY_MIN;
        }
        let wait = self.next;
        self.next = (self.next * 2).min(RETRY_MAX);
        Some(wait)
    }
}

impl Backoff for RelistBackoff {
    fn reset(&mut self) {}
}

/// The running reflectors; dropping the informer stops them.
#[derive(Debug)]
pub struct Informer {
    shared: Arc<Shared>,
    namespaces: Store<Namespace>,
    statefulsets: Store<StatefulSet>,
    deployments: Store<Deployment>,
    jobs: Store<Job>,
    pods: Store<Pod>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Informer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Interest in one namespace: [`Watch::changed`] returns when anything in it changes.
#[derive(Debug)]
pub struct Watch {
    shared: Arc<Shared>,
    namespace: String,
    notify: Arc<Notify>,
}

impl Watch {
    /// A future that completes at the next change. Create it before reading the cache,
    /// then await it, so that no change in between is missed.
    pub fn changed(&self) -> std::pin::Pin<Box<tokio::sync::futures::Notified<'_>>> {
        let mut notified = Box::pin(self.notify.notified());
        // Register now, not at the first poll.
        notified.as_mut().enable();
        notified
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut waiters = self
            .shared
            .waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(w) = waiters.get_mut(&self.namespace) {
            w.users -= 1;
            if w.users == 0 {
                waiters.remove(&self.namespace);
            }
        }
    }
}

/// One watched kind: its slot among the synced flags, how objects are shrunk before
/// they are cached, and what a change means beyond its namespace.
trait Cached:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    const SLOT: usize;
    /// Drop what the engine never reads (the cache holds every store's objects).
    fn shrink(&mut self) {
        let meta = self.meta_mut();
        meta.managed_fields = None;
        meta.annotations = None;
    }
    /// The namespace whose waiters hear of a change to this object.
    fn namespace_of(&self) -> String {
        self.namespace().unwrap_or_default()
    }
    /// The store whose namespace this object was, when its deletion is news.
    fn gone_store(&self) -> Option<String> {
        None
    }
}

fn release_of(meta: &kube::api::ObjectMeta) -> Option<String> {
    meta.labels
        .as_ref()
        .and_then(|l| l.get("app.kubernetes.io/instance").cloned())
}

impl Cached for Namespace {
    const SLOT: usize = 0;
    fn namespace_of(&self) -> String {
        self.name_any()
    }
    fn gone_store(&self) -> Option<String> {
        self.labels().get(STORE_ID_LABEL).cloned()
    }
}

impl Cached for StatefulSet {
    const SLOT: usize = 1;
    fn shrink(&mut self) {
        self.metadata.managed_fields = None;
        self.metadata.annotations = None;
        if let Some(spec) = self.spec.as_mut() {
            spec.template = Default::default();
            spec.volume_claim_templates = None;
        }
    }
}

impl Cached for Deployment {
    const SLOT: usize = 2;
    fn shrink(&mut self) {
        self.metadata.managed_fields = None;
        self.metadata.annotations = None;
        if let Some(spec) = self.spec.as_mut() {
            spec.template = Default::default();
        }
    }
}

impl Cached for Job {
    const SLOT: usize = 3;
    fn shrink(&mut self) {
        self.metadata.managed_fields = None;
        self.metadata.annotations = None;
        if let Some(spec) = self.spec.as_mut() {
            spec.template = Default::default();
        }
    }
}

impl Cached for Pod {
    const SLOT: usize = 4;
    fn shrink(&mut self) {
        self.metadata.managed_fields = None;
        self.metadata.annotations = None;
        self.spec = None;
    }
}

impl Informer {
    /// Start the reflectors on `client`'s cluster.
    pub fn start(client: &kube::Client) -> Self {
        let shared = Arc::new(Shared::default());
        // The server ends each watch before the client's read timeout (30 s, see
        // `load_config`) would cut it; the watcher then resumes where it was.
        let base = watcher::Config::default().timeout(WATCH_TIMEOUT_SECS);
        let namespaces = base
            .clone()
            .labels(&format!("{}={}", MANAGED_BY.0, MANAGED_BY.1));
        let objects = base.labels(STORE_ID_LABEL);
        let (namespaces, t0) = reflect::<Namespace>(client, namespaces, &shared);
        let (statefulsets, t1) = reflect::<StatefulSet>(client, objects.clone(), &shared);
        let (deployments, t2) = reflect::<Deployment>(client, objects.clone(), &shared);
        let (jobs, t3) = reflect::<Job>(client, objects.clone(), &shared);
        let (pods, t4) = reflect::<Pod>(client, objects, &shared);
        Self {
            shared,
            namespaces,
            statefulsets,
            deployments,
            jobs,
            pods,
            tasks: vec![t0, t1, t2, t3, t4],
        }
    }

    /// Whether every watch has listed its kind and is running.
    pub fn is_synced(&self) -> bool {
        self.shared.synced.iter().all(|s| s.load(Ordering::SeqCst))
    }

    /// Wait until every reflector has listed its kind, at most `limit`.
    pub async fn wait_synced(&self, limit: Duration) -> bool {
        let listed = async {
            let _ = futures::join!(
                self.namespaces.wait_until_ready(),
                self.statefulsets.wait_until_ready(),
                self.deployments.wait_until_ready(),
                self.jobs.wait_until_ready(),
                self.pods.wait_until_ready(),
            );
        };
        tokio::time::timeout(limit, listed).await.is_ok() && self.is_synced()
    }

    /// Store ids (from the namespace label) of store namespaces as they disappear. A
    /// receiver that falls behind misses some; callers have a slower way to notice.
    pub fn namespaces_gone(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.shared.gone.subscribe()
    }

    /// Register interest in `namespace` (see [`Watch`]).
    pub fn watch(&self, namespace: &str) -> Watch {
        let mut waiters = self
            .shared
            .waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let waiter = waiters
            .entry(namespace.to_owned())
            .or_insert_with(|| Waiter {
                notify: Arc::new(Notify::new()),
                users: 0,
            });
        waiter.users += 1;
        Watch {
            shared: self.shared.clone(),
            namespace: namespace.to_owned(),
            notify: waiter.notify.clone(),
        }
    }

    /// Read the cache, or `None` while it cannot be trusted.
    fn read<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        if !self.is_synced() {
            return None;
        }
        let value = f();
        // The watches may have broken while we read.
        self.is_synced().then_some(value)
    }

    fn namespace_state(&self, namespace: &str) -> NamespaceState {
        self.namespaces
            .get(&ObjectRef::new(namespace))
            .map_or(NamespaceState::Absent, |ns| {
                store::namespace_state_of(ns.as_ref().clone())
            })
    }

    /// Whether the namespace exists and is being deleted, or `None` while the cache
    /// cannot be trusted.
    pub fn namespace(&self, namespace: &str) -> Option<NamespaceState> {
        self.read(|| self.namespace_state(namespace))
    }

    /// The namespace's objects, or `None` while the cache cannot be trusted.
    pub fn snapshot(&self, namespace: &str) -> Option<Snapshot> {
        self.read(|| {
            let statefulsets =
                in_namespace(&self.statefulsets, namespace).map(|sts| WorkloadRecord {
                    release: release_of(&sts.metadata),
                    workload: store::statefulset_observation(sts),
                    failures: Vec::new(),
                });
            let deployments = in_namespace(&self.deployments, namespace).map(|dep| {
                let release = release_of(&dep.metadata);
                let (workload, failures) = store::deployment_observation(dep);
                WorkloadRecord {
                    release,
                    workload,
                    failures,
                }
            });
            Snapshot {
                namespace: self.namespace_state(namespace),
                workloads: statefulsets.chain(deployments).collect(),
                jobs: in_namespace(&self.jobs, namespace)
                    .map(|job| JobRecord {
                        release: release_of(&job.metadata),
                        job: store::job_observation(job),
                    })
                    .collect(),
                pods: in_namespace(&self.pods, namespace)
                    .map(|pod| PodRecord {
                        release: release_of(&pod.metadata),
                        pod: store::pod_observation(pod),
                    })
                    .collect(),
            }
        })
    }
}

/// Copies of the cached objects of one kind in `namespace`.
fn in_namespace<K>(store: &Store<K>, namespace: &str) -> impl Iterator<Item = K> + use<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + Hash + Clone,
{
    store
        .state_filter(|o| o.meta().namespace.as_deref() == Some(namespace))
        .into_iter()
        .map(|o| o.as_ref().clone())
}

/// A reflector for one kind: its store, and the task that feeds it and turns its events
/// into wake-ups.
fn reflect<K: Cached>(
    client: &kube::Client,
    config: watcher::Config,
    shared: &Arc<Shared>,
) -> (Store<K>, JoinHandle<()>) {
    let (reader, writer) = reflector::store::<K>();
    let recovered = Arc::new(AtomicBool::new(false));
    let backoff = RelistBackoff {
        next: RETRY_MIN,
        recovered: recovered.clone(),
    };
    let mut events = watcher(Api::<K>::all(client.clone()), config)
        .modify(K::shrink)
        .backoff(backoff)
        .reflect(writer)
        .boxed();
    let shared = shared.clone();
    let task = tokio::spawn(async move {
        while let Some(event) = events.next().await {
            match event {
                Ok(watcher::Event::Init) => {
                    // A relist: the store swaps in the new listing at InitDone; until
                    // then deletions may have been missed.
                    shared.synced[K::SLOT].store(false, Ordering::SeqCst);
                }
                Ok(watcher::Event::InitApply(_)) => {}
                Ok(watcher::Event::InitDone) => {
                    recovered.store(true, Ordering::SeqCst);
                    shared.synced[K::SLOT].store(true, Ordering::SeqCst);
                    shared.wake_all();
                }
                Ok(watcher::Event::Apply(object)) => shared.wake(&object.namespace_of()),
                Ok(watcher::Event::Delete(object)) => {
                    shared.wake(&object.namespace_of());
                    if let Some(store) = object.gone_store() {
                        // Nobody listening is fine.
                        let _ = shared.gone.send(store);
                    }
                }
                Err(e) => {
                    // Changes may be missed until the watcher has listed again.
                    if shared.synced[K::SLOT].swap(false, Ordering::SeqCst) {
                        tracing::warn!(kind = %K::kind(&()), error = %e, "watch broke; reading the API directly until it recovers");
                    } else {
                        tracing::debug!(kind = %K::kind(&()), error = %e, "watch still failing");
                    }
                    shared.wake_all();
                }
            }
        }
    });
    (reader, task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relist_backoff_grows_until_a_listing_completes() {
        let recovered = Arc::new(AtomicBool::new(false));
        let mut backoff = RelistBackoff {
            next: RETRY_MIN,
            recovered: recovered.clone(),
        };
        let secs: Vec<u64> = (0..8).map(|_| backoff.next().unwrap().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60]);
        backoff.reset();
        assert_eq!(
            backoff.next(),
            Some(RETRY_MAX),
            "the watcher's resets are ignored"
        );
        recovered.store(true, Ordering::SeqCst);
        assert_eq!(
            backoff.next(),
            Some(RETRY_MIN),
            "a completed listing starts over"
        );
        assert_eq!(backoff.next(), Some(RETRY_MIN * 2));
    }

    #[test]
    fn cached_objects_are_shrunk() {
        let mut pod = Pod::default();
        pod.metadata.annotations = Some([("a".to_owned(), "b".repeat(1000))].into());
        pod.spec = Some(Default::default());
        pod.shrink();
        assert!(pod.metadata.annotations.is_none() && pod.spec.is_none());
        let mut dep = Deployment {
            spec: Some(k8s_openapi::api::apps::v1::DeploymentSpec {
                replicas: Some(2),
                template: k8s_openapi::api::core::v1::PodTemplateSpec {
                    spec: Some(Default::default()),
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        };
        dep.shrink();
        let spec = dep.spec.unwrap();
        assert_eq!(spec.replicas, Some(2), "what the engine reads stays");
        assert!(spec.template.spec.is_none());
    }
}
