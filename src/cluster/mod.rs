//! The only module that talks to the Kubernetes API: which cluster we are pointed at and
//! whether it answers (`/readyz`, `storefleet doctor`), and everything the engine does in
//! store namespaces ([`store`]).

pub mod access;
pub mod budget;
pub mod informer;
pub mod inspect;
pub mod store;

pub use informer::Watch;
pub use store::{Cluster, ClusterError, ClusterResult, NamespaceState, Observation};

use std::collections::BTreeMap;

use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::sync::Mutex;

/// One revision of a store's release, read from Helm's record of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseRevision {
    pub revision: u32,
    /// Helm's status: deployed, superseded, failed, pending-upgrade…
    pub status: String,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    pub description: String,
    pub chart_version: String,
    pub app_version: String,
    /// The values Storefleet applied it with (not the chart's defaults).
    pub values: serde_json::Value,
}

/// Everything the provisioning engine asks of the cluster about store namespaces:
/// [`Cluster`] against the Kubernetes API, or a fake in the engine's unit tests.
#[async_trait::async_trait]
pub trait StoreCluster: Send + Sync + std::fmt::Debug {
    /// The API server's version (does it answer?).
    async fn version(&self) -> ClusterResult<String>;
    /// Create the namespace if it is absent; labels are applied either way. With a store
    /// role configured, the platform is also given it in the namespace.
    async fn ensure_namespace(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> ClusterResult<()>;
    async fn namespace_state(&self, name: &str) -> ClusterResult<NamespaceState>;
    async fn namespace_annotations(&self, name: &str) -> ClusterResult<BTreeMap<String, String>>;
    /// A release's revisions as Helm's storage (its Secrets) records them, oldest first.
    async fn release_history(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Vec<ReleaseRevision>>;
    async fn annotate_namespace(
        &self,
        name: &str,
        annotations: &BTreeMap<String, String>,
    ) -> ClusterResult<()>;
    /// Delete the namespace (in the background); an absent one is not an error.
    async fn delete_namespace(&self, name: &str) -> ClusterResult<()>;
    /// Namespaces labelled as Storefleet's, with the store id label when present.
    async fn managed_namespaces(&self) -> ClusterResult<Vec<(String, Option<String>)>>;
    /// Create the Secret unless it exists (existing data is never replaced); `true` when
    /// it was created.
    async fn create_secret_if_absent(
        &self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<bool>;
    /// All of a Secret's data, or `None` when it does not exist. A replacement that was
    /// interrupted (see [`StoreCluster::replace_secret`]) is finished first.
    async fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> ClusterResult<Option<BTreeMap<String, String>>>;
    /// Give an existing Secret exactly `data`. Crash-safe: the new data is first written
    /// to a staging Secret (`<name>-staged`), so an interrupted replacement is finished by
    /// the next [`StoreCluster::secret_data`]; an immutable Secret (older stores) is
    /// deleted and created again, mutable.
    async fn replace_secret(
        &self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<()>;
    async fn secret_value(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> ClusterResult<Option<String>>;
    /// Unlock a release an interrupted helm left pending by marking `revision` failed.
    async fn mark_release_failed(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> ClusterResult<()>;
    /// Helm's record of `release`: its latest revision and status, or `None`.
    async fn release_record(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Option<(u32, String)>>;
    /// The namespace's workloads, jobs and pods of `release` (conditions older than
    /// `since` left out).
    async fn observe(
        &self,
        namespace: &str,
        release: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> ClusterResult<Observation>;
    /// Add claims and warning events to an observation that lacks them.
    async fn add_details(
        &self,
        namespace: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
        obs: &mut Observation,
    ) -> ClusterResult<()>;
    /// What a store page shows of the namespace: pods' resources, quotas, events and
    /// (when the cluster serves it) live usage. Read from the API, not the watch cache.
    async fn inspect(&self, namespace: &str) -> ClusterResult<inspect::Inspection>;
    /// Interest in changes to `namespace`, when a watch cache runs (`None`: poll).
    fn watch(&self, namespace: &str) -> Option<Watch>;
    /// Store ids of store namespaces as they disappear, when a watch cache runs.
    fn namespaces_gone(&self) -> Option<tokio::sync::broadcast::Receiver<String>>;
}

/// How long a readiness answer is reused, so probes do not hammer the API server.
const CACHE_FOR: Duration = Duration::from_secs(5);
const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterState {
    Reachable { server: String, version: String },
    Unreachable { server: String, error: String },
    Unconfigured(String),
}

impl ClusterState {
    pub fn is_ok(&self) -> bool {
        matches!(self, ClusterState::Reachable { .. })
    }

    /// One line for `/readyz` and logs.
    pub fn describe(&self) -> String {
        match self {
            ClusterState::Reachable { server, version } => {
                format!("ok ({server}, Kubernetes {version})")
            }
            ClusterState::Unreachable { server, error } => format!(
                "unreachable: no answer from {server} ({error}); run `testenv/cluster up` or set KUBECONFIG"
            ),
            ClusterState::Unconfigured(why) => format!(
                "unreachable: no cluster configured ({why}); run `testenv/cluster up` or set KUBECONFIG"
            ),
        }
    }
}

/// Loads the kube client configuration the standard way (KUBECONFIG, ~/.kube/config,
/// in-cluster), honouring `STOREFLEET_KUBE_CONTEXT`.
pub async fn load_config(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<kube::Config, String> {
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..Default::default()
    };
    let result = match (kubeconfig, context) {
        (Some(path), _) => match Kubeconfig::read_from(path) {
            Ok(file) => kube::Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) => Err(format!("{}: {e}", path.display())),
        },
        (None, Some(_)) => kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|e| format!("{e}")),
        (None, None) => kube::Config::infer().await.map_err(|e| format!("{e}")),
    };
    result.map(|mut config| {
        config.connect_timeout = Some(TIMEOUT);
        config.read_timeout = Some(Duration::from_secs(30));
        config
    })
}

#[derive(Debug)]
pub struct ClusterProbe {
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    last: Mutex<Option<(Instant, ClusterState)>>,
}

impl ClusterProbe {
    pub fn new(kubeconfig: Option<PathBuf>, context: Option<String>) -> Self {
        Self {
            kubeconfig,
            context,
            last: Mutex::new(None),
        }
    }

    pub async fn check(&self) -> ClusterState {
        let mut last = self.last.lock().await;
        if let Some((at, state)) = last.as_ref() {
            if at.elapsed() < CACHE_FOR {
                return state.clone();
            }
        }
        let state = probe(self.kubeconfig.as_deref(), self.context.as_deref()).await;
        *last = Some((Instant::now(), state.clone()));
        state
    }
}

async fn probe(kubeconfig: Option<&Path>, context: Option<&str>) -> ClusterState {
    let config = match load_config(kubeconfig, context).await {
        Ok(c) => c,
        Err(e) => return ClusterState::Unconfigured(e),
    };
    let server = config.cluster_url.to_string();
    let client = match kube::Client::try_from(config) {
        Ok(c) => c,
        Err(e) => {
            return ClusterState::Unreachable {
                server,
                error: e.to_string(),
            };
        }
    };
    match tokio::time::timeout(TIMEOUT, client.apiserver_version()).await {
        Ok(Ok(info)) => ClusterState::Reachable {
            server,
            version: info.git_version,
        },
        Ok(Err(e)) => ClusterState::Unreachable {
            server,
            error: e.to_string(),
        },
        Err(_) => ClusterState::Unreachable {
            server,
            error: format!("timed out after {} s", TIMEOUT.as_secs()),
        },
    }
}
