//! Checkout verification through Medusa's Store API, the way a storefront does it: the
//! administrator signs in to find the store's publishable API key, then a guest cart gets
//! a product, an address, a shipping method and a payment session with Medusa's system
//! payment provider, and is completed into an order, which is then looked up through the
//! Admin API.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::engines::{StoreClient, VerifiedOrder, VerifyError, VerifyTarget};

/// Medusa's built-in payment provider (no external service; payments are captured by hand).
const SYSTEM_PAYMENT_PROVIDER: &str = "pp_system_default";
const KEY_HEADER: &str = "x-publishable-api-key";

#[derive(Debug, Deserialize)]
struct Token {
    token: String,
}

#[derive(Debug, Deserialize)]
struct ApiKeys {
    api_keys: Vec<ApiKey>,
}

#[derive(Debug, Deserialize)]
struct ApiKey {
    token: String,
    #[serde(default)]
    revoked_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Regions {
    regions: Vec<Region>,
}

#[derive(Debug, Deserialize)]
struct Region {
    id: String,
    #[serde(default)]
    countries: Vec<Country>,
}

#[derive(Debug, Deserialize)]
struct Country {
    iso_2: String,
}

#[derive(Debug, Deserialize)]
struct Products {
    products: Vec<Product>,
}

#[derive(Debug, Deserialize)]
struct Product {
    title: String,
    #[serde(default)]
    variants: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
struct Variant {
    id: String,
    #[serde(default)]
    manage_inventory: bool,
    #[serde(default)]
    allow_backorder: bool,
    #[serde(default)]
    inventory_quantity: Option<i64>,
    #[serde(default)]
    calculated_price: Option<Value>,
}

impl Variant {
    fn purchasable(&self) -> bool {
        let priced = self
            .calculated_price
            .as_ref()
            .is_some_and(|p| !p["calculated_amount"].is_null());
        let stocked = !self.manage_inventory
            || self.allow_backorder
            || self.inventory_quantity.unwrap_or(0) > 0;
        priced && stocked
    }
}

#[derive(Debug, Deserialize)]
struct CartBody {
    cart: Cart,
}

#[derive(Debug, Deserialize)]
struct Cart {
    id: String,
    #[serde(default)]
    items: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct ShippingOptions {
    shipping_options: Vec<ShippingOption>,
}

#[derive(Debug, Deserialize)]
struct ShippingOption {
    id: String,
}

#[derive(Debug, Deserialize)]
struct PaymentCollectionBody {
    payment_collection: PaymentCollection,
}

#[derive(Debug, Deserialize)]
struct PaymentCollection {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Completed {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    order: Option<Order>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct OrderBody {
    order: Order,
}

#[derive(Debug, Deserialize)]
struct Order {
    id: String,
    display_id: u64,
    #[serde(default)]
    status: String,
}

/// Talks to one Medusa store.
#[derive(Debug, Clone)]
pub struct CheckoutVerifier {
    store: StoreClient,
    email: String,
    password: String,
}

impl CheckoutVerifier {
    pub fn new(target: &VerifyTarget<'_>) -> Result<Self, VerifyError> {
        Ok(Self {
            store: StoreClient::new(target.url, target.host, target.via)?,
            email: target.admin_user.to_owned(),
            password: target.admin_password.to_owned(),
        })
    }

    /// Place one order with the system payment provider and find it in the Admin API.
    pub async fn verify(&self) -> Result<VerifiedOrder, VerifyError> {
        let admin: Token = self
            .store
            .json(
                "admin sign-in",
                self.store
                    .post("/auth/user/emailpass")
                    .json(&json!({ "email": self.email, "password": self.password })),
            )
            .await?;
        let keys: ApiKeys = self
            .store
            .json(
                "find the publishable API key",
                self.store
                    .get("/admin/api-keys?type=publishable&limit=20")
                    .bearer_auth(&admin.token),
            )
            .await?;
        let key = keys
            .api_keys
            .into_iter()
            .find(|k| k.revoked_at.is_none())
            .map(|k| k.token)
            .ok_or_else(|| {
                VerifyError::Unexpected(
                    "the store has no publishable API key (did its setup seed the store?)"
                        .to_owned(),
                )
            })?;
        let get = |path: &str| self.store.get(path).header(KEY_HEADER, &key);
        let post = |path: &str| self.store.post(path).header(KEY_HEADER, &key);

        let regions: Regions = self
            .store
            .json("list regions", get("/store/regions"))
            .await?;
        let (region, country) = regions
            .regions
            .into_iter()
            .find_map(|r| {
                let country = r.countries.first()?.iso_2.clone();
                Some((r.id, country))
            })
            .ok_or_else(|| {
                VerifyError::Unexpected("the store has no region with a country".to_owned())
            })?;

        let products: Products = self
            .store
            .json(
                "list products",
                get(&format!(
                    "/store/products?region_id={region}&limit=20\
                     &fields=%2Bvariants.inventory_quantity,*variants.calculated_price"
                )),
            )
            .await?;
        let (product, variant) = products
            .products
            .into_iter()
            .find_map(|p| {
                let variant = p.variants.into_iter().find(Variant::purchasable)?;
                Some((p.title, variant.id))
            })
            .ok_or_else(|| {
                VerifyError::Unexpected(
                    "the store has no product with a price and stock in its region".to_owned(),
                )
            })?;

        let email = "verify@storefleet.invalid";
        let cart: CartBody = self
            .store
            .json(
                "create a cart",
                post("/store/carts").json(&json!({ "region_id": region, "email": email })),
            )
            .await?;
        let cart_id = cart.cart.id;
        let cart: CartBody = self
            .store
            .json(
                "add to cart",
                post(&format!("/store/carts/{cart_id}/line-items"))
                    .json(&json!({ "variant_id": variant, "quantity": 1 })),
            )
            .await?;
        if cart.cart.items.is_empty() {
            return Err(VerifyError::Unexpected(format!(
                "the cart is empty after adding {product:?}"
            )));
        }
        let address = json!({
            "first_name": "Storefleet", "last_name": "Verification",
            "address_1": "1 Test Street", "city": "Testville", "postal_code": "12345",
            "country_code": country, "phone": "5555550100",
        });
        self.store
            .send(
                "set the addresses",
                post(&format!("/store/carts/{cart_id}")).json(&json!({
                    "email": email,
                    "shipping_address": address,
                    "billing_address": address,
                })),
            )
            .await?;
        let options: ShippingOptions = self
            .store
            .json(
                "list shipping options",
                get(&format!("/store/shipping-options?cart_id={cart_id}")),
            )
            .await?;
        let option = options.shipping_options.into_iter().next().ok_or_else(|| {
            VerifyError::Unexpected(format!(
                "no shipping option reaches an address in {country:?}"
            ))
        })?;
        self.store
            .send(
                "choose shipping",
                post(&format!("/store/carts/{cart_id}/shipping-methods"))
                    .json(&json!({ "option_id": option.id })),
            )
            .await?;
        let collection: PaymentCollectionBody = self
            .store
            .json(
                "create the payment collection",
                post("/store/payment-collections").json(&json!({ "cart_id": cart_id })),
            )
            .await?;
        self.store
            .send(
                "start the payment session",
                post(&format!(
                    "/store/payment-collections/{}/payment-sessions",
                    collection.payment_collection.id
                ))
                .json(&json!({ "provider_id": SYSTEM_PAYMENT_PROVIDER })),
            )
            .await?;
        let completed: Completed = self
            .store
            .json(
                "complete the cart",
                post(&format!("/store/carts/{cart_id}/complete")),
            )
            .await?;
        let placed = match (completed.kind.as_str(), completed.order) {
            ("order", Some(order)) => order,
            (_, _) => {
                let why = completed
                    .error
                    .as_ref()
                    .and_then(|e| e["message"].as_str())
                    .unwrap_or("no reason given");
                return Err(VerifyError::Unexpected(format!(
                    "completing the cart made no order: {why}"
                )));
            }
        };
        let found: OrderBody = self
            .store
            .json(
                "look the order up",
                self.store
                    .get(&format!("/admin/orders/{}", placed.id))
                    .bearer_auth(&admin.token),
            )
            .await?;
        if found.order.display_id != placed.display_id {
            return Err(VerifyError::Unexpected(format!(
                "the Admin API shows order {} as #{}, not #{}",
                placed.id, found.order.display_id, placed.display_id
            )));
        }
        Ok(VerifiedOrder {
            order_id: found.order.display_id,
            product,
            state: found.order.status,
        })
    }
}
