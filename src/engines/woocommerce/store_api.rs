//! Checkout verification through the WooCommerce Store API: find a purchasable product,
//! get a cart token, add the product, check out with Cash on Delivery, and expect an
//! order in `processing`.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::{Client, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::engines::{VerifiedOrder, VerifyError};

const API: &str = "/wp-json/wc/store/v1";

#[derive(Debug, Deserialize)]
struct Product {
    id: u64,
    name: String,
    #[serde(default)]
    is_purchasable: bool,
    #[serde(default)]
    is_in_stock: bool,
}

#[derive(Debug, Deserialize)]
struct CheckoutResult {
    order_id: u64,
    status: String,
}

/// Talks to one store's Store API.
#[derive(Debug, Clone)]
pub struct CheckoutVerifier {
    client: Client,
    base: String,
}

impl CheckoutVerifier {
    /// `base` is the store URL (`http://shop.example.com/`). With `via`, requests go to
    /// that address (an ingress) while keeping the store's host name.
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

    fn url(&self, path: &str) -> String {
        format!("{}{API}{path}", self.base)
    }

    /// Place one Cash on Delivery order and check it is `processing`.
    pub async fn verify(&self) -> Result<VerifiedOrder, VerifyError> {
        let products: Vec<Product> = json_of(
            self.send(
                "list products",
                self.client.get(self.url("/products?per_page=20")),
            )
            .await?,
        )
        .await?;
        let product = products
            .into_iter()
            .find(|p| p.is_purchasable && p.is_in_stock)
            .ok_or_else(|| {
                VerifyError::Unexpected("the store has no purchasable product in stock".to_owned())
            })?;

        let cart = self
            .send("get cart", self.client.get(self.url("/cart")))
            .await?;
        let token = cart
            .headers()
            .get("cart-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| {
                VerifyError::Unexpected("the cart response carried no Cart-Token header".to_owned())
            })?;

        let add = self
            .client
            .post(self.url("/cart/add-item"))
            .header("Cart-Token", &token)
            .json(&json!({ "id": product.id, "quantity": 1 }));
        let cart: Value = json_of(self.send("add to cart", add).await?).await?;
        let items = cart["items_count"].as_u64().unwrap_or(0);
        if items < 1 {
            return Err(VerifyError::Unexpected(format!(
                "the cart is empty after adding {:?}",
                product.name
            )));
        }

        let address = json!({
            "first_name": "Storefleet", "last_name": "Verification",
            "address_1": "1 Test Street", "city": "Testville", "postcode": "12345",
            "country": "US", "state": "CA",
            "email": "verify@storefleet.invalid", "phone": "5555550100",
        });
        let checkout = self
            .client
            .post(self.url("/checkout"))
            .header("Cart-Token", &token)
            .json(&json!({
                "billing_address": address,
                "shipping_address": address,
                "payment_method": "cod",
                "customer_note": "Placed by Storefleet to verify checkout",
            }));
        let result: CheckoutResult = json_of(self.send("checkout", checkout).await?).await?;
        if result.status != "processing" {
            return Err(VerifyError::Unexpected(format!(
                "order {} is {:?}, not \"processing\" (is Cash on Delivery enabled?)",
                result.order_id, result.status
            )));
        }
        Ok(VerifiedOrder {
            order_id: result.order_id,
            product: product.name,
        })
    }

    async fn send(
        &self,
        step: &'static str,
        request: reqwest::RequestBuilder,
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
        // WooCommerce errors: {"code": "...", "message": "...", "data": {"status": 400}}
        let message = match (body["code"].as_str(), body["message"].as_str()) {
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
}

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
