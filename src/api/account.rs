//! Sign-up, sign-in, sign-out and "who am I".

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AuthUser, ClientIp, StrictJson, check_origin};
use super::views::{Credentials, Me, Session, UserView};
use crate::auth::{self, SESSION_COOKIE};
use crate::config::Signup;
use crate::domain::{Email, Password, Role};
use crate::storage::{AuditEntry, NewUser, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

pub fn audit(actor: Option<&User>, action: &str, ip: &ClientIp) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        actor_id: actor.map(|u| u.id),
        actor_email: actor.map(|u| u.email.clone()),
        action: action.to_owned(),
        target_type: None,
        target_id: None,
        ip: Some(ip.to_string()),
        details: json!({}),
    }
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.cookie_secure() {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn session_response(state: &AppState, status: StatusCode, user: &User) -> ApiResult<Response> {
    let (token, expires_at) = state
        .tokens
        .issue(user.id, Utc::now())
        .map_err(ApiError::internal)?;
    let cookie = session_cookie(state, &token, state.tokens.ttl_secs());
    let body = Session {
        user: UserView::from(user),
        token,
        expires_at,
    };
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Browsers must not sign in or up from another site (login CSRF).
fn same_site_only(method: &Method, headers: &HeaderMap, state: &AppState) -> ApiResult<()> {
    check_origin(method, headers, state.config.public_url.as_deref(), false)
}

async fn hash(password: Password) -> ApiResult<String> {
    auth::password_work(move || auth::hash_password(password.expose()))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

async fn verify(password: String, hash: String) -> ApiResult<bool> {
    auth::password_work(move || auth::verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "account",
    request_body = Credentials,
    responses(
        (status = 201, description = "Account created and signed in; sets the session cookie", body = Session),
        (status = 403, description = "`signup_disabled` or cross-site request", body = Problem),
        (status = 409, description = "Email already registered", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "Invalid email or password", body = Problem),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    method: Method,
    headers: HeaderMap,
    StrictJson(body): StrictJson<Credentials>,
) -> ApiResult<Response> {
    same_site_only(&method, &headers, &state)?;
    if state.config.signup == Signup::Closed {
        return Err(ApiError::SignupDisabled);
    }
    let mut errors = FieldErrors::new();
    let email = Email::parse(&body.email).map_err(|e| errors.insert("email".into(), vec![e.0]));
    let password =
        Password::parse(&body.password).map_err(|e| errors.insert("password".into(), vec![e.0]));
    let (Ok(email), Ok(password)) = (email, password) else {
        return Err(ApiError::fields(errors));
    };
    let password_hash = hash(password).await?;
    let user = state
        .storage
        .create_user(NewUser {
            id: Uuid::new_v4(),
            email: email.as_str().to_owned(),
            email_key: email.key(),
            password_hash,
            role: Role::User,
            store_quota: i64::from(state.config.default_store_quota),
            now: Utc::now(),
        })
        .await?;
    state
        .storage
        .record_audit(audit(Some(&user), "user.register", &ip))
        .await?;
    session_response(&state, StatusCode::CREATED, &user)
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "account",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; sets the session cookie", body = Session),
        (status = 401, description = "`invalid_credentials`: unknown email or wrong password", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, description = "Too many failed sign-ins", body = Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    method: Method,
    headers: HeaderMap,
    StrictJson(body): StrictJson<Credentials>,
) -> ApiResult<Response> {
    same_site_only(&method, &headers, &state)?;
    let key = body.email.trim().to_lowercase();
    let ip_text = ip.to_string();
    state.login_throttle.check(&key, &ip_text)?;
    let found = state.storage.user_credentials(&key).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (
            None,
            auth::password_work(|| auth::decoy_hash().to_owned())
                .await
                .map_err(ApiError::internal)?,
        ),
    };
    let matches = verify(body.password, hash).await?;
    match user {
        Some(user) if matches => {
            state.login_throttle.record_success(&key);
            state
                .storage
                .record_audit(audit(Some(&user), "user.login", &ip))
                .await?;
            session_response(&state, StatusCode::OK, &user)
        }
        user => {
            state.login_throttle.record_failure(&key, &ip_text);
            let mut entry = audit(user.as_ref(), "user.login_failed", &ip);
            entry.details = json!({ "email": key.chars().take(254).collect::<String>() });
            state.storage.record_audit(entry).await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Sign out: clears the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "account",
    responses((status = 204, description = "Signed out; the session cookie is cleared")))]
pub async fn logout(State(state): State<AppState>) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    resp
}

/// The signed-in user, with their quota and how much of it is used.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Me>> {
    let stores_active = state.storage.count_live_stores(auth.user.id).await?;
    Ok(Json(Me {
        id: auth.user.id,
        email: auth.user.email,
        role: auth.user.role,
        store_quota: auth.user.store_quota,
        stores_active,
    }))
}
