//! A watch-fed cache of what the engine looks at in store namespaces, the way controllers
//! use informers: one watch per kind across the cluster (store namespaces, and the
//! StatefulSets, Deployments, Jobs and Pods that carry a store-id label) instead of a
//! round of LIST calls per store per look. Objects are boiled down to the small records
//! the engine judges by, so 1,000 stores cost a few megabytes.
//!
//! A worker waiting for a store registers interest in its namespace ([`Informer::watch`])
//! and is woken when anything there changes, so the engine reacts as soon as the cluster
//! does. Until every watch has listed its kind (and again after a watch broke, until it
//! has listed again) the cache answers nothing and callers read the API directly.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use futures::StreamExt as _;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::Api;
use kube::runtime::watcher;
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

/// Records of one kind by namespace and name, each stamped with the list generation that
/// last saw it (so a relist can drop what disappeared while the watch was down).
#[derive(Debug)]
struct Table<R> {
    by_namespace: HashMap<String, HashMap<String, (u64, R)>>,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Self {
            by_namespace: HashMap::new(),
        }
    }
}

impl<R> Table<R> {
    fn put(&mut self, namespace: &str, name: &str, generation: u64, record: R) {
        self.by_namespace
            .entry(namespace.to_owned())
            .or_default()
            .insert(name.to_owned(), (generation, record));
    }

    fn remove(&mut self, namespace: &str, name: &str) {
        if let Some(names) = self.by_namespace.get_mut(namespace) {
            names.remove(name);
            if names.is_empty() {
                self.by_namespace.remove(namespace);
            }
        }
    }

    /// Drop records older than `generation`.
    fn prune(&mut self, generation: u64) {
        self.by_namespace.retain(|_, names| {
            names.retain(|_, (seen, _)| *seen >= generation);
            !names.is_empty()
        });
    }

    fn records(&self, namespace: &str) -> impl Iterator<Item = &R> {
        self.by_namespace
            .get(namespace)
            .into_iter()
            .flat_map(|names| names.values().map(|(_, r)| r))
    }
}

#[derive(Debug, Default)]
struct State {
    namespaces: Table<NamespaceState>,
    statefulsets: Table<WorkloadRecord>,
    deployments: Table<WorkloadRecord>,
    jobs: Table<JobRecord>,
    pods: Table<PodRecord>,
}

impl State {
    fn namespace(&self, namespace: &str) -> NamespaceState {
        self.namespaces
            .records(namespace)
            .next()
            .cloned()
            .unwrap_or(NamespaceState::Absent)
    }
}

#[derive(Debug)]
struct Waiter {
    notify: Arc<Notify>,
    users: usize,
}

/// Waits between attempts of a watch that keeps failing.
const RETRY_MIN: std::time::Duration = std::time::Duration::from_secs(1);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(60);

/// How long one watch request lasts (server side).
const WATCH_TIMEOUT_SECS: u32 = 20;

/// The kinds watched; each must have listed before the cache answers.
const KINDS: usize = 5;

#[derive(Debug)]
struct Shared {
    state: RwLock<State>,
    synced: [AtomicBool; KINDS],
    generation: AtomicU64,
    waiters: Mutex<HashMap<String, Waiter>>,
    /// Store ids (the namespace label) of store namespaces that disappeared.
    gone: tokio::sync::broadcast::Sender<String>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            state: RwLock::default(),
            synced: Default::default(),
            generation: AtomicU64::default(),
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

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running watches; dropping the informer stops them.
#[derive(Debug)]
pub struct Informer {
    shared: Arc<Shared>,
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

/// What one watched kind contributes to the cache: its record, and the table that holds
/// it (by namespace and name).
trait Cached:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    const SLOT: usize;
    type Record;
    fn table(state: &mut State) -> &mut Table<Self::Record>;
    fn record(self) -> Self::Record;
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
    type Record = NamespaceState;
    fn table(state: &mut State) -> &mut Table<Self::Record> {
        &mut state.namespaces
    }
    fn record(self) -> Self::Record {
        store::namespace_state_of(self)
    }
    fn namespace_of(&self) -> String {
        self.name_any()
    }
    fn gone_store(&self) -> Option<String> {
        self.labels().get(STORE_ID_LABEL).cloned()
    }
}

impl Cached for StatefulSet {
    const SLOT: usize = 1;
    type Record = WorkloadRecord;
    fn table(state: &mut State) -> &mut Table<Self::Record> {
        &mut state.statefulsets
    }
    fn record(self) -> Self::Record {
        WorkloadRecord {
            release: release_of(&self.metadata),
            workload: store::statefulset_observation(self),
            failures: Vec::new(),
        }
    }
}

impl Cached for Deployment {
    const SLOT: usize = 2;
    type Record = WorkloadRecord;
    fn table(state: &mut State) -> &mut Table<Self::Record> {
        &mut state.deployments
    }
    fn record(self) -> Self::Record {
        let release = release_of(&self.metadata);
        let (workload, failures) = store::deployment_observation(self);
        WorkloadRecord {
            release,
            workload,
            failures,
        }
    }
}

impl Cached for Job {
    const SLOT: usize = 3;
    type Record = JobRecord;
    fn table(state: &mut State) -> &mut Table<Self::Record> {
        &mut state.jobs
    }
    fn record(self) -> Self::Record {
        JobRecord {
            release: release_of(&self.metadata),
            job: store::job_observation(self),
        }
    }
}

impl Cached for Pod {
    const SLOT: usize = 4;
    type Record = PodRecord;
    fn table(state: &mut State) -> &mut Table<Self::Record> {
        &mut state.pods
    }
    fn record(self) -> Self::Record {
        PodRecord {
            release: release_of(&self.metadata),
            pod: store::pod_observation(self),
        }
    }
}

impl Informer {
    /// Start the watches on `client`'s cluster.
    pub fn start(client: &kube::Client) -> Self {
        let shared = Arc::new(Shared::default());
        // The server ends each watch before the client's read timeout (30 s, see
        // `load_config`) would cut it; the watcher then resumes where it was.
        let base = watcher::Config::default().timeout(WATCH_TIMEOUT_SECS);
        let namespaces = base
            .clone()
            .labels(&format!("{}={}", MANAGED_BY.0, MANAGED_BY.1));
        let objects = base.labels(STORE_ID_LABEL);
        let tasks = vec![
            spawn::<Namespace>(Api::all(client.clone()), namespaces, shared.clone()),
            spawn::<StatefulSet>(Api::all(client.clone()), objects.clone(), shared.clone()),
            spawn::<Deployment>(Api::all(client.clone()), objects.clone(), shared.clone()),
            spawn::<Job>(Api::all(client.clone()), objects.clone(), shared.clone()),
            spawn::<Pod>(Api::all(client.clone()), objects, shared.clone()),
        ];
        Self { shared, tasks }
    }

    /// Whether every watch has listed its kind and is running.
    pub fn is_synced(&self) -> bool {
        self.shared.synced.iter().all(|s| s.load(Ordering::SeqCst))
    }

    /// Wait until the cache is synced, at most `limit`.
    pub async fn wait_synced(&self, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while !self.is_synced() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        true
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
    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> Option<T> {
        if !self.is_synced() {
            return None;
        }
        let value = f(&self.shared.state.read().unwrap_or_else(|e| e.into_inner()));
        // The watches may have broken while we read.
        self.is_synced().then_some(value)
    }

    /// Whether the namespace exists and is being deleted, or `None` while the cache
    /// cannot be trusted.
    pub fn namespace(&self, namespace: &str) -> Option<NamespaceState> {
        self.read(|state| state.namespace(namespace))
    }

    /// The namespace's objects, or `None` while the cache cannot be trusted.
    pub fn snapshot(&self, namespace: &str) -> Option<Snapshot> {
        self.read(|state| Snapshot {
            namespace: state.namespace(namespace),
            workloads: state
                .statefulsets
                .records(namespace)
                .chain(state.deployments.records(namespace))
                .cloned()
                .collect(),
            jobs: state.jobs.records(namespace).cloned().collect(),
            pods: state.pods.records(namespace).cloned().collect(),
        })
    }
}

fn put<K: Cached>(shared: &Shared, object: K, generation: u64) {
    let (ns, name) = (object.namespace_of(), object.name_any());
    let record = object.record();
    K::table(&mut shared.write()).put(&ns, &name, generation, record);
}

fn spawn<K: Cached>(api: Api<K>, config: watcher::Config, shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        // Our own backoff: kube's resets on every Ok event, and a relist starts with one
        // (Init), so against an unreachable API server it retried about once a second.
        let mut stream = watcher(api, config).boxed();
        let mut retry_in = RETRY_MIN;
        let mut listing: Option<u64> = None;
        while let Some(event) = stream.next().await {
            match event {
                Ok(watcher::Event::Init) => {
                    // A relist: deletions may have been missed until it is done.
                    shared.synced[K::SLOT].store(false, Ordering::SeqCst);
                    listing = Some(shared.generation.fetch_add(1, Ordering::SeqCst) + 1);
                }
                Ok(watcher::Event::InitApply(object)) => {
                    // Nobody reads the cache until the listing is done (then all wake).
                    put(&shared, object, listing.unwrap_or(0));
                }
                Ok(watcher::Event::InitDone) => {
                    retry_in = RETRY_MIN;
                    if let Some(generation) = listing.take() {
                        K::table(&mut shared.write()).prune(generation);
                    }
                    shared.synced[K::SLOT].store(true, Ordering::SeqCst);
                    shared.wake_all();
                }
                Ok(watcher::Event::Apply(object)) => {
                    let ns = object.namespace_of();
                    put(&shared, object, shared.generation.load(Ordering::SeqCst));
                    shared.wake(&ns);
                }
                Ok(watcher::Event::Delete(object)) => {
                    let ns = object.namespace_of();
                    K::table(&mut shared.write()).remove(&ns, &object.name_any());
                    shared.wake(&ns);
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
                    tokio::time::sleep(retry_in).await;
                    retry_in = (retry_in * 2).min(RETRY_MAX);
                }
            }
        }
    })
}
