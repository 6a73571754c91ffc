//! The reconcile on fakes: a cluster and helm kept in memory ([`World`]), the real work
//! queue on a temporary SQLite database, and short [`Timing`]s. Every branch of a pass —
//! each step from Pending, teardown, lease lost, superseded, deadline, transient and
//! permanent failures — without a Kubernetes cluster.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{Provisioner, Timing};
use crate::cluster::store::{JobObservation, WorkloadObservation};
use crate::cluster::{
    ClusterError, ClusterResult, NamespaceState, Observation, StoreCluster, Watch,
};
use crate::config::Config;
use crate::domain::{Engine, Role, Step, StoreStatus};
use crate::helm::{Helm, HelmError, ValuesSource};
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::storage::{
    self, AuditEntry, CreateStore, DbResult, NewStore, NewStoreEvent, NewUser, Outcome, Progress,
    QueueStats, Released, Storage, Store, StoreEvent, Timestamp, WorkQueue,
};

/// How the store's setup Job ends in the fake cluster.
#[derive(Debug, Clone, Default)]
enum Setup {
    #[default]
    Completes,
    Fails(String),
}

#[derive(Debug, Default)]
struct Ns {
    annotations: BTreeMap<String, String>,
    /// Looks at a deleted namespace before it is gone (`None`: not being deleted).
    terminating_for: Option<u32>,
}

/// The fake cluster's and helm's shared state.
#[derive(Debug, Default)]
struct World {
    namespaces: BTreeMap<String, Ns>,
    secrets: BTreeMap<(String, String), BTreeMap<String, String>>,
    /// (namespace, release) → (revision, status)
    releases: BTreeMap<(String, String), (u32, String)>,
    workloads_ready: bool,
    setup: Setup,
    /// Looks a deleted namespace stays terminating.
    terminate_after: u32,
    /// Cluster operations that fail, by name.
    failing: BTreeMap<&'static str, ClusterError>,
    helm_failure: Option<HelmError>,
    helm_installs: u32,
    /// The per-store values of each install or upgrade.
    helm_values: Vec<serde_json::Value>,
    helm_uninstalls: u32,
    /// Revisions rolled back to, in order.
    rollbacks: Vec<u32>,
    /// Upgrades (installs of a release that exists) fail while set: a broken chart.
    upgrade_failure: Option<HelmError>,
    /// Namespaces whose upgrades fail (a chart change that breaks some stores).
    failing_upgrades: std::collections::BTreeSet<String>,
    unlocked: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
struct FakeCluster(Arc<Mutex<World>>);

impl FakeCluster {
    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }

    fn check(&self, op: &'static str) -> ClusterResult<()> {
        match self.world().failing.get(op) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl StoreCluster for FakeCluster {
    async fn release_history(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Vec<crate::cluster::ReleaseRevision>> {
        self.check("release_history")?;
        let world = self.world();
        let key = (namespace.to_owned(), release.to_owned());
        let current = world.releases.get(&key).map_or(0, |(r, _)| *r);
        Ok((1..=current)
            .map(|revision| crate::cluster::ReleaseRevision {
                revision,
                status: if revision == current {
                    "deployed"
                } else {
                    "superseded"
                }
                .into(),
                updated: None,
                description: String::new(),
                chart_version: "0.1.0".into(),
                app_version: String::new(),
                values: serde_json::json!({ "revision": revision }),
            })
            .collect())
    }

    async fn version(&self) -> ClusterResult<String> {
        self.check("version")?;
        Ok("v1.37.1".into())
    }

    async fn ensure_namespace(
        &self,
        name: &str,
        _labels: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        self.check("ensure_namespace")?;
        self.world().namespaces.entry(name.into()).or_default();
        Ok(())
    }

    async fn namespace_state(&self, name: &str) -> ClusterResult<NamespaceState> {
        self.check("namespace_state")?;
        let mut world = self.world();
        let Some(ns) = world.namespaces.get_mut(name) else {
            return Ok(NamespaceState::Absent);
        };
        match ns.terminating_for {
            None => Ok(NamespaceState::Active),
            Some(0) => {
                world.namespaces.remove(name);
                world.releases.retain(|(n, _), _| n != name);
                world.secrets.retain(|(n, _), _| n != name);
                Ok(NamespaceState::Absent)
            }
            Some(n) => {
                ns.terminating_for = Some(n - 1);
                Ok(NamespaceState::Terminating {
                    blockers: Vec::new(),
                })
            }
        }
    }

    async fn namespace_annotations(&self, name: &str) -> ClusterResult<BTreeMap<String, String>> {
        Ok(self
            .world()
            .namespaces
            .get(name)
            .map(|n| n.annotations.clone())
            .unwrap_or_default())
    }

    async fn annotate_namespace(
        &self,
        name: &str,
        annotations: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        if let Some(ns) = self.world().namespaces.get_mut(name) {
            ns.annotations.extend(annotations.clone());
        }
        Ok(())
    }

    async fn delete_namespace(&self, name: &str) -> ClusterResult<()> {
        self.check("delete_namespace")?;
        let mut world = self.world();
        let after = world.terminate_after;
        if let Some(ns) = world.namespaces.get_mut(name) {
            ns.terminating_for.get_or_insert(after);
        }
        Ok(())
    }

    async fn managed_namespaces(&self) -> ClusterResult<Vec<(String, Option<String>)>> {
        Ok(self
            .world()
            .namespaces
            .keys()
            .map(|n| (n.clone(), None))
            .collect())
    }

    async fn create_secret_if_absent(
        &self,
        namespace: &str,
        name: &str,
        _labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<bool> {
        self.check("create_secret_if_absent")?;
        let mut world = self.world();
        let key = (namespace.to_owned(), name.to_owned());
        if world.secrets.contains_key(&key) {
            return Ok(false);
        }
        world.secrets.insert(key, data);
        Ok(true)
    }

    async fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> ClusterResult<Option<BTreeMap<String, String>>> {
        self.check("secret_data")?;
        Ok(self
            .world()
            .secrets
            .get(&(namespace.to_owned(), name.to_owned()))
            .cloned())
    }

    async fn replace_secret(
        &self,
        namespace: &str,
        name: &str,
        _labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        self.check("replace_secret")?;
        self.world()
            .secrets
            .insert((namespace.to_owned(), name.to_owned()), data);
        Ok(())
    }

    async fn secret_value(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> ClusterResult<Option<String>> {
        Ok(self
            .world()
            .secrets
            .get(&(namespace.to_owned(), name.to_owned()))
            .and_then(|d| d.get(key).cloned()))
    }

    async fn mark_release_failed(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> ClusterResult<()> {
        let mut world = self.world();
        world.unlocked.push(revision);
        world.releases.insert(
            (namespace.into(), release.into()),
            (revision, "failed".into()),
        );
        Ok(())
    }

    async fn release_record(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Option<(u32, String)>> {
        self.check("release_record")?;
        Ok(self
            .world()
            .releases
            .get(&(namespace.into(), release.into()))
            .cloned())
    }

    async fn observe(
        &self,
        namespace: &str,
        release: &str,
        _since: Option<chrono::DateTime<Utc>>,
    ) -> ClusterResult<Observation> {
        self.check("observe")?;
        let world = self.world();
        let mut obs = Observation {
            namespace_exists: world.namespaces.contains_key(namespace),
            detailed: true,
            ..Default::default()
        };
        let Some((revision, _)) = world.releases.get(&(namespace.into(), release.into())) else {
            return Ok(obs);
        };
        let ready = i32::from(world.workloads_ready);
        for component in ["mariadb", "wordpress"] {
            obs.workloads.push(WorkloadObservation {
                component: component.into(),
                name: format!("{release}-{component}"),
                desired: 1,
                ready,
                failure: None,
            });
        }
        if world.workloads_ready {
            obs.jobs.push(JobObservation {
                name: format!("{release}-setup-{revision}"),
                revision: Some(revision.to_string()),
                complete: matches!(world.setup, Setup::Completes),
                failed: match &world.setup {
                    Setup::Fails(m) => Some(("BackoffLimitExceeded".into(), m.clone())),
                    Setup::Completes => None,
                },
            });
        }
        Ok(obs)
    }

    async fn add_details(
        &self,
        _namespace: &str,
        _since: Option<chrono::DateTime<Utc>>,
        obs: &mut Observation,
    ) -> ClusterResult<()> {
        obs.detailed = true;
        Ok(())
    }

    fn watch(&self, _namespace: &str) -> Option<Watch> {
        None
    }

    fn namespaces_gone(&self) -> Option<tokio::sync::broadcast::Receiver<String>> {
        None
    }

    async fn inspect(
        &self,
        _namespace: &str,
    ) -> ClusterResult<crate::cluster::inspect::Inspection> {
        self.check("inspect")?;
        Ok(crate::cluster::inspect::Inspection {
            pods: Vec::new(),
            quotas: Vec::new(),
            events: Vec::new(),
            usage: Err("the fake cluster has no metrics API".to_owned()),
        })
    }
}

/// What a test does to the platform while the fake helm installs (a person deleting the
/// store, say).
type DuringHook = fn(Arc<dyn Storage>, Uuid) -> futures::future::BoxFuture<'static, ()>;

/// Something the fake helm does while an install runs.
type DuringInstall = Box<dyn Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

/// Helm on the fake cluster: an install records a deployed release revision.
#[derive(Default)]
struct FakeHelm {
    world: FakeCluster,
    /// How long an install takes.
    takes: Duration,
    during: Option<DuringInstall>,
    /// Set when an install was dropped before it finished (its process killed).
    cut_short: Arc<AtomicBool>,
}

impl std::fmt::Debug for FakeHelm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeHelm").finish_non_exhaustive()
    }
}

/// Sets a flag when dropped unless disarmed: tells whether a future ran to completion.
struct Tripwire(Arc<AtomicBool>, bool);

impl Drop for Tripwire {
    fn drop(&mut self) {
        if self.1 {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

#[async_trait]
impl Helm for FakeHelm {
    async fn upgrade_install(
        &self,
        namespace: &str,
        release: &str,
        _chart: &Path,
        values: &[ValuesSource],
    ) -> Result<u32, HelmError> {
        let mut wire = Tripwire(self.cut_short.clone(), true);
        if let Some(during) = &self.during {
            during().await;
        }
        tokio::time::sleep(self.takes).await;
        wire.1 = false;
        let mut world = self.world.world();
        if let Some(e) = world.helm_failure.clone() {
            return Err(e);
        }
        let key = (namespace.to_owned(), release.to_owned());
        if world.releases.contains_key(&key) {
            if let Some(e) = world.upgrade_failure.clone() {
                return Err(e);
            }
            if world.failing_upgrades.contains(namespace) {
                return Err(HelmError {
                    message: format!("UPGRADE FAILED: {namespace}: a broken chart"),
                    transient: false,
                });
            }
        }
        world.helm_installs += 1;
        if let Some(ValuesSource::Content(v)) = values.last() {
            world
                .helm_values
                .push(serde_json::from_str(v).unwrap_or_default());
        }
        let revision = world.releases.get(&key).map_or(1, |(r, _)| r + 1);
        world.releases.insert(key, (revision, "deployed".into()));
        Ok(revision)
    }

    async fn uninstall(&self, namespace: &str, release: &str) -> Result<(), HelmError> {
        let mut world = self.world.world();
        world.helm_uninstalls += 1;
        world
            .releases
            .remove(&(namespace.to_owned(), release.to_owned()));
        Ok(())
    }

    async fn version(&self) -> Result<String, HelmError> {
        Ok("v3.19.0".into())
    }

    async fn rollback(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> Result<(), HelmError> {
        let mut world = self.world.world();
        if let Some(e) = world.helm_failure.clone() {
            return Err(e);
        }
        let key = (namespace.to_owned(), release.to_owned());
        let Some((current, _)) = world.releases.get(&key).cloned() else {
            return Err(HelmError {
                message: format!("release: not found: {release}"),
                transient: false,
            });
        };
        world.rollbacks.push(revision);
        world.releases.insert(key, (current + 1, "deployed".into()));
        Ok(())
    }
}

/// How the work queue answers lease renewals and progress in a test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Leases {
    #[default]
    Real,
    /// Renewals fail (the database does not answer).
    RenewalsFail,
    /// Renewals are refused (another worker holds the store).
    RenewalsRefused,
}

/// The real work queue, with lease renewals that can be made to fail.
#[derive(Debug)]
struct Queue {
    db: Arc<dyn Storage>,
    leases: Leases,
    renewals: AtomicU32,
}

#[async_trait]
impl WorkQueue for Queue {
    async fn claim_due(
        &self,
        worker: &str,
        limit: u32,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<Vec<Store>> {
        self.db.claim_due(worker, limit, lease, now).await
    }
    async fn expedite(&self, id: Uuid, now: Timestamp) -> DbResult<bool> {
        self.db.expedite(id, now).await
    }
    async fn pending_rotation(&self, id: Uuid) -> DbResult<Option<String>> {
        self.db.pending_rotation(id).await
    }
    async fn clear_rotation(&self, id: Uuid) -> DbResult<()> {
        self.db.clear_rotation(id).await
    }
    async fn renew_lease(
        &self,
        id: Uuid,
        worker: &str,
        lease: Duration,
        now: Timestamp,
    ) -> DbResult<bool> {
        self.renewals.fetch_add(1, Ordering::SeqCst);
        match self.leases {
            Leases::Real => self.db.renew_lease(id, worker, lease, now).await,
            Leases::RenewalsRefused => Ok(false),
            Leases::RenewalsFail => Err(storage::DbError::Other(sqlx::Error::PoolTimedOut)),
        }
    }
    async fn record_progress(
        &self,
        id: Uuid,
        worker: &str,
        progress: Progress,
        now: Timestamp,
    ) -> DbResult<bool> {
        self.db.record_progress(id, worker, progress, now).await
    }
    async fn release(
        &self,
        id: Uuid,
        worker: &str,
        outcome: Outcome,
        now: Timestamp,
    ) -> DbResult<Released> {
        self.db.release(id, worker, outcome, now).await
    }
    async fn give_back(&self, id: Uuid, worker: &str, now: Timestamp) -> DbResult<bool> {
        self.db.give_back(id, worker, now).await
    }
    async fn load(&self, id: Uuid) -> DbResult<Option<Store>> {
        self.db.load(id).await
    }
    async fn owner_email(&self, owner: Uuid) -> DbResult<Option<String>> {
        self.db.owner_email(owner).await
    }
    async fn add_store_event(&self, event: NewStoreEvent) -> DbResult<()> {
        self.db.add_store_event(event).await
    }
    async fn queue_stats(&self, now: Timestamp) -> DbResult<QueueStats> {
        self.db.queue_stats(now).await
    }
}

const WORKER: &str = "test-worker/0";

fn fast() -> Timing {
    let ms = Duration::from_millis;
    Timing {
        lease: ms(2_000),
        renew_every: ms(500),
        wait_in_pass: ms(300),
        recheck: ms(50),
        teardown_wait_in_pass: ms(200),
        teardown_recheck_watched: ms(200),
        poll: ms(20),
        poll_watched: ms(20),
        details_after: ms(20),
        quota_grace: ms(100),
        no_cluster_retry: ms(50),
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    db: Arc<dyn Storage>,
    world: FakeCluster,
    queue: Arc<Queue>,
    metrics: Arc<Metrics>,
    provisioner: Provisioner,
    store: Uuid,
}

#[derive(Default)]
struct Setting {
    engine: Option<Engine>,
    /// `STOREFLEET_ENGINES` (default: both).
    offered: Option<&'static str>,
    leases: Leases,
    timing: Option<Timing>,
    helm_takes: Duration,
    during_install: Option<DuringHook>,
    /// Overrides the provisioning deadline (below the configurable minimum).
    deadline_secs: Option<u64>,
}

async fn harness(setting: Setting) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let db = storage::connect(&format!(
        "sqlite://{}",
        dir.path().join("storefleet.db").display()
    ))
    .await
    .unwrap();
    let charts = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    let env = vec![
        (
            "STOREFLEET_DATA_DIR".to_owned(),
            dir.path().display().to_string(),
        ),
        (
            "STOREFLEET_CHART_DIR".to_owned(),
            charts.display().to_string(),
        ),
        ("STOREFLEET_CHECKOUT_VERIFY".to_owned(), "off".to_owned()),
        (
            "STOREFLEET_ENGINES".to_owned(),
            setting.offered.unwrap_or("woocommerce,medusa").to_owned(),
        ),
    ];
    let mut config = Config::load(None, env).unwrap();
    if let Some(secs) = setting.deadline_secs {
        config.provision_timeout_secs = secs;
    }
    let config = Arc::new(config);
    let owner = db
        .create_user(NewUser {
            id: Uuid::new_v4(),
            email: "owner@example.com".into(),
            email_key: "owner@example.com".into(),
            password_hash: "$argon2id$not-used".into(),
            role: Role::User,
            store_quota: 5,
            now: Utc::now(),
        })
        .await
        .unwrap();
    let id = Uuid::new_v4();
    db.create_store(CreateStore {
        store: NewStore {
            id,
            owner_id: owner.id,
            name: "shop".into(),
            engine: setting.engine.unwrap_or(Engine::WooCommerce),
            domain: "shop-abcde.stores.localhost".into(),
            namespace: "store-shop-abcde".into(),
            status_reason: "Waiting for a worker".into(),
            steps_total: 8,
            display_name: None,
            now: Utc::now(),
        },
        quota: 5,
        idempotency_key: None,
        audit: audit("store.create"),
    })
    .await
    .unwrap();
    let world = FakeCluster::default();
    {
        let mut w = world.world();
        w.workloads_ready = true;
        w.terminate_after = 2;
    }
    let during: Option<DuringInstall> = setting.during_install.map(|f| {
        let db = db.clone();
        Box::new(move || f(db.clone(), id)) as DuringInstall
    });
    let helm = FakeHelm {
        world: world.clone(),
        takes: setting.helm_takes,
        during,
        cut_short: Arc::new(AtomicBool::new(false)),
    };
    let queue = Arc::new(Queue {
        db: db.clone(),
        leases: setting.leases,
        renewals: AtomicU32::new(0),
    });
    let metrics = Arc::new(Metrics::new());
    let provisioner = Provisioner::new(
        config,
        queue.clone(),
        Arc::new(Notifier::new(None)),
        metrics.clone(),
        Arc::new(helm),
    )
    .with_cluster(Arc::new(world.clone()))
    .with_timing(setting.timing.unwrap_or_else(fast));
    Harness {
        _dir: dir,
        db,
        world,
        queue,
        metrics,
        provisioner,
        store: id,
    }
}

fn audit(action: &str) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        actor_id: None,
        actor_email: None,
        action: action.into(),
        target_type: None,
        target_id: None,
        ip: None,
        details: json!({}),
    }
}

impl Harness {
    /// One pass by the test worker; panics when nothing was due.
    async fn pass(&self) {
        assert!(
            self.provisioner.try_execute_next(WORKER).await.unwrap(),
            "a store was due"
        );
    }

    /// Passes until the store reaches `status` (at most `n`), bringing it forward each
    /// time so the test need not wait for its next attempt.
    async fn passes_until(&self, status: StoreStatus, n: usize) -> Store {
        let store = self.passes_while(n, |s| s.status != status).await;
        assert_eq!(store.status, status, "{store:?}");
        store
    }

    /// Passes until the store is deleted (at most `n`).
    async fn passes_until_gone(&self, n: usize) -> Store {
        let store = self.passes_while(n, |s| !s.is_deleted()).await;
        assert!(store.is_deleted(), "{store:?}");
        store
    }

    async fn passes_while(&self, n: usize, going: impl Fn(&Store) -> bool) -> Store {
        for _ in 0..n {
            let store = self.store().await;
            if !going(&store) {
                return store;
            }
            self.db.expedite(self.store, Utc::now()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.provisioner.try_execute_next(WORKER).await.unwrap();
        }
        self.store().await
    }

    async fn store(&self) -> Store {
        self.db.get_store(self.store).await.unwrap().unwrap()
    }

    async fn events(&self) -> Vec<StoreEvent> {
        self.db.store_events(self.store).await.unwrap()
    }

    fn failures(&self, reason: &str) -> bool {
        let text = self.metrics.encode().unwrap();
        text.lines().any(|l| {
            l.starts_with("storefleet_store_failures_total")
                && l.contains(&format!("reason=\"{reason}\""))
                && l.ends_with(" 1")
        })
    }
}

#[tokio::test]
async fn a_pending_store_goes_through_every_step_to_ready_in_one_pass() {
    let h = harness(Setting::default()).await;
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Ready, "{store:?}");
    assert_eq!(store.steps_done, 8);
    assert_eq!(store.step.as_deref(), Some("ready"));
    assert_eq!(store.lease_owner, None, "the lease is released");
    assert_eq!(
        store.url.as_deref(),
        Some("http://shop-abcde.stores.localhost/")
    );
    let steps: Vec<_> = h
        .events()
        .await
        .iter()
        .filter_map(|e| e.step.clone())
        .collect();
    for step in Step::ALL.map(Step::as_str) {
        assert_eq!(
            steps.iter().filter(|s| *s == step).count(),
            1,
            "one event for {step}: {steps:?}"
        );
    }
    let world = h.world.world();
    assert_eq!(world.helm_installs, 1);
    assert!(world.secrets.contains_key(&(
        "store-shop-abcde".to_owned(),
        "storefleet-credentials".to_owned()
    )));
}

#[tokio::test]
async fn each_step_from_pending_ends_the_pass_as_its_trouble_demands() {
    fn transient() -> ClusterError {
        ClusterError {
            message: "503 unavailable".into(),
            transient: true,
        }
    }
    fn refused() -> ClusterError {
        ClusterError {
            message: "forbidden".into(),
            transient: false,
        }
    }
    struct Case {
        breaks: fn(&mut World),
        status: StoreStatus,
        step: &'static str,
        reason: &'static str,
        attempts: i64,
        counted: Option<&'static str>,
    }
    let cases = [
        Case {
            breaks: |w| {
                w.failing.insert("ensure_namespace", transient());
            },
            status: StoreStatus::Provisioning,
            step: "namespace",
            reason: "Retrying after a temporary error: Kubernetes API: 503 unavailable",
            attempts: 1,
            counted: None,
        },
        Case {
            breaks: |w| {
                w.failing.insert("create_secret_if_absent", refused());
            },
            status: StoreStatus::Failed,
            step: "credentials",
            reason: "Kubernetes refused a request: forbidden",
            attempts: 0,
            counted: Some("cluster"),
        },
        Case {
            breaks: |w| {
                w.helm_failure = Some(HelmError {
                    message: "template: bad values".into(),
                    transient: false,
                });
            },
            status: StoreStatus::Failed,
            step: "release",
            reason: "helm failed: template: bad values",
            attempts: 0,
            counted: Some("helm"),
        },
        Case {
            breaks: |w| {
                w.helm_failure = Some(HelmError {
                    message: "another operation is in progress".into(),
                    transient: true,
                });
            },
            status: StoreStatus::Provisioning,
            step: "release",
            reason: "Retrying after a temporary error: helm: another operation",
            attempts: 1,
            counted: None,
        },
        Case {
            breaks: |w| w.workloads_ready = false,
            status: StoreStatus::Provisioning,
            step: "workloads",
            reason: "Waiting for mariadb to become ready and wordpress to become ready",
            attempts: 0,
            counted: None,
        },
        Case {
            breaks: |w| w.setup = Setup::Fails("wp-cli said no".into()),
            status: StoreStatus::Failed,
            step: "bootstrap",
            reason: "Store setup failed (BackoffLimitExceeded): wp-cli said no",
            attempts: 0,
            counted: Some("setup_failed"),
        },
    ];
    for case in cases {
        let h = harness(Setting::default()).await;
        (case.breaks)(&mut h.world.world());
        h.pass().await;
        let store = h.store().await;
        assert_eq!(store.status, case.status, "{store:?}");
        assert_eq!(store.step.as_deref(), Some(case.step), "{store:?}");
        assert!(
            store.status_reason.starts_with(case.reason),
            "{}",
            store.status_reason
        );
        assert_eq!(store.attempts, case.attempts, "{store:?}");
        assert_eq!(store.lease_owner, None, "the lease is released: {store:?}");
        if store.status == StoreStatus::Provisioning {
            assert!(store.next_attempt_at.is_some(), "comes back: {store:?}");
        } else {
            assert_eq!(
                store.next_attempt_at, None,
                "a failed store waits for a person"
            );
        }
        if let Some(reason) = case.counted {
            assert!(h.failures(reason), "failure counted as {reason}");
        }
    }
}

#[tokio::test]
async fn a_store_comes_up_after_waiting_and_a_temporary_error_clears() {
    let h = harness(Setting::default()).await;
    h.world.world().workloads_ready = false;
    h.pass().await;
    assert_eq!(h.store().await.step.as_deref(), Some("workloads"));
    h.world.world().workloads_ready = true;
    let store = h.passes_until(StoreStatus::Ready, 5).await;
    assert_eq!(store.attempts, 0);
    assert_eq!(h.world.world().helm_installs, 1, "the release is kept");
    let workloads_done = h
        .events()
        .await
        .iter()
        .filter(|e| e.step.as_deref() == Some("workloads"))
        .count();
    assert_eq!(workloads_done, 1, "a finished step is told once");
}

#[tokio::test]
async fn a_locked_release_is_unlocked_and_upgraded() {
    let h = harness(Setting::default()).await;
    h.world.world().releases.insert(
        ("store-shop-abcde".into(), "shop".into()),
        (3, "pending-upgrade".into()),
    );
    h.world
        .world()
        .namespaces
        .insert("store-shop-abcde".into(), Ns::default());
    h.pass().await;
    assert_eq!(h.store().await.status, StoreStatus::Ready);
    {
        let world = h.world.world();
        assert_eq!(world.unlocked, vec![3]);
        assert_eq!(
            world.releases[&("store-shop-abcde".to_owned(), "shop".to_owned())],
            (4, "deployed".to_owned())
        );
    }
    assert!(h.events().await.iter().any(|e| {
        e.message
            .contains("left pending-upgrade by an interrupted operation")
    }));
}

#[tokio::test]
async fn a_ready_store_that_drifted_is_restored() {
    let h = harness(Setting::default()).await;
    h.pass().await;
    assert_eq!(h.store().await.status, StoreStatus::Ready);
    h.world.world().namespaces.clear();
    h.world.world().releases.clear();
    h.db.expedite(h.store, Utc::now()).await.unwrap();
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Ready, "{store:?}");
    assert_eq!(h.world.world().helm_installs, 2);
    let events = h.events().await;
    assert!(
        events
            .iter()
            .any(|e| e.message.contains("was deleted outside Storefleet")),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e.message == "Store is ready again"));
}

#[tokio::test]
async fn teardown_uninstalls_then_waits_for_the_namespace_to_go() {
    let h = harness(Setting::default()).await;
    h.pass().await;
    h.db.request_delete(h.store, audit("store.delete"), Utc::now())
        .await
        .unwrap();
    h.world.world().terminate_after = 1_000;
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Deleting);
    assert_eq!(store.step.as_deref(), Some("namespace"));
    assert!(
        store
            .status_reason
            .starts_with("Waiting for namespace store-shop-abcde to be deleted"),
        "{store:?}"
    );
    assert_eq!(
        store.lease_owner, None,
        "a worker is not held by a slow namespace"
    );
    assert_eq!(h.world.world().helm_uninstalls, 1);
    h.world
        .world()
        .namespaces
        .values_mut()
        .for_each(|n| n.terminating_for = Some(0));
    let store = h.passes_until_gone(3).await;
    assert!(store.deleted_at.is_some());
    assert_eq!(h.world.world().helm_uninstalls, 1, "uninstalled once");
    assert!(
        h.events()
            .await
            .iter()
            .any(|e| e.message.starts_with("Store deleted"))
    );
}

#[tokio::test]
async fn a_blocked_deletion_keeps_trying_and_never_fails() {
    let h = harness(Setting::default()).await;
    h.pass().await;
    h.db.request_delete(h.store, audit("store.delete"), Utc::now())
        .await
        .unwrap();
    h.world.world().failing.insert(
        "delete_namespace",
        ClusterError {
            message: "forbidden".into(),
            transient: false,
        },
    );
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Deleting);
    assert!(
        store
            .status_reason
            .starts_with("Deletion is blocked: Kubernetes refused a request: forbidden"),
        "{store:?}"
    );
    assert!(store.next_attempt_at.is_some());
    assert_eq!(store.attempts, 1);
}

#[tokio::test]
async fn a_store_deleted_during_a_pass_is_handed_back_at_once() {
    let h = harness(Setting {
        during_install: Some(|db, id| {
            Box::pin(async move {
                db.request_delete(id, audit("store.delete"), Utc::now())
                    .await
                    .unwrap();
            })
        }),
        ..Setting::default()
    })
    .await;
    let before = Utc::now();
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Deleting, "{store:?}");
    assert_eq!(
        store.lease_owner, None,
        "not left leased until the lease runs out"
    );
    assert!(
        store
            .next_attempt_at
            .is_some_and(|t| t <= Utc::now() && t >= before),
        "due now, so the deletion goes ahead: {store:?}"
    );
    // And the next pass deletes it.
    h.world
        .world()
        .namespaces
        .values_mut()
        .for_each(|n| n.terminating_for = Some(0));
    h.passes_until_gone(3).await;
}

#[tokio::test]
async fn a_lease_another_worker_took_stops_the_pass_and_writes_nothing() {
    let h = harness(Setting {
        leases: Leases::RenewalsRefused,
        helm_takes: Duration::from_secs(30),
        timing: Some(Timing {
            renew_every: Duration::from_millis(50),
            ..fast()
        }),
        ..Setting::default()
    })
    .await;
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Provisioning);
    assert_eq!(store.step.as_deref(), Some("release"), "stopped in helm");
    assert_eq!(
        store.lease_owner.as_deref(),
        Some(WORKER),
        "nothing written"
    );
    assert_eq!(h.world.world().helm_installs, 0, "helm was stopped");
}

#[tokio::test]
async fn failed_renewals_stop_the_pass_before_the_lease_can_run_out() {
    let timing = Timing {
        lease: Duration::from_millis(600),
        renew_every: Duration::from_millis(100),
        ..fast()
    };
    let h = harness(Setting {
        leases: Leases::RenewalsFail,
        helm_takes: Duration::from_secs(30),
        timing: Some(timing),
        ..Setting::default()
    })
    .await;
    h.pass().await;
    let stopped = Utc::now();
    let store = h.store().await;
    assert!(
        store.lease_expires_at.is_some_and(|t| stopped < t),
        "the pass stopped while the lease was still ours ({stopped} vs {:?})",
        store.lease_expires_at
    );
    assert!(h.queue.renewals.load(Ordering::SeqCst) >= 2);
    assert_eq!(
        store.lease_owner.as_deref(),
        Some(WORKER),
        "nothing written"
    );
    assert_eq!(store.step.as_deref(), Some("release"));
    assert_eq!(h.world.world().helm_installs, 0, "helm was stopped");
}

#[tokio::test]
async fn a_store_that_never_comes_up_fails_at_the_deadline() {
    let h = harness(Setting {
        deadline_secs: Some(1),
        timing: Some(Timing {
            wait_in_pass: Duration::from_secs(5),
            ..fast()
        }),
        ..Setting::default()
    })
    .await;
    h.world.world().workloads_ready = false;
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Failed, "{store:?}");
    assert_eq!(
        store.status_reason,
        "Step workloads did not finish within 1 s: Waiting for mariadb to become ready and wordpress to become ready"
    );
    assert!(h.failures("deadline"));
}

#[tokio::test]
async fn an_engine_this_server_does_not_offer_fails_as_such() {
    let h = harness(Setting {
        engine: Some(Engine::Medusa),
        offered: Some("woocommerce"),
        ..Setting::default()
    })
    .await;
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Failed);
    assert_eq!(
        store.status_reason,
        "This server does not offer the Medusa engine"
    );
    assert!(h.failures("engine_not_offered"));
    assert!(!h.failures("helm"), "not a helm failure");
}

#[tokio::test]
async fn a_pending_store_waits_for_a_cluster_that_does_not_answer() {
    let h = harness(Setting::default()).await;
    h.world.world().failing.insert(
        "version",
        ClusterError {
            message: "connection refused".into(),
            transient: true,
        },
    );
    h.pass().await;
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Pending);
    assert_eq!(
        store.status_reason,
        "Waiting for the cluster: connection refused"
    );
    assert_eq!(store.attempts, 1);
    assert!(h.world.world().namespaces.is_empty(), "nothing was created");
    h.world.world().failing.clear();
    h.passes_until(StoreStatus::Ready, 3).await;
}

// --- upgrades and rollbacks ------------------------------------------------------------

const FINGERPRINT: &str = "storefleet.io/release-fingerprint";
const CONFIG_FINGERPRINT: &str = "storefleet.io/config-fingerprint";

impl Harness {
    /// Ready, then made to look applied with an older chart or values (what a chart
    /// change on the platform looks like to a running store).
    async fn ready_and_behind(&self) -> Store {
        self.pass().await;
        let store = self.store().await;
        assert_eq!(store.status, StoreStatus::Ready, "{store:?}");
        self.world
            .world()
            .namespaces
            .get_mut("store-shop-abcde")
            .unwrap()
            .annotations
            .extend([
                (FINGERPRINT.into(), "an older chart".into()),
                (CONFIG_FINGERPRINT.into(), "an older chart".into()),
            ]);
        store
    }

    async fn request(&self, target: storage::UpgradeTarget) -> Store {
        self.db
            .request_upgrade(self.store, target, audit("store.upgrade"), Utc::now())
            .await
            .unwrap()
    }

    fn annotation(&self) -> String {
        self.world.world().namespaces["store-shop-abcde"].annotations[CONFIG_FINGERPRINT].clone()
    }
}

#[tokio::test]
async fn an_upgrade_applies_the_current_chart_and_verifies_the_store_again() {
    let h = harness(Setting::default()).await;
    let before = h.ready_and_behind().await;
    let fingerprint = before.release.applied_fingerprint.clone().unwrap();
    assert_eq!(before.release.revision, Some(1));
    let asked = h.request(storage::UpgradeTarget::Latest).await;
    assert_eq!(asked.status, StoreStatus::Upgrading);
    assert_eq!(asked.release.upgrade_from_revision, Some(1));
    let store = h.passes_until(StoreStatus::Ready, 10).await;
    assert_eq!(h.world.world().helm_installs, 2, "the release was upgraded");
    assert_eq!(store.release.revision, Some(2));
    assert_eq!(
        store.release.applied_fingerprint.as_deref(),
        Some(&*fingerprint)
    );
    assert_eq!(h.annotation(), fingerprint);
    assert_eq!(
        store.release.last_upgrade_result,
        Some(storage::UpgradeResult::Succeeded)
    );
    assert_eq!(store.release.upgrade_target, None);
    assert_eq!(store.status_reason, "Ready");
    let events = h.events().await;
    assert!(
        events
            .iter()
            .any(|e| e.message == "Upgraded; the store is ready"),
        "{events:?}"
    );
    // Every step was told again for the upgrade.
    let workloads = events
        .iter()
        .filter(|e| e.step.as_deref() == Some("workloads"))
        .count();
    assert_eq!(workloads, 2, "{events:?}");
}

#[tokio::test]
async fn a_failed_upgrade_returns_the_store_to_the_revision_it_ran() {
    let h = harness(Setting::default()).await;
    let before = h.ready_and_behind().await;
    h.world.world().upgrade_failure = Some(HelmError {
        message: "template: wordpress/deployment.yaml: nil pointer".into(),
        transient: false,
    });
    h.request(storage::UpgradeTarget::Latest).await;
    let store = h.passes_until(StoreStatus::Ready, 10).await;
    assert_eq!(h.world.world().rollbacks, [1]);
    assert!(
        store
            .status_reason
            .starts_with("Upgrade failed: helm failed: template")
            && store.status_reason.ends_with("; rolled back to revision 1"),
        "{}",
        store.status_reason
    );
    assert_eq!(
        store.release.last_upgrade_result,
        Some(storage::UpgradeResult::RolledBack)
    );
    // The store runs its earlier release again, recorded as such: still behind.
    assert_eq!(
        store.release.applied_fingerprint,
        before.release.applied_fingerprint
    );
    assert_eq!(
        store.release.revision,
        Some(2),
        "helm records the rollback as revision 2"
    );
    assert!(h.failures("helm"));
    let events = h.events().await;
    assert!(
        events
            .iter()
            .any(|e| e.level == storage::EventLevel::Error && e.message.contains("rolled back")),
        "{events:?}"
    );
}

#[tokio::test]
async fn an_upgrade_whose_way_back_fails_too_leaves_the_store_failed_saying_both() {
    let h = harness(Setting::default()).await;
    h.ready_and_behind().await;
    h.world.world().helm_failure = Some(HelmError {
        message: "forbidden: cannot patch secrets".into(),
        transient: false,
    });
    h.request(storage::UpgradeTarget::Latest).await;
    let store = h.passes_until(StoreStatus::Failed, 10).await;
    assert!(
        store
            .status_reason
            .contains("Upgrade failed: helm failed: forbidden")
            && store
                .status_reason
                .contains("returning to revision 1 failed too"),
        "{}",
        store.status_reason
    );
    assert_eq!(
        store.release.last_upgrade_result,
        Some(storage::UpgradeResult::Failed)
    );
}

#[tokio::test]
async fn a_rollback_returns_to_the_asked_revision_and_stays_there() {
    let h = harness(Setting::default()).await;
    h.ready_and_behind().await;
    h.request(storage::UpgradeTarget::Latest).await;
    h.passes_until(StoreStatus::Ready, 10).await;
    h.request(storage::UpgradeTarget::Revision(1)).await;
    let store = h.passes_until(StoreStatus::Ready, 10).await;
    assert_eq!(h.world.world().rollbacks, [1]);
    assert_eq!(store.release.revision, Some(3));
    assert_eq!(
        store.release.applied_fingerprint.as_deref(),
        Some("rollback:1")
    );
    assert_eq!(h.annotation(), "rollback:1");
    let events = h.events().await;
    assert!(
        events
            .iter()
            .any(|e| e.message == "Rolled back to revision 1; the store is ready"),
        "{events:?}"
    );
    // A later repair of the store keeps the revision it was rolled back to.
    h.world.world().workloads_ready = false;
    h.db.expedite(h.store, Utc::now()).await.unwrap();
    h.pass().await;
    assert_eq!(h.store().await.status, StoreStatus::Provisioning);
    h.world.world().workloads_ready = true;
    h.passes_until(StoreStatus::Ready, 10).await;
    assert_eq!(
        h.world.world().helm_installs,
        2,
        "no upgrade behind the owner's back"
    );
    assert_eq!(h.annotation(), "rollback:1");
}

#[tokio::test]
async fn a_repaired_store_keeps_its_release_when_the_chart_changed() {
    let h = harness(Setting::default()).await;
    h.ready_and_behind().await;
    h.world.world().workloads_ready = false;
    h.db.expedite(h.store, Utc::now()).await.unwrap();
    h.pass().await;
    h.world.world().workloads_ready = true;
    let store = h.passes_until(StoreStatus::Ready, 10).await;
    assert_eq!(h.world.world().helm_installs, 1);
    assert_eq!(h.annotation(), "an older chart");
    assert_eq!(
        store.release.applied_fingerprint.as_deref(),
        Some("an older chart")
    );
}

#[tokio::test]
async fn only_a_ready_store_can_be_upgraded_and_a_delete_ends_an_upgrade() {
    let h = harness(Setting::default()).await;
    let err =
        h.db.request_upgrade(
            h.store,
            storage::UpgradeTarget::Latest,
            audit("store.upgrade"),
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, storage::DbError::Transition(_)), "{err:?}");
    h.ready_and_behind().await;
    h.request(storage::UpgradeTarget::Latest).await;
    let deleting =
        h.db.request_delete(h.store, audit("store.delete"), Utc::now())
            .await
            .unwrap();
    assert_eq!(deleting.status, StoreStatus::Deleting);
    h.passes_until_gone(20).await;
}

// --- fleet rollouts ---------------------------------------------------------------------

impl Harness {
    /// `n` more Ready stores of the harness's owner, besides the harness's own.
    async fn more_ready_stores(&self, n: usize) -> Vec<Uuid> {
        let owner = self.store().await.owner_id;
        let mut ids = vec![self.store];
        for i in 0..n {
            let id = Uuid::new_v4();
            self.db
                .create_store(CreateStore {
                    store: NewStore {
                        id,
                        owner_id: owner,
                        name: format!("shop{i}"),
                        display_name: None,
                        engine: Engine::WooCommerce,
                        domain: format!("shop{i}-abcde.stores.localhost"),
                        namespace: format!("store-shop{i}-abcde"),
                        status_reason: "Waiting for a worker".into(),
                        steps_total: 8,
                        now: Utc::now(),
                    },
                    quota: 1000,
                    idempotency_key: None,
                    audit: audit("store.create"),
                })
                .await
                .unwrap();
            ids.push(id);
        }
        while self.provisioner.try_execute_next(WORKER).await.unwrap() {}
        for id in &ids {
            let s = self.db.get_store(*id).await.unwrap().unwrap();
            assert_eq!(s.status, StoreStatus::Ready, "{s:?}");
        }
        ids
    }

    /// Drive a rollout as the server would (driver, then workers) until it stops moving;
    /// checks at every turn that no more than `max_unavailable` stores are Upgrading.
    async fn drive(&self, rollout: Uuid, max_unavailable: i64, turns: usize) -> storage::Rollout {
        let notifier = Notifier::new(None);
        for _ in 0..turns {
            crate::fleet::advance_all(self.db.as_ref(), &notifier)
                .await
                .unwrap();
            let upgrading = self
                .db
                .list_stores(None)
                .await
                .unwrap()
                .iter()
                .filter(|s| s.status == StoreStatus::Upgrading)
                .count();
            assert!(
                i64::try_from(upgrading).unwrap() <= max_unavailable,
                "{upgrading} stores upgrading at once (max {max_unavailable})"
            );
            while self.provisioner.try_execute_next(WORKER).await.unwrap() {}
            let (r, _) = self.db.rollout(rollout).await.unwrap().unwrap();
            if !matches!(r.state, storage::RolloutState::Running) && r.counts.upgrading == 0 {
                return r;
            }
        }
        self.db.rollout(rollout).await.unwrap().unwrap().0
    }

    async fn start_rollout(
        &self,
        stores: &[Uuid],
        max_unavailable: i64,
        max_failures: i64,
    ) -> Uuid {
        let id = Uuid::new_v4();
        self.db
            .create_rollout(
                storage::NewRollout {
                    id,
                    engine: Engine::WooCommerce,
                    max_unavailable,
                    max_failures,
                    created_by: None,
                    now: Utc::now(),
                },
                stores.to_vec(),
                audit("fleet.upgrade_start"),
            )
            .await
            .unwrap();
        id
    }

    fn behind(&self, namespaces: impl IntoIterator<Item = String>) {
        let mut world = self.world.world();
        for ns in namespaces {
            world.namespaces.get_mut(&ns).unwrap().annotations.extend([
                (FINGERPRINT.into(), "an older chart".into()),
                (CONFIG_FINGERPRINT.into(), "an older chart".into()),
            ]);
        }
    }
}

fn namespaces(n: usize) -> Vec<String> {
    std::iter::once("store-shop-abcde".to_owned())
        .chain((0..n).map(|i| format!("store-shop{i}-abcde")))
        .collect()
}

#[tokio::test]
async fn a_rollout_upgrades_every_store_a_few_at_a_time() {
    let h = harness(Setting::default()).await;
    let stores = h.more_ready_stores(9).await;
    h.behind(namespaces(9));
    let id = h.start_rollout(&stores, 3, 1).await;
    let r = h.drive(id, 3, 40).await;
    assert_eq!(r.state, storage::RolloutState::Completed, "{r:?}");
    assert_eq!(r.counts.succeeded, 10);
    assert_eq!(r.counts.failed + r.counts.pending + r.counts.upgrading, 0);
    assert_eq!(
        h.world.world().helm_installs,
        20,
        "each store installed, then upgraded once"
    );
    assert!(r.finished_at.is_some());
    let (_, entries) = h.db.rollout(id).await.unwrap().unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e.state == storage::RolloutStoreState::Succeeded)
    );
    assert!(
        entries
            .iter()
            .all(|e| e.started_at.is_some() && e.finished_at.is_some())
    );
}

#[tokio::test]
async fn a_rollout_halts_at_its_failure_limit_with_the_failed_stores_rolled_back() {
    let h = harness(Setting::default()).await;
    let stores = h.more_ready_stores(11).await;
    let all = namespaces(11);
    h.behind(all.clone());
    // The 2nd, 4th and 6th stores in rollout order break on the new chart.
    h.world.world().failing_upgrades = [1, 3, 5].iter().map(|i| all[*i].clone()).collect();
    let id = h.start_rollout(&stores, 2, 2).await;
    let r = h.drive(id, 2, 40).await;
    assert_eq!(r.state, storage::RolloutState::Halted, "{r:?}");
    assert_eq!(r.counts.failed, 2, "{r:?}");
    assert!(
        r.counts.pending > 0,
        "stores after the halt were not touched: {r:?}"
    );
    assert!(
        r.halt_reason
            .as_deref()
            .unwrap()
            .starts_with("2 store upgrades failed (the limit is 2)"),
        "{r:?}"
    );
    let (_, entries) = h.db.rollout(id).await.unwrap().unwrap();
    for e in entries
        .iter()
        .filter(|e| e.state == storage::RolloutStoreState::Failed)
    {
        let s = h.db.get_store(e.store_id).await.unwrap().unwrap();
        assert_eq!(
            s.status,
            StoreStatus::Ready,
            "a failed store serves again: {s:?}"
        );
        assert_eq!(
            s.release.last_upgrade_result,
            Some(storage::UpgradeResult::RolledBack)
        );
        assert!(
            e.reason
                .as_deref()
                .unwrap()
                .contains("rolled back to revision 1"),
            "{e:?}"
        );
    }
    // Nothing moves once halted.
    let installs = h.world.world().helm_installs;
    let again = h.drive(id, 2, 3).await;
    assert_eq!(again.counts, r.counts);
    assert_eq!(h.world.world().helm_installs, installs);
}

#[tokio::test]
async fn a_rollout_pauses_resumes_and_cancels_and_survives_a_restart() {
    let h = harness(Setting::default()).await;
    let stores = h.more_ready_stores(5).await;
    h.behind(namespaces(5));
    let id = h.start_rollout(&stores, 1, 1).await;
    // One store upgraded, then the platform dies mid-upgrade of the next: its lease is
    // held by a worker that is gone.
    let notifier = Notifier::new(None);
    crate::fleet::advance_all(h.db.as_ref(), &notifier)
        .await
        .unwrap();
    while h.provisioner.try_execute_next(WORKER).await.unwrap() {}
    crate::fleet::advance_all(h.db.as_ref(), &notifier)
        .await
        .unwrap();
    let dead =
        h.db.claim_due(
            "a-dead-replica/0",
            10,
            Duration::from_millis(200),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].status, StoreStatus::Upgrading);
    let (r, _) = h.db.rollout(id).await.unwrap().unwrap();
    assert_eq!((r.counts.succeeded, r.counts.upgrading), (1, 1), "{r:?}");
    // Pause: the store being upgraded finishes (after the dead lease runs out), no new
    // one starts.
    let paused =
        h.db.change_rollout(
            id,
            storage::RolloutAction::Pause,
            audit("fleet.upgrade_pause"),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(paused.state, storage::RolloutState::Paused);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let r = h.drive(id, 1, 10).await;
    assert_eq!(r.state, storage::RolloutState::Paused);
    assert_eq!(
        (r.counts.succeeded, r.counts.upgrading, r.counts.pending),
        (2, 0, 4),
        "{r:?}"
    );
    let err =
        h.db.change_rollout(
            id,
            storage::RolloutAction::Pause,
            audit("fleet.upgrade_pause"),
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, storage::DbError::Rollout(_)), "{err:?}");
    // Resume: one more store, then cancel: the rest are skipped.
    h.db.change_rollout(
        id,
        storage::RolloutAction::Resume,
        audit("fleet.upgrade_resume"),
        Utc::now(),
    )
    .await
    .unwrap();
    crate::fleet::advance_all(h.db.as_ref(), &notifier)
        .await
        .unwrap();
    let cancelled =
        h.db.change_rollout(
            id,
            storage::RolloutAction::Cancel,
            audit("fleet.upgrade_cancel"),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.state, storage::RolloutState::Cancelled);
    assert_eq!(cancelled.counts.skipped, 3, "{cancelled:?}");
    let r = h.drive(id, 1, 10).await;
    assert_eq!(
        (r.counts.succeeded, r.counts.skipped, r.counts.upgrading),
        (3, 3, 0),
        "{r:?}"
    );
    assert!(h.db.rollouts_in_motion().await.unwrap().is_empty());
}

#[tokio::test]
async fn one_rollout_per_engine_at_a_time() {
    let h = harness(Setting::default()).await;
    let stores = h.more_ready_stores(1).await;
    h.start_rollout(&stores, 1, 1).await;
    let err =
        h.db.create_rollout(
            storage::NewRollout {
                id: Uuid::new_v4(),
                engine: Engine::WooCommerce,
                max_unavailable: 1,
                max_failures: 1,
                created_by: None,
                now: Utc::now(),
            },
            stores,
            audit("fleet.upgrade_start"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            storage::DbError::Conflict(storage::Conflict::RolloutActive)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_rotation_replaces_what_was_asked_adds_missing_keys_and_reaches_the_release() {
    let h = harness(Setting::default()).await;
    h.pass().await;
    assert_eq!(h.store().await.status, StoreStatus::Ready);
    let key = (
        "store-shop-abcde".to_owned(),
        "storefleet-credentials".to_owned(),
    );
    // A store from before one-click login: its Secret has no login key.
    let before = {
        let mut w = h.world.world();
        let secret = w.secrets.get_mut(&key).unwrap();
        secret.remove("storefleet-login-key");
        secret.clone()
    };
    let sums_before = h.world.world().helm_values[0]["credentials"]["checksums"].clone();
    assert!(sums_before.is_object(), "checksums are passed to the chart");
    h.db.request_rotation(
        h.store,
        "admin_password,database_passwords",
        audit("store.credentials_rotate"),
        Utc::now(),
    )
    .await
    .unwrap();
    let store = h.store().await;
    assert_eq!(store.status, StoreStatus::Provisioning);
    assert_eq!(store.status_reason, "Rotating credentials");
    // Not Ready any more: a second rotation is refused until this one is done.
    assert!(
        h.db.request_rotation(h.store, "salts", audit("x"), Utc::now())
            .await
            .is_err()
    );
    h.passes_until(StoreStatus::Ready, 5).await;

    let after = h.world.world().secrets[&key].clone();
    for changed in ["wordpress-admin-password", "mariadb-password"] {
        assert_ne!(after[changed], before[changed], "{changed} rotated");
    }
    for kept in ["mariadb-root-password", "wp-auth-salt", "wp-nonce-key"] {
        assert_eq!(after[kept], before[kept], "{kept} kept");
    }
    assert_eq!(
        after["storefleet-login-key"].len(),
        64,
        "the missing key was added"
    );
    assert!(
        !after.contains_key("mariadb-password-previous"),
        "the previous database password is dropped once setup has run"
    );
    assert_eq!(h.db.pending_rotation(h.store).await.unwrap(), None);
    {
        let w = h.world.world();
        assert_eq!(w.helm_installs, 2, "the release was applied again");
        let sums_after = &w.helm_values[1]["credentials"]["checksums"];
        assert_ne!(
            sums_after["wordpress-admin-password"],
            sums_before["wordpress-admin-password"]
        );
        assert_eq!(sums_after["wp-auth-salt"], sums_before["wp-auth-salt"]);
        assert!(
            !w.helm_values[1]
                .to_string()
                .contains(&after["mariadb-password"]),
            "no secret in the values"
        );
    }
    let events = h.events().await;
    assert!(
        events.iter().any(|e| e.message
            == "Replaced the admin password and the database passwords in the store's credentials"),
        "{events:?}"
    );
}
