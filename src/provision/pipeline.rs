//! One pass over one store, as ordered, named steps. Provisioning: plan → namespace →
//! credentials → release → workloads → bootstrap → verify → ready; teardown: uninstall →
//! namespace. Each step reports that it started, does its (idempotent) work through the
//! cluster, helm and work-queue traits, and records that it finished; a step that cannot
//! go on ends the pass with a [`PassEnd`], which `decide::dispose` turns into what to
//! record.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use tokio::time::Instant;

use crate::cluster::{self, ClusterError, NamespaceState, StoreCluster};
use crate::domain::{
    LifecycleEvent, Rotation, Step, StoreCredentials, StoreStatus, TeardownStep, merge_secret,
    secret_checksums,
};
use crate::engines::{StoreEngine, VerifyTarget};
use crate::helm::{HelmError, ReleaseState, ValuesSource};
use crate::storage::{DbError, EventLevel, Progress, Store, UpgradeTarget};

use super::Provisioner;
use super::decide::{self, PassEnd, ReleaseAction};
use super::diagnose::{self, FailureKind, Finding, Verdict};
use super::plan::{self, Plan};

/// Suffix of a Secret key holding the value a rotation replaced, until it is applied.
pub const PREVIOUS_SUFFIX: &str = "-previous";

/// A step either goes on with a value or ends the pass.
type Flow<T> = Result<T, PassEnd>;

impl From<ClusterError> for PassEnd {
    fn from(e: ClusterError) -> Self {
        if e.transient {
            PassEnd::Transient(format!("Kubernetes API: {}", e.message))
        } else {
            PassEnd::Failed(Finding {
                kind: FailureKind::Cluster,
                reason: format!("Kubernetes refused a request: {}", e.message),
            })
        }
    }
}

impl From<HelmError> for PassEnd {
    fn from(e: HelmError) -> Self {
        if e.transient {
            PassEnd::Transient(format!("helm: {}", e.message))
        } else {
            PassEnd::Failed(Finding {
                kind: FailureKind::Helm,
                reason: format!("helm failed: {}", e.message),
            })
        }
    }
}

/// The release as applied: its revision, and when it was applied (what the cluster
/// reports before that belongs to an earlier attempt).
struct Applied {
    revision: u32,
    since: Option<chrono::DateTime<Utc>>,
    /// The chart-and-values part of what the namespace records it was applied with
    /// ([`Plan::config_fingerprint`]).
    config_fingerprint: String,
}

/// One pass over one claimed store.
pub(super) struct Pass<'a> {
    pub(super) engine_room: &'a Provisioner,
    pub(super) cluster: &'a dyn StoreCluster,
    /// The store as last recorded by this pass.
    pub(super) store: Store,
    pub(super) worker: &'a str,
    pub(super) engine: &'static dyn StoreEngine,
    /// Steps done when the pass began: a step finished again is not announced again.
    steps_done_before: i64,
    step_began: Instant,
    /// This pass carries out a credential rotation.
    rotating: bool,
}

impl<'a> Pass<'a> {
    pub(super) fn new(
        engine_room: &'a Provisioner,
        cluster: &'a dyn StoreCluster,
        store: Store,
        worker: &'a str,
        engine: &'static dyn StoreEngine,
    ) -> Self {
        Self {
            engine_room,
            cluster,
            steps_done_before: store.steps_done,
            step_began: Instant::now(),
            rotating: false,
            store,
            worker,
            engine,
        }
    }

    /// Provision or tear down, as the store's desired state says.
    pub(super) async fn run(&mut self) -> PassEnd {
        let flow = match self.store.desired {
            crate::domain::Desired::Absent => self.teardown().await,
            crate::domain::Desired::Present => self.provision().await,
        };
        flow.unwrap_or_else(|end| end)
    }

    // --- provisioning ------------------------------------------------------------------

    async fn provision(&mut self) -> Flow<PassEnd> {
        if self.store.status == StoreStatus::Ready && self.resync().await? {
            return Ok(PassEnd::StillReady);
        }
        let upgrading = self.store.status == StoreStatus::Upgrading;
        if upgrading && self.store.step.as_deref() == Some(Step::Ready.as_str()) {
            // The first pass of an upgrade: every step runs, and is told, again.
            let reason = self.store.status_reason.clone();
            self.begin(Step::Plan, &reason).await?;
            self.steps_done_before = 0;
        }
        match self.provision_steps().await {
            Err(PassEnd::Failed(finding)) if upgrading => Ok(self.roll_back(finding).await),
            other => other,
        }
    }

    async fn provision_steps(&mut self) -> Flow<PassEnd> {
        let mut plan = self.plan().await?;
        self.namespace(&plan).await?;
        self.credentials(&mut plan).await?;
        let applied = self.release(&plan).await?;
        self.workloads(&plan, &applied).await?;
        self.bootstrap(&plan, &applied).await?;
        self.forget_previous_credentials(&plan).await?;
        let checkout_verified = self.verify(&plan).await?;
        Ok(self.ready(plan, &applied, checkout_verified).await)
    }

    /// An upgrade or rollback failed: return the store to the revision it ran before,
    /// which it serves again; Failed only when that fails too.
    async fn roll_back(&mut self, finding: Finding) -> PassEnd {
        let what = match self.store.release.upgrade_target {
            Some(UpgradeTarget::Revision(n)) => format!("Rollback to revision {n} failed"),
            _ => "Upgrade failed".to_owned(),
        };
        let Some(from) = self
            .store
            .release
            .upgrade_from_revision
            .and_then(|r| u32::try_from(r).ok())
        else {
            return PassEnd::Failed(Finding {
                reason: format!(
                    "{what}: {}; there is no earlier revision recorded to return to",
                    finding.reason
                ),
                ..finding
            });
        };
        let ns = self.store.namespace.clone();
        let release = self.engine.release_name(&self.store);
        let helm = &self.engine_room.helm;
        let back = async {
            helm.rollback(&ns, &release, from).await?;
            let revision = match self.release_state(&ns, &release).await {
                Ok(ReleaseState::Deployed { revision }) => revision,
                Ok(other) => {
                    return Err(HelmError {
                        message: format!("the release is {other:?} after the rollback"),
                        transient: false,
                    });
                }
                Err(_) => {
                    return Err(HelmError {
                        message: "cannot read the release after the rollback".to_owned(),
                        transient: true,
                    });
                }
            };
            Ok(revision)
        }
        .await;
        match back {
            Ok(revision) => {
                // The revision returned to was applied with the store's earlier
                // fingerprint (an upgrade) or is an earlier rollback.
                let fingerprint = self
                    .store
                    .release
                    .applied_fingerprint
                    .clone()
                    .unwrap_or_else(|| format!("rollback:{from}"));
                self.record_applied(&ns, (&format!("rollback:{from}"), &fingerprint), Utc::now())
                    .await
                    .ok();
                PassEnd::RolledBack {
                    finding: Finding {
                        reason: format!(
                            "{what}: {}; rolled back to revision {from}",
                            finding.reason
                        ),
                        ..finding
                    },
                    revision: i64::from(revision),
                    fingerprint,
                }
            }
            Err(e) => PassEnd::Failed(Finding {
                reason: format!(
                    "{what}: {}; returning to revision {from} failed too: {}",
                    finding.reason, e.message
                ),
                ..finding
            }),
        }
    }

    /// Record on the namespace what the deployed release was applied with, and when.
    async fn record_applied(
        &self,
        ns: &str,
        (fingerprint, config): (&str, &str),
        at: chrono::DateTime<Utc>,
    ) -> Result<(), ClusterError> {
        let annotations = BTreeMap::from([
            (
                cluster::store::FINGERPRINT_ANNOTATION.to_owned(),
                fingerprint.to_owned(),
            ),
            (
                cluster::store::CONFIG_FINGERPRINT_ANNOTATION.to_owned(),
                config.to_owned(),
            ),
            (
                cluster::store::APPLIED_AT_ANNOTATION.to_owned(),
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
        ]);
        self.cluster.annotate_namespace(ns, &annotations).await
    }

    /// A Ready store: `true` when it is healthy, `false` when something drifted and the
    /// steps must run again.
    async fn resync(&mut self) -> Flow<bool> {
        let release = self.engine.release_name(&self.store);
        let ns = self.store.namespace.clone();
        let components = self.engine.components();
        let mut obs = self.cluster.observe(&ns, &release, None).await?;
        if !matches!(diagnose::workloads(&obs, components), Verdict::Ready) {
            self.cluster.add_details(&ns, None, &mut obs).await?;
        }
        let drift = if obs.namespace_exists {
            match diagnose::workloads(&obs, components) {
                Verdict::Ready => return Ok(true),
                Verdict::Waiting { reason, .. } => format!("Drift: {reason}"),
                Verdict::Failed(f) => format!("Drift: {}", f.reason),
            }
        } else {
            format!("Namespace {ns} was deleted outside Storefleet; restoring the store")
        };
        self.event(EventLevel::Warning, Some("ready"), drift.clone(), None)
            .await;
        self.begin(Step::Plan, &drift).await?;
        self.steps_done_before = 0;
        Ok(false)
    }

    async fn plan(&mut self) -> Flow<Plan> {
        self.begin(Step::Plan, "Planning the store").await?;
        let room = self.engine_room;
        let owner_email = room
            .queue
            .owner_email(self.store.owner_id)
            .await
            .map_err(|e| PassEnd::Transient(format!("database: {e}")))?
            .unwrap_or_else(|| format!("owner@{}", room.config.base_domain));
        let plan = plan::plan(
            &self.store,
            self.engine,
            &owner_email,
            &room.config.store_url_scheme,
            room.chart_digests
                .get(&self.store.engine)
                .map_or("", String::as_str),
        );
        self.finish(
            Step::Plan,
            format!(
                "Planned namespace {} and release {}",
                plan.namespace, plan.release
            ),
        )
        .await;
        Ok(plan)
    }

    async fn namespace(&mut self, plan: &Plan) -> Flow<()> {
        self.begin(
            Step::Namespace,
            &format!("Creating namespace {}", plan.namespace),
        )
        .await?;
        self.cluster
            .ensure_namespace(&plan.namespace, &plan.namespace_labels)
            .await?;
        self.finish(
            Step::Namespace,
            format!(
                "Namespace {} is ready (Pod Security: restricted)",
                plan.namespace
            ),
        )
        .await;
        Ok(())
    }

    /// Create the store's Secret, or bring an existing one up to date: keys the engine
    /// added since are generated (existing values are never changed), and a requested
    /// credential rotation replaces the keys of the kinds asked for. The values'
    /// fingerprints go into the chart values, so a changed value reaches the pods and
    /// the setup Job through the release step.
    async fn credentials(&mut self, plan: &mut Plan) -> Flow<()> {
        self.begin(Step::Credentials, "Creating the store's credentials")
            .await?;
        let keys = self.engine.secret_keys();
        let queue = &self.engine_room.queue;
        let db = |e: crate::storage::DbError| PassEnd::Transient(format!("database: {e}"));
        let rotation = match queue.pending_rotation(self.store.id).await.map_err(db)? {
            Some(kinds) => Some(Rotation::parse(&kinds).map_err(|e| {
                PassEnd::Failed(Finding {
                    kind: FailureKind::Cluster,
                    reason: format!("The credential rotation cannot be done: {e}"),
                })
            })?),
            None => None,
        };
        let generated = StoreCredentials::generate(keys).to_secret_data();
        let created = self
            .cluster
            .create_secret_if_absent(
                &plan.namespace,
                &plan.secret,
                &plan.secret_labels,
                generated.clone(),
            )
            .await?;
        let mut message = if created {
            "Generated the store's credentials".to_owned()
        } else {
            "The store's credentials exist; kept them".to_owned()
        };
        let data = if created {
            generated
        } else {
            let existing = self
                .cluster
                .secret_data(&plan.namespace, &plan.secret)
                .await?
                .ok_or_else(|| PassEnd::Transient(format!("Secret {} disappeared", plan.secret)))?;
            let rotate = match rotation {
                Some(r) => self.engine.rotation_keys(r).map_err(|kind| {
                    PassEnd::Failed(Finding {
                        kind: FailureKind::Cluster,
                        reason: format!(
                            "{} stores cannot rotate {kind} yet",
                            self.engine.engine().display_name()
                        ),
                    })
                })?,
                None => Vec::new(),
            };
            let mut merged = merge_secret(&existing, keys, &rotate);
            // Until the setup Job has applied it, keep the password the database still
            // has next to the new one (see files/setup.php). One that is already there is
            // the one last applied: an earlier rotation that never reached the release.
            for key in &rotate {
                let previous = format!("{key}{PREVIOUS_SUFFIX}");
                if self.engine.previous_kept(key)
                    && !existing.contains_key(&previous)
                    && let Some(old) = existing.get(*key)
                {
                    merged.insert(previous, old.clone());
                }
            }
            if merged != existing {
                self.cluster
                    .replace_secret(
                        &plan.namespace,
                        &plan.secret,
                        &plan.secret_labels,
                        merged.clone(),
                    )
                    .await?;
                let added = keys
                    .iter()
                    .filter(|k| !existing.contains_key(k.name))
                    .count();
                if added > 0 {
                    message = format!(
                        "Added {added} new key(s) to the store's credentials; kept the others"
                    );
                }
            }
            merged
        };
        if let Some(r) = rotation {
            queue.clear_rotation(self.store.id).await.map_err(db)?;
            self.rotating = true;
            message = format!("Replaced {} in the store's credentials", r.describe());
        }
        plan.add_credential_checksums(secret_checksums(&data, keys));
        self.finish(Step::Credentials, message).await;
        Ok(())
    }

    /// After setup: the previous values a rotation kept for the setup Job are no longer
    /// needed.
    async fn forget_previous_credentials(&mut self, plan: &Plan) -> Flow<()> {
        let Some(data) = self
            .cluster
            .secret_data(&plan.namespace, &plan.secret)
            .await?
        else {
            return Ok(());
        };
        if data.keys().any(|k| k.ends_with(PREVIOUS_SUFFIX)) {
            let kept = data
                .into_iter()
                .filter(|(k, _)| !k.ends_with(PREVIOUS_SUFFIX))
                .collect();
            self.cluster
                .replace_secret(&plan.namespace, &plan.secret, &plan.secret_labels, kept)
                .await?;
        }
        Ok(())
    }

    async fn release(&mut self, plan: &Plan) -> Flow<Applied> {
        self.begin(
            Step::Release,
            &format!("Installing release {}", plan.release),
        )
        .await?;
        let ns = &plan.namespace;
        let upgrading = self.store.status == StoreStatus::Upgrading;
        let rollback_to = match self.store.release.upgrade_target {
            Some(UpgradeTarget::Revision(n)) if upgrading => Some(n),
            _ => None,
        };
        // What the deployed release should have been applied with.
        let (wanted, wanted_config) = match rollback_to {
            Some(n) => (format!("rollback:{n}"), format!("rollback:{n}")),
            None => (plan.fingerprint.clone(), plan.config_fingerprint.clone()),
        };
        // A store that was Ready keeps the chart and values it runs when it is repaired;
        // only a new store, a retry of one that never became Ready, an upgrade or a
        // rotation changes them. New credentials alone are applied by any pass.
        let may_change = upgrading || self.store.ready_at.is_none() || self.rotating;
        let applied = loop {
            let state = self.release_state(ns, &plan.release).await?;
            // Only a deployed release needs the namespace's record of what was applied
            // (one read serves both the fingerprint and the time).
            let annotations = match state {
                ReleaseState::Deployed { .. } => self.cluster.namespace_annotations(ns).await?,
                _ => BTreeMap::new(),
            };
            let recorded = annotations
                .get(cluster::store::FINGERPRINT_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            let recorded_config = annotations
                .get(cluster::store::CONFIG_FINGERPRINT_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            let only_credentials = recorded_config == wanted_config;
            match decide::release_action(&state, recorded == wanted, may_change || only_credentials)
            {
                ReleaseAction::Keep { revision } => {
                    let applied_at = annotations
                        .get(cluster::store::APPLIED_AT_ANNOTATION)
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc));
                    break Applied {
                        revision,
                        since: applied_at,
                        config_fingerprint: recorded_config,
                    };
                }
                ReleaseAction::Apply if rollback_to.is_some() => {
                    break self.rollback_to(plan, rollback_to.unwrap_or(1)).await?;
                }
                ReleaseAction::Unlock { revision, status } => {
                    self.cluster
                        .mark_release_failed(ns, &plan.release, revision)
                        .await?;
                    self.event(
                        EventLevel::Warning,
                        Some(Step::Release.as_str()),
                        format!(
                            "Release {} was left {status} by an interrupted operation; unlocked it",
                            plan.release
                        ),
                        None,
                    )
                    .await;
                }
                ReleaseAction::WaitForUninstall => {
                    return Err(PassEnd::Transient(format!(
                        "release {} is being uninstalled",
                        plan.release
                    )));
                }
                ReleaseAction::Apply => break self.apply(plan).await?,
            }
        };
        self.finish(
            Step::Release,
            format!(
                "Release {} is at revision {}",
                plan.release, applied.revision
            ),
        )
        .await;
        // Conditions from before this store's current work began are an earlier
        // attempt's.
        let since = match (self.store.work_started_at, applied.since) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(Applied { since, ..applied })
    }

    /// `helm upgrade --install`, then record the fingerprint and time on the namespace.
    async fn apply(&mut self, plan: &Plan) -> Flow<Applied> {
        let room = self.engine_room;
        let chart = self.engine.chart(&room.config.chart_dir);
        if !chart.join("Chart.yaml").is_file() {
            return Err(PassEnd::Failed(Finding {
                kind: FailureKind::Helm,
                reason: format!(
                    "The chart is missing at {} (STOREFLEET_CHART_DIR; unset it to use the built-in charts)",
                    chart.display()
                ),
            }));
        }
        let mut values: Vec<ValuesSource> = room
            .config
            .values_files_for(self.store.engine)
            .into_iter()
            .map(ValuesSource::File)
            .collect();
        values.push(ValuesSource::Content(plan.values.to_string()));
        let revision = room
            .helm
            .upgrade_install(&plan.namespace, &plan.release, &chart, &values)
            .await?;
        // Controllers may still refuse pods under the old quota while helm runs (a retry
        // after the quota was raised); what counts is what they report once it is applied.
        let applied_at = Utc::now();
        self.record_applied(
            &plan.namespace,
            (&plan.fingerprint, &plan.config_fingerprint),
            applied_at,
        )
        .await?;
        Ok(Applied {
            revision,
            since: Some(applied_at),
            config_fingerprint: plan.config_fingerprint.clone(),
        })
    }

    /// `helm rollback` to `revision` (asked for by the owner), recorded on the namespace
    /// as `rollback:<revision>`.
    async fn rollback_to(&mut self, plan: &Plan, revision: u32) -> Flow<Applied> {
        let wanted = format!("rollback:{revision}");
        self.engine_room
            .helm
            .rollback(&plan.namespace, &plan.release, revision)
            .await?;
        let applied_at = Utc::now();
        let now_at = match self.release_state(&plan.namespace, &plan.release).await? {
            ReleaseState::Deployed { revision } => revision,
            other => {
                return Err(PassEnd::Failed(Finding {
                    kind: FailureKind::Helm,
                    reason: format!(
                        "the release is {other:?} after rolling back to revision {revision}"
                    ),
                }));
            }
        };
        self.record_applied(&plan.namespace, (&wanted, &wanted), applied_at)
            .await?;
        Ok(Applied {
            revision: now_at,
            since: Some(applied_at),
            config_fingerprint: wanted,
        })
    }

    async fn workloads(&mut self, plan: &Plan, applied: &Applied) -> Flow<()> {
        let words = self.engine.workloads_words();
        self.begin(Step::Workloads, words.doing).await?;
        let components = self.engine.components();
        self.await_verdict(Step::Workloads, plan, applied.since, |obs| {
            diagnose::workloads(obs, components)
        })
        .await?;
        self.finish(Step::Workloads, words.done.to_owned()).await;
        Ok(())
    }

    async fn bootstrap(&mut self, plan: &Plan, applied: &Applied) -> Flow<()> {
        let words = self.engine.setup_words();
        self.begin(Step::Bootstrap, words.doing).await?;
        // A rollback deploys an earlier revision's manifest as it was, so its setup Job
        // carries that revision's number, not the new one's.
        let revision = if applied.config_fingerprint.starts_with("rollback:") {
            let history = self
                .cluster
                .release_history(&plan.namespace, &plan.release)
                .await?;
            decide::manifest_revision(&history, applied.revision)
        } else {
            applied.revision
        };
        self.await_verdict(Step::Bootstrap, plan, applied.since, |obs| {
            diagnose::setup(obs, revision, words.doing)
        })
        .await?;
        self.finish(Step::Bootstrap, words.done.to_owned()).await;
        Ok(())
    }

    /// `Some(true)`: a test order went through; `Some(false)`: verification is turned
    /// off; `None`: a repaired store keeps the verdict of its first provisioning.
    async fn verify(&mut self, plan: &Plan) -> Flow<Option<bool>> {
        self.begin(Step::Verify, "Verifying checkout with a test order")
            .await?;
        let room = self.engine_room;
        if !room.config.checkout_verify {
            self.event(
                EventLevel::Warning,
                Some(Step::Verify.as_str()),
                "Checkout verification skipped: no test order was placed, so the store's checkout \
                 is untested (verification is turned off: STOREFLEET_CHECKOUT_VERIFY=off)"
                    .to_owned(),
                None,
            )
            .await;
            self.steps_done_before = self.steps_done_before.max(Step::Verify.done_after());
            return Ok(Some(false));
        }
        if self.store.ready_at.is_some()
            && self.store.status != StoreStatus::Upgrading
            && self.steps_done_before < Step::Verify.position()
            && !self.rotating
        {
            // A repaired store was verified when it first became Ready (a store whose
            // credentials were rotated is verified again).
            return Ok(None);
        }
        let via = match &room.config.ingress_address {
            Some(addr) => Some(
                tokio::net::lookup_host(addr)
                    .await
                    .ok()
                    .and_then(|mut a| a.next())
                    .ok_or_else(|| {
                        PassEnd::Transient(format!(
                            "cannot resolve STOREFLEET_INGRESS_ADDRESS {addr}"
                        ))
                    })?,
            ),
            None => None,
        };
        let password = self
            .cluster
            .secret_value(&plan.namespace, &plan.secret, plan.admin_password_key)
            .await?
            .ok_or_else(|| {
                PassEnd::Failed(Finding {
                    kind: FailureKind::Verify,
                    reason: format!(
                        "Checkout verification failed: the store's credentials Secret has no {}",
                        plan.admin_password_key
                    ),
                })
            })?;
        let target = VerifyTarget {
            url: &plan.url,
            host: &self.store.domain,
            via,
            admin_user: &plan.admin_user,
            admin_password: &password,
        };
        match self.engine.verify_checkout(&target).await {
            Ok(order) => {
                self.finish(
                    Step::Verify,
                    format!(
                        "Checkout verified: order #{} for {:?} is {}",
                        order.order_id, order.product, order.state
                    ),
                )
                .await;
                Ok(Some(true))
            }
            Err(e) if e.is_transient() && !self.deadline_passed() => Err(PassEnd::Waiting {
                reason: format!("Waiting for the store to answer checkout: {e}"),
                recheck: room.timing.recheck,
            }),
            Err(e) => Err(PassEnd::Failed(Finding {
                kind: FailureKind::Verify,
                reason: format!("Checkout verification failed: {e}"),
            })),
        }
    }

    async fn ready(
        &mut self,
        plan: Plan,
        applied: &Applied,
        checkout_verified: Option<bool>,
    ) -> PassEnd {
        let room = self.engine_room;
        let took = self
            .store
            .work_started_at
            .map(|t| (Utc::now() - t).to_std().unwrap_or_default());
        if let Some(took) = took {
            room.metrics
                .observe_provisioning(self.store.engine.as_str(), "ready", took);
        }
        let message = match (self.store.status, self.store.release.upgrade_target) {
            (StoreStatus::Upgrading, Some(UpgradeTarget::Revision(n))) => {
                format!("Rolled back to revision {n}; the store is ready")
            }
            (StoreStatus::Upgrading, _) => "Upgraded; the store is ready".to_owned(),
            _ if self.store.ready_at.is_none() => "Store is ready".to_owned(),
            _ => "Store is ready again".to_owned(),
        };
        self.event(EventLevel::Info, Some(Step::Ready.as_str()), message, took)
            .await;
        PassEnd::Ready {
            url: plan.url,
            admin_url: plan.admin_url,
            applied: Some((
                i64::from(applied.revision),
                applied.config_fingerprint.clone(),
            )),
            checkout_verified,
        }
    }

    /// Watch the namespace until `judge` says Ready, for at most one pass's wait.
    async fn await_verdict(
        &mut self,
        step: Step,
        plan: &Plan,
        since: Option<chrono::DateTime<Utc>>,
        judge: impl Fn(&cluster::Observation) -> Verdict,
    ) -> Flow<()> {
        let timing = self.engine_room.timing;
        let started = Instant::now();
        let mut quota_seen: Option<Instant> = None;
        // Claims and warning events (read now and then, see `details_after`), kept for
        // the looks in between: what they said stays true until read again.
        let mut details: Option<(Instant, cluster::Observation)> = None;
        let watch = self.cluster.watch(&plan.namespace);
        loop {
            let changed = watch.as_ref().map(cluster::Watch::changed);
            let mut obs = self
                .cluster
                .observe(&plan.namespace, &plan.release, since)
                .await?;
            if !obs.detailed && !matches!(judge(&obs), Verdict::Ready) {
                let stale = match &details {
                    Some((at, _)) => at.elapsed() >= timing.details_after,
                    None => started.elapsed() >= timing.details_after,
                };
                if stale {
                    let mut fresh = cluster::Observation {
                        namespace_exists: true,
                        ..Default::default()
                    };
                    self.cluster
                        .add_details(&plan.namespace, since, &mut fresh)
                        .await?;
                    details = Some((Instant::now(), fresh));
                }
                if let Some((_, d)) = &details {
                    obs.pvcs.clone_from(&d.pvcs);
                    obs.warnings.clone_from(&d.warnings);
                }
            }
            if !obs.namespace_exists {
                return Err(PassEnd::Transient(format!(
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
                        && quota_seen.get_or_insert_with(Instant::now).elapsed()
                            < timing.quota_grace =>
                {
                    (f.reason.clone(), Some(f))
                }
                Verdict::Failed(f) => return Err(PassEnd::Failed(f)),
                Verdict::Waiting { reason, trouble } => (reason, trouble),
            };
            if self.deadline_passed() {
                let timeout = self.engine_room.config.provision_timeout_secs;
                return Err(PassEnd::Failed(match trouble {
                    Some(f) => Finding {
                        kind: f.kind,
                        reason: format!("{} (gave up after {timeout} s)", f.reason),
                    },
                    None => Finding {
                        kind: FailureKind::Deadline,
                        reason: format!(
                            "Step {} did not finish within {timeout} s: {reason}",
                            step.as_str()
                        ),
                    },
                }));
            }
            self.begin(step, &reason).await?;
            if started.elapsed() >= timing.wait_in_pass {
                return Err(PassEnd::Waiting {
                    reason,
                    recheck: timing.recheck,
                });
            }
            self.wait_for_change(changed).await;
        }
    }

    fn deadline_passed(&self) -> bool {
        let timeout = chrono::Duration::seconds(
            i64::try_from(self.engine_room.config.provision_timeout_secs).unwrap_or(i64::MAX),
        );
        matches!(
            self.store.status,
            StoreStatus::Provisioning | StoreStatus::Upgrading
        ) && self
            .store
            .work_started_at
            .is_some_and(|t| Utc::now() - t > timeout)
    }

    // --- teardown ------------------------------------------------------------------------

    async fn teardown(&mut self) -> Flow<PassEnd> {
        let ns = self.store.namespace.clone();
        let mut state = self.cluster.namespace_state(&ns).await?;
        if state == NamespaceState::Active {
            self.uninstall(&ns).await?;
            self.delete_namespace(&ns).await?;
        }
        let timing = self.engine_room.timing;
        let started = Instant::now();
        let watch = self.cluster.watch(&ns);
        loop {
            let changed = watch.as_ref().map(cluster::Watch::changed);
            match &state {
                NamespaceState::Absent => break,
                NamespaceState::Active => {}
                NamespaceState::Terminating { blockers } => {
                    let reason = if blockers.is_empty() {
                        format!("Waiting for namespace {ns} to be deleted")
                    } else {
                        format!(
                            "Waiting for namespace {ns} to be deleted: {}",
                            blockers.join("; ")
                        )
                    };
                    self.begin_teardown(TeardownStep::Namespace, &reason)
                        .await?;
                    // The namespace controller takes a while (seconds to minutes when
                    // many stores go at once): do not hold a worker for it. With a watch
                    // cache the store is expedited the moment its namespace is gone.
                    if started.elapsed() >= timing.teardown_wait_in_pass {
                        let recheck = if watch.is_some() {
                            timing.teardown_recheck_watched
                        } else {
                            timing.recheck
                        };
                        return Err(PassEnd::Waiting { reason, recheck });
                    }
                }
            }
            self.wait_for_change(changed).await;
            state = self.cluster.namespace_state(&ns).await?;
        }
        let since = self
            .store
            .updated_at
            .min(self.store.work_started_at.unwrap_or(self.store.updated_at));
        let took = (Utc::now() - since).to_std().unwrap_or_default();
        self.engine_room
            .metrics
            .observe_teardown(self.store.engine.as_str(), "gone", took);
        self.event(
            EventLevel::Info,
            None,
            format!("Store deleted: release, namespace {ns} and all its data are gone"),
            Some(took),
        )
        .await;
        Ok(PassEnd::Gone)
    }

    async fn uninstall(&mut self, ns: &str) -> Flow<()> {
        let release = self.engine.release_name(&self.store);
        self.begin_teardown(
            TeardownStep::Uninstall,
            &format!("Uninstalling release {release}"),
        )
        .await?;
        let helm = &self.engine_room.helm;
        match self.release_state(ns, &release).await? {
            ReleaseState::Absent => {}
            ReleaseState::Pending { revision, .. } => {
                self.cluster
                    .mark_release_failed(ns, &release, revision)
                    .await?;
                helm.uninstall(ns, &release).await?;
            }
            _ => helm.uninstall(ns, &release).await?,
        }
        Ok(())
    }

    async fn delete_namespace(&mut self, ns: &str) -> Flow<()> {
        self.begin_teardown(TeardownStep::Namespace, &format!("Deleting namespace {ns}"))
            .await?;
        self.cluster.delete_namespace(ns).await?;
        Ok(())
    }

    // --- recording -------------------------------------------------------------------------

    /// Record that `step` runs, with `reason` as the store's status reason.
    async fn begin(&mut self, step: Step, reason: &str) -> Flow<()> {
        self.record(LifecycleEvent::Work, step.as_str(), step.position(), reason)
            .await
    }

    async fn begin_teardown(&mut self, step: TeardownStep, reason: &str) -> Flow<()> {
        let done = self.store.steps_done;
        self.record(LifecycleEvent::Delete, step.as_str(), done, reason)
            .await
    }

    async fn record(
        &mut self,
        event: LifecycleEvent,
        step: &str,
        steps_done: i64,
        reason: &str,
    ) -> Flow<()> {
        let step = Some(step.to_owned());
        let unchanged = self.store.step == step
            && self.store.status_reason == reason
            && self.store.status.on(event).unwrap_or(self.store.status) == self.store.status;
        if unchanged {
            return Ok(());
        }
        if self.store.step != step {
            self.step_began = Instant::now();
        }
        let progress = Progress {
            event,
            step,
            steps_done,
            status_reason: reason.to_owned(),
        };
        let room = self.engine_room;
        match room
            .queue
            .record_progress(self.store.id, self.worker, progress, Utc::now())
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(PassEnd::LeaseLost),
            // The store changed under us (deleted, retried): hand it back so the next
            // pass acts on the change.
            Err(DbError::Transition(_)) => return Err(PassEnd::Superseded),
            Err(e) => return Err(PassEnd::Transient(format!("database: {e}"))),
        }
        if let Ok(Some(store)) = room.queue.load(self.store.id).await {
            room.notifier.store_changed(&store);
            self.store = store;
        }
        Ok(())
    }

    /// Note that `step` finished, with an event the first time it does.
    async fn finish(&mut self, step: Step, message: String) {
        if step.done_after() > self.steps_done_before {
            let took = self.step_began.elapsed();
            self.event(EventLevel::Info, Some(step.as_str()), message, Some(took))
                .await;
            self.steps_done_before = step.done_after();
        }
        self.step_began = Instant::now();
    }

    async fn event(
        &self,
        level: EventLevel,
        step: Option<&str>,
        message: String,
        took: Option<Duration>,
    ) {
        self.engine_room
            .event(&self.store, level, step, message, took)
            .await;
    }

    /// Helm's record of a release, read from its storage Secrets (no helm process).
    async fn release_state(&self, namespace: &str, release: &str) -> Flow<ReleaseState> {
        Ok(
            match self.cluster.release_record(namespace, release).await? {
                None => ReleaseState::Absent,
                Some((revision, status)) => ReleaseState::from_status(&status, revision),
            },
        )
    }

    /// Wait for the next change the watch cache sees (and at most `poll_watched`), or
    /// `poll` without a cache.
    async fn wait_for_change(
        &self,
        changed: Option<std::pin::Pin<Box<tokio::sync::futures::Notified<'_>>>>,
    ) {
        let timing = self.engine_room.timing;
        match changed {
            Some(changed) => {
                let _ = tokio::time::timeout(timing.poll_watched, changed).await;
            }
            None => tokio::time::sleep(timing.poll).await,
        }
    }
}
