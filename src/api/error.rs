//! API errors as RFC 9457 problem details with the stable `code` values of `api.md`.
//! Internals are logged with the request id, never returned.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::storage::{Conflict, DbError, Outage};

/// `Retry-After` of a 503 for a dependency that is down.
const DEPENDENCY_RETRY_SECS: u64 = 5;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: `code` carries the machine-readable meaning.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub status: u16,
    /// Stable, machine-readable error code.
    pub code: String,
    pub detail: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub field_errors: BTreeMap<String, Vec<String>>,
    /// Echoes the `X-Request-Id` response header (added on the way out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `quota_exceeded`: the caller's quota.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<i64>,
    /// For `quota_exceeded`: the caller's live stores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<i64>,
    /// For `rate_limited` and `unavailable`: seconds until a retry may succeed (also in
    /// `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For `unavailable`: what is down, such as `database` or `cluster`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency: Option<String>,
}

pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Headers describing a rate limit (IETF RateLimit fields).
#[derive(Debug, Clone, Default)]
pub struct RateLimitHeaders {
    pub policy: String,
    pub state: String,
}

impl RateLimitHeaders {
    pub fn apply(&self, headers: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&self.policy) {
            headers.insert(HeaderName::from_static("ratelimit-policy"), v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.state) {
            headers.insert(HeaderName::from_static("ratelimit"), v);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed: {detail}")]
    Validation {
        detail: String,
        field_errors: FieldErrors,
    },
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("sign-up disabled")]
    SignupDisabled,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        field_errors: FieldErrors,
    },
    #[error("not ready: {0}")]
    NotReady(String),
    /// A 409 with its own code (`cannot_change_self`, `user_has_stores`, ...).
    #[error("{code}: {detail}")]
    ConflictCode {
        code: &'static str,
        detail: String,
        /// For `user_has_stores`: how many stores are left.
        active: Option<i64>,
    },
    #[error("account suspended")]
    AccountSuspended,
    /// The store's engine does not offer this (yet).
    #[error("not supported for engine: {0}")]
    NotSupportedForEngine(String),
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    #[error("idempotent request still in progress")]
    IdempotencyInProgress,
    #[error("quota exceeded")]
    QuotaExceeded { quota: i64, active: i64 },
    #[error("rate limited")]
    RateLimited {
        retry_after: u64,
        detail: String,
        headers: RateLimitHeaders,
    },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Something the server depends on is down; the answer names it.
    #[error("{dependency} unavailable: {detail}")]
    DependencyDown {
        dependency: &'static str,
        detail: String,
    },
    #[error("request timeout")]
    RequestTimeout,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
    /// A refusal with its own machine-readable code (409 `up_to_date`, 422
    /// `unknown_revision`, …).
    #[error("{code}: {detail}")]
    Refused {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut field_errors = FieldErrors::new();
        field_errors.insert(field.to_owned(), vec![message.clone()]);
        ApiError::Validation {
            detail: format!("{field}: {message}"),
            field_errors,
        }
    }

    pub fn fields(field_errors: FieldErrors) -> Self {
        let detail = field_errors
            .iter()
            .flat_map(|(f, msgs)| msgs.iter().map(move |m| format!("{f}: {m}")))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Validation {
            detail,
            field_errors,
        }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }

    /// 409 with its own code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Refused {
            status: StatusCode::CONFLICT,
            code,
            detail: detail.into(),
        }
    }

    /// 422 with its own code.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            detail: detail.into(),
        }
    }

    /// 503 naming the database and what is wrong with it.
    pub fn database_down(outage: Outage) -> Self {
        ApiError::DependencyDown {
            dependency: "database",
            detail: format!("The database is unavailable: {outage}. Try again shortly."),
        }
    }

    fn status_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            Validation { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            SignupDisabled => (StatusCode::FORBIDDEN, "signup_disabled"),
            NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            NotReady(_) => (StatusCode::CONFLICT, "not_ready"),
            ConflictCode { code, .. } => (StatusCode::CONFLICT, code),
            AccountSuspended => (StatusCode::FORBIDDEN, "account_suspended"),
            NotSupportedForEngine(_) => (StatusCode::CONFLICT, "not_supported_for_engine"),
            IdempotencyMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_mismatch"),
            IdempotencyInProgress => (StatusCode::CONFLICT, "idempotency_in_progress"),
            QuotaExceeded { .. } => (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"),
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Unavailable(_) | DependencyDown { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Refused { status, code, .. } => (*status, code),
        }
    }

    fn problem(&self) -> Problem {
        use ApiError::*;
        let (status, code) = self.status_code();
        let mut p = Problem {
            kind: "about:blank",
            title: title_for(status).to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail: String::new(),
            field_errors: FieldErrors::new(),
            request_id: None,
            quota: None,
            active: None,
            retry_after: None,
            dependency: None,
        };
        p.detail = match self {
            Validation {
                detail,
                field_errors,
            } => {
                p.field_errors = field_errors.clone();
                detail.clone()
            }
            Unauthorized(d)
            | Forbidden(d)
            | NotFound(d)
            | NotReady(d)
            | NotSupportedForEngine(d)
            | Unavailable(d)
            | UnsupportedMediaType(d)
            | Refused { detail: d, .. } => d.clone(),
            InvalidCredentials => "Email or password is wrong.".to_owned(),
            ConflictCode { detail, active, .. } => {
                p.active = *active;
                detail.clone()
            }
            AccountSuspended => {
                "This account is suspended; ask an administrator to restore it.".to_owned()
            }
            SignupDisabled => {
                "Sign-up is closed on this server; ask an administrator for an account.".to_owned()
            }
            Conflict {
                detail,
                field_errors,
            } => {
                p.field_errors = field_errors.clone();
                detail.clone()
            }
            IdempotencyMismatch => {
                "This Idempotency-Key was already used with a different request body.".to_owned()
            }
            IdempotencyInProgress => {
                "A request with this Idempotency-Key is still being processed; try again shortly."
                    .to_owned()
            }
            QuotaExceeded { quota, active } => {
                p.quota = Some(*quota);
                p.active = Some(*active);
                format!(
                    "You have {active} of {quota} stores. Delete a store to create another; waiting does not free quota."
                )
            }
            RateLimited {
                retry_after,
                detail,
                ..
            } => {
                p.retry_after = Some(*retry_after);
                detail.clone()
            }
            PayloadTooLarge => format!(
                "The request body is larger than {} KiB.",
                super::BODY_LIMIT_BYTES / 1024
            ),
            MethodNotAllowed => "This method is not allowed on this path.".to_owned(),
            DependencyDown { dependency, detail } => {
                p.dependency = Some((*dependency).to_owned());
                p.retry_after = Some(DEPENDENCY_RETRY_SECS);
                detail.clone()
            }
            RequestTimeout => {
                "The request was not received in time; send it again in one go.".to_owned()
            }
            Internal(_) => {
                "Something went wrong on our side; it has been logged with the request id."
                    .to_owned()
            }
        };
        p
    }
}

pub fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        408 => "Request timeout",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Validation failed",
        429 => "Too many requests",
        500 => "Internal server error",
        503 => "Service unavailable",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// A problem response for a status the framework produced (404, 405, 413 ...).
pub fn problem_for_status(status: StatusCode) -> Response {
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound("No such resource.".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("Send the body as application/json.".to_owned())
        }
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized("Sign in first.".to_owned()),
        StatusCode::FORBIDDEN => ApiError::Forbidden("Not allowed.".to_owned()),
        s if s.is_server_error() => ApiError::Internal(anyhow::anyhow!("framework error {s}")),
        s => {
            let body = Problem {
                kind: "about:blank",
                title: title_for(s).to_owned(),
                status: s.as_u16(),
                code: "bad_request".to_owned(),
                detail: title_for(s).to_owned(),
                field_errors: FieldErrors::new(),
                request_id: None,
                quota: None,
                active: None,
                retry_after: None,
                dependency: None,
            };
            return problem_response(s, &body);
        }
    };
    error.into_response()
}

fn problem_response(status: StatusCode, body: &Problem) -> Response {
    let json = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, json).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            // The request id is on the surrounding span.
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let (status, _) = self.status_code();
        let body = self.problem();
        let mut resp = problem_response(status, &body);
        if let ApiError::RateLimited {
            retry_after,
            headers,
            ..
        } = &self
        {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            headers.apply(resp.headers_mut());
        }
        if let ApiError::DependencyDown { dependency, detail } = &self {
            tracing::warn!(dependency, detail, "answering 503");
            resp.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(DEPENDENCY_RETRY_SECS),
            );
        }
        resp
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => ApiError::NotFound("No such resource.".to_owned()),
            DbError::Conflict(Conflict::RolloutActive) => ApiError::conflict(
                "rollout_active",
                "A fleet upgrade for this engine is running or paused; pause, finish or cancel it first.",
            ),
            DbError::Rollout(why) => {
                ApiError::conflict("invalid_rollout_state", format!("{}.", capitalise(&why)))
            }
            DbError::Conflict(c) => {
                let (field, message) = match c {
                    Conflict::EmailTaken => ("email", "is already registered"),
                    Conflict::StoreNameTaken => ("name", "is already used by one of your stores"),
                    Conflict::DomainTaken => ("domain", "is already used by another store"),
                    Conflict::NamespaceTaken | Conflict::RolloutActive => {
                        ("name", "could not be given a namespace; try again")
                    }
                };
                let mut field_errors = FieldErrors::new();
                field_errors.insert(field.to_owned(), vec![message.to_owned()]);
                ApiError::Conflict {
                    detail: format!("{field}: {message}"),
                    field_errors,
                }
            }
            DbError::QuotaExceeded { quota, active } => ApiError::QuotaExceeded { quota, active },
            DbError::UserHasStores(n) => ApiError::ConflictCode {
                code: "user_has_stores",
                detail: format!(
                    "This user still has {n} store{}; delete {} first.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                ),
                active: Some(n),
            },
            DbError::IdempotencyMismatch => ApiError::IdempotencyMismatch,
            DbError::IdempotencyInProgress => ApiError::IdempotencyInProgress,
            DbError::Transition(t) => ApiError::Conflict {
                detail: format!("{}.", capitalise(&t.to_string())),
                field_errors: FieldErrors::new(),
            },
            other @ (DbError::Corrupt(_) | DbError::Other(_)) => match other.outage() {
                Some(outage) => ApiError::database_down(outage),
                None => ApiError::Internal(other.into()),
            },
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
