//! What every engine's checkout verification reports: the order it placed, or why it
//! could not (and whether trying again soon may help).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the store did not answer: {0}")]
    Unreachable(String),
    #[error("{step}: HTTP {status}: {message}")]
    Api {
        step: &'static str,
        status: u16,
        message: String,
    },
    #[error("{0}")]
    Unexpected(String),
}

impl VerifyError {
    /// Worth trying again soon: the store may still be warming up.
    pub fn is_transient(&self) -> bool {
        match self {
            VerifyError::Unreachable(_) => true,
            VerifyError::Api { status, .. } => *status >= 500 || *status == 404 || *status == 429,
            VerifyError::Unexpected(_) => false,
        }
    }
}

/// The order placed to verify the checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedOrder {
    pub order_id: u64,
    pub product: String,
}
