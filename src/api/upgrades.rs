//! Upgrades and rollbacks of one store's release: its revisions, upgrade to the
//! platform's current chart and values, and rollback to an earlier revision. The engine
//! does the work (the store is `Upgrading` meanwhile and keeps serving); a failed change
//! is rolled back by itself.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{AuthUser, ClientIp, StrictJson};
use super::stores::{accepted, store_audit, visible_store};
use super::views::StoreView;
use crate::cluster::ReleaseRevision;
use crate::domain::StoreStatus;
use crate::storage::{Store, UpgradeTarget};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stores/{id}/revisions", get(revisions))
        .route("/stores/{id}/upgrade", post(upgrade))
        .route("/stores/{id}/rollback", post(rollback))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: u32,
    pub chart_version: String,
    pub app_version: String,
    /// Helm's status of the revision: deployed, superseded, failed, pending-upgrade…
    pub status: String,
    pub description: String,
    pub updated_at: Option<DateTime<Utc>>,
    /// Dotted paths of the values that differ from the previous revision (never the
    /// values themselves).
    pub changed_values: Vec<String>,
    /// Whether `POST /stores/{id}/rollback` accepts this revision now.
    pub rollback_allowed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// The store's release differs from what the platform would apply now (its chart or
    /// values changed, or the store was rolled back).
    pub upgrade_available: bool,
    /// The revision deployed now.
    pub current_revision: Option<u32>,
    /// Newest first; Helm keeps the last five.
    pub items: Vec<RevisionView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackBody {
    /// An earlier revision of the store's release (see `GET /stores/{id}/revisions`).
    pub revision: serde_json::Value,
}

fn cluster_down(e: &str) -> ApiError {
    ApiError::DependencyDown {
        dependency: "cluster",
        detail: format!("Cannot read the store's release history from the cluster: {e}"),
    }
}

/// Whether the store runs something other than what the platform would apply now.
fn upgrade_available(state: &AppState, store: &Store) -> bool {
    let target = state
        .provisioner
        .target_fingerprint(store, &store.owner_email);
    match (target, &store.release.applied_fingerprint) {
        // The engine is not offered here: nothing to upgrade to.
        (None, _) => false,
        (Some(t), Some(applied)) => &t != applied,
        // Applied before this was recorded: an upgrade makes sure.
        (Some(_), None) => true,
    }
}

fn deployed(history: &[ReleaseRevision]) -> Option<u32> {
    history
        .iter()
        .rev()
        .find(|r| r.status == "deployed")
        .map(|r| r.revision)
}

/// A store's revisions, newest first, with what changed between them.
pub fn revision_views(store: &Store, history: &[ReleaseRevision]) -> Vec<RevisionView> {
    let current = deployed(history);
    let mut views: Vec<RevisionView> = history
        .iter()
        .enumerate()
        .map(|(i, r)| RevisionView {
            revision: r.revision,
            chart_version: r.chart_version.clone(),
            app_version: r.app_version.clone(),
            status: r.status.clone(),
            description: r.description.clone(),
            updated_at: r.updated,
            changed_values: match i.checked_sub(1).and_then(|p| history.get(p)) {
                Some(prev) => crate::helm::changed_paths(&prev.values, &r.values),
                None => Vec::new(),
            },
            rollback_allowed: store.status == StoreStatus::Ready
                && Some(r.revision) != current
                && r.status == "superseded",
        })
        .collect();
    views.reverse();
    views
}

/// The store's release history.
#[utoipa::path(get, path = "/api/v1/stores/{id}/revisions", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RevisionList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 503, description = "The cluster did not answer", body = Problem)))]
pub async fn revisions(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RevisionList>> {
    let store = visible_store(&state, &auth, &id).await?;
    // A store has a release once its first install ran (stores from before revisions
    // were recorded included).
    let history = if store.status != StoreStatus::Pending {
        state
            .provisioner
            .release_history(&store)
            .await
            .map_err(|e| cluster_down(&e))?
    } else {
        Vec::new()
    };
    Ok(Json(RevisionList {
        upgrade_available: store.status == StoreStatus::Ready && upgrade_available(&state, &store),
        current_revision: deployed(&history),
        items: revision_views(&store, &history),
    }))
}

fn must_be_ready(store: &Store, what: &str) -> ApiResult<()> {
    match store.status {
        StoreStatus::Ready => Ok(()),
        StoreStatus::Upgrading => Err(ApiError::NotReady(format!(
            "The store is already being upgraded or rolled back; it can {what} once it is Ready again."
        ))),
        other => Err(ApiError::NotReady(format!(
            "The store is {other}; only a Ready store can {what}."
        ))),
    }
}

/// Bring the store to the platform's current chart and values. The store stays up
/// (`Upgrading`) and goes through the same workloads, setup and verification as a new
/// one; a failed upgrade is rolled back by itself.
#[utoipa::path(post, path = "/api/v1/stores/{id}/upgrade", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Upgrading", body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`not_ready` (only Ready stores) or `up_to_date`", body = Problem)))]
pub async fn upgrade(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    must_be_ready(&store, "be upgraded")?;
    if !upgrade_available(&state, &store) {
        return Err(ApiError::conflict(
            "up_to_date",
            "The store already runs the platform's current chart and values.",
        ));
    }
    let entry = store_audit(
        &auth,
        "store.upgrade",
        &ip,
        store.id,
        json!({ "name": store.name, "from_revision": store.release.revision }),
    );
    let store = state
        .storage
        .request_upgrade(store.id, UpgradeTarget::Latest, entry, Utc::now())
        .await?;
    state.notifier.work_requested(&store);
    Ok(accepted(&store, None))
}

/// Return the store to an earlier revision of its release (`Upgrading` meanwhile; a
/// failed rollback returns it to the revision it ran).
#[utoipa::path(post, path = "/api/v1/stores/{id}/rollback", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    request_body = RollbackBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Rolling back (Upgrading)", body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`not_ready` or `already_at_revision`", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "`validation_failed` or `unknown_revision`", body = Problem),
        (status = 503, description = "The cluster did not answer", body = Problem)))]
pub async fn rollback(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<RollbackBody>,
) -> ApiResult<Response> {
    let revision = body
        .revision
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::field("revision", "must be a whole number of at least 1"))?;
    let store = visible_store(&state, &auth, &id).await?;
    must_be_ready(&store, "be rolled back")?;
    let history = state
        .provisioner
        .release_history(&store)
        .await
        .map_err(|e| cluster_down(&e))?;
    let Some(found) = history.iter().find(|r| r.revision == revision) else {
        let known: Vec<String> = history.iter().map(|r| r.revision.to_string()).collect();
        return Err(ApiError::unprocessable(
            "unknown_revision",
            format!(
                "The store's release has no revision {revision} (it keeps: {}).",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        ));
    };
    if Some(revision) == deployed(&history) {
        return Err(ApiError::conflict(
            "already_at_revision",
            format!("The store runs revision {revision} already."),
        ));
    }
    if found.status != "superseded" {
        return Err(ApiError::unprocessable(
            "unknown_revision",
            format!(
                "Revision {revision} is {}; only a revision that once ran successfully can be returned to.",
                found.status
            ),
        ));
    }
    let entry = store_audit(
        &auth,
        "store.rollback",
        &ip,
        store.id,
        json!({ "name": store.name, "from_revision": store.release.revision, "to_revision": revision }),
    );
    let store = state
        .storage
        .request_upgrade(
            store.id,
            UpgradeTarget::Revision(revision),
            entry,
            Utc::now(),
        )
        .await?;
    state.notifier.work_requested(&store);
    Ok(accepted(&store, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(revision: u32, status: &str, tag: &str) -> ReleaseRevision {
        ReleaseRevision {
            revision,
            status: status.into(),
            updated: None,
            description: String::new(),
            chart_version: "0.1.0".into(),
            app_version: "6.8".into(),
            values: json!({ "wordpress": { "tag": tag }, "password": "never shown" }),
        }
    }

    #[test]
    fn revisions_are_newest_first_with_changes_and_rollback_targets() {
        let mut store = Store::sample("shop");
        store.status = StoreStatus::Ready;
        let history = [
            rev(1, "superseded", "a"),
            rev(2, "failed", "b"),
            rev(3, "superseded", "b"),
            rev(4, "deployed", "c"),
        ];
        let views = revision_views(&store, &history);
        let numbers: Vec<u32> = views.iter().map(|v| v.revision).collect();
        assert_eq!(numbers, [4, 3, 2, 1]);
        assert_eq!(views[0].changed_values, ["wordpress.tag"]);
        assert!(views[1].changed_values.is_empty());
        assert!(
            views[3].changed_values.is_empty(),
            "the first revision has nothing before it"
        );
        let allowed: Vec<bool> = views.iter().map(|v| v.rollback_allowed).collect();
        assert_eq!(allowed, [false, true, false, true]);
        store.status = StoreStatus::Upgrading;
        assert!(
            revision_views(&store, &history)
                .iter()
                .all(|v| !v.rollback_allowed)
        );
        let text = serde_json::to_string(&revision_views(&store, &history)).unwrap();
        assert!(!text.contains("never shown"), "values are never shown");
    }
}
