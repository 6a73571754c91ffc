//! The OpenAPI 3.1 document, generated from the handlers and types. `storefleet openapi`
//! prints it; CI compares it with the committed `openapi.json`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::Problem;
use super::views::*;
use super::{account, admin, stores, stream, system};
use crate::domain::{Engine, Role, StoreStatus};
use crate::storage::EventLevel;

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Storefleet API",
        description = "Provision isolated WooCommerce stores on Kubernetes. Errors are RFC 9457 problem details with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        account::register, account::login, account::logout, account::me,
        stores::create_store, stores::list_stores, stores::get_store, stores::delete_store,
        stores::retry_store, stores::store_events, stores::store_health, stores::store_credentials, stream::stream,
        admin::list_users, admin::update_user, admin::audit_events,
        system::healthz, system::readyz, system::metrics, system::info,
    ),
    components(schemas(
        Problem, UserView, Credentials, Session, Me, StoreView, StoreList, CreateStoreBody,
        EventView, EventList, AdminUserView, AdminUserList, UserPatch, AuditEventView,
        AuditEventList, HealthView, ComponentView, CredentialsView, EngineInfo, ServerInfo, ReadyChecks, Readiness, Engine, Role,
        StoreStatus, EventLevel,
    )),
    modifiers(&Security),
    tags(
        (name = "account", description = "Sign-up, sign-in and the current user"),
        (name = "stores", description = "Stores and their lifecycle"),
        (name = "admin", description = "Users, quotas and the audit log"),
        (name = "system", description = "Health, readiness, metrics and server info"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
