//! What the engine does to and reads from one store's namespace, through a rate-limited
//! kube client. Observations come back as plain data ([`Observation`]) so that diagnosis
//! stays pure and testable without a cluster.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Event, Namespace, PersistentVolumeClaim, Pod, Secret};
use k8s_openapi::api::networking::v1::IngressClass;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};

use super::StoreCluster;
use super::access::StoreAccess;
use super::budget::BudgetLayer;
use super::informer::{FailureCondition, Informer, Snapshot, Watch};

/// Labels every namespace Storefleet creates carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "storefleet");
pub const STORE_ID_LABEL: &str = "storefleet.io/store-id";
/// The chart-and-values part of that fingerprint (without the credentials' checksums).
pub const CONFIG_FINGERPRINT_ANNOTATION: &str = "storefleet.io/config-fingerprint";
pub const FINGERPRINT_ANNOTATION: &str = "storefleet.io/release-fingerprint";
/// When the release with that fingerprint was applied (RFC 3339).
pub const APPLIED_AT_ANNOTATION: &str = "storefleet.io/release-applied-at";

/// A Kubernetes API failure, sorted by what to do about it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ClusterError {
    pub message: String,
    pub transient: bool,
}

impl From<kube::Error> for ClusterError {
    fn from(e: kube::Error) -> Self {
        let transient = match &e {
            kube::Error::Api(status) => {
                status.code == 409 || status.code == 429 || status.code >= 500
            }
            _ => true,
        };
        ClusterError {
            message: e.to_string(),
            transient,
        }
    }
}

fn is_status(e: &kube::Error, code: u16) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == code)
}

pub type ClusterResult<T> = Result<T, ClusterError>;

/// A kube client whose requests are rate limited (QPS with burst, see
/// [`super::budget`]), shared by all workers.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    informer: Option<Arc<Informer>>,
    /// The store role to bind in each store namespace (`STOREFLEET_STORE_ROLE`).
    access: Option<StoreAccess>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").finish_non_exhaustive()
    }
}

/// One container of one pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerObservation {
    pub name: String,
    pub image: String,
    pub ready: bool,
    pub waiting_reason: Option<String>,
    pub waiting_message: Option<String>,
    pub restart_count: i32,
    /// What the container said when it last exited non-zero (its termination message, or
    /// the tail of its log with `FallbackToLogsOnError`), trimmed to its last line.
    pub failure_message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodObservation {
    pub name: String,
    pub component: Option<String>,
    /// The Job that created the pod (`batch.kubernetes.io/job-name`), if any.
    pub job: Option<String>,
    pub phase: String,
    pub ready: bool,
    /// The scheduler's message when the pod cannot be placed.
    pub unschedulable: Option<String>,
    pub containers: Vec<ContainerObservation>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadObservation {
    pub component: String,
    pub name: String,
    pub desired: i32,
    pub ready: i32,
    /// A failure condition the controller set (ReplicaFailure / FailedCreate), if any.
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobObservation {
    pub name: String,
    pub revision: Option<String>,
    pub complete: bool,
    /// `Failed` condition reason and message, when the Job gave up.
    pub failed: Option<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PvcObservation {
    pub name: String,
    pub phase: String,
    pub storage_class: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventObservation {
    pub reason: String,
    pub message: String,
    pub kind: String,
    pub name: String,
}

/// Everything the engine looks at in a store namespace, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    pub namespace_exists: bool,
    pub workloads: Vec<WorkloadObservation>,
    pub pods: Vec<PodObservation>,
    pub jobs: Vec<JobObservation>,
    pub pvcs: Vec<PvcObservation>,
    /// Warning events, newest last.
    pub warnings: Vec<EventObservation>,
    /// Whether `pvcs` and `warnings` were read (see [`Cluster::add_details`]).
    pub detailed: bool,
}

/// What blocks a namespace that is being deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceState {
    Absent,
    Active,
    Terminating { blockers: Vec<String> },
}

const COMPONENT: &str = "app.kubernetes.io/component";

impl Cluster {
    pub async fn connect(config: kube::Config, qps: u32, burst: u32) -> ClusterResult<Self> {
        let client = kube::client::ClientBuilder::try_from(config)
            .map_err(ClusterError::from)?
            .with_layer(&BudgetLayer::new(qps, burst))
            .build();
        Ok(Self {
            client,
            informer: None,
            access: None,
        })
    }

    /// Bind ClusterRole `cluster_role` to these credentials in every store namespace as it
    /// is created (see [`super::access`]); asks the API server who they are.
    pub async fn with_store_role(mut self, cluster_role: &str) -> ClusterResult<Self> {
        self.access = Some(super::access::who_am_i(&self.client, cluster_role).await?);
        Ok(self)
    }

    /// Keep a watch-fed cache of store namespaces ([`Informer`]) and read from it where
    /// possible; waits up to `sync_within` for the first listing (reads go to the API
    /// until it is done).
    pub async fn with_informer(mut self, sync_within: std::time::Duration) -> Self {
        let informer = Informer::start(&self.client);
        if !informer.wait_synced(sync_within).await {
            tracing::warn!(
                "the watch cache has not listed store objects yet; reading the API directly meanwhile"
            );
        }
        self.informer = Some(Arc::new(informer));
        self
    }

    /// Create the namespace if it is absent; labels are applied either way.
    async fn ensure_namespace_object(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        // Create first: a new store's namespace does not exist yet.
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(labels.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        match api.create(&PostParams::default(), &ns).await {
            Ok(_) => return Ok(()),
            Err(e) if is_status(&e, 409) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(ns) = api.get_opt(name).await? else {
            return Err(ClusterError {
                message: format!("namespace {name} was deleted while being created"),
                transient: true,
            });
        };
        if ns.metadata.deletion_timestamp.is_some() {
            return Err(ClusterError {
                message: format!("namespace {name} is still being deleted"),
                transient: true,
            });
        }
        let current = ns.metadata.labels.unwrap_or_default();
        if labels.iter().all(|(k, v)| current.get(k) == Some(v)) {
            return Ok(());
        }
        let patch = serde_json::json!({ "metadata": { "labels": labels } });
        api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        Ok(())
    }

    /// The second half of [`StoreCluster::replace_secret`]: the staged data into the
    /// Secret itself, then the staging Secret removed.
    async fn finish_replace(
        &self,
        api: &Api<Secret>,
        name: &str,
        labels: BTreeMap<String, String>,
        data: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        let fresh = Secret {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(labels),
                ..Default::default()
            },
            type_: Some("Opaque".to_owned()),
            string_data: Some(data.clone()),
            ..Default::default()
        };
        match api.get_opt(name).await? {
            Some(current) if current.immutable == Some(true) => {
                api.delete(name, &DeleteParams::default()).await?;
                api.create(&PostParams::default(), &fresh).await?;
            }
            Some(current) => {
                let mut updated = fresh;
                updated.metadata.resource_version = current.metadata.resource_version;
                // string_data is merged into data by the API server: start from nothing
                // so keys dropped from `data` go away.
                updated.data = Some(BTreeMap::new());
                api.replace(name, &PostParams::default(), &updated).await?;
            }
            None => {
                api.create(&PostParams::default(), &fresh).await?;
            }
        }
        match api
            .delete(&staged_secret_name(name), &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_status(&e, 404) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    async fn observe_live(
        &self,
        namespace: &str,
        release: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> ClusterResult<Observation> {
        let mut obs = Observation {
            namespace_exists: !matches!(
                self.namespace_state(namespace).await?,
                NamespaceState::Absent
            ),
            ..Default::default()
        };
        if !obs.namespace_exists {
            return Ok(obs);
        }
        let selector = format!("app.kubernetes.io/instance={release}");
        let lp = ListParams::default().labels(&selector);
        let client = self.client.clone();

        for sts in Api::<StatefulSet>::namespaced(client.clone(), namespace)
            .list(&lp)
            .await?
            .items
        {
            obs.workloads.push(statefulset_observation(sts));
        }
        for dep in Api::<Deployment>::namespaced(client.clone(), namespace)
            .list(&lp)
            .await?
            .items
        {
            let (mut workload, failures) = deployment_observation(dep);
            workload.failure = failure_since(&failures, since);
            obs.workloads.push(workload);
        }
        for job in Api::<Job>::namespaced(client.clone(), namespace)
            .list(&lp)
            .await?
            .items
        {
            obs.jobs.push(job_observation(job));
        }
        for pod in Api::<Pod>::namespaced(client, namespace)
            .list(&lp)
            .await?
            .items
        {
            obs.pods.push(pod_observation(pod));
        }
        self.add_details(namespace, since, &mut obs).await?;
        Ok(obs)
    }

    pub async fn default_storage_class(&self) -> ClusterResult<Option<String>> {
        let list = Api::<StorageClass>::all(self.client.clone())
            .list(&ListParams::default())
            .await?;
        Ok(list
            .items
            .into_iter()
            .find(|sc| {
                sc.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                    .is_some_and(|v| v == "true")
            })
            .and_then(|sc| sc.metadata.name))
    }

    pub async fn ingress_classes(&self) -> ClusterResult<Vec<String>> {
        let list = Api::<IngressClass>::all(self.client.clone())
            .list(&ListParams::default())
            .await?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|c| c.metadata.name)
            .collect())
    }
}

#[async_trait::async_trait]
impl StoreCluster for Cluster {
    async fn inspect(&self, namespace: &str) -> ClusterResult<super::inspect::Inspection> {
        self.inspect_namespace(namespace).await
    }

    /// Interest in changes to `namespace`, when a watch cache runs.
    fn watch(&self, namespace: &str) -> Option<Watch> {
        self.informer.as_ref().map(|i| i.watch(namespace))
    }

    /// Store ids of store namespaces as they disappear (with a watch cache).
    fn namespaces_gone(&self) -> Option<tokio::sync::broadcast::Receiver<String>> {
        self.informer.as_ref().map(|i| i.namespaces_gone())
    }

    async fn version(&self) -> ClusterResult<String> {
        Ok(self.client.apiserver_version().await?.git_version)
    }

    /// Create the namespace if it is absent; labels (ours and Pod Security `restricted`)
    /// are applied either way.
    async fn ensure_namespace(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        self.ensure_namespace_object(name, labels).await?;
        if let Some(access) = &self.access {
            super::access::grant(&self.client, access, name).await?;
        }
        Ok(())
    }

    async fn namespace_state(&self, name: &str) -> ClusterResult<NamespaceState> {
        if let Some(state) = self.informer.as_ref().and_then(|i| i.namespace(name)) {
            return Ok(state);
        }
        let api: Api<Namespace> = Api::all(self.client.clone());
        Ok(api
            .get_opt(name)
            .await?
            .map_or(NamespaceState::Absent, namespace_state_of))
    }

    async fn namespace_annotations(&self, name: &str) -> ClusterResult<BTreeMap<String, String>> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        Ok(api
            .get_opt(name)
            .await?
            .and_then(|ns| ns.metadata.annotations)
            .unwrap_or_default())
    }

    async fn annotate_namespace(
        &self,
        name: &str,
        annotations: &BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let patch = serde_json::json!({ "metadata": { "annotations": annotations } });
        api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        Ok(())
    }

    async fn delete_namespace(&self, name: &str) -> ClusterResult<()> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => Ok(()),
            Err(e) if is_status(&e, 404) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Namespaces labelled as Storefleet's, with their store-id label.
    async fn managed_namespaces(&self) -> ClusterResult<Vec<(String, Option<String>)>> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let list = api
            .list(&ListParams::default().labels(&format!("{}={}", MANAGED_BY.0, MANAGED_BY.1)))
            .await?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|ns| {
                let name = ns.metadata.name?;
                let id = ns
                    .metadata
                    .labels
                    .and_then(|mut l| l.remove(STORE_ID_LABEL));
                Some((name, id))
            })
            .collect())
    }

    /// Create the Secret if it does not exist. An existing Secret is never changed, so a
    /// store's generated credentials survive retries and upgrades.
    async fn create_secret_if_absent(
        &self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<bool> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        // Look before creating: the ResourceQuota admission charges a create before the
        // API server finds the name taken, and the namespace's `used` count stays high
        // until the quota controller's next full resync. Asking every pass would fill a
        // store's Secret quota with Secrets that do not exist.
        if api.get_opt(name).await?.is_some() {
            return Ok(false);
        }
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(labels.clone()),
                ..Default::default()
            },
            type_: Some("Opaque".to_owned()),
            string_data: Some(data),
            ..Default::default()
        };
        match api.create(&PostParams::default(), &secret).await {
            Ok(_) => Ok(true),
            Err(e) if is_status(&e, 409) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn release_history(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Vec<super::ReleaseRevision>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let secrets = api
            .list(&ListParams::default().labels(&format!("owner=helm,name={release}")))
            .await?
            .items;
        let mut revisions = Vec::new();
        for secret in secrets {
            let name = secret.metadata.name.clone().unwrap_or_default();
            let Some(ByteString(encoded)) = secret.data.as_ref().and_then(|d| d.get("release"))
            else {
                continue;
            };
            match decode_release(encoded).and_then(|json| release_revision(&json)) {
                Ok(r) => revisions.push(r),
                Err(e) => {
                    tracing::warn!(secret = %name, error = %e, "unreadable helm release record");
                }
            }
        }
        revisions.sort_by_key(|r| r.revision);
        Ok(revisions)
    }

    async fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> ClusterResult<Option<BTreeMap<String, String>>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let staged_name = staged_secret_name(name);
        if let Some(staged) = api.get_opt(&staged_name).await? {
            // An interrupted replacement: finish it with the staged data.
            let data = secret_strings(staged.data);
            self.finish_replace(
                &api,
                name,
                staged.metadata.labels.unwrap_or_default(),
                &data,
            )
            .await?;
            return Ok(Some(data));
        }
        Ok(api.get_opt(name).await?.map(|s| secret_strings(s.data)))
    }

    async fn replace_secret(
        &self,
        namespace: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        data: BTreeMap<String, String>,
    ) -> ClusterResult<()> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let staged = Secret {
            metadata: ObjectMeta {
                name: Some(staged_secret_name(name)),
                labels: Some(labels.clone()),
                ..Default::default()
            },
            type_: Some("Opaque".to_owned()),
            string_data: Some(data.clone()),
            ..Default::default()
        };
        match api.create(&PostParams::default(), &staged).await {
            Ok(_) => {}
            Err(e) if is_status(&e, 409) => {
                api.replace(&staged_secret_name(name), &PostParams::default(), &staged)
                    .await?;
            }
            Err(e) => return Err(e.into()),
        }
        self.finish_replace(&api, name, labels.clone(), &data).await
    }

    /// One key of a Secret, if the Secret and key exist.
    async fn secret_value(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> ClusterResult<Option<String>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let Some(secret) = api.get_opt(name).await? else {
            return Ok(None);
        };
        Ok(secret
            .data
            .and_then(|mut d| d.remove(key))
            .map(|ByteString(bytes)| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Unlock a release left `pending-*` by an interrupted helm: mark its latest record
    /// failed in Helm's storage (the Secret driver), as Flux's helm-controller does, so
    /// the next `helm upgrade` may proceed.
    async fn mark_release_failed(
        &self,
        namespace: &str,
        release: &str,
        revision: u32,
    ) -> ClusterResult<()> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let name = format!("sh.helm.release.v1.{release}.v{revision}");
        let Some(secret) = api.get_opt(&name).await? else {
            return Ok(());
        };
        let fail = |m: String| ClusterError {
            message: m,
            transient: false,
        };
        let encoded = secret
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .map(|ByteString(b)| b.clone())
            .ok_or_else(|| fail(format!("{name} has no release data")))?;
        let record = decode_release(&encoded).map_err(|e| fail(format!("{name}: {e}")))?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&record).map_err(|e| fail(format!("{name}: {e}")))?;
        if let Some(info) = value.get_mut("info").and_then(|i| i.as_object_mut()) {
            info.insert("status".to_owned(), "failed".into());
            info.insert(
                "description".to_owned(),
                "Marked failed by Storefleet: the operation was interrupted".into(),
            );
        }
        let bytes = serde_json::to_vec(&value).map_err(|e| fail(e.to_string()))?;
        let reencoded = encode_release(&bytes).map_err(|e| fail(e.to_string()))?;
        let patch = serde_json::json!({
            "metadata": { "labels": { "status": "failed" } },
            "data": { "release": base64::engine::general_purpose::STANDARD.encode(reencoded) },
        });
        api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        Ok(())
    }

    /// Look at what tells whether the store is coming up: the namespace and the
    /// release's workloads, jobs and pods, from the watch cache when one runs (no API
    /// call), else from the API. Claims and warning events are not in the cache: see
    /// [`Cluster::add_details`]. Conditions older than `since` (an earlier attempt's) are
    /// left out.
    async fn observe(
        &self,
        namespace: &str,
        release: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> ClusterResult<Observation> {
        if let Some(snapshot) = self.informer.as_ref().and_then(|i| i.snapshot(namespace)) {
            return Ok(observation_from(snapshot, release, since));
        }
        self.observe_live(namespace, release, since).await
    }

    /// Add claims and warning events to an observation that lacks them (2 API calls).
    async fn add_details(
        &self,
        namespace: &str,
        since: Option<chrono::DateTime<chrono::Utc>>,
        obs: &mut Observation,
    ) -> ClusterResult<()> {
        if obs.detailed || !obs.namespace_exists {
            return Ok(());
        }
        let client = self.client.clone();
        for pvc in Api::<PersistentVolumeClaim>::namespaced(client.clone(), namespace)
            .list(&ListParams::default())
            .await?
            .items
        {
            obs.pvcs.push(PvcObservation {
                name: pvc.metadata.name.unwrap_or_default(),
                phase: pvc
                    .status
                    .and_then(|s| s.phase)
                    .unwrap_or_else(|| "Pending".to_owned()),
                storage_class: pvc.spec.and_then(|s| s.storage_class_name),
            });
        }
        let mut events = Api::<Event>::namespaced(client, namespace)
            .list(&ListParams::default().fields("type=Warning"))
            .await?
            .items;
        events.sort_by_key(event_time);
        let since_ms = since.map(|t| t.timestamp_millis());
        obs.warnings = events
            .into_iter()
            .filter(|e| match (since_ms, event_time(e)) {
                (Some(since), Some(at)) => at.as_millisecond() >= since,
                _ => true,
            })
            .map(|e| EventObservation {
                reason: e.reason.unwrap_or_default(),
                message: e.message.unwrap_or_default(),
                kind: e.involved_object.kind.unwrap_or_default(),
                name: e.involved_object.name.unwrap_or_default(),
            })
            .collect();
        obs.detailed = true;
        Ok(())
    }

    /// Helm's record of `release` (the Secret driver's labels, no payload): the latest
    /// revision and its status, or `None` when there is no release.
    async fn release_record(
        &self,
        namespace: &str,
        release: &str,
    ) -> ClusterResult<Option<(u32, String)>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let list = api
            .list_metadata(&ListParams::default().labels(&format!("owner=helm,name={release}")))
            .await?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|s| {
                let labels = s.metadata.labels?;
                let revision = labels.get("version")?.parse::<u32>().ok()?;
                Some((revision, labels.get("status").cloned().unwrap_or_default()))
            })
            .max_by_key(|(revision, _)| *revision))
    }
}

/// Where [`StoreCluster::replace_secret`] stages new data.
pub fn staged_secret_name(name: &str) -> String {
    format!("{name}-staged")
}

fn secret_strings(data: Option<BTreeMap<String, ByteString>>) -> BTreeMap<String, String> {
    data.unwrap_or_default()
        .into_iter()
        .map(|(k, ByteString(v))| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect()
}

fn event_time(e: &Event) -> Option<k8s_openapi::jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
}

fn label(meta: &ObjectMeta, key: &str) -> String {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(key).cloned())
        .unwrap_or_default()
}

/// The engine's view of a namespace object.
pub(crate) fn namespace_state_of(ns: Namespace) -> NamespaceState {
    if ns.metadata.deletion_timestamp.is_none() {
        return NamespaceState::Active;
    }
    let blockers = ns
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.status == "True")
        .filter_map(|c| c.message)
        .collect();
    NamespaceState::Terminating { blockers }
}

/// Whether the controller has seen the latest spec (a changed pod template is a new
/// generation that it has yet to roll out otherwise).
fn observed(meta: &ObjectMeta, observed_generation: Option<i64>) -> bool {
    observed_generation.unwrap_or(0) >= meta.generation.unwrap_or(0)
}

pub(crate) fn statefulset_observation(sts: StatefulSet) -> WorkloadObservation {
    let status = sts.status.unwrap_or_default();
    let desired = sts.spec.and_then(|s| s.replicas).unwrap_or(1);
    // Ready counts only once the latest template is rolled out to every replica: during
    // an upgrade, pods of the previous revision being ready says nothing of the new one.
    let rolled_out = observed(&sts.metadata, status.observed_generation)
        && status.updated_replicas.unwrap_or(0) >= desired
        && match (&status.current_revision, &status.update_revision) {
            (Some(current), Some(update)) => current == update,
            _ => true,
        };
    WorkloadObservation {
        component: label(&sts.metadata, COMPONENT),
        name: sts.metadata.name.unwrap_or_default(),
        desired,
        ready: if rolled_out {
            status.ready_replicas.unwrap_or(0)
        } else {
            0
        },
        failure: None,
    }
}

/// A Deployment and the conditions that say its controller is stuck (`failure` is left
/// empty: which of them count depends on the attempt, see [`failure_since`]).
pub(crate) fn deployment_observation(
    dep: Deployment,
) -> (WorkloadObservation, Vec<FailureCondition>) {
    let status = dep.status.unwrap_or_default();
    let failures = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .filter(|c| {
            (c.type_ == "ReplicaFailure" && c.status == "True")
                || c.reason.as_deref() == Some("ProgressDeadlineExceeded")
        })
        .map(|c| FailureCondition {
            message: c.message.unwrap_or_default(),
            at_ms: c.last_transition_time.map(|t| t.0.as_millisecond()),
        })
        .collect();
    let desired = dep.spec.and_then(|s| s.replicas).unwrap_or(1);
    // As for StatefulSets: ready once the latest template runs on every replica and no
    // pod of an earlier one is left.
    let rolled_out = observed(&dep.metadata, status.observed_generation)
        && status.updated_replicas.unwrap_or(0) >= desired
        && status.replicas.unwrap_or(0) <= status.updated_replicas.unwrap_or(0);
    let workload = WorkloadObservation {
        component: label(&dep.metadata, COMPONENT),
        name: dep.metadata.name.unwrap_or_default(),
        desired,
        ready: if rolled_out {
            status.ready_replicas.unwrap_or(0)
        } else {
            0
        },
        failure: None,
    };
    (workload, failures)
}

/// The first failure condition that belongs to this attempt (set at or after `since`).
fn failure_since(
    failures: &[FailureCondition],
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<String> {
    failures
        .iter()
        .find(|c| match (since, c.at_ms) {
            (Some(since), Some(at)) => at >= since.timestamp_millis(),
            _ => true,
        })
        .map(|c| c.message.clone())
}

pub(crate) fn job_observation(job: Job) -> JobObservation {
    let conditions = job.status.and_then(|s| s.conditions).unwrap_or_default();
    let complete = conditions
        .iter()
        .any(|c| c.type_ == "Complete" && c.status == "True");
    let failed = conditions
        .iter()
        .find(|c| c.type_ == "Failed" && c.status == "True")
        .map(|c| {
            (
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default(),
            )
        });
    JobObservation {
        revision: job
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("storefleet.io/release-revision").cloned()),
        name: job.metadata.name.unwrap_or_default(),
        complete,
        failed,
    }
}

/// What the cache holds about a namespace, as an observation of one release.
fn observation_from(
    snapshot: Snapshot,
    release: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Observation {
    let namespace_exists = snapshot.namespace != NamespaceState::Absent;
    if !namespace_exists {
        return Observation::default();
    }
    let ours = |r: &Option<String>| r.as_deref() == Some(release);
    Observation {
        namespace_exists,
        workloads: snapshot
            .workloads
            .into_iter()
            .filter(|w| ours(&w.release))
            .map(|w| WorkloadObservation {
                failure: failure_since(&w.failures, since),
                ..w.workload
            })
            .collect(),
        jobs: snapshot
            .jobs
            .into_iter()
            .filter(|j| ours(&j.release))
            .map(|j| j.job)
            .collect(),
        pods: snapshot
            .pods
            .into_iter()
            .filter(|p| ours(&p.release))
            .map(|p| p.pod)
            .collect(),
        ..Default::default()
    }
}

pub(crate) fn pod_observation(pod: Pod) -> PodObservation {
    let status = pod.status.unwrap_or_default();
    let conditions = status.conditions.unwrap_or_default();
    let ready = conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    let unschedulable = conditions
        .iter()
        .find(|c| {
            c.type_ == "PodScheduled"
                && c.status == "False"
                && c.reason.as_deref() == Some("Unschedulable")
        })
        .map(|c| c.message.clone().unwrap_or_default());
    let mut containers = Vec::new();
    for cs in status
        .init_container_statuses
        .unwrap_or_default()
        .into_iter()
        .chain(status.container_statuses.unwrap_or_default())
    {
        let failure_message = [
            cs.state.as_ref().and_then(|s| s.terminated.as_ref()),
            cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()),
        ]
        .into_iter()
        .flatten()
        .find(|t| t.exit_code != 0)
        .and_then(|t| t.message.as_deref())
        .and_then(last_line);
        let waiting = cs.state.and_then(|s| s.waiting);
        containers.push(ContainerObservation {
            name: cs.name,
            image: cs.image,
            ready: cs.ready,
            waiting_reason: waiting.as_ref().and_then(|w| w.reason.clone()),
            waiting_message: waiting.and_then(|w| w.message),
            restart_count: cs.restart_count,
            failure_message,
        });
    }
    let label = |key: &str| {
        pod.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(key).cloned())
    };
    PodObservation {
        component: label(COMPONENT),
        job: label("batch.kubernetes.io/job-name"),
        name: pod.metadata.name.unwrap_or_default(),
        phase: status.phase.unwrap_or_default(),
        ready,
        unschedulable,
        containers,
    }
}

/// The last non-empty line of a termination message, without an `ERROR:` prefix, at most
/// 500 characters (messages end up in events and the store's status reason).
pub(crate) fn last_line(message: &str) -> Option<String> {
    let line = message
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())?;
    let line = line.split_once("ERROR: ").map_or(line, |(_, rest)| rest);
    let mut out: String = line.chars().take(500).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    Some(out)
}

/// Helm's storage encoding: base64 of gzip of the JSON record (inside the Secret's data).
fn decode_release(data: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let gz = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| format!("not base64: {e}"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut out)
        .map_err(|e| format!("not gzip: {e}"))?;
    Ok(out)
}

/// The parts of a Helm release record a store's revision list shows.
fn release_revision(json: &[u8]) -> Result<super::ReleaseRevision, String> {
    let v: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
    let text = |ptr: &str| {
        v.pointer(ptr)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let revision = v
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or("no revision number")?;
    Ok(super::ReleaseRevision {
        revision,
        status: text("/info/status"),
        updated: chrono::DateTime::parse_from_rfc3339(&text("/info/last_deployed"))
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc)),
        description: text("/info/description"),
        chart_version: text("/chart/metadata/version"),
        app_version: text("/chart/metadata/appVersion"),
        values: v.get("config").cloned().unwrap_or(serde_json::Value::Null),
    })
}

fn encode_release(json: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(json)?;
    let gz = enc.finish()?;
    Ok(base64::engine::general_purpose::STANDARD
        .encode(gz)
        .into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_records_round_trip() {
        let json = br#"{"name":"shop","info":{"status":"pending-upgrade"},"version":2}"#;
        let stored = encode_release(json).unwrap();
        assert_eq!(decode_release(&stored).unwrap(), json);
        assert!(decode_release(b"!!!").is_err());
    }

    #[test]
    fn a_revision_is_read_from_helms_record_without_its_manifest() {
        let json = br#"{"name":"shop","version":3,"info":{"status":"superseded","description":"Upgrade complete",
            "last_deployed":"2026-11-27T01:02:03.5Z"},"chart":{"metadata":{"version":"0.4.0","appVersion":"6.8.3"}},
            "config":{"wordpress":{"replicas":2}},"manifest":"kind: Secret"}"#;
        let r = release_revision(json).unwrap();
        assert_eq!((r.revision, r.status.as_str()), (3, "superseded"));
        assert_eq!(
            (r.chart_version.as_str(), r.app_version.as_str()),
            ("0.4.0", "6.8.3")
        );
        assert_eq!(r.values, serde_json::json!({"wordpress": {"replicas": 2}}));
        assert!(r.updated.is_some());
        assert!(release_revision(br#"{"name":"shop"}"#).is_err());
    }

    fn deployment(generation: i64, status: &serde_json::Value) -> Deployment {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "shop-wordpress", "generation": generation,
                "labels": {"app.kubernetes.io/component": "wordpress"}},
            "spec": {"replicas": 1, "selector": {}, "template": {}},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn a_deployment_is_ready_only_once_its_latest_template_is_rolled_out() {
        let ready = |d| deployment_observation(d).0.ready;
        // Settled.
        let settled = serde_json::json!({"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1});
        assert_eq!(ready(deployment(2, &settled)), 1);
        // A new template not yet seen by the controller.
        let unseen = serde_json::json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1});
        assert_eq!(ready(deployment(2, &unseen)), 0);
        // The new pod crash-loops while the old one still serves.
        let rolling = serde_json::json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "readyReplicas": 1});
        assert_eq!(ready(deployment(2, &rolling)), 0);
    }

    #[test]
    fn a_statefulset_is_ready_only_once_every_replica_runs_the_update_revision() {
        let sts = |status: serde_json::Value| -> StatefulSet {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": "shop-mariadb", "generation": 2},
                "spec": {"replicas": 1, "selector": {}, "serviceName": "x", "template": {}},
                "status": status,
            }))
            .unwrap()
        };
        let done = serde_json::json!({"replicas": 1, "observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 1,
            "currentRevision": "b", "updateRevision": "b"});
        assert_eq!(statefulset_observation(sts(done)).ready, 1);
        let rolling = serde_json::json!({"replicas": 1, "observedGeneration": 2, "updatedReplicas": 0, "readyReplicas": 1,
            "currentRevision": "a", "updateRevision": "b"});
        assert_eq!(statefulset_observation(sts(rolling)).ready, 0);
    }
}
