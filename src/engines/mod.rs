//! Store engines behind one interface: which chart a store is installed from, the values
//! it gets, the components to wait for, the setup that must finish, how its checkout is
//! verified, and the words people read about each of those. The provisioning pipeline
//! (`crate::provision`) is shared and engine-neutral; adding an engine means a file here
//! and a chart. The operator chooses which engines a server offers (`STOREFLEET_ENGINES`);
//! the API refuses the others.

mod checkout;
pub mod medusa;
pub mod woocommerce;

use std::path::{Path, PathBuf};

use async_trait::async_trait;

pub use checkout::{StoreClient, VerifiedOrder, VerifyError, VerifyTarget};

use crate::config::Config;
use crate::domain::{CredentialKind, Engine, Rotation, SecretKey, Step};
use crate::storage::Store;

/// Engines this server offers (`STOREFLEET_ENGINES`), the default first.
pub fn offered(config: &Config) -> &[Engine] {
    &config.engines
}

pub fn offers(config: &Config, engine: Engine) -> bool {
    offered(config).contains(&engine)
}

/// The engine implementation for a store's engine, when this server offers it.
pub fn offered_engine(config: &Config, engine: Engine) -> Option<&'static dyn StoreEngine> {
    if offers(config, engine) {
        for_engine(engine)
    } else {
        None
    }
}

/// Helm's limit on release names.
pub const MAX_RELEASE_LEN: usize = 53;

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

/// The values every store chart takes: who and where the store is (`store.*`) and the
/// Secret with its credentials.
pub fn store_values(store: &Store, owner_email: &str, secret_name: &str) -> serde_json::Value {
    serde_json::json!({
        "store": {
            "id": store.id.to_string(),
            "host": store.domain,
            "title": store.name,
            "adminEmail": owner_email,
        },
        "credentials": { "existingSecret": secret_name },
    })
}

/// What differs between engines; the provisioning steps themselves are shared.
#[async_trait]
pub trait StoreEngine: Send + Sync + std::fmt::Debug {
    fn engine(&self) -> Engine;
    /// The chart directory, below the configured chart root.
    fn chart(&self, chart_root: &Path) -> PathBuf;
    /// The Helm release name for a store: its name, within Helm's 53 characters.
    fn release_name(&self, store: &Store) -> String {
        let mut name: String = store.name.chars().take(MAX_RELEASE_LEN).collect();
        while name.ends_with('-') {
            name.pop();
        }
        name
    }
    /// Per-store chart values (JSON, which is also YAML): by default what every store
    /// chart takes (who and where the store is, and the Secret with its credentials).
    fn values(&self, store: &Store, owner_email: &str, secret_name: &str) -> serde_json::Value {
        store_values(store, owner_email, secret_name)
    }
    /// Components (`app.kubernetes.io/component`) that must be ready before setup counts.
    fn components(&self) -> &'static [&'static str];
    /// The component whose Job bootstraps the store.
    fn setup_component(&self) -> &'static str {
        "setup"
    }
    /// The `workloads` step in the engine's words ("Waiting for the database and …").
    fn workloads_words(&self) -> StepWords;
    /// The `bootstrap` step in the engine's words.
    fn setup_words(&self) -> StepWords;
    /// The keys of the store's credentials Secret, generated once when the store is
    /// first provisioned.
    fn secret_keys(&self) -> &'static [SecretKey];
    /// The Secret key holding the per-store key that signs one-click admin login links,
    /// when the engine's store verifies them (`None`: no one-click login).
    fn login_key(&self) -> Option<&'static str> {
        None
    }
    /// The store page a one-click login link opens, given the store's URL and a token.
    fn login_url(&self, _store_url: &str, _token: &str) -> Option<String> {
        None
    }
    /// The Secret keys a credential rotation of these kinds replaces, or the first kind
    /// this engine cannot rotate yet.
    fn rotation_keys(&self, rotation: Rotation) -> Result<Vec<&'static str>, &'static str> {
        rotation.kinds().first().map_or(Ok(Vec::new()), |k| Err(*k))
    }
    /// The kinds this engine can rotate: those it turns into Secret keys to replace.
    fn rotatable(&self) -> Vec<CredentialKind> {
        CredentialKind::ALL
            .into_iter()
            .filter(|k| {
                self.rotation_keys(k.alone())
                    .is_ok_and(|keys| !keys.is_empty())
            })
            .collect()
    }
    /// Whether a rotation of `key` keeps the old value next to the new one (as
    /// `<key>-previous`) until the store's setup has applied it.
    fn previous_kept(&self, _key: &str) -> bool {
        false
    }
    /// The administrator's login name (for a store whose owner has `owner_email`), and
    /// the Secret key holding their password.
    fn admin_login(&self, owner_email: &str) -> (String, &'static str);
    /// The store's URL and its administration URL.
    fn urls(&self, store: &Store, scheme: &str) -> (String, String);
    /// Place a test order through the store's own API and check that it exists.
    async fn verify_checkout(
        &self,
        target: &VerifyTarget<'_>,
    ) -> Result<VerifiedOrder, VerifyError>;
}

/// The implementation of an engine, whether or not this server offers it.
pub fn for_engine(engine: Engine) -> Option<&'static dyn StoreEngine> {
    match engine {
        Engine::WooCommerce => Some(&woocommerce::WooCommerce),
        Engine::Medusa => Some(&medusa::Medusa),
    }
}
