//! A store's administration from the platform: one-click login links to the store's admin,
//! and credential rotation.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use serde_json::json;

use super::AppState;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{AuthUser, ClientIp, StrictJson};
use super::stores::{accepted, store_audit, visible_store};
use super::views::{AdminLoginView, RotateCredentialsBody, StoreView};
use crate::domain::{Rotation, StoreStatus, sign_login_token};
use crate::engines::{self, StoreEngine};
use crate::storage::Store;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stores/{id}/admin-login", post(admin_login))
        .route("/stores/{id}/credentials/rotate", post(rotate_credentials))
}

fn engine_of(store: &Store) -> ApiResult<&'static dyn StoreEngine> {
    engines::for_engine(store.engine).ok_or_else(|| {
        ApiError::NotSupportedForEngine(format!(
            "{} stores are not supported here.",
            store.engine.display_name()
        ))
    })
}

fn require_ready(store: &Store, what: &str) -> ApiResult<()> {
    if store.status == StoreStatus::Ready {
        Ok(())
    } else {
        Err(ApiError::NotReady(format!(
            "The store is {}; {what} once it is Ready.",
            store.status
        )))
    }
}

/// A one-click login link to the store's admin: signed by the platform with the store's
/// own key, valid once for 60 seconds, verified by the store. WooCommerce stores only.
/// The link is never stored or logged; the request is audited (`store.admin_login`).
#[utoipa::path(post, path = "/api/v1/stores/{id}/admin-login", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = AdminLoginView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`not_ready`: the store is not Ready (or has no login key yet); `not_supported_for_engine`: not a WooCommerce store", body = Problem),
        (status = 503, description = "The cluster did not answer", body = Problem)))]
pub async fn admin_login(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    let engine = engine_of(&store)?;
    let Some(key_name) = engine.login_key() else {
        return Err(ApiError::NotSupportedForEngine(format!(
            "One-click admin login is available for WooCommerce stores only; sign in to the {} admin with the store's credentials.",
            store.engine.display_name()
        )));
    };
    require_ready(&store, "its admin can be opened")?;
    let owner_email = state
        .storage
        .owner_email(store.owner_id)
        .await?
        .unwrap_or_default();
    let (username, _) = engine.admin_login(&owner_email);
    let key = state
        .provisioner
        .store_secret(&store, key_name)
        .await
        .map_err(|e| ApiError::DependencyDown {
            dependency: "cluster",
            detail: format!("Cannot read the store's login key from the cluster: {e}"),
        })?
        .ok_or_else(|| {
            ApiError::NotReady(
                "This store has no login key yet (it was created before one-click login): \
                 rotate its credentials once to add one."
                    .to_owned(),
            )
        })?;
    let store_url = store
        .url
        .clone()
        .unwrap_or_else(|| engine.urls(&store, &state.config.store_url_scheme).0);
    let (token, expires) = sign_login_token(&key, &username, Utc::now().timestamp())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a login link: {e}")))?;
    drop(key);
    let url = engine
        .login_url(&store_url, &token)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no login URL for this engine")))?;
    let expires_at = Utc
        .timestamp_opt(expires, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let entry = store_audit(
        &auth,
        "store.admin_login",
        &ip,
        store.id,
        json!({ "name": store.name, "username": username, "expires_at": expires_at }),
    );
    state.storage.record_audit(entry).await?;
    let mut resp = Json(AdminLoginView { url, expires_at }).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Replace some of a Ready store's credentials with newly generated ones and apply them
/// to the running store (202; the store is `Provisioning` until it is Ready again).
/// Audited (`store.credentials_rotate`, with the kinds, never values).
#[utoipa::path(post, path = "/api/v1/stores/{id}/credentials/rotate", tag = "stores",
    params(("id" = String, Path, description = "Store id (UUID)")),
    request_body = RotateCredentialsBody,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202, description = "Rotating (Provisioning)", body = StoreView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "`not_ready`: the store is not Ready; `not_supported_for_engine`: the engine cannot rotate a kind asked for", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "Nothing to rotate, or an unknown field", body = Problem)))]
pub async fn rotate_credentials(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<RotateCredentialsBody>,
) -> ApiResult<Response> {
    let store = visible_store(&state, &auth, &id).await?;
    let rotation = Rotation {
        admin_password: body.admin_password.unwrap_or(true),
        database_passwords: body.database_passwords.unwrap_or(false),
        salts: body.salts.unwrap_or(false),
    };
    if rotation.is_empty() {
        return Err(ApiError::field(
            "admin_password",
            "choose at least one of admin_password, database_passwords and salts",
        ));
    }
    let engine = engine_of(&store)?;
    engine.rotation_keys(rotation).map_err(|kind| {
        ApiError::NotSupportedForEngine(format!(
            "{} stores cannot rotate {kind} yet.",
            store.engine.display_name()
        ))
    })?;
    require_ready(&store, "its credentials can be rotated")?;
    let entry = store_audit(
        &auth,
        "store.credentials_rotate",
        &ip,
        store.id,
        json!({ "name": store.name, "kinds": rotation.kinds() }),
    );
    let store = state
        .storage
        .request_rotation(store.id, &rotation.as_stored(), entry, Utc::now())
        .await?;
    state.notifier.work_requested(&store);
    Ok(accepted(&store, None))
}
