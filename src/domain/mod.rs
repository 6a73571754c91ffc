//! Pure types and rules of Storefleet: names, domains, accounts, engines, the store
//! lifecycle and generated credentials. Everything here is parsed once at the edge
//! ("parse, don't validate") and carries no I/O.

mod account;
mod credentials;
mod engine;
mod names;
mod reserved;
mod status;
mod step;

pub use account::{Email, Password, Role};
pub use credentials::{SecretKey, SecretKind, StoreCredentials, random_id};
pub use engine::Engine;
pub use names::{DisplayName, Domain, Namespace, StoreName, default_domain};
pub use reserved::check_claimable;
pub use status::{ALLOWED_TRANSITIONS, Desired, LifecycleEvent, StoreStatus, TransitionError};
pub use step::{Step, TeardownStep};

/// A rule a piece of input broke, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleViolation(pub String);

impl RuleViolation {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
