//! Store engines the server offers. Only engines whose provisioning is implemented are
//! offered; the API refuses the others.

use crate::domain::Engine;

/// Engines this server can provision, the default first.
pub fn offered() -> &'static [Engine] {
    &[Engine::WooCommerce]
}

pub fn offers(engine: Engine) -> bool {
    offered().contains(&engine)
}

/// How many provisioning steps a store of this engine goes through (shown as progress).
pub fn steps_total(engine: Engine) -> i64 {
    match engine {
        // plan, namespace, credentials, release, workloads, bootstrap, verify, ready
        Engine::WooCommerce | Engine::Medusa => 8,
    }
}
