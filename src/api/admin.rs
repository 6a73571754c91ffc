//! Administration: users and their quotas and roles, and the audit log.

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::account::audit;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AdminUser, AuthUser, ClientIp, StrictJson};
use super::views::{AdminUserList, AdminUserView, AuditEventList, AuditEventView, UserPatch};
use crate::domain::Role;
use crate::storage::{AuditQuery, UserUpdate};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/{id}", patch(update_user))
        .route("/audit-events", get(audit_events))
}

const MAX_QUOTA: i64 = 10_000;

/// Every user with their quota and live store count.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AdminUserList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<AdminUserList>> {
    let users = state.storage.list_users().await?;
    Ok(Json(AdminUserList {
        items: users.iter().map(AdminUserView::from).collect(),
    }))
}

/// Change a user's store quota and/or role.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin",
    params(("id" = String, Path, description = "User id (UUID)")),
    request_body = UserPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AdminUserView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "An admin cannot remove their own admin role", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<UserPatch>,
) -> ApiResult<Json<AdminUserView>> {
    let not_found = || ApiError::NotFound("No such user.".to_owned());
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let mut errors = FieldErrors::new();
    if body.store_quota.is_none() && body.role.is_none() {
        errors.insert("body".into(), vec!["give store_quota and/or role".into()]);
    }
    if let Some(q) = body.store_quota {
        if !(0..=MAX_QUOTA).contains(&q) {
            errors.insert("store_quota".into(), vec![format!("must be 0-{MAX_QUOTA}")]);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let before = state.storage.user_by_id(id).await?.ok_or_else(not_found)?;
    if id == admin.user.id && body.role == Some(Role::User) {
        return Err(ApiError::Conflict {
            detail: "You cannot remove your own admin role; ask another administrator.".to_owned(),
            field_errors: FieldErrors::new(),
        });
    }
    let user = state
        .storage
        .update_user(
            id,
            UserUpdate {
                store_quota: body.store_quota,
                role: body.role,
            },
            Utc::now(),
        )
        .await?;
    if user.role != before.role {
        // An open `?all=true` stream of a demoted admin must end now.
        state.notifier.access_changed(user.id);
    }
    let mut entry = audit(Some(&admin.user), "admin.user_update", &ip);
    entry.target_type = Some("user".to_owned());
    entry.target_id = Some(id.to_string());
    entry.details = json!({
        "email": user.email,
        "before": { "store_quota": before.store_quota, "role": before.role.as_str() },
        "after": { "store_quota": user.store_quota, "role": user.role.as_str() },
    });
    state.storage.record_audit(entry).await?;
    let stores_active = state.storage.count_live_stores(id).await?;
    Ok(Json(AdminUserView {
        id: user.id,
        email: user.email,
        role: user.role,
        store_quota: user.store_quota,
        stores_active,
        created_at: user.created_at,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// At most this many events (1–500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Only events older than the event with this id (paging).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// Only this action, e.g. `store.create`.
    #[param(min_length = 1, max_length = 64)]
    pub action: Option<String>,
    /// Admins only: only events by this user.
    pub actor_id: Option<Uuid>,
}

/// The audit log, newest first: admins see everything, users their own actions.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "admin",
    params(AuditParams),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AuditEventList), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn audit_events(
    State(state): State<AppState>,
    auth: AuthUser,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<AuditEventList>> {
    let Query(params) = params.map_err(|e| ApiError::field("query", e.body_text()))?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be 1-500"));
    }
    if params.before.is_some_and(|b| b < 1) {
        return Err(ApiError::field("before", "must be a positive event id"));
    }
    if params
        .action
        .as_ref()
        .is_some_and(|a| a.is_empty() || a.len() > 64)
    {
        return Err(ApiError::field("action", "must be 1-64 characters"));
    }
    let actor = if auth.is_admin() {
        params.actor_id
    } else {
        if params.actor_id.is_some_and(|a| a != auth.user.id) {
            return Err(ApiError::Forbidden(
                "You can only see your own audit events.".to_owned(),
            ));
        }
        Some(auth.user.id)
    };
    let events = state
        .storage
        .audit_events(AuditQuery {
            actor,
            action: params.action,
            before: params.before,
            limit,
        })
        .await?;
    Ok(Json(AuditEventList {
        items: events.iter().map(AuditEventView::from).collect(),
    }))
}
