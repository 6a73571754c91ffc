//! Sign-up, sign-in, sign-out and "who am I".

use axum::extract::Path;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ApiResult, FieldErrors, Problem};
use super::extract::{AuthMethod, AuthUser, ClientIp, StrictJson, check_origin, presented_token};
use super::views::{
    Credentials, Me, PasswordChange, Session, SessionList, SessionView, SessionsEnded, UserView,
};
use crate::auth::{self, SESSION_COOKIE};
use crate::config::Signup;
use crate::domain::{Email, Password, Role};
use crate::storage::{AuditEntry, NewSession, NewUser, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/me/sessions", get(list_sessions))
        .route("/me/sessions/revoke-others", post(revoke_other_sessions))
        .route("/me/sessions/{id}", delete(end_session))
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

/// The longest `User-Agent` kept with a session; real browsers send well under this.
const USER_AGENT_MAX_CHARS: usize = 200;

/// A request's `User-Agent` as kept with its session: printable characters only, at
/// most [`USER_AGENT_MAX_CHARS`] of them; `None` when there is nothing left.
fn session_user_agent(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(header::USER_AGENT)?;
    let text = String::from_utf8_lossy(raw.as_bytes());
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(USER_AGENT_MAX_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty()).then(|| cleaned.to_owned())
}

/// Start a server-side session for `user` and answer with its token and cookie.
async fn session_response(
    state: &AppState,
    status: StatusCode,
    user: &User,
    headers: &HeaderMap,
    ip: &ClientIp,
) -> ApiResult<Response> {
    let now = Utc::now();
    let session = Uuid::new_v4().to_string();
    state
        .storage
        .create_session(NewSession {
            id: session.clone(),
            user_id: user.id,
            created_at: now,
            expires_at: state.tokens.expires_at(now),
            user_agent: session_user_agent(headers),
            ip: Some(ip.to_string()),
        })
        .await?;
    let (token, expires_at) = state
        .tokens
        .issue_session(user.id, &session, now)
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

/// What a failed sign-in's audit entry may say about who was tried. The account's own
/// email when one matched; otherwise never the typed text, which may be a password typed
/// into the wrong field: only whether it looked like an email, and its domain.
fn failed_login_details(user: Option<&User>, typed: &str) -> serde_json::Value {
    if let Some(user) = user {
        return json!({ "email": user.email });
    }
    match Email::parse(typed) {
        Ok(email) => json!({
            "unknown_account": true,
            "email_domain": email.as_str().rsplit_once('@').map(|(_, d)| d.to_lowercase()),
        }),
        Err(_) => json!({ "unknown_account": true, "not_an_email": true }),
    }
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
        (status = 429, description = "`rate_limited`: too many sign-ups from this address (with Retry-After)", body = Problem),
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
    // Checked after validation (a typo costs nothing) and before the password hash.
    state.signup_limit.check(&ip.to_string())?;
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
    session_response(&state, StatusCode::CREATED, &user, &headers, &ip).await
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "account",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; sets the session cookie", body = Session),
        (status = 401, description = "`invalid_credentials`: unknown email or wrong password", body = Problem),
        (status = 403, description = "`account_suspended`: the password is right but an administrator suspended the account", body = Problem),
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
    let attempt = state.login_throttle.begin(&key, &ip_text)?;
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
        Some(user) if matches && user.suspended => {
            // Said only to someone who knows the password, so it tells a guesser nothing.
            drop(attempt);
            let mut entry = audit(Some(&user), "user.login_failed", &ip);
            entry.details = json!({ "email": user.email, "suspended": true });
            state.storage.record_audit(entry).await?;
            Err(ApiError::AccountSuspended)
        }
        Some(user) if matches => {
            drop(attempt);
            state
                .storage
                .record_audit(audit(Some(&user), "user.login", &ip))
                .await?;
            session_response(&state, StatusCode::OK, &user, &headers, &ip).await
        }
        user => {
            attempt.failed();
            let mut entry = audit(user.as_ref(), "user.login_failed", &ip);
            entry.details = failed_login_details(user.as_ref(), &body.email);
            state.storage.record_audit(entry).await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Sign out: ends the session the request carries (bearer token or cookie) on the
/// server, so the token stops working at once, and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "account",
    responses(
        (status = 204, description = "Signed out: the session is ended and the session cookie cleared"),
        (status = 403, description = "Cookie session with a cross-site or missing Origin", body = Problem),
        (status = 503, description = "The database is unavailable; the session may still be live", body = Problem),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    ip: ClientIp,
    method: Method,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some((token, how)) = presented_token(&headers) {
        check_origin(
            &method,
            &headers,
            state.config.public_url.as_deref(),
            how == AuthMethod::Cookie,
        )?;
        // An expired or forged token has no live session to end.
        if let Ok(claims) = state.tokens.verify_session(token) {
            if state
                .storage
                .revoke_session(&claims.session, Utc::now())
                .await?
            {
                state.notifier.access_changed(claims.user);
                let mut entry = audit(None, "user.logout", &ip);
                entry.actor_id = Some(claims.user);
                state.storage.record_audit(entry).await?;
            }
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(resp)
}

/// Change the signed-in user's password. Every other session of theirs ends (other
/// browsers and API tokens must sign in again); this one stays signed in.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account",
    request_body = PasswordChange,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Password changed; the user's other sessions are ended"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "`current_password` is wrong, or `new_password` breaks a rule", body = Problem),
        (status = 429, description = "Too many wrong current passwords (the sign-in throttle)", body = Problem),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    StrictJson(body): StrictJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let new_password =
        Password::parse(&body.new_password).map_err(|e| ApiError::field("new_password", e.0))?;
    if body.new_password == body.current_password {
        return Err(ApiError::field(
            "new_password",
            "must differ from the current password",
        ));
    }
    // Wrong current passwords count as failed sign-ins: a stolen session must not be a
    // way to guess the password without limit.
    let key = auth.user.email.trim().to_lowercase();
    let attempt = state.login_throttle.begin(&key, &ip.to_string())?;
    let current_hash = state
        .storage
        .user_credentials(&key)
        .await?
        .map(|(_, hash)| hash)
        .ok_or_else(|| ApiError::Unauthorized("This account no longer exists.".to_owned()))?;
    if !verify(body.current_password, current_hash).await? {
        attempt.failed();
        return Err(ApiError::field(
            "current_password",
            "is not your current password",
        ));
    }
    drop(attempt);
    let new_hash = hash(new_password).await?;
    let ended = state
        .storage
        .change_password(auth.user.id, &new_hash, Some(&auth.session), Utc::now())
        .await?;
    state.notifier.access_changed(auth.user.id);
    let mut entry = audit(Some(&auth.user), "user.password_change", &ip);
    entry.details = json!({ "sessions_ended": ended });
    state.storage.record_audit(entry).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The signed-in user's live sessions, newest first; `current` marks the one the
/// request came with.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SessionList), (status = 401, body = Problem)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<SessionList>> {
    let sessions = state
        .storage
        .list_sessions(auth.user.id, Utc::now())
        .await?;
    Ok(Json(SessionList {
        items: sessions
            .into_iter()
            .map(|s| SessionView {
                current: s.id == auth.session,
                id: s.id,
                created_at: s.created_at,
                expires_at: s.expires_at,
                user_agent: s.user_agent,
                ip: s.ip,
            })
            .collect(),
    }))
}

/// End one of the signed-in user's sessions (this one too, which signs this client out).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "account",
    params(("id" = String, Path, description = "Session id, from `GET /me/sessions`")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "The session has ended"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "No live session of yours has this id", body = Problem)))]
pub async fn end_session(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let ended = id.len() <= 64
        && state
            .storage
            .revoke_own_session(auth.user.id, &id, Utc::now())
            .await?;
    if !ended {
        return Err(ApiError::NotFound(
            "You have no live session with this id.".to_owned(),
        ));
    }
    state.notifier.access_changed(auth.user.id);
    let mut entry = audit(Some(&auth.user), "user.session_end", &ip);
    entry.target_type = Some("session".to_owned());
    entry.target_id = Some(id.clone());
    entry.details = json!({ "current": id == auth.session, "sessions_ended": 1 });
    state.storage.record_audit(entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End every session of the signed-in user except the one the request came with.
#[utoipa::path(post, path = "/api/v1/me/sessions/revoke-others", tag = "account",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SessionsEnded),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
    ip: ClientIp,
) -> ApiResult<Json<SessionsEnded>> {
    let ended = state
        .storage
        .revoke_user_sessions(auth.user.id, Some(&auth.session), Utc::now())
        .await?;
    if ended > 0 {
        state.notifier.access_changed(auth.user.id);
        let mut entry = audit(Some(&auth.user), "user.session_end", &ip);
        entry.details = json!({ "others": true, "sessions_ended": ended });
        state.storage.record_audit(entry).await?;
    }
    Ok(Json(SessionsEnded {
        sessions_ended: ended,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_keeps_a_short_printable_user_agent() {
        let mut headers = HeaderMap::new();
        assert_eq!(session_user_agent(&headers), None);
        headers.insert(header::USER_AGENT, HeaderValue::from_static("  \t "));
        assert_eq!(session_user_agent(&headers), None);
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"),
        );
        assert_eq!(
            session_user_agent(&headers).as_deref(),
            Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0")
        );
        let long = format!("a\tb{}", "x".repeat(500));
        headers.insert(header::USER_AGENT, HeaderValue::from_str(&long).unwrap());
        let kept = session_user_agent(&headers).unwrap();
        assert_eq!(kept.chars().count(), USER_AGENT_MAX_CHARS);
        assert!(kept.starts_with("abxx"), "{kept}");
    }
}
