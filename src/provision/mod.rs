//! The provisioning engine: workers inside `storefleet serve` that drive every store
//! toward its desired state, like a Kubernetes controller. Each pass claims a due store
//! by lease, observes the cluster, does the next steps, records them, and releases the
//! store with the outcome. Every step is idempotent, so a pass cut short anywhere (crash,
//! SIGKILL, lost lease) is simply run again.

pub mod diagnose;
pub mod plan;
pub mod verify;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng as _;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;

use crate::cluster::{self, Cluster, NamespaceState};
use crate::config::Config;
use crate::domain::{Desired, LifecycleEvent, StoreCredentials, StoreStatus};
use crate::engines::{self, STEPS, StoreEngine};
use crate::helm::{Helm, HelmError, ReleaseState, ValuesSource};
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::storage::{EventLevel, NewStoreEvent, Outcome, Progress, Released, Storage, Store};
use diagnose::{FailureKind, Finding, Verdict};
use plan::Plan;

/// How long a claimed store is ours without renewal.
const LEASE: Duration = Duration::from_secs(30);
const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How long one pass watches workloads before giving other stores a turn.
const WAIT_IN_PASS: Duration = Duration::from_secs(10);
/// When a pass that stopped waiting looks again.
const RECHECK: Duration = Duration::from_secs(1);
/// How long a teardown pass waits for the namespace to go before freeing its worker.
const TEARDOWN_WAIT_IN_PASS: Duration = Duration::from_secs(2);
/// When a teardown looks again if its namespace's disappearance was not reported sooner.
const TEARDOWN_RECHECK_WATCHED: Duration = Duration::from_secs(15);
/// How often a pass looks again without a watch cache (reading the API each time).
const POLL: Duration = Duration::from_millis(500);
/// With a watch cache a pass is woken by changes; it also looks this often regardless.
const POLL_WATCHED: Duration = Duration::from_secs(2);
/// How long a wait may go before claims and warning events (not in the watch cache) are
/// read to explain it, and how often they are read again while it lasts. Short enough
/// that a quota refusal is seen for QUOTA_GRACE within one pass.
const DETAILS_AFTER: Duration = Duration::from_secs(2);
/// How long the first listing of the watch cache may delay the first pass.
const CACHE_SYNC: Duration = Duration::from_secs(5);
/// Backoff for transient errors: 1 s doubling to at most 60 s, with jitter.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
const NO_CLUSTER_RETRY: Duration = Duration::from_secs(10);
/// How long a quota refusal must persist before the store fails for it.
const QUOTA_GRACE: Duration = Duration::from_secs(5);

/// Why a pass stopped early.
#[derive(Debug)]
enum Stop {
    /// Try again later (API unreachable, conflicts, locks).
    Transient(String),
    /// Give up with a reason people can act on.
    Failed(Finding),
    /// Not done yet; come back after the given time (or sooner, when expedited).
    Waiting(String, Duration),
    /// Another worker owns the store now.
    LeaseLost,
}

impl From<cluster::ClusterError> for Stop {
    fn from(e: cluster::ClusterError) -> Self {
        if e.transient {
            Stop::Transient(format!("Kubernetes API: {}", e.message))
        } else {
            Stop::Failed(Finding {
                kind: FailureKind::Cluster,
                reason: format!("Kubernetes refused a request: {}", e.message),
            })
        }
    }
}

impl From<HelmError> for Stop {
    fn from(e: HelmError) -> Self {
        if e.transient {
            Stop::Transient(format!("helm: {}", e.message))
        } else {
            Stop::Failed(Finding {
                kind: FailureKind::Helm,
                reason: format!("helm failed: {}", e.message),
            })
        }
    }
}

/// The backoff before attempt `attempts` (1-based), with ±25 % jitter.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
    let base = BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(exp))
        .min(BACKOFF_MAX);
    let jitter = rand::rng().random_range(0.75..1.25);
    base.mul_f64(jitter)
}

/// One component of a store, for `GET /stores/{id}/health`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentHealth {
    pub name: String,
    pub ready: bool,
    pub message: String,
}

/// One pass over one store.
struct Pass {
    store: Store,
    worker: String,
    engine: &'static dyn StoreEngine,
    lease_lost: Arc<AtomicBool>,
    steps_done_before: i64,
    step_began: Instant,
    last_reason: String,
}

#[derive(Debug)]
pub struct Provisioner {
    config: Arc<Config>,
    storage: Arc<dyn Storage>,
    notifier: Arc<Notifier>,
    metrics: Arc<Metrics>,
    helm: Arc<dyn Helm>,
    cluster: RwLock<Option<Cluster>>,
    chart_digest: String,
    id: String,
}

/// A hash of every file under the chart root and of the operator's values file.
fn digest_inputs(chart_root: &Path, values_files: &[PathBuf]) -> String {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
    }
    let mut files = Vec::new();
    walk(chart_root, &mut files);
    files.sort();
    files.extend(values_files.iter().cloned());
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(f.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&f).unwrap_or_default());
    }
    hex::encode(hasher.finalize())
}

impl Provisioner {
    pub fn new(
        config: Arc<Config>,
        storage: Arc<dyn Storage>,
        notifier: Arc<Notifier>,
        metrics: Arc<Metrics>,
        helm: Arc<dyn Helm>,
    ) -> Self {
        let chart_digest = digest_inputs(&config.chart_dir, &config.values_files);
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".to_owned());
        let id = format!(
            "{host}-{}-{}",
            std::process::id(),
            crate::domain::random_id(4)
        );
        Self {
            config,
            storage,
            notifier,
            metrics,
            helm,
            cluster: RwLock::new(None),
            chart_digest,
            id,
        }
    }

    /// The cluster client, connecting on first use (and again after a failed attempt).
    pub async fn cluster(&self) -> Result<Cluster, String> {
        if let Some(c) = self.cluster.read().await.as_ref() {
            return Ok(c.clone());
        }
        let mut slot = self.cluster.write().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = cluster::load_config(
            self.config.kubeconfig.as_deref(),
            self.config.kube_context.as_deref(),
        )
        .await
        .map_err(|e| {
            format!("no cluster configured ({e}); run `testenv/cluster up` or set KUBECONFIG")
        })?;
        let c = Cluster::connect(config, self.config.kube_qps, self.config.kube_burst)
            .await
            .map_err(|e| e.message)?
            .with_informer(CACHE_SYNC)
            .await;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Run `STOREFLEET_WORKERS` workers and the sweeper until `token` is cancelled.
    pub async fn run(self: Arc<Self>, token: CancellationToken) -> anyhow::Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..self.config.workers {
            let me = self.clone();
            let token = token.clone();
            tasks.spawn(async move { me.worker(n, token).await });
        }
        let me = self.clone();
        let sweep_token = token.clone();
        tasks.spawn(async move { me.sweeper(sweep_token).await });
        let me = self.clone();
        let gone_token = token.clone();
        tasks.spawn(async move { me.expedite_when_gone(gone_token).await });
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                anyhow::bail!("a provisioning task panicked: {e}");
            }
        }
        Ok(())
    }

    /// A store being deleted waits for its namespace to disappear; when the watch cache
    /// sees that happen, make the store due at once so a worker finishes its deletion.
    async fn expedite_when_gone(&self, token: CancellationToken) {
        let mut gone = loop {
            match self.cluster().await.map(|c| c.namespaces_gone()) {
                Ok(Some(rx)) => break rx,
                Ok(None) => return,
                Err(_) => {
                    tokio::select! {
                        () = token.cancelled() => return,
                        () = tokio::time::sleep(NO_CLUSTER_RETRY) => {},
                    }
                }
            }
        };
        loop {
            let store = tokio::select! {
                () = token.cancelled() => return,
                next = gone.recv() => match next {
                    Ok(store) => store,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::debug!(missed = n, "missed namespace deletions; rechecks will notice");
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            };
            let Ok(id) = uuid::Uuid::parse_str(&store) else {
                continue;
            };
            match self.storage.expedite(id, Utc::now()).await {
                Ok(true) => self.notifier.wake_workers(),
                Ok(false) => {}
                Err(e) => tracing::debug!(store = %id, error = %e, "cannot expedite"),
            }
        }
    }

    async fn worker(&self, n: u32, token: CancellationToken) {
        let worker = format!("{}/{n}", self.id);
        while !token.is_cancelled() {
            match self.try_execute_next(&worker).await {
                Ok(true) => continue,
                Ok(false) => {
                    tokio::select! {
                        () = token.cancelled() => break,
                        () = self.notifier.work_wanted() => {},
                        () = tokio::time::sleep(Duration::from_secs(1)) => {},
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim work");
                    tokio::select! {
                        () = token.cancelled() => break,
                        () = tokio::time::sleep(Duration::from_secs(2)) => {},
                    }
                }
            }
        }
    }

    /// Claim one due store and work on it. `Ok(false)` when nothing was due.
    pub async fn try_execute_next(&self, worker: &str) -> anyhow::Result<bool> {
        let claimed = self.storage.claim_due(worker, 1, LEASE, Utc::now()).await?;
        let Some(store) = claimed.into_iter().next() else {
            return Ok(false);
        };
        let id = store.id;
        let lease_lost = Arc::new(AtomicBool::new(false));
        let renewal = {
            let storage = self.storage.clone();
            let worker = worker.to_owned();
            let lost = lease_lost.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(RENEW_EVERY).await;
                    match storage.renew_lease(id, &worker, LEASE, Utc::now()).await {
                        Ok(true) => {}
                        Ok(false) => {
                            lost.store(true, Ordering::SeqCst);
                            return;
                        }
                        Err(e) => tracing::warn!(store = %id, error = %e, "cannot renew lease"),
                    }
                }
            })
        };
        let outcome = self.reconcile(store, worker, lease_lost.clone()).await;
        renewal.abort();
        if let Some(outcome) = outcome {
            match self.storage.release(id, worker, outcome, Utc::now()).await {
                Ok(Released::Applied(store) | Released::Superseded(store)) => {
                    self.notifier.store_changed(&store);
                }
                Ok(Released::LeaseLost) => {
                    tracing::warn!(store = %id, "lease lost before the outcome was recorded");
                }
                Err(e) => tracing::error!(store = %id, error = %e, "cannot record the outcome"),
            }
        }
        Ok(true)
    }

    async fn event(
        &self,
        store: &Store,
        level: EventLevel,
        step: Option<&str>,
        message: String,
        took: Option<Duration>,
    ) {
        let event = NewStoreEvent {
            store_id: store.id,
            at: Utc::now(),
            level,
            step: step.map(str::to_owned),
            message,
            duration_ms: took.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        };
        if let Err(e) = self.storage.add_store_event(event).await {
            tracing::warn!(store = %store.id, error = %e, "cannot record a store event");
        }
    }

    /// Record the current step and reason while holding the lease.
    async fn progress(
        &self,
        pass: &mut Pass,
        event: LifecycleEvent,
        index: usize,
        reason: &str,
    ) -> Result<(), Stop> {
        let step = STEPS.get(index).copied().unwrap_or("ready");
        self.progress_at(pass, event, step, index as i64, reason)
            .await
    }

    async fn progress_at(
        &self,
        pass: &mut Pass,
        event: LifecycleEvent,
        step: &str,
        steps_done: i64,
        reason: &str,
    ) -> Result<(), Stop> {
        if pass.lease_lost.load(Ordering::SeqCst) {
            return Err(Stop::LeaseLost);
        }
        let step = Some(step.to_owned());
        let changed = pass.store.step != step || pass.store.status_reason != reason;
        if !changed && pass.store.status == pass.store.status.on(event).unwrap_or(pass.store.status)
        {
            return Ok(());
        }
        if pass.store.step != step {
            pass.step_began = Instant::now();
        }
        let progress = Progress {
            event,
            step: step.clone(),
            steps_done,
            status_reason: reason.to_owned(),
        };
        match self
            .storage
            .record_progress(pass.store.id, &pass.worker, progress, Utc::now())
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(Stop::LeaseLost),
            Err(crate::storage::DbError::Transition(_)) => return Err(Stop::LeaseLost),
            Err(e) => return Err(Stop::Transient(format!("database: {e}"))),
        }
        if let Ok(Some(store)) = self.storage.get_store(pass.store.id).await {
            self.notifier.store_changed(&store);
            pass.store = store;
        }
        pass.last_reason = reason.to_owned();
        Ok(())
    }

    /// Note that step `index` finished, with an event the first time it does.
    async fn done(&self, pass: &mut Pass, index: usize, message: String) {
        if (index as i64) + 1 > pass.steps_done_before {
            let took = pass.step_began.elapsed();
            self.event(
                &pass.store,
                EventLevel::Info,
                STEPS.get(index).copied(),
                message,
                Some(took),
            )
            .await;
            pass.steps_done_before = index as i64 + 1;
        }
        pass.step_began = Instant::now();
    }

    async fn reconcile(
        &self,
        store: Store,
        worker: &str,
        lease_lost: Arc<AtomicBool>,
    ) -> Option<Outcome> {
        let Some(engine) = engines::for_engine(store.engine) else {
            return Some(self.fail_outcome(
                &store,
                Finding {
                    kind: FailureKind::Helm,
                    reason: format!(
                        "This server does not offer the {} engine",
                        store.engine.display_name()
                    ),
                },
            ));
        };
        let mut pass = Pass {
            steps_done_before: store.steps_done,
            step_began: Instant::now(),
            last_reason: store.status_reason.clone(),
            store,
            worker: worker.to_owned(),
            engine,
            lease_lost,
        };
        let cluster = match self.cluster().await {
            Ok(c) => c,
            Err(e) => {
                let event = if pass.store.status == StoreStatus::Pending {
                    LifecycleEvent::Wait
                } else {
                    LifecycleEvent::Work
                };
                let event = if pass.store.desired == Desired::Absent {
                    LifecycleEvent::Delete
                } else {
                    event
                };
                return Some(Outcome {
                    event,
                    status_reason: format!("Waiting for the cluster: {e}"),
                    step: pass.store.step.clone(),
                    steps_done: pass.store.steps_done,
                    next_attempt_at: Some(Utc::now() + NO_CLUSTER_RETRY),
                    attempts: pass.store.attempts + 1,
                    urls: None,
                });
            }
        };
        if pass.store.status == StoreStatus::Pending {
            // Provisioning starts only against a cluster that answers.
            let answer = tokio::time::timeout(Duration::from_secs(5), cluster.version()).await;
            let problem = match answer {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.message),
                Err(_) => Some("no answer within 5 s".to_owned()),
            };
            if let Some(problem) = problem {
                // A Pending store is always wanted (deleting one makes it Deleting).
                return Some(Outcome {
                    event: LifecycleEvent::Wait,
                    status_reason: format!("Waiting for the cluster: {problem}"),
                    step: pass.store.step.clone(),
                    steps_done: pass.store.steps_done,
                    next_attempt_at: Some(Utc::now() + NO_CLUSTER_RETRY),
                    attempts: pass.store.attempts + 1,
                    urls: None,
                });
            }
        }
        let result = match pass.store.desired {
            Desired::Absent => self.teardown(&mut pass, &cluster).await,
            Desired::Present => self.provision(&mut pass, &cluster).await,
        };
        match result {
            Ok(outcome) => Some(outcome),
            Err(Stop::LeaseLost) => None,
            Err(Stop::Waiting(reason, recheck)) => Some(Outcome {
                event: self.working_event(&pass),
                status_reason: reason,
                step: pass.store.step.clone(),
                steps_done: pass.store.steps_done,
                next_attempt_at: Some(Utc::now() + recheck),
                attempts: 0,
                urls: None,
            }),
            Err(Stop::Transient(message)) => {
                let attempts = pass.store.attempts + 1;
                let wait = backoff(attempts);
                self.event(
                    &pass.store,
                    EventLevel::Warning,
                    pass.store.step.as_deref(),
                    format!(
                        "Temporary error, retrying in {} s: {message}",
                        wait.as_secs().max(1)
                    ),
                    None,
                )
                .await;
                Some(Outcome {
                    event: self.working_event(&pass),
                    status_reason: format!("Retrying after a temporary error: {message}"),
                    step: pass.store.step.clone(),
                    steps_done: pass.store.steps_done,
                    next_attempt_at: Some(Utc::now() + wait),
                    attempts,
                    urls: None,
                })
            }
            Err(Stop::Failed(finding)) => {
                if pass.store.desired == Desired::Absent {
                    // Deletion never gives up; it reports and keeps trying.
                    let attempts = pass.store.attempts + 1;
                    return Some(Outcome {
                        event: LifecycleEvent::Delete,
                        status_reason: format!("Deletion is blocked: {}", finding.reason),
                        step: pass.store.step.clone(),
                        steps_done: pass.store.steps_done,
                        next_attempt_at: Some(Utc::now() + backoff(attempts)),
                        attempts,
                        urls: None,
                    });
                }
                self.event(
                    &pass.store,
                    EventLevel::Error,
                    pass.store.step.as_deref(),
                    finding.reason.clone(),
                    None,
                )
                .await;
                Some(self.fail_outcome(&pass.store, finding))
            }
        }
    }

    fn working_event(&self, pass: &Pass) -> LifecycleEvent {
        match (pass.store.desired, pass.store.status) {
            (Desired::Absent, _) => LifecycleEvent::Delete,
            (_, StoreStatus::Pending) => LifecycleEvent::Wait,
            _ => LifecycleEvent::Work,
        }
    }

    fn fail_outcome(&self, store: &Store, finding: Finding) -> Outcome {
        self.metrics.count_failure(finding.kind.as_str());
        if let Some(started) = store.work_started_at {
            let took = (Utc::now() - started).to_std().unwrap_or_default();
            self.metrics
                .observe_provisioning(store.engine.as_str(), "failed", took);
        }
        Outcome {
            event: LifecycleEvent::Fail,
            status_reason: finding.reason,
            step: store.step.clone(),
            steps_done: store.steps_done,
            next_attempt_at: None,
            attempts: store.attempts,
            urls: None,
        }
    }

    fn deadline_passed(&self, pass: &Pass) -> bool {
        let timeout = chrono::Duration::seconds(
            i64::try_from(self.config.provision_timeout_secs).unwrap_or(i64::MAX),
        );
        pass.store.status == StoreStatus::Provisioning
            && pass
                .store
                .work_started_at
                .is_some_and(|t| Utc::now() - t > timeout)
    }

    async fn provision(&self, pass: &mut Pass, cluster: &Cluster) -> Result<Outcome, Stop> {
        // A Ready store is checked for drift; a healthy one stays Ready.
        if pass.store.status == StoreStatus::Ready {
            if let Some(outcome) = self.resync(pass, cluster).await? {
                return Ok(outcome);
            }
        }
        // 1. plan
        self.progress(pass, LifecycleEvent::Work, 0, "Planning the store")
            .await?;
        let owner = self
            .storage
            .user_by_id(pass.store.owner_id)
            .await
            .map_err(|e| Stop::Transient(format!("database: {e}")))?;
        let owner_email =
            owner.map_or_else(|| format!("owner@{}", self.config.base_domain), |u| u.email);
        let plan = plan::plan(
            &pass.store,
            pass.engine,
            &owner_email,
            &self.config.store_url_scheme,
            &self.chart_digest,
        );
        self.done(
            pass,
            0,
            format!(
                "Planned namespace {} and release {}",
                plan.namespace, plan.release
            ),
        )
        .await;

        // 2. namespace
        self.progress(
            pass,
            LifecycleEvent::Work,
            1,
            &format!("Creating namespace {}", plan.namespace),
        )
        .await?;
        cluster
            .ensure_namespace(&plan.namespace, &plan.namespace_labels)
            .await?;
        self.done(
            pass,
            1,
            format!(
                "Namespace {} is ready (Pod Security: restricted)",
                plan.namespace
            ),
        )
        .await;

        // 3. credentials
        self.progress(
            pass,
            LifecycleEvent::Work,
            2,
            "Creating the store's credentials",
        )
        .await?;
        let created = cluster
            .create_secret_if_absent(
                &plan.namespace,
                &plan.secret,
                &plan.secret_labels,
                StoreCredentials::generate().to_secret_data(),
            )
            .await?;
        let message = if created {
            "Generated the store's credentials"
        } else {
            "The store's credentials exist; kept them"
        };
        self.done(pass, 2, message.to_owned()).await;

        // 4. release
        self.progress(
            pass,
            LifecycleEvent::Work,
            3,
            &format!("Installing release {}", plan.release),
        )
        .await?;
        let (revision, applied_at) = self.release(pass, cluster, &plan).await?;
        let since = match (pass.store.work_started_at, applied_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.done(
            pass,
            3,
            format!("Release {} is at revision {revision}", plan.release),
        )
        .await;

        // 5. workloads and 6. bootstrap
        self.progress(
            pass,
            LifecycleEvent::Work,
            4,
            "Waiting for the database and WordPress",
        )
        .await?;
        let components = pass.engine.components();
        self.await_verdict(pass, cluster, &plan, since, 4, |obs| {
            diagnose::workloads(obs, components)
        })
        .await?;
        self.done(pass, 4, "MariaDB and WordPress are ready".to_owned())
            .await;
        self.progress(
            pass,
            LifecycleEvent::Work,
            5,
            "Setting up WordPress and WooCommerce",
        )
        .await?;
        self.await_verdict(pass, cluster, &plan, since, 5, |obs| {
            diagnose::setup(obs, revision)
        })
        .await?;
        self.done(
            pass,
            5,
            "WooCommerce is installed and configured".to_owned(),
        )
        .await;

        // 7. verify
        self.progress(
            pass,
            LifecycleEvent::Work,
            6,
            "Verifying checkout with a test order",
        )
        .await?;
        self.verify(pass, &plan).await?;

        // 8. ready
        let took = pass
            .store
            .work_started_at
            .map(|t| (Utc::now() - t).to_std().unwrap_or_default());
        let first_time = pass.store.ready_at.is_none();
        if let Some(took) = took {
            self.metrics
                .observe_provisioning(pass.store.engine.as_str(), "ready", took);
        }
        let message = if first_time {
            "Store is ready"
        } else {
            "Store is ready again"
        };
        self.event(
            &pass.store,
            EventLevel::Info,
            Some("ready"),
            message.to_owned(),
            took,
        )
        .await;
        Ok(Outcome {
            event: LifecycleEvent::Succeed,
            status_reason: "Ready".to_owned(),
            step: Some("ready".to_owned()),
            steps_done: STEPS.len() as i64,
            next_attempt_at: Some(Utc::now() + Duration::from_secs(self.config.resync_secs)),
            attempts: 0,
            urls: Some((plan.url, plan.admin_url)),
        })
    }

    /// A Ready store: `None` when something drifted and provisioning must run again.
    async fn resync(&self, pass: &mut Pass, cluster: &Cluster) -> Result<Option<Outcome>, Stop> {
        let release = pass.engine.release_name(&pass.store);
        let mut obs = cluster
            .observe(&pass.store.namespace, &release, None)
            .await?;
        if !matches!(
            diagnose::workloads(&obs, pass.engine.components()),
            Verdict::Ready
        ) {
            cluster
                .add_details(&pass.store.namespace, None, &mut obs)
                .await?;
        }
        let drift = if !obs.namespace_exists {
            Some(format!(
                "Namespace {} was deleted outside Storefleet; restoring the store",
                pass.store.namespace
            ))
        } else {
            match diagnose::workloads(&obs, pass.engine.components()) {
                Verdict::Ready => None,
                Verdict::Waiting { reason, .. } => Some(format!("Drift: {reason}")),
                Verdict::Failed(f) => Some(format!("Drift: {}", f.reason)),
            }
        };
        match drift {
            None => Ok(Some(Outcome {
                event: LifecycleEvent::Succeed,
                status_reason: "Ready".to_owned(),
                step: Some("ready".to_owned()),
                steps_done: STEPS.len() as i64,
                next_attempt_at: Some(Utc::now() + Duration::from_secs(self.config.resync_secs)),
                attempts: 0,
                urls: None,
            })),
            Some(reason) => {
                self.event(
                    &pass.store,
                    EventLevel::Warning,
                    Some("ready"),
                    reason.clone(),
                    None,
                )
                .await;
                self.progress(pass, LifecycleEvent::Work, 0, &reason)
                    .await?;
                pass.steps_done_before = 0;
                Ok(None)
            }
        }
    }

    /// Make the release match the plan; returns its revision and when it was applied
    /// (what the cluster reports before that belongs to an earlier attempt).
    async fn release(
        &self,
        pass: &mut Pass,
        cluster: &Cluster,
        plan: &Plan,
    ) -> Result<(u32, Option<chrono::DateTime<Utc>>), Stop> {
        let ns = &plan.namespace;
        let mut state = release_state(cluster, ns, &plan.release).await?;
        if let ReleaseState::Pending { revision, status } = &state {
            // An interrupted helm left the release locked: unlock it, then carry on.
            cluster
                .mark_release_failed(ns, &plan.release, *revision)
                .await?;
            self.event(
                &pass.store,
                EventLevel::Warning,
                Some("release"),
                format!(
                    "Release {} was left {status} by an interrupted operation; unlocked it",
                    plan.release
                ),
                None,
            )
            .await;
            state = release_state(cluster, ns, &plan.release).await?;
        }
        if let ReleaseState::Uninstalling { .. } = state {
            return Err(Stop::Transient(format!(
                "release {} is being uninstalled",
                plan.release
            )));
        }
        if let ReleaseState::Deployed { revision } = state {
            let annotations = cluster.namespace_annotations(ns).await?;
            if annotations.get(cluster::store::FINGERPRINT_ANNOTATION) == Some(&plan.fingerprint) {
                let applied_at = annotations
                    .get(cluster::store::APPLIED_AT_ANNOTATION)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                return Ok((revision, applied_at));
            }
        }
        let chart = pass.engine.chart(&self.config.chart_dir);
        if !chart.join("Chart.yaml").is_file() {
            return Err(Stop::Failed(Finding {
                kind: FailureKind::Helm,
                reason: format!(
                    "The chart is missing at {} (STOREFLEET_CHART_DIR)",
                    chart.display()
                ),
            }));
        }
        let mut values = Vec::new();
        for file in &self.config.values_files {
            values.push(ValuesSource::File(file.clone()));
        }
        values.push(ValuesSource::Content(plan.values.to_string()));
        let started = Utc::now();
        let revision = self
            .helm
            .upgrade_install(ns, &plan.release, &chart, &values)
            .await?;
        let mut annotations = std::collections::BTreeMap::new();
        annotations.insert(
            cluster::store::FINGERPRINT_ANNOTATION.to_owned(),
            plan.fingerprint.clone(),
        );
        annotations.insert(
            cluster::store::APPLIED_AT_ANNOTATION.to_owned(),
            started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        );
        cluster.annotate_namespace(ns, &annotations).await?;
        Ok((revision, Some(started)))
    }

    /// Watch the namespace until `judge` says Ready, for at most one pass's wait.
    async fn await_verdict(
        &self,
        pass: &mut Pass,
        cluster: &Cluster,
        plan: &Plan,
        since: Option<chrono::DateTime<Utc>>,
        index: usize,
        judge: impl Fn(&cluster::Observation) -> Verdict,
    ) -> Result<(), Stop> {
        let started = Instant::now();
        let mut quota_seen: Option<Instant> = None;
        // Claims and warning events (read now and then, see DETAILS_AFTER), kept for the
        // looks in between: what they said stays true until read again.
        let mut details: Option<(Instant, cluster::Observation)> = None;
        let watch = cluster.watch(&plan.namespace);
        loop {
            let changed = watch.as_ref().map(cluster::Watch::changed);
            let mut obs = cluster
                .observe(&plan.namespace, &plan.release, since)
                .await?;
            if !obs.detailed && !matches!(judge(&obs), Verdict::Ready) {
                match &details {
                    Some((at, _)) if at.elapsed() < DETAILS_AFTER => {}
                    None if started.elapsed() < DETAILS_AFTER => {}
                    _ => {
                        let mut fresh = cluster::Observation {
                            namespace_exists: true,
                            ..Default::default()
                        };
                        cluster
                            .add_details(&plan.namespace, since, &mut fresh)
                            .await?;
                        details = Some((Instant::now(), fresh));
                    }
                }
                if let Some((_, d)) = &details {
                    obs.pvcs.clone_from(&d.pvcs);
                    obs.warnings.clone_from(&d.warnings);
                }
            }
            if !obs.namespace_exists {
                return Err(Stop::Transient(format!(
                    "namespace {} disappeared",
                    plan.namespace
                )));
            }
            let (reason, trouble) = match judge(&obs) {
                Verdict::Ready => return Ok(()),
                // Quota admission works from the quota's status, which its controller
                // updates shortly after the quota changes: a refusal must persist.
                Verdict::Failed(f)
                    if f.kind == FailureKind::QuotaTooSmall
                        && quota_seen.get_or_insert_with(Instant::now).elapsed() < QUOTA_GRACE =>
                {
                    (f.reason.clone(), Some(f))
                }
                Verdict::Failed(f) => return Err(Stop::Failed(f)),
                Verdict::Waiting { reason, trouble } => (reason, trouble),
            };
            if self.deadline_passed(pass) {
                let timeout = self.config.provision_timeout_secs;
                let finding = match trouble {
                    Some(f) => Finding {
                        kind: f.kind,
                        reason: format!("{} (gave up after {timeout} s)", f.reason),
                    },
                    None => Finding {
                        kind: FailureKind::Deadline,
                        reason: format!(
                            "Step {} did not finish within {timeout} s: {reason}",
                            STEPS[index]
                        ),
                    },
                };
                return Err(Stop::Failed(finding));
            }
            self.progress(pass, LifecycleEvent::Work, index, &reason)
                .await?;
            if started.elapsed() >= WAIT_IN_PASS {
                return Err(Stop::Waiting(reason, RECHECK));
            }
            wait_for_change(changed).await;
        }
    }

    async fn verify(&self, pass: &mut Pass, plan: &Plan) -> Result<(), Stop> {
        if !self.config.checkout_verify {
            self.event(
                &pass.store,
                EventLevel::Warning,
                Some("verify"),
                "Checkout verification skipped: no test order was placed, so the store's checkout \
                 is untested (verification is turned off: STOREFLEET_CHECKOUT_VERIFY=off)"
                    .to_owned(),
                None,
            )
            .await;
            pass.steps_done_before = pass.steps_done_before.max(7);
            return Ok(());
        }
        if pass.store.ready_at.is_some() && (pass.steps_done_before as usize) < 6 {
            // A repaired store was verified when it first became Ready.
            return Ok(());
        }
        let via = match &self.config.ingress_address {
            Some(addr) => Some(
                tokio::net::lookup_host(addr)
                    .await
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| {
                        Stop::Transient(format!("cannot resolve STOREFLEET_INGRESS_ADDRESS {addr}"))
                    })?,
            ),
            None => None,
        };
        let verifier =
            verify::CheckoutVerifier::new(&plan.url, &pass.store.domain, via).map_err(|e| {
                Stop::Failed(Finding {
                    kind: FailureKind::Verify,
                    reason: format!("Checkout verification failed: {e}"),
                })
            })?;
        match verifier.verify().await {
            Ok(order) => {
                self.done(
                    pass,
                    6,
                    format!(
                        "Checkout verified: order #{} for {:?} is processing",
                        order.order_id, order.product
                    ),
                )
                .await;
                Ok(())
            }
            Err(e) if e.is_transient() && !self.deadline_passed(pass) => Err(Stop::Waiting(
                format!("Waiting for the store to answer checkout: {e}"),
                RECHECK,
            )),
            Err(e) => Err(Stop::Failed(Finding {
                kind: FailureKind::Verify,
                reason: format!("Checkout verification failed: {e}"),
            })),
        }
    }

    async fn teardown(&self, pass: &mut Pass, cluster: &Cluster) -> Result<Outcome, Stop> {
        let release = pass.engine.release_name(&pass.store);
        let ns = pass.store.namespace.clone();
        let mut state = cluster.namespace_state(&ns).await?;
        if state == NamespaceState::Active {
            self.progress_at(
                pass,
                LifecycleEvent::Delete,
                "uninstall",
                0,
                &format!("Uninstalling release {release}"),
            )
            .await?;
            match release_state(cluster, &ns, &release).await? {
                ReleaseState::Absent => {}
                ReleaseState::Pending { revision, .. } => {
                    cluster.mark_release_failed(&ns, &release, revision).await?;
                    self.helm.uninstall(&ns, &release).await?;
                }
                _ => self.helm.uninstall(&ns, &release).await?,
            }
            self.progress_at(
                pass,
                LifecycleEvent::Delete,
                "namespace",
                0,
                &format!("Deleting namespace {ns}"),
            )
            .await?;
            cluster.delete_namespace(&ns).await?;
        }
        let started = Instant::now();
        let watch = cluster.watch(&ns);
        loop {
            let changed = watch.as_ref().map(cluster::Watch::changed);
            match state {
                NamespaceState::Absent => break,
                NamespaceState::Active => {}
                NamespaceState::Terminating { ref blockers } => {
                    let reason = if blockers.is_empty() {
                        format!("Waiting for namespace {ns} to be deleted")
                    } else {
                        format!(
                            "Waiting for namespace {ns} to be deleted: {}",
                            blockers.join("; ")
                        )
                    };
                    self.progress_at(pass, LifecycleEvent::Delete, "namespace", 0, &reason)
                        .await?;
                    // The namespace controller takes a while (seconds to minutes when
                    // many stores go at once): do not hold a worker for it. With a watch
                    // cache the store is expedited the moment its namespace is gone.
                    if started.elapsed() >= TEARDOWN_WAIT_IN_PASS {
                        let recheck = if watch.is_some() {
                            TEARDOWN_RECHECK_WATCHED
                        } else {
                            RECHECK
                        };
                        return Err(Stop::Waiting(reason, recheck));
                    }
                }
            }
            wait_for_change(changed).await;
            state = cluster.namespace_state(&ns).await?;
        }
        let took = (Utc::now()
            - pass
                .store
                .updated_at
                .min(pass.store.work_started_at.unwrap_or(pass.store.updated_at)))
        .to_std()
        .unwrap_or_default();
        self.metrics
            .observe_teardown(pass.store.engine.as_str(), "gone", took);
        self.event(
            &pass.store,
            EventLevel::Info,
            None,
            format!("Store deleted: release, namespace {ns} and all its data are gone"),
            Some(took),
        )
        .await;
        Ok(Outcome {
            event: LifecycleEvent::Gone,
            status_reason: "Deleted".to_owned(),
            step: None,
            steps_done: pass.store.steps_done,
            next_attempt_at: None,
            attempts: 0,
            urls: None,
        })
    }

    /// The store's components as the cluster sees them now.
    pub async fn health(&self, store: &Store) -> Vec<ComponentHealth> {
        let component = |name: &str, ready: bool, message: String| ComponentHealth {
            name: name.to_owned(),
            ready,
            message,
        };
        let cluster = match self.cluster().await {
            Ok(c) => c,
            Err(e) => return vec![component("cluster", false, e)],
        };
        let Some(engine) = engines::for_engine(store.engine) else {
            return vec![component(
                "engine",
                false,
                format!("{} is not offered", store.engine.display_name()),
            )];
        };
        let release = engine.release_name(store);
        let mut obs = match cluster.observe(&store.namespace, &release, None).await {
            Ok(o) => o,
            Err(e) => return vec![component("cluster", false, e.message)],
        };
        if let Err(e) = cluster.add_details(&store.namespace, None, &mut obs).await {
            return vec![component("cluster", false, e.message)];
        }
        let mut out = vec![component(
            "namespace",
            obs.namespace_exists,
            if obs.namespace_exists {
                format!("{} exists", store.namespace)
            } else {
                format!("{} does not exist", store.namespace)
            },
        )];
        if !obs.namespace_exists {
            return out;
        }
        for name in engine.components() {
            let workloads: Vec<_> = obs
                .workloads
                .iter()
                .filter(|w| w.component == *name)
                .collect();
            let (ready, message) = if workloads.is_empty() {
                (false, "not created".to_owned())
            } else {
                let ready = workloads
                    .iter()
                    .all(|w| w.desired > 0 && w.ready >= w.desired);
                let counts = workloads
                    .iter()
                    .map(|w| format!("{}/{} ready", w.ready, w.desired))
                    .collect::<Vec<_>>()
                    .join(", ");
                let trouble = match diagnose::workloads(&obs, &[name]) {
                    Verdict::Waiting {
                        trouble: Some(t), ..
                    } if !ready => format!(": {}", t.reason),
                    _ => String::new(),
                };
                (ready, format!("{counts}{trouble}"))
            };
            out.push(component(name, ready, message));
        }
        let setup = engine.setup_component();
        let latest = obs
            .jobs
            .iter()
            .max_by_key(|j| j.revision.as_deref().and_then(|r| r.parse::<u32>().ok()));
        out.push(match latest {
            None => component(setup, false, "no setup job".to_owned()),
            Some(j) if j.complete => component(setup, true, format!("{} completed", j.name)),
            Some(j) => match &j.failed {
                Some((reason, message)) => component(setup, false, format!("{reason}: {message}")),
                None => component(setup, false, format!("{} running", j.name)),
            },
        });
        out
    }

    /// The store administrator's login, read from the store's Secret.
    pub async fn admin_credentials(&self, store: &Store) -> Result<(String, String), String> {
        let engine = engines::for_engine(store.engine).ok_or("engine not offered")?;
        let cluster = self.cluster().await?;
        let (username, key) = engine.admin_login();
        match cluster
            .secret_value(&store.namespace, plan::SECRET_NAME, key)
            .await
        {
            Ok(Some(password)) => Ok((username.to_owned(), password)),
            Ok(None) => Err(format!("the store's credentials Secret has no {key}")),
            Err(e) => Err(e.message),
        }
    }

    /// Report (and, when configured, remove) namespaces labelled as ours that no live
    /// store owns. Runs at start and every five minutes.
    async fn sweeper(&self, token: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tokio::select! {
                () = token.cancelled() => return,
                _ = tick.tick() => {
                    if let Err(e) = self.sweep().await {
                        tracing::debug!(error = %e, "sweep skipped");
                    }
                }
            }
        }
    }

    /// One sweep; returns the orphaned namespaces found.
    pub async fn sweep(&self) -> anyhow::Result<Vec<String>> {
        let cluster = self.cluster().await.map_err(anyhow::Error::msg)?;
        let mut orphans = Vec::new();
        for (namespace, store_id) in cluster.managed_namespaces().await? {
            let store = match store_id.as_deref().map(uuid::Uuid::parse_str) {
                Some(Ok(id)) => self.storage.get_store(id).await?,
                _ => None,
            };
            let owned = store.is_some_and(|s| !s.is_deleted() && s.namespace == namespace);
            if !owned {
                orphans.push(namespace);
            }
        }
        self.metrics
            .set_orphans(i64::try_from(orphans.len()).unwrap_or(i64::MAX));
        for ns in &orphans {
            if self.config.sweep_delete {
                tracing::warn!(namespace = %ns, "deleting orphaned store namespace (STOREFLEET_SWEEP=delete)");
                cluster.delete_namespace(ns).await?;
            } else {
                tracing::warn!(namespace = %ns, "orphaned store namespace: no live store owns it (STOREFLEET_SWEEP=delete removes it)");
            }
        }
        Ok(orphans)
    }
}

/// Helm's record of a release, read from its storage Secrets (no helm process).
async fn release_state(
    cluster: &Cluster,
    namespace: &str,
    release: &str,
) -> Result<ReleaseState, Stop> {
    Ok(match cluster.release_record(namespace, release).await? {
        None => ReleaseState::Absent,
        Some((revision, status)) => ReleaseState::from_status(&status, revision),
    })
}

/// Wait for the next change the watch cache sees (and at most [`POLL_WATCHED`]), or
/// [`POLL`] without a cache.
async fn wait_for_change(changed: Option<std::pin::Pin<Box<tokio::sync::futures::Notified<'_>>>>) {
    match changed {
        Some(changed) => {
            let _ = tokio::time::timeout(POLL_WATCHED, changed).await;
        }
        None => tokio::time::sleep(POLL).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_cap_with_jitter() {
        let first = backoff(1);
        assert!(
            first >= Duration::from_millis(750) && first <= Duration::from_millis(1250),
            "{first:?}"
        );
        let fourth = backoff(4);
        assert!(
            fourth >= Duration::from_secs(6) && fourth <= Duration::from_secs(10),
            "{fourth:?}"
        );
        for n in [10, 100, i64::MAX] {
            assert!(backoff(n) <= BACKOFF_MAX.mul_f64(1.25));
        }
    }
}
