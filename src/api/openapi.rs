//! The OpenAPI 3.1 document, generated from the handlers and types. `storefleet openapi`
//! prints it; CI compares it with the committed `openapi.json`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

use super::error::{PROBLEM_JSON, Problem};
use super::fleet::{RolloutList, RolloutStoreView, RolloutView, StartRollout};
use super::upgrades::{RevisionList, RevisionView, RollbackBody};
use super::views::*;
use super::{account, admin, fleet, store_admin, stores, stream, system, upgrades};
use crate::domain::{CredentialKind, Engine, Role, StoreStatus};
use crate::storage::{EventLevel, RolloutState, RolloutStoreState};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Storefleet API",
        description = "Provision isolated WooCommerce stores on Kubernetes. Errors are RFC 9457 problem details with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        account::register, account::login, account::logout, account::me, account::change_password,
        account::list_sessions, account::end_session, account::revoke_other_sessions,
        stores::create_store, stores::list_stores, stores::get_store, stores::update_store, stores::delete_store,
        stores::retry_store, stores::store_events, stores::store_health, stores::store_credentials, stores::store_resources,
        upgrades::revisions, upgrades::upgrade, upgrades::rollback, stream::stream,
        admin::list_users, admin::create_user, admin::update_user, admin::reset_password,
        admin::delete_user, admin::audit_events,
        fleet::start, fleet::list, fleet::show, fleet::pause, fleet::resume, fleet::cancel,
        store_admin::admin_login, store_admin::rotate_credentials,
        system::healthz, system::readyz, system::metrics, system::info,
    ),
    components(schemas(
        Problem, UserView, Credentials, PasswordChange, Session, Me, StoreView, StoreList, CreateStoreBody, StorePatch,
        EventView, EventList, AdminUserView, AdminUserList, UserPatch, AuditEventView,
        AuditEventList, HealthView, ComponentView, CredentialsView, EngineInfo, CredentialKind, ServerInfo, ReadyChecks, Readiness, Engine, Role,
        StoreStatus, EventLevel, NewUserBody, CreatedUser, PasswordReset, SessionView, SessionList,
        SessionsEnded, RevisionView, RevisionList, RollbackBody,
        StartRollout, RolloutView, RolloutStoreView, RolloutList, RolloutState, RolloutStoreState,
        ResourcesView, ComponentResourcesView, AmountsView, QuotaView, VersionView, ClusterEventView,
        AdminLoginView, RotateCredentialsBody,
    )),
    modifiers(&Security, &ProblemContentType, &UserPatchNotEmpty),
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

/// Errors are served as `application/problem+json` (RFC 9457), not `application/json`:
/// say so for every response whose body is a [`Problem`], so clients and conformance
/// checkers expect the media type the server sends.
struct ProblemContentType;

impl Modify for ProblemContentType {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let problem_ref = "#/components/schemas/Problem";
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                for response in operation.responses.responses.values_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    let is_problem = response.content.get("application/json").is_some_and(|c| {
                        matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location == problem_ref)
                    });
                    if is_problem {
                        if let Some(content) = response.content.shift_remove("application/json") {
                            response.content.insert(PROBLEM_JSON.to_owned(), content);
                        }
                    }
                }
            }
        }
    }
}

/// An empty admin patch is refused (422), so the document says `minProperties: 1`.
/// (Set here because `#[schema(min_properties = 1)]` comes out as `maxProperties` in
/// utoipa-gen 5.5.)
struct UserPatchNotEmpty;

impl Modify for UserPatchNotEmpty {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        if let Some(RefOr::T(Schema::Object(patch))) = components.schemas.get_mut("UserPatch") {
            patch.min_properties = Some(1);
        }
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
