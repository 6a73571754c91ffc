//! The provisioning engine: workers inside `storefleet serve` that drive every store
//! toward its desired state, like a Kubernetes controller. A worker claims a due store
//! from the work queue by lease, runs one pass of named steps over it ([`pipeline`]),
//! turns how the pass ended into what to record ([`decide`]), and gives the store back.
//! Every step is idempotent, so a pass cut short anywhere (crash, SIGKILL, lost lease)
//! is simply run again. The engine reaches the world only through traits — the work
//! queue ([`WorkQueue`]), the cluster ([`StoreCluster`]) and helm ([`Helm`]) — so its
//! reconcile is tested on fakes (`tests`) as well as against a real cluster.

pub mod decide;
pub mod diagnose;
pub mod insight;
mod pipeline;
pub mod plan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rand::Rng as _;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;

use crate::cluster::{self, Cluster, StoreCluster};
use crate::config::Config;
use crate::domain::{Engine, StoreStatus};
use crate::engines;
use crate::helm::Helm;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::storage::{EventLevel, NewStoreEvent, Released, Store, WorkQueue};
use decide::{GiveBack, PassEnd, Renewal, Waits};
use diagnose::{FailureKind, Finding, Verdict};
use pipeline::Pass;

/// How long the engine waits for what; [`Timing::default`] in production, shorter in
/// tests.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long a claimed store is ours without renewal.
    pub lease: Duration,
    pub renew_every: Duration,
    /// How long one pass watches workloads before giving other stores a turn.
    pub wait_in_pass: Duration,
    /// When a pass that stopped waiting looks again.
    pub recheck: Duration,
    /// How long a teardown pass waits for the namespace to go before freeing its worker.
    pub teardown_wait_in_pass: Duration,
    /// When a teardown looks again if its namespace's disappearance was not reported.
    pub teardown_recheck_watched: Duration,
    /// How often a pass looks again without a watch cache (reading the API each time).
    pub poll: Duration,
    /// With a watch cache a pass is woken by changes; it also looks this often regardless.
    pub poll_watched: Duration,
    /// How long a wait may go before claims and warning events (not in the watch cache)
    /// are read to explain it, and how often they are read again while it lasts. Short
    /// enough that a quota refusal is seen for `quota_grace` within one pass.
    pub details_after: Duration,
    /// How long a quota refusal must persist before the store fails for it.
    pub quota_grace: Duration,
    /// When a store that waits for the cluster is tried again.
    pub no_cluster_retry: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            renew_every: Duration::from_secs(10),
            wait_in_pass: Duration::from_secs(10),
            recheck: Duration::from_secs(1),
            teardown_wait_in_pass: Duration::from_secs(2),
            teardown_recheck_watched: Duration::from_secs(15),
            poll: Duration::from_millis(500),
            poll_watched: Duration::from_secs(2),
            details_after: Duration::from_secs(2),
            quota_grace: Duration::from_secs(5),
            no_cluster_retry: Duration::from_secs(10),
        }
    }
}

/// How long the first listing of the watch cache may delay the first pass.
const CACHE_SYNC: Duration = Duration::from_secs(5);
/// How long a Pending store's first look at the cluster may take.
const CLUSTER_ANSWER: Duration = Duration::from_secs(5);
/// Backoff for transient errors: 1 s doubling to at most 60 s, with jitter.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

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

/// Where the engine's cluster comes from.
#[derive(Debug)]
enum ClusterSource {
    /// Connect from the configuration on first use (and again after a failed attempt).
    Configured(RwLock<Option<Arc<Cluster>>>),
    /// Given (tests).
    Given(Arc<dyn StoreCluster>),
}

#[derive(Debug)]
pub struct Provisioner {
    config: Arc<Config>,
    queue: Arc<dyn WorkQueue>,
    notifier: Arc<Notifier>,
    metrics: Arc<Metrics>,
    helm: Arc<dyn Helm>,
    cluster: ClusterSource,
    /// Per engine: a hash of its chart and the values files that apply to its stores.
    chart_digests: HashMap<Engine, String>,
    timing: Timing,
    id: String,
}

/// A hash of every file under an engine's chart and of the values files for its stores.
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
    let mut hasher = Sha256::new();
    // Chart files by their path inside the chart, so the same chart hashes the same
    // wherever it lies (the built-in copy's directory changes with the binary).
    for f in files {
        let name = f.strip_prefix(chart_root).unwrap_or(&f);
        hasher.update(name.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&f).unwrap_or_default());
    }
    for f in values_files {
        hasher.update(f.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(f).unwrap_or_default());
    }
    hex::encode(hasher.finalize())
}

impl Provisioner {
    pub fn new(
        config: Arc<Config>,
        queue: Arc<dyn WorkQueue>,
        notifier: Arc<Notifier>,
        metrics: Arc<Metrics>,
        helm: Arc<dyn Helm>,
    ) -> Self {
        let chart_digests = engines::offered(&config)
            .iter()
            .filter_map(|&engine| {
                let chart = engines::for_engine(engine)?.chart(&config.chart_dir);
                Some((
                    engine,
                    digest_inputs(&chart, &config.values_files_for(engine)),
                ))
            })
            .collect();
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".to_owned());
        let id = format!(
            "{host}-{}-{}",
            std::process::id(),
            crate::domain::random_id(4)
        );
        Self {
            config,
            queue,
            notifier,
            metrics,
            helm,
            cluster: ClusterSource::Configured(RwLock::new(None)),
            chart_digests,
            timing: Timing::default(),
            id,
        }
    }

    /// Work against this cluster instead of connecting to the configured one.
    #[must_use]
    pub fn with_cluster(mut self, cluster: Arc<dyn StoreCluster>) -> Self {
        self.cluster = ClusterSource::Given(cluster);
        self
    }

    #[must_use]
    pub fn with_timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// The cluster, connecting on first use (and again after a failed attempt).
    pub async fn cluster(&self) -> Result<Arc<dyn StoreCluster>, String> {
        let slot = match &self.cluster {
            ClusterSource::Given(c) => return Ok(c.clone()),
            ClusterSource::Configured(slot) => slot,
        };
        if let Some(c) = slot.read().await.as_ref() {
            return Ok(c.clone());
        }
        let mut slot = slot.write().await;
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
        let mut cluster = Cluster::connect(config, self.config.kube_qps, self.config.kube_burst)
            .await
            .map_err(|e| e.message)?;
        if let Some(role) = &self.config.store_role {
            cluster = cluster
                .with_store_role(role)
                .await
                .map_err(|e| format!("STOREFLEET_STORE_ROLE={role}: {}", e.message))?;
        }
        let c = Arc::new(cluster.with_informer(CACHE_SYNC).await);
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Run `STOREFLEET_WORKERS` workers and the sweeper until `token` is cancelled (with
    /// no workers, nothing: a server that only serves the API).
    pub async fn run(self: Arc<Self>, token: CancellationToken) -> anyhow::Result<()> {
        if self.config.workers == 0 {
            tracing::info!("STOREFLEET_WORKERS=0: this server provisions nothing");
            token.cancelled().await;
            return Ok(());
        }
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
                        () = tokio::time::sleep(self.timing.no_cluster_retry) => {},
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
            match self.queue.expedite(id, Utc::now()).await {
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
        let claimed = self
            .queue
            .claim_due(worker, 1, self.timing.lease, Utc::now())
            .await?;
        let Some(store) = claimed.into_iter().next() else {
            return Ok(false);
        };
        let id = store.id;
        let lost = CancellationToken::new();
        let renewal = tokio::spawn(keep_lease(
            self.queue.clone(),
            id,
            worker.to_owned(),
            self.timing,
            lost.clone(),
        ));
        // A pass stops the moment its lease is no longer certain: another replica may
        // claim the store after the lease runs out, and two must never work on one store.
        let (store, end) = tokio::select! {
            biased;
            () = lost.cancelled() => (store, PassEnd::LeaseLost),
            worked = self.reconcile(store.clone(), worker) => worked,
        };
        renewal.abort();
        self.settle(&store, worker, end).await;
        Ok(true)
    }

    /// One pass: returns the store as the pass left it and how the pass ended.
    async fn reconcile(&self, store: Store, worker: &str) -> (Store, PassEnd) {
        let Some(engine) = engines::offered_engine(&self.config, store.engine) else {
            let reason = format!(
                "This server does not offer the {} engine",
                store.engine.display_name()
            );
            let finding = Finding {
                kind: FailureKind::Engine,
                reason,
            };
            return (store, PassEnd::Failed(finding));
        };
        let cluster = match self.cluster().await {
            Ok(c) => c,
            Err(e) => return (store, PassEnd::NoCluster(e)),
        };
        if store.status == StoreStatus::Pending {
            // Provisioning starts only against a cluster that answers.
            let problem = match tokio::time::timeout(CLUSTER_ANSWER, cluster.version()).await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.message),
                Err(_) => Some(format!("no answer within {} s", CLUSTER_ANSWER.as_secs())),
            };
            if let Some(problem) = problem {
                return (store, PassEnd::NoCluster(problem));
            }
        }
        let mut pass = Pass::new(self, cluster.as_ref(), store, worker, engine);
        let end = pass.run().await;
        (pass.store, end)
    }

    /// Give the store back as the pass's end decides.
    async fn settle(&self, store: &Store, worker: &str, end: PassEnd) {
        let waits = Waits {
            resync: Duration::from_secs(self.config.resync_secs),
            no_cluster: self.timing.no_cluster_retry,
        };
        let disposition = decide::dispose(store, end, Utc::now(), waits, backoff);
        if let Some((level, message)) = disposition.event {
            let step = store.step.clone();
            self.event(store, level, step.as_deref(), message, None)
                .await;
        }
        if let Some(kind) = disposition.failure {
            self.metrics.count_failure(kind.as_str());
            if let Some(started) = store.work_started_at {
                let took = (Utc::now() - started).to_std().unwrap_or_default();
                self.metrics
                    .observe_provisioning(store.engine.as_str(), "failed", took);
            }
        }
        let id = store.id;
        let released = match disposition.give_back {
            GiveBack::Nothing => return,
            GiveBack::Unchanged => match self.queue.give_back(id, worker, Utc::now()).await {
                Ok(_) => self
                    .queue
                    .load(id)
                    .await
                    .map(|s| s.map(Released::Superseded)),
                Err(e) => Err(e),
            },
            GiveBack::Record(outcome) => self
                .queue
                .release(id, worker, outcome, Utc::now())
                .await
                .map(Some),
        };
        match released {
            Ok(Some(Released::Applied(store) | Released::Superseded(store))) => {
                self.notifier.store_changed(&store);
            }
            Ok(Some(Released::LeaseLost)) => {
                tracing::warn!(store = %id, "lease lost before the outcome was recorded");
            }
            Ok(None) => {}
            Err(e) => tracing::error!(store = %id, error = %e, "cannot record the outcome"),
        }
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
        if let Err(e) = self.queue.add_store_event(event).await {
            tracing::warn!(store = %store.id, error = %e, "cannot record a store event");
        }
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
        let Some(engine) = engines::offered_engine(&self.config, store.engine) else {
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

    /// What the store page shows of the store's namespace: resources per component,
    /// quota, live usage (or why there is none), software versions and recent events.
    /// `Err` names the cluster's problem.
    pub async fn insight(&self, store: &Store) -> Result<insight::StoreInsight, String> {
        let engine = engines::offered_engine(&self.config, store.engine)
            .ok_or_else(|| format!("{} is not offered", store.engine.display_name()))?;
        let cluster = self.cluster().await?;
        let inspection = cluster
            .inspect(&store.namespace)
            .await
            .map_err(|e| e.message)?;
        Ok(insight::StoreInsight::of(
            store.engine,
            engine.components(),
            engine.setup_component(),
            &inspection,
        ))
    }

    /// The store administrator's login (for a store whose owner has `owner_email`), read
    /// from the store's Secret.
    /// The fingerprint the store's release would be applied with now: the engine's chart,
    /// the operator's values files and the store's own values. `None` when the store's
    /// engine is not offered.
    pub fn target_fingerprint(&self, store: &Store, owner_email: &str) -> Option<String> {
        let engine = engines::offered_engine(&self.config, store.engine)?;
        let digest = self
            .chart_digests
            .get(&store.engine)
            .map_or("", String::as_str);
        Some(
            plan::plan(
                store,
                engine,
                owner_email,
                &self.config.store_url_scheme,
                digest,
            )
            .fingerprint,
        )
    }

    /// The revisions of a store's release, oldest first, from Helm's records.
    pub async fn release_history(
        &self,
        store: &Store,
    ) -> Result<Vec<crate::cluster::ReleaseRevision>, String> {
        let engine =
            engines::offered_engine(&self.config, store.engine).ok_or("engine not offered")?;
        let cluster = self.cluster().await?;
        cluster
            .release_history(&store.namespace, &engine.release_name(store))
            .await
            .map_err(|e| e.message)
    }

    pub async fn admin_credentials(
        &self,
        store: &Store,
        owner_email: &str,
    ) -> Result<(String, String), String> {
        let engine =
            engines::offered_engine(&self.config, store.engine).ok_or("engine not offered")?;
        let (username, key) = engine.admin_login(owner_email);
        let password = self
            .store_secret(store, key)
            .await?
            .ok_or_else(|| format!("the store's credentials Secret has no {key}"))?;
        Ok((username, password))
    }

    /// One key of a store's credentials Secret, read on demand (never kept); `None` when
    /// the Secret lacks it.
    pub async fn store_secret(&self, store: &Store, key: &str) -> Result<Option<String>, String> {
        let cluster = self.cluster().await?;
        match cluster
            .secret_value(&store.namespace, plan::SECRET_NAME, key)
            .await
        {
            Ok(Some(value)) if !value.is_empty() => Ok(Some(value)),
            Ok(_) => Ok(None),
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
                Some(Ok(id)) => self.queue.load(id).await?,
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

/// Renew the lease on `id` every `renew_every` until aborted; cancel `lost` as soon as
/// the lease is refused, or renewals have failed for so long that it may run out before
/// the next one.
async fn keep_lease(
    queue: Arc<dyn WorkQueue>,
    id: uuid::Uuid,
    worker: String,
    timing: Timing,
    lost: CancellationToken,
) {
    let mut held_until = tokio::time::Instant::now() + timing.lease;
    loop {
        tokio::time::sleep(timing.renew_every).await;
        let asked = tokio::time::Instant::now();
        let answer = tokio::time::timeout(
            timing.renew_every,
            queue.renew_lease(id, &worker, timing.lease, Utc::now()),
        )
        .await;
        let renewal = match answer {
            Ok(Ok(true)) => Renewal::Renewed,
            Ok(Ok(false)) => Renewal::Refused,
            Ok(Err(e)) => {
                tracing::warn!(store = %id, error = %e, "cannot renew lease");
                Renewal::Failed
            }
            Err(_) => {
                tracing::warn!(store = %id, "lease renewal did not answer in time");
                Renewal::Failed
            }
        };
        if renewal == Renewal::Renewed {
            held_until = asked + timing.lease;
        }
        let remaining = held_until.saturating_duration_since(tokio::time::Instant::now());
        if !decide::still_held(renewal, remaining, timing.renew_every) {
            if renewal == Renewal::Failed {
                tracing::warn!(store = %id, "lease renewals failed until the lease could run out; stopping the pass");
            }
            lost.cancel();
            return;
        }
    }
}
