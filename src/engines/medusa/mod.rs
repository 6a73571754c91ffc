//! Medusa v2 with PostgreSQL and Redis: `charts/medusa-store` runs the application in
//! `images/medusa/` (server, worker and a setup Job); checkout is verified through
//! Medusa's Store API ([`store_api`]).

pub mod store_api;

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{StepWords, StoreEngine, VerifiedOrder, VerifyError, VerifyTarget};
use crate::domain::{Engine, SecretKey};
use crate::storage::Store;

#[derive(Debug, Clone, Copy)]
pub struct Medusa;

/// The keys of a Medusa store's Secret, as `charts/medusa-store` expects them.
pub const SECRET_KEYS: [SecretKey; 5] = [
    SecretKey::password("postgres-password"),
    SecretKey::password("redis-password"),
    SecretKey::password("medusa-admin-password"),
    SecretKey::key("medusa-jwt-secret"),
    SecretKey::key("medusa-cookie-secret"),
];

#[async_trait]
impl StoreEngine for Medusa {
    fn engine(&self) -> Engine {
        Engine::Medusa
    }

    fn chart(&self, chart_root: &Path) -> PathBuf {
        chart_root.join("medusa-store")
    }

    fn components(&self) -> &'static [&'static str] {
        &["postgres", "redis", "medusa-server", "medusa-worker"]
    }

    fn workloads_words(&self) -> StepWords {
        StepWords {
            doing: "Waiting for PostgreSQL, Redis and Medusa",
            done: "PostgreSQL, Redis, the Medusa server and its worker are ready",
        }
    }

    fn setup_words(&self) -> StepWords {
        StepWords {
            doing: "Setting up Medusa: database migrations, the admin user and the catalogue",
            done: "Medusa is migrated, its admin user exists and the catalogue is seeded",
        }
    }

    fn secret_keys(&self) -> &'static [SecretKey] {
        &SECRET_KEYS
    }

    fn admin_login(&self, owner_email: &str) -> (String, &'static str) {
        // Medusa's admin users sign in with an e-mail address: the owner's.
        (owner_email.to_owned(), "medusa-admin-password")
    }

    fn urls(&self, store: &Store, scheme: &str) -> (String, String) {
        (
            format!("{scheme}://{}/", store.domain),
            format!("{scheme}://{}/app/", store.domain),
        )
    }

    async fn verify_checkout(
        &self,
        target: &VerifyTarget<'_>,
    ) -> Result<VerifiedOrder, VerifyError> {
        store_api::CheckoutVerifier::new(target)?.verify().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Desired, StoreStatus};
    use crate::engines::MAX_RELEASE_LEN;
    use chrono::Utc;
    use uuid::Uuid;

    fn store() -> Store {
        Store {
            id: Uuid::new_v4(),
            owner_id: Uuid::new_v4(),
            owner_email: "owner@example.com".to_owned(),
            name: "corner-shop".to_owned(),
            engine: Engine::Medusa,
            domain: "corner-shop-x1y2z.stores.localhost".to_owned(),
            namespace: "store-x1y2z3a4".to_owned(),
            status: StoreStatus::Pending,
            status_reason: String::new(),
            step: None,
            steps_done: 0,
            steps_total: 8,
            desired: Desired::Present,
            attempts: 0,
            next_attempt_at: None,
            lease_owner: None,
            lease_expires_at: None,
            url: None,
            admin_url: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            ready_at: None,
            work_started_at: None,
            deleted_at: None,
            step_started_at: None,
            release: Default::default(),
            display_name: None,
            checkout_verified: None,
        }
    }

    #[test]
    fn values_name_the_store_its_owner_and_the_secret_and_nothing_secret() {
        let s = store();
        let v = Medusa.values(&s, "owner@example.com", "storefleet-credentials");
        assert_eq!(v["store"]["host"], "corner-shop-x1y2z.stores.localhost");
        assert_eq!(v["store"]["adminEmail"], "owner@example.com");
        assert_eq!(v["store"]["id"], s.id.to_string());
        assert_eq!(v["credentials"]["existingSecret"], "storefleet-credentials");
        assert_eq!(
            v.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["credentials", "store"]
        );
    }

    #[test]
    fn the_admin_signs_in_with_the_owners_email_and_the_secrets_password() {
        let (user, key) = Medusa.admin_login("owner@example.com");
        assert_eq!(user, "owner@example.com");
        assert!(SECRET_KEYS.iter().any(|k| k.name == key));
    }

    #[test]
    fn urls_are_the_api_root_and_the_admin_ui() {
        let (url, admin) = Medusa.urls(&store(), "https");
        assert_eq!(url, "https://corner-shop-x1y2z.stores.localhost/");
        assert_eq!(admin, "https://corner-shop-x1y2z.stores.localhost/app/");
    }

    #[test]
    fn long_names_make_valid_release_names() {
        let mut s = store();
        s.name = format!("{}-{}", "a".repeat(52), "b".repeat(10));
        let release = Medusa.release_name(&s);
        assert!(release.len() <= MAX_RELEASE_LEN);
        assert!(!release.ends_with('-'));
    }
}
