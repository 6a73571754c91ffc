//! What every engine's checkout verification gets and reports: where the store answers
//! and who may log in to it; the order it placed, or why it could not (and whether trying
//! again soon may help). [`StoreClient`] is the HTTP side both verifiers share.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;

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
    /// The number people see (WooCommerce's order id, Medusa's display id).
    pub order_id: u64,
    pub product: String,
    /// The order's state as the store reports it (`processing`, `pending`).
    pub state: String,
}

/// Where a store answers, and its administrator's login (read from the store's Secret
/// just before verifying; never logged).
#[derive(Clone)]
pub struct VerifyTarget<'a> {
    /// The store's base URL (`http://shop.example.com/`).
    pub url: &'a str,
    /// The store's host name.
    pub host: &'a str,
    /// Connect here instead of resolving `host` (an ingress address).
    pub via: Option<SocketAddr>,
    pub admin_user: &'a str,
    pub admin_password: &'a str,
}

impl std::fmt::Debug for VerifyTarget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyTarget")
            .field("url", &self.url)
            .field("host", &self.host)
            .field("via", &self.via)
            .field("admin_user", &self.admin_user)
            .finish_non_exhaustive()
    }
}

/// An HTTP client for one store: requests keep the store's host name and go to `via`
/// when given; failures become [`VerifyError`]s that name the step.
#[derive(Debug, Clone)]
pub struct StoreClient {
    client: Client,
    base: String,
}

impl StoreClient {
    pub fn new(base: &str, host: &str, via: Option<SocketAddr>) -> Result<Self, VerifyError> {
        let mut builder = Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!(
                "storefleet/",
                env!("CARGO_PKG_VERSION"),
                " checkout-verifier"
            ));
        if let Some(addr) = via {
            builder = builder.resolve(host, addr);
        }
        let client = builder
            .build()
            .map_err(|e| VerifyError::Unexpected(e.to_string()))?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(format!("{}{path}", self.base))
    }

    /// Send; a non-2xx answer becomes [`VerifyError::Api`] with the store's own message
    /// (`{"message": …}` with `code` or `type`, as WooCommerce and Medusa answer).
    pub async fn send(
        &self,
        step: &'static str,
        request: RequestBuilder,
    ) -> Result<Response, VerifyError> {
        let resp = request
            .send()
            .await
            .map_err(|e| VerifyError::Unreachable(format!("{step}: {e}")))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let code = body["code"].as_str().or_else(|| body["type"].as_str());
        let message = match (code, body["message"].as_str()) {
            (Some(code), Some(message)) => format!("{message} ({code})"),
            (None, Some(message)) => message.to_owned(),
            _ => status.canonical_reason().unwrap_or("error").to_owned(),
        };
        Err(VerifyError::Api {
            step,
            status: status.as_u16(),
            message,
        })
    }

    /// Send and read the answer as JSON.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        step: &'static str,
        request: RequestBuilder,
    ) -> Result<T, VerifyError> {
        json_of(self.send(step, request).await?).await
    }
}

/// A response body as JSON, or an error quoting the start of what came instead.
async fn json_of<T: serde::de::DeserializeOwned>(resp: Response) -> Result<T, VerifyError> {
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| VerifyError::Unreachable(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| {
        let shown: String = text.chars().take(120).collect();
        VerifyError::Unexpected(format!(
            "HTTP {} with a body that is not the Store API's JSON ({e}): {shown}",
            status.as_u16()
        ))
    })
}
