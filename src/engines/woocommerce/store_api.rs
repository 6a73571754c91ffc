//! Checkout verification through the WooCommerce Store API: find a purchasable product,
//! get a cart token, add the product, check out with Cash on Delivery, and expect an
//! order in `processing`.

use std::net::SocketAddr;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::engines::{StoreClient, VerifiedOrder, VerifyError};

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
    store: StoreClient,
}

impl CheckoutVerifier {
    /// `base` is the store URL (`http://shop.example.com/`). With `via`, requests go to
    /// that address (an ingress) while keeping the store's host name.
    pub fn new(base: &str, host: &str, via: Option<SocketAddr>) -> Result<Self, VerifyError> {
        Ok(Self {
            store: StoreClient::new(base, host, via)?,
        })
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.store.get(&format!("{API}{path}"))
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.store.post(&format!("{API}{path}"))
    }

    /// Place one Cash on Delivery order and check it is `processing`.
    pub async fn verify(&self) -> Result<VerifiedOrder, VerifyError> {
        let products: Vec<Product> = self
            .store
            .json("list products", self.get("/products?per_page=20"))
            .await?;
        let product = products
            .into_iter()
            .find(|p| p.is_purchasable && p.is_in_stock)
            .ok_or_else(|| {
                VerifyError::Unexpected("the store has no purchasable product in stock".to_owned())
            })?;

        let cart = self.store.send("get cart", self.get("/cart")).await?;
        let token = cart
            .headers()
            .get("cart-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| {
                VerifyError::Unexpected("the cart response carried no Cart-Token header".to_owned())
            })?;

        let add = self
            .post("/cart/add-item")
            .header("Cart-Token", &token)
            .json(&json!({ "id": product.id, "quantity": 1 }));
        let cart: Value = self.store.json("add to cart", add).await?;
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
            .post("/checkout")
            .header("Cart-Token", &token)
            .json(&json!({
                "billing_address": address,
                "shipping_address": address,
                "payment_method": "cod",
                "customer_note": "Placed by Storefleet to verify checkout",
            }));
        let result: CheckoutResult = self.store.json("checkout", checkout).await?;
        if result.status != "processing" {
            return Err(VerifyError::Unexpected(format!(
                "order {} is {:?}, not \"processing\" (is Cash on Delivery enabled?)",
                result.order_id, result.status
            )));
        }
        Ok(VerifiedOrder {
            order_id: result.order_id,
            product: product.name,
            state: result.status,
        })
    }
}
