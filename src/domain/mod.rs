//! Pure types and rules of Storefleet: names, domains, accounts, engines, the store
//! lifecycle and generated credentials. Everything here is parsed once at the edge
//! ("parse, don't validate") and carries no I/O.

mod account;
mod credentials;
mod engine;
mod login;
mod names;
mod reserved;
mod status;
mod step;

pub use account::{Email, Password, Role};
pub use credentials::{
    CredentialKind, Rotation, SecretKey, SecretKind, StoreCredentials, generate_value,
    merge_secret, random_id, secret_checksums,
};
pub use engine::Engine;
pub use login::{
    LOGIN_TOKEN_TTL_SECS, LoginToken, LoginTokenError, sign_login_token, verify_login_token,
};
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
