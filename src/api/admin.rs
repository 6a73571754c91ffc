//! Administration: users (create, quota, role, suspension, password reset, delete) and
//! the audit log.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::account::audit;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AdminUser, AuthUser, ClientIp, StrictJson};
use super::views::{
    AdminUserList, AdminUserView, AuditEventList, AuditEventView, CreatedUser, NewUserBody,
    PasswordReset, UserPatch,
};
use crate::auth;
use crate::domain::{Email, Role};
use crate::storage::{AuditQuery, NewUser, User, UserUpdate};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route(
            "/admin/users/{id}",
            axum::routing::patch(update_user).delete(delete_user),
        )
        .route("/admin/users/{id}/password-reset", post(reset_password))
        .route("/audit-events", get(audit_events))
}

const MAX_QUOTA: i64 = 10_000;

/// Characters of a generated temporary password: lowercase letters and digits, about
/// 103 bits, easy to read out and type.
const TEMPORARY_PASSWORD_LEN: usize = 20;

fn not_found() -> ApiError {
    ApiError::NotFound("No such user.".to_owned())
}

/// The user named by a path id, or 404.
async fn target_user(state: &AppState, id: &str) -> ApiResult<User> {
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    state.storage.user_by_id(id).await?.ok_or_else(not_found)
}

/// An administrator may not lock themselves out: no self-suspension, -demotion or -deletion.
fn refuse_self(admin: &AuthUser, target: Uuid, what: &str) -> ApiResult<()> {
    if admin.user.id == target {
        return Err(ApiError::ConflictCode {
            code: "cannot_change_self",
            detail: format!("You cannot {what} your own account; ask another administrator."),
            active: None,
        });
    }
    Ok(())
}

/// A fresh temporary password and its argon2 hash. The password itself is only ever
/// returned to the administrator, once.
async fn temporary_password() -> ApiResult<(String, String)> {
    let password = crate::domain::random_id(TEMPORARY_PASSWORD_LEN);
    let for_hash = password.clone();
    let hash = auth::password_work(move || auth::hash_password(&for_hash))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok((password, hash))
}

fn user_audit(
    admin: &AuthUser,
    action: &str,
    ip: &ClientIp,
    user: &User,
) -> crate::storage::AuditEntry {
    let mut entry = audit(Some(&admin.user), action, ip);
    entry.target_type = Some("user".to_owned());
    entry.target_id = Some(user.id.to_string());
    entry.details = json!({ "email": user.email });
    entry
}

/// A one-time secret must not be kept by browsers or proxies.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn check_quota(quota: Option<i64>, errors: &mut FieldErrors) {
    if let Some(q) = quota {
        if !(0..=MAX_QUOTA).contains(&q) {
            errors.insert("store_quota".into(), vec![format!("must be 0-{MAX_QUOTA}")]);
        }
    }
}

/// Create a user with a generated temporary password, returned once in the answer.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin",
    request_body = NewUserBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, description = "Created; `temporary_password` is shown only in this answer", body = CreatedUser),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "`conflict`: the email is already registered", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    StrictJson(body): StrictJson<NewUserBody>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&body.email).map_err(|e| errors.insert("email".into(), vec![e.0]));
    check_quota(body.store_quota, &mut errors);
    let Ok(email) = email else {
        return Err(ApiError::fields(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let (password, password_hash) = temporary_password().await?;
    let user = state
        .storage
        .create_user(NewUser {
            id: Uuid::new_v4(),
            email: email.as_str().to_owned(),
            email_key: email.key(),
            password_hash,
            role: body.role.unwrap_or(Role::User),
            store_quota: body
                .store_quota
                .unwrap_or_else(|| i64::from(state.config.default_store_quota)),
            now: Utc::now(),
        })
        .await?;
    let mut entry = user_audit(&admin, "admin.user_create", &ip, &user);
    entry.details = json!({
        "email": user.email,
        "role": user.role.as_str(),
        "store_quota": user.store_quota,
    });
    state.storage.record_audit(entry).await?;
    let body = CreatedUser {
        user: AdminUserView::new(&user, 0),
        temporary_password: password,
    };
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

/// Give a user a new generated temporary password (returned once) and end all their sessions.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/password-reset", tag = "admin",
    params(("id" = String, Path, description = "User id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "`temporary_password` is shown only in this answer", body = PasswordReset),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let user = target_user(&state, &id).await?;
    let (password, hash) = temporary_password().await?;
    // Every session ends, the administrator's own too when they reset themselves.
    let ended = state
        .storage
        .change_password(user.id, &hash, None, Utc::now())
        .await?;
    state.notifier.access_changed(user.id);
    let mut entry = user_audit(&admin, "admin.user_password_reset", &ip, &user);
    entry.details = json!({ "email": user.email, "sessions_ended": ended });
    state.storage.record_audit(entry).await?;
    let body = PasswordReset {
        temporary_password: password,
        sessions_ended: ended,
    };
    Ok(no_store(Json(body).into_response()))
}

/// Delete a user who has no stores left (deleted ones are forgotten with them); their
/// sessions end. The audit log keeps the user's id.
#[utoipa::path(delete, path = "/api/v1/admin/users/{id}", tag = "admin",
    params(("id" = String, Path, description = "User id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Deleted"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`user_has_stores` (with `active`: how many stores are not yet deleted) or `cannot_change_self`", body = Problem)))]
pub async fn delete_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let user = target_user(&state, &id).await?;
    refuse_self(&admin, user.id, "delete")?;
    state.storage.delete_user(user.id).await?;
    state.notifier.access_changed(user.id);
    let mut entry = user_audit(&admin, "admin.user_delete", &ip, &user);
    entry.details = json!({ "email": user.email, "role": user.role.as_str() });
    state.storage.record_audit(entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

/// Change a user's store quota, role or suspension. Suspending ends all the user's
/// sessions at once; their stores keep running.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin",
    params(("id" = String, Path, description = "User id (UUID)")),
    request_body = UserPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AdminUserView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "`cannot_change_self`: an admin cannot demote or suspend themselves", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ip: ClientIp,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<UserPatch>,
) -> ApiResult<Json<AdminUserView>> {
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let mut errors = FieldErrors::new();
    if body.store_quota.is_none() && body.role.is_none() && body.suspended.is_none() {
        errors.insert(
            "body".into(),
            vec!["give store_quota, role and/or suspended".into()],
        );
    }
    check_quota(body.store_quota, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let before = state.storage.user_by_id(id).await?.ok_or_else(not_found)?;
    if body.role == Some(Role::User) {
        refuse_self(&admin, id, "remove the admin role from")?;
    }
    if body.suspended == Some(true) {
        refuse_self(&admin, id, "suspend")?;
    }
    let user = state
        .storage
        .update_user(
            id,
            UserUpdate {
                store_quota: body.store_quota,
                role: body.role,
                suspended: body.suspended,
            },
            Utc::now(),
        )
        .await?;
    if user.role != before.role || user.suspended {
        // An open stream of a demoted admin (`?all=true`) or a suspended user must end now.
        state.notifier.access_changed(user.id);
    }
    if body.store_quota.is_some() || body.role.is_some() {
        let mut entry = user_audit(&admin, "admin.user_update", &ip, &user);
        entry.details = json!({
            "email": user.email,
            "before": { "store_quota": before.store_quota, "role": before.role.as_str() },
            "after": { "store_quota": user.store_quota, "role": user.role.as_str() },
        });
        state.storage.record_audit(entry).await?;
    }
    if user.suspended != before.suspended {
        let action = if user.suspended {
            "admin.user_suspend"
        } else {
            "admin.user_unsuspend"
        };
        state
            .storage
            .record_audit(user_audit(&admin, action, &ip, &user))
            .await?;
    }
    let stores_active = state.storage.count_live_stores(id).await?;
    Ok(Json(AdminUserView::new(&user, stores_active)))
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
