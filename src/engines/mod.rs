//! Store engines behind one interface: which chart a store is installed from, the values
//! it gets, the components to wait for, the setup that must finish, how its checkout is
//! verified. Only engines that are implemented are offered; the API refuses the others.

pub mod woocommerce;

use std::path::{Path, PathBuf};

use crate::domain::Engine;
use crate::storage::Store;

/// Engines this server can provision, the default first.
pub fn offered() -> &'static [Engine] {
    &[Engine::WooCommerce]
}

pub fn offers(engine: Engine) -> bool {
    offered().contains(&engine)
}

/// The provisioning steps, in order; `steps_done` counts completed ones.
pub const STEPS: [&str; 8] = [
    "plan",
    "namespace",
    "credentials",
    "release",
    "workloads",
    "bootstrap",
    "verify",
    "ready",
];

/// How many provisioning steps a store of this engine goes through (shown as progress).
pub fn steps_total(engine: Engine) -> i64 {
    match engine {
        Engine::WooCommerce | Engine::Medusa => STEPS.len() as i64,
    }
}

/// What differs between engines; the provisioning steps themselves are shared.
pub trait StoreEngine: Send + Sync + std::fmt::Debug {
    fn engine(&self) -> Engine;
    /// The chart directory, below the configured chart root.
    fn chart(&self, chart_root: &Path) -> PathBuf;
    /// The Helm release name for a store (Helm allows at most 53 characters).
    fn release_name(&self, store: &Store) -> String;
    /// Per-store chart values (JSON, which is also YAML).
    fn values(&self, store: &Store, owner_email: &str, secret_name: &str) -> serde_json::Value;
    /// Components (`app.kubernetes.io/component`) that must be ready before setup counts.
    fn components(&self) -> &'static [&'static str];
    /// The component whose Job bootstraps the store.
    fn setup_component(&self) -> &'static str;
    /// The administrator's user name, and the Secret key holding their password.
    fn admin_login(&self) -> (&'static str, &'static str);
    /// Storefront and admin URLs.
    fn urls(&self, store: &Store, scheme: &str) -> (String, String);
}

/// The engine implementation for a store's engine, when this server offers it.
pub fn for_engine(engine: Engine) -> Option<&'static dyn StoreEngine> {
    match engine {
        Engine::WooCommerce => Some(&woocommerce::WooCommerce),
        Engine::Medusa => None,
    }
}
