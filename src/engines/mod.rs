//! Store engines behind one interface: which chart a store is installed from, the values
//! it gets, the components to wait for, the setup that must finish, how its checkout is
//! verified, and the words people read about each of those. The provisioning pipeline
//! (`crate::provision`) is shared and engine-neutral; adding an engine means a file here
//! and a chart. Only engines that are implemented are offered; the API refuses the others.

mod checkout;
pub mod woocommerce;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

pub use checkout::{VerifiedOrder, VerifyError};

use crate::domain::{Engine, Step};
use crate::storage::Store;

/// Engines this server can provision, the default first.
pub fn offered() -> &'static [Engine] {
    &[Engine::WooCommerce]
}

pub fn offers(engine: Engine) -> bool {
    offered().contains(&engine)
}

/// How many provisioning steps a store goes through (shown as progress).
pub fn steps_total(_engine: Engine) -> i64 {
    Step::TOTAL
}

/// What a step is called while it runs and once it is done, for a store's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepWords {
    pub doing: &'static str,
    pub done: &'static str,
}

/// What differs between engines; the provisioning steps themselves are shared.
#[async_trait]
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
    /// The `workloads` step in the engine's words ("Waiting for the database and …").
    fn workloads_words(&self) -> StepWords;
    /// The `bootstrap` step in the engine's words.
    fn setup_words(&self) -> StepWords;
    /// The administrator's user name, and the Secret key holding their password.
    fn admin_login(&self) -> (&'static str, &'static str);
    /// Storefront and admin URLs.
    fn urls(&self, store: &Store, scheme: &str) -> (String, String);
    /// Place a test order through the store's own API at `url` (host name `host`; with
    /// `via`, connect to that address instead of resolving the host).
    async fn verify_checkout(
        &self,
        url: &str,
        host: &str,
        via: Option<SocketAddr>,
    ) -> Result<VerifiedOrder, VerifyError>;
}

/// The engine implementation for a store's engine, when this server offers it.
pub fn for_engine(engine: Engine) -> Option<&'static dyn StoreEngine> {
    match engine {
        Engine::WooCommerce => Some(&woocommerce::WooCommerce),
        Engine::Medusa => None,
    }
}
