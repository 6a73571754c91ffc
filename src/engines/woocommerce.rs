//! WooCommerce on WordPress and MariaDB: `charts/woocommerce-store`.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::StoreEngine;
use crate::domain::Engine;
use crate::storage::Store;

#[derive(Debug, Clone, Copy)]
pub struct WooCommerce;

/// Helm's limit on release names.
const MAX_RELEASE_LEN: usize = 53;

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

    fn admin_login(&self) -> (&'static str, &'static str) {
        ("storeadmin", "wordpress-admin-password")
    }

    fn urls(&self, store: &Store, scheme: &str) -> (String, String) {
        (
            format!("{scheme}://{}/", store.domain),
            format!("{scheme}://{}/wp-admin/", store.domain),
        )
    }
}
