//! WooCommerce on WordPress and MariaDB: `charts/woocommerce-store`, checkout verified
//! through the WooCommerce Store API ([`store_api`]).

pub mod store_api;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use serde_json::json;

use super::{StepWords, StoreEngine, VerifiedOrder, VerifyError};
use crate::domain::Engine;
use crate::storage::Store;

#[derive(Debug, Clone, Copy)]
pub struct WooCommerce;

/// Helm's limit on release names.
const MAX_RELEASE_LEN: usize = 53;

#[async_trait]
impl StoreEngine for WooCommerce {
    fn engine(&self) -> Engine {
        Engine::WooCommerce
    }

    fn chart(&self, chart_root: &Path) -> PathBuf {
        chart_root.join("woocommerce-store")
    }

    fn release_name(&self, store: &Store) -> String {
        let mut name: String = store.name.chars().take(MAX_RELEASE_LEN).collect();
        while name.ends_with('-') {
            name.pop();
        }
        name
    }

    fn values(&self, store: &Store, owner_email: &str, secret_name: &str) -> serde_json::Value {
        json!({
            "store": {
                "id": store.id.to_string(),
                "host": store.domain,
                "title": store.name,
                "adminUser": self.admin_login().0,
                "adminEmail": owner_email,
            },
            "credentials": { "existingSecret": secret_name },
        })
    }

    fn components(&self) -> &'static [&'static str] {
        &["mariadb", "wordpress"]
    }

    fn setup_component(&self) -> &'static str {
        "setup"
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

    fn admin_login(&self) -> (&'static str, &'static str) {
        ("storeadmin", "wordpress-admin-password")
    }

    fn urls(&self, store: &Store, scheme: &str) -> (String, String) {
        (
            format!("{scheme}://{}/", store.domain),
            format!("{scheme}://{}/wp-admin/", store.domain),
        )
    }

    async fn verify_checkout(
        &self,
        url: &str,
        host: &str,
        via: Option<SocketAddr>,
    ) -> Result<VerifiedOrder, VerifyError> {
        store_api::CheckoutVerifier::new(url, host, via)?
            .verify()
            .await
    }
}
