//! Step 1, pure: everything about a store's installation that follows from its row and
//! the configuration — namespace, labels, release, Secret, values, URLs.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::cluster::store::{MANAGED_BY, STORE_ID_LABEL};
use crate::engines::StoreEngine;
use crate::storage::Store;

/// The Secret holding a store's generated credentials.
pub const SECRET_NAME: &str = "storefleet-credentials";

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub namespace: String,
    pub namespace_labels: BTreeMap<String, String>,
    pub secret_labels: BTreeMap<String, String>,
    pub release: String,
    pub secret: String,
    pub values: serde_json::Value,
    /// Changes whenever the chart, the operator's values file or these values change; a
    /// deployed release with the same fingerprint needs no helm run.
    pub fingerprint: String,
    /// The fingerprint of the chart and values alone, without the credentials' checksums:
    /// what an upgrade changes (a rotation changes only `fingerprint`).
    pub config_fingerprint: String,
    pub url: String,
    pub admin_url: String,
    /// The administrator's login name and the Secret key with their password.
    pub admin_user: String,
    pub admin_password_key: &'static str,
}

impl Plan {
    /// Add the fingerprints of the credentials' values (`credentials.checksums`): a
    /// changed value changes the values and so the release's fingerprint.
    pub fn add_credential_checksums(&mut self, checksums: BTreeMap<String, String>) {
        let checksums = serde_json::to_value(checksums).unwrap_or_default();
        self.fingerprint = hex::encode(Sha256::digest(
            format!("{}\n{checksums}", self.fingerprint).as_bytes(),
        ));
        self.values["credentials"]["checksums"] = checksums;
    }
}

pub fn plan(
    store: &Store,
    engine: &dyn StoreEngine,
    owner_email: &str,
    scheme: &str,
    chart_digest: &str,
) -> Plan {
    let mut namespace_labels = BTreeMap::new();
    namespace_labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
    namespace_labels.insert(STORE_ID_LABEL.to_owned(), store.id.to_string());
    namespace_labels.insert(
        "storefleet.io/engine".to_owned(),
        store.engine.as_str().to_owned(),
    );
    for mode in ["enforce", "warn", "audit"] {
        namespace_labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            "restricted".to_owned(),
        );
        namespace_labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            "latest".to_owned(),
        );
    }
    let mut secret_labels = BTreeMap::new();
    secret_labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
    secret_labels.insert(STORE_ID_LABEL.to_owned(), store.id.to_string());
    let values = engine.values(store, owner_email, SECRET_NAME);
    let fingerprint = hex::encode(Sha256::digest(
        format!("{chart_digest}\n{values}").as_bytes(),
    ));
    let (url, admin_url) = engine.urls(store, scheme);
    let (admin_user, admin_password_key) = engine.admin_login(owner_email);
    Plan {
        namespace: store.namespace.clone(),
        namespace_labels,
        secret_labels,
        release: engine.release_name(store),
        secret: SECRET_NAME.to_owned(),
        values,
        config_fingerprint: fingerprint.clone(),
        fingerprint,
        url,
        admin_url,
        admin_user,
        admin_password_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Desired, Engine, StoreStatus};
    use crate::engines::woocommerce::WooCommerce;
    use chrono::Utc;
    use uuid::Uuid;

    fn store(name: &str) -> Store {
        Store {
            id: Uuid::new_v4(),
            owner_id: Uuid::new_v4(),
            owner_email: "owner@example.com".to_owned(),
            name: name.to_owned(),
            engine: Engine::WooCommerce,
            domain: format!("{name}-abcde.stores.localhost"),
            namespace: "store-abcde123".to_owned(),
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
    fn the_plan_follows_from_the_store() {
        let s = store("acme-shop");
        let p = plan(&s, &WooCommerce, "owner@example.com", "http", "chart-v1");
        assert_eq!(p.namespace, "store-abcde123");
        assert_eq!(p.release, "acme-shop");
        assert_eq!(
            p.namespace_labels["app.kubernetes.io/managed-by"],
            "storefleet"
        );
        assert_eq!(
            p.namespace_labels["storefleet.io/store-id"],
            s.id.to_string()
        );
        assert_eq!(
            p.namespace_labels["pod-security.kubernetes.io/enforce"],
            "restricted"
        );
        assert_eq!(
            p.values["store"]["host"],
            "acme-shop-abcde.stores.localhost"
        );
        assert_eq!(p.values["store"]["adminEmail"], "owner@example.com");
        assert_eq!(p.values["credentials"]["existingSecret"], SECRET_NAME);
        assert_eq!(p.url, "http://acme-shop-abcde.stores.localhost/");
        assert_eq!(
            p.admin_url,
            "http://acme-shop-abcde.stores.localhost/wp-admin/"
        );
        let again = plan(&s, &WooCommerce, "owner@example.com", "http", "chart-v1");
        assert_eq!(
            p.fingerprint, again.fingerprint,
            "same inputs, same fingerprint"
        );
        let new_chart = plan(&s, &WooCommerce, "owner@example.com", "http", "chart-v2");
        assert_ne!(p.fingerprint, new_chart.fingerprint);
        assert!(
            !p.values.to_string().contains("password"),
            "no secrets in values"
        );
    }

    #[test]
    fn release_names_fit_helms_limit() {
        let long = format!("a{}", "-b".repeat(31));
        let p = plan(&store(&long), &WooCommerce, "o@example.com", "https", "c");
        assert!(
            p.release.len() <= 53 && !p.release.ends_with('-'),
            "{}",
            p.release
        );
        assert!(p.url.starts_with("https://"));
    }
}
