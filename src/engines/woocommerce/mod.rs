//! WooCommerce on WordPress and MariaDB: `charts/woocommerce-store`, checkout verified
//! through the WooCommerce Store API ([`store_api`]).

pub mod store_api;

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use serde_json::json;

use super::{StepWords, StoreEngine, VerifiedOrder, VerifyError, VerifyTarget};
use crate::domain::{Engine, Rotation, SecretKey, SecretKind};
use crate::storage::Store;

#[derive(Debug, Clone, Copy)]
pub struct WooCommerce;

/// The keys of a WooCommerce store's Secret, as `charts/woocommerce-store` expects them.
pub const SECRET_KEYS: [SecretKey; 12] = [
    SecretKey::password("mariadb-root-password"),
    SecretKey::password("mariadb-password"),
    SecretKey::password("wordpress-admin-password"),
    SecretKey::salt("wp-auth-key"),
    SecretKey::salt("wp-secure-auth-key"),
    SecretKey::salt("wp-logged-in-key"),
    SecretKey::salt("wp-nonce-key"),
    SecretKey::salt("wp-auth-salt"),
    SecretKey::salt("wp-secure-auth-salt"),
    SecretKey::salt("wp-logged-in-salt"),
    SecretKey::salt("wp-nonce-salt"),
    SecretKey::key(LOGIN_KEY),
];

/// The key that signs one-click login links (`files/storefleet-login.php` verifies them).
pub const LOGIN_KEY: &str = "storefleet-login-key";

/// The WordPress administrator's login name.
const ADMIN_USER: &str = "storeadmin";

#[async_trait]
impl StoreEngine for WooCommerce {
    fn engine(&self) -> Engine {
        Engine::WooCommerce
    }

    fn chart(&self, chart_root: &Path) -> PathBuf {
        chart_root.join("woocommerce-store")
    }

    fn values(&self, store: &Store, owner_email: &str, secret_name: &str) -> serde_json::Value {
        // The shared values, plus the WordPress administrator's login name.
        let mut values = super::store_values(store, owner_email, secret_name);
        values["store"]["adminUser"] = json!(ADMIN_USER);
        values
    }

    fn components(&self) -> &'static [&'static str] {
        &["mariadb", "wordpress"]
    }

    fn workloads_words(&self) -> StepWords {
        StepWords {
            doing: "Waiting for the database and WordPress",
            done: "MariaDB and WordPress are ready",
        }
    }

    fn setup_words(&self) -> StepWords {
        StepWords {
            doing: "Setting up WordPress and WooCommerce",
            done: "WooCommerce is installed and configured",
        }
    }

    fn secret_keys(&self) -> &'static [SecretKey] {
        &SECRET_KEYS
    }

    fn login_key(&self) -> Option<&'static str> {
        Some(LOGIN_KEY)
    }

    fn login_url(&self, store_url: &str, token: &str) -> Option<String> {
        // The token is base64url and a dot: safe in a query string as it is.
        Some(format!(
            "{}/wp-login.php?storefleet_login={token}",
            store_url.trim_end_matches('/')
        ))
    }

    fn rotation_keys(&self, rotation: Rotation) -> Result<Vec<&'static str>, &'static str> {
        let mut keys = Vec::new();
        if rotation.admin_password {
            keys.push("wordpress-admin-password");
        }
        if rotation.database_passwords {
            // The WordPress database user's password. Root is left alone: it signs in
            // only from inside the MariaDB pod (root@localhost), nothing uses it after
            // initialisation, and nothing outside that pod could change it.
            keys.push("mariadb-password");
        }
        if rotation.salts {
            keys.extend(
                SECRET_KEYS
                    .iter()
                    .filter(|k| k.kind == SecretKind::Salt)
                    .map(|k| k.name),
            );
        }
        Ok(keys)
    }

    fn previous_kept(&self, key: &str) -> bool {
        // files/setup.php changes the WordPress database user's password from the
        // previous to the new one.
        key == "mariadb-password"
    }

    fn admin_login(&self, _owner_email: &str) -> (String, &'static str) {
        (ADMIN_USER.to_owned(), "wordpress-admin-password")
    }

    fn urls(&self, store: &Store, scheme: &str) -> (String, String) {
        (
            format!("{scheme}://{}/", store.domain),
            format!("{scheme}://{}/wp-admin/", store.domain),
        )
    }

    async fn verify_checkout(
        &self,
        target: &VerifyTarget<'_>,
    ) -> Result<VerifiedOrder, VerifyError> {
        // The Store API takes guest orders: no login needed.
        store_api::CheckoutVerifier::new(target.url, target.host, target.via)?
            .verify()
            .await
    }
}
