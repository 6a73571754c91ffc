//! Fleet-wide rolling upgrades (admins): start one over every Ready store of an engine
//! whose release differs from the platform's current chart and values, watch it, pause,
//! resume or cancel it. The driver in `crate::fleet` does the work.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::account::audit;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AdminUser, ClientIp, StrictJson};
use crate::domain::Engine;
use crate::engines;
use crate::storage::{
    NewRollout, Rollout, RolloutAction, RolloutCounts, RolloutState, RolloutStore,
    RolloutStoreState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/fleet/upgrades", post(start).get(list))
        .route("/admin/fleet/upgrades/{id}", get(show))
        .route("/admin/fleet/upgrades/{id}/pause", post(pause))
        .route("/admin/fleet/upgrades/{id}/resume", post(resume))
        .route("/admin/fleet/upgrades/{id}/cancel", post(cancel))
}

pub const MAX_UNAVAILABLE: i64 = 50;
pub const MAX_FAILURES: i64 = 1000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRollout {
    /// `woocommerce` or `medusa` (an engine this server offers).
    pub engine: serde_json::Value,
    /// How many stores are upgraded at once (1–50, default 1).
    #[serde(default)]
    pub max_unavailable: Option<serde_json::Value>,
    /// After how many failed store upgrades the rollout halts (1–1000, default 1).
    #[serde(default)]
    pub max_failures: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutView {
    pub id: Uuid,
    pub engine: Engine,
    pub state: RolloutState,
    pub max_unavailable: i64,
    pub max_failures: i64,
    pub total: i64,
    pub pending: i64,
    pub upgrading: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub skipped: i64,
    pub halt_reason: Option<String>,
    pub created_by_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Each store and where it stands, in upgrade order (only on `GET …/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stores: Option<Vec<RolloutStoreView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutStoreView {
    pub store_id: Uuid,
    pub name: String,
    pub state: RolloutStoreState,
    pub reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutList {
    pub items: Vec<RolloutView>,
}

impl RolloutView {
    fn new(r: Rollout, stores: Option<Vec<RolloutStore>>) -> Self {
        let RolloutCounts {
            total,
            pending,
            upgrading,
            succeeded,
            failed,
            skipped,
        } = r.counts;
        Self {
            id: r.id,
            engine: r.engine,
            state: r.state,
            max_unavailable: r.max_unavailable,
            max_failures: r.max_failures,
            total,
            pending,
            upgrading,
            succeeded,
            failed,
            skipped,
            halt_reason: r.halt_reason,
            created_by_email: r.created_by_email,
            created_at: r.created_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
            stores: stores.map(|s| {
                s.into_iter()
                    .map(|s| RolloutStoreView {
                        store_id: s.store_id,
                        name: s.name,
                        state: s.state,
                        reason: s.reason,
                        started_at: s.started_at,
                        finished_at: s.finished_at,
                    })
                    .collect()
            }),
        }
    }
}

/// A whole number in `1..=max`, or the default when absent.
fn bounded(
    value: Option<&serde_json::Value>,
    default: i64,
    max: i64,
    field: &str,
    errors: &mut FieldErrors,
) -> i64 {
    let Some(v) = value else { return default };
    match v.as_i64().filter(|n| (1..=max).contains(n)) {
        Some(n) => n,
        None => {
            errors.insert(
                field.to_owned(),
                vec![format!("must be a whole number from 1 to {max}")],
            );
            default
        }
    }
}

/// Start a rolling upgrade of every Ready store of an engine that runs an older chart or
/// values: `max_unavailable` at a time, each waited for until Ready again; it halts when
/// `max_failures` store upgrades failed (those stores are rolled back by themselves).
#[utoipa::path(post, path = "/api/v1/admin/fleet/upgrades", tag = "admin",
    request_body = StartRollout,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = RolloutView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "`rollout_active` or `nothing_to_upgrade`", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn start(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    StrictJson(body): StrictJson<StartRollout>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let engine = body
        .engine
        .as_str()
        .and_then(|e| e.parse::<Engine>().ok())
        .filter(|e| engines::offered_engine(&state.config, *e).is_some());
    if engine.is_none() {
        errors.insert(
            "engine".to_owned(),
            vec![format!(
                "must be an engine this server offers ({})",
                state
                    .config
                    .engines
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        );
    }
    let max_unavailable = bounded(
        body.max_unavailable.as_ref(),
        1,
        MAX_UNAVAILABLE,
        "max_unavailable",
        &mut errors,
    );
    let max_failures = bounded(
        body.max_failures.as_ref(),
        1,
        MAX_FAILURES,
        "max_failures",
        &mut errors,
    );
    let Some(engine) = engine.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation {
            detail: errors
                .iter()
                .map(|(f, m)| format!("{f}: {}", m.join("; ")))
                .collect::<Vec<_>>()
                .join("; "),
            field_errors: errors,
        });
    };
    let stores =
        crate::fleet::stores_behind(state.storage.as_ref(), &state.provisioner, engine).await?;
    if stores.is_empty() {
        return Err(ApiError::conflict(
            "nothing_to_upgrade",
            format!(
                "Every Ready {} store already runs the platform's current chart and values.",
                engine.as_str()
            ),
        ));
    }
    let id = Uuid::new_v4();
    let mut entry = audit(Some(&admin.user), "fleet.upgrade_start", &ip);
    entry.target_type = Some("rollout".to_owned());
    entry.target_id = Some(id.to_string());
    entry.details = json!({
        "engine": engine.as_str(), "stores": stores.len(),
        "max_unavailable": max_unavailable, "max_failures": max_failures,
    });
    let rollout = state
        .storage
        .create_rollout(
            NewRollout {
                id,
                engine,
                max_unavailable,
                max_failures,
                created_by: Some(admin.user.id),
                now: Utc::now(),
            },
            stores.iter().map(|s| s.id).collect(),
            entry,
        )
        .await?;
    // Start the first stores now rather than at the driver's next tick.
    if let Err(e) = crate::fleet::advance_all(state.storage.as_ref(), &state.notifier).await {
        tracing::debug!(error = %e, "rollout will start at the driver's next tick");
    }
    let rollout = state
        .storage
        .rollout(rollout.id)
        .await?
        .map_or(rollout, |(r, _)| r);
    let mut resp = (StatusCode::CREATED, Json(RolloutView::new(rollout, None))).into_response();
    if let Ok(loc) = format!("/api/v1/admin/fleet/upgrades/{id}").parse() {
        resp.headers_mut().insert(axum::http::header::LOCATION, loc);
    }
    Ok(resp)
}

/// Fleet upgrades, newest first (the last 100).
#[utoipa::path(get, path = "/api/v1/admin/fleet/upgrades", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RolloutList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<RolloutList>> {
    let items = state.storage.list_rollouts(100).await?;
    Ok(Json(RolloutList {
        items: items
            .into_iter()
            .map(|r| RolloutView::new(r, None))
            .collect(),
    }))
}

fn rollout_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::NotFound("No such fleet upgrade.".to_owned()))
}

/// One fleet upgrade and each of its stores.
#[utoipa::path(get, path = "/api/v1/admin/fleet/upgrades/{id}", tag = "admin",
    params(("id" = String, Path, description = "Rollout id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RolloutView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RolloutView>> {
    let id = rollout_id(&id)?;
    let (rollout, stores) = state
        .storage
        .rollout(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No such fleet upgrade.".to_owned()))?;
    Ok(Json(RolloutView::new(rollout, Some(stores))))
}

async fn change(
    state: &AppState,
    admin: &crate::storage::User,
    ip: &ClientIp,
    id: &str,
    action: RolloutAction,
) -> ApiResult<Json<RolloutView>> {
    let id = rollout_id(id)?;
    let mut entry = audit(
        Some(admin),
        &format!("fleet.upgrade_{}", action.as_str()),
        ip,
    );
    entry.target_type = Some("rollout".to_owned());
    entry.target_id = Some(id.to_string());
    let rollout = state
        .storage
        .change_rollout(id, action, entry, Utc::now())
        .await
        .map_err(|e| match e {
            crate::storage::DbError::NotFound => {
                ApiError::NotFound("No such fleet upgrade.".to_owned())
            }
            other => other.into(),
        })?;
    if action == RolloutAction::Resume {
        crate::fleet::advance_all(state.storage.as_ref(), &state.notifier)
            .await
            .ok();
    }
    Ok(Json(RolloutView::new(rollout, None)))
}

/// Pause a running fleet upgrade: stores being upgraded finish, no new ones start.
#[utoipa::path(post, path = "/api/v1/admin/fleet/upgrades/{id}/pause", tag = "admin",
    params(("id" = String, Path, description = "Rollout id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RolloutView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`invalid_rollout_state`", body = Problem)))]
pub async fn pause(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Json<RolloutView>> {
    change(&state, &admin.user, &ip, &id, RolloutAction::Pause).await
}

/// Resume a paused fleet upgrade.
#[utoipa::path(post, path = "/api/v1/admin/fleet/upgrades/{id}/resume", tag = "admin",
    params(("id" = String, Path, description = "Rollout id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RolloutView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`invalid_rollout_state`", body = Problem)))]
pub async fn resume(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Json<RolloutView>> {
    change(&state, &admin.user, &ip, &id, RolloutAction::Resume).await
}

/// Cancel a running or paused fleet upgrade: stores not started are skipped; stores being
/// upgraded finish.
#[utoipa::path(post, path = "/api/v1/admin/fleet/upgrades/{id}/cancel", tag = "admin",
    params(("id" = String, Path, description = "Rollout id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = RolloutView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`invalid_rollout_state`", body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Json<RolloutView>> {
    change(&state, &admin.user, &ip, &id, RolloutAction::Cancel).await
}
