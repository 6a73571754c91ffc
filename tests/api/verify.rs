//! The checkout verifier against a local HTTP server that answers like the WooCommerce
//! Store API (`/wp-json/wc/store/v1`): products, cart with `Cart-Token`, add-item,
//! checkout — and its documented error shapes.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use storefleet::engines::VerifyError;
use storefleet::engines::woocommerce::store_api::CheckoutVerifier;

/// How the fake store misbehaves.
#[derive(Clone, Copy, Default, PartialEq)]
enum Mode {
    #[default]
    Healthy,
    NoProducts,
    NoCartToken,
    CodDisabled,
    OrderPending,
    NotWooCommerce,
}

#[derive(Default)]
struct Shop {
    mode: Mode,
    carts: Mutex<Vec<(String, Vec<u64>)>>,
    seen_hosts: Mutex<Vec<String>>,
}

fn woo_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "code": code, "message": message, "data": { "status": status.as_u16() } })),
    )
        .into_response()
}

async fn products(State(shop): State<Arc<Shop>>, headers: HeaderMap) -> Response {
    if let Some(h) = headers.get("host").and_then(|v| v.to_str().ok()) {
        shop.seen_hosts.lock().unwrap().push(h.to_owned());
    }
    match shop.mode {
        Mode::NoProducts => Json(json!([])).into_response(),
        Mode::NotWooCommerce => (StatusCode::OK, "<html>Coming soon</html>").into_response(),
        _ => Json(json!([
            { "id": 11, "name": "Sold out mug", "is_purchasable": true, "is_in_stock": false },
            { "id": 12, "name": "Storefleet T-shirt", "is_purchasable": true, "is_in_stock": true,
              "prices": { "price": "1500", "currency_code": "USD" } },
        ]))
        .into_response(),
    }
}

async fn cart(State(shop): State<Arc<Shop>>) -> Response {
    let token = format!("cart-{}", shop.carts.lock().unwrap().len() + 1);
    shop.carts.lock().unwrap().push((token.clone(), Vec::new()));
    let mut resp = Json(json!({ "items": [], "items_count": 0 })).into_response();
    if shop.mode != Mode::NoCartToken {
        resp.headers_mut()
            .insert("Cart-Token", token.parse().unwrap());
    }
    resp
}

fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get("cart-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn add_item(
    State(shop): State<Arc<Shop>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(token) = token(&headers) else {
        return woo_error(
            StatusCode::UNAUTHORIZED,
            "woocommerce_rest_missing_nonce",
            "Missing the Nonce header.",
        );
    };
    let id = body["id"].as_u64().unwrap_or(0);
    if id != 12 {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "woocommerce_rest_product_out_of_stock",
            "Not in stock.",
        );
    }
    let mut carts = shop.carts.lock().unwrap();
    let Some((_, items)) = carts.iter_mut().find(|(t, _)| *t == token) else {
        return woo_error(
            StatusCode::UNAUTHORIZED,
            "woocommerce_rest_invalid_cart_token",
            "Invalid cart token.",
        );
    };
    items.push(id);
    Json(json!({ "items": [{ "id": id, "quantity": 1 }], "items_count": items.len() }))
        .into_response()
}

async fn checkout(
    State(shop): State<Arc<Shop>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(token) = token(&headers) else {
        return woo_error(
            StatusCode::UNAUTHORIZED,
            "woocommerce_rest_missing_nonce",
            "Missing the Nonce header.",
        );
    };
    let has_items = shop
        .carts
        .lock()
        .unwrap()
        .iter()
        .any(|(t, items)| *t == token && !items.is_empty());
    if !has_items {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "woocommerce_rest_cart_empty",
            "Cannot create order from empty cart.",
        );
    }
    for field in [
        "first_name",
        "address_1",
        "city",
        "postcode",
        "country",
        "email",
    ] {
        if body["billing_address"][field]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            return woo_error(
                StatusCode::BAD_REQUEST,
                "woocommerce_rest_invalid_address",
                "Invalid billing address.",
            );
        }
    }
    if body["payment_method"] != "cod" || shop.mode == Mode::CodDisabled {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "woocommerce_rest_checkout_invalid_payment_method",
            "The selected payment method is not available.",
        );
    }
    let status = if shop.mode == Mode::OrderPending {
        "pending"
    } else {
        "processing"
    };
    Json(json!({ "order_id": 1042, "status": status, "order_key": "wc_order_x", "payment_result": { "payment_status": "success" } }))
        .into_response()
}

async fn serve(mode: Mode) -> (String, Arc<Shop>) {
    let shop = Arc::new(Shop {
        mode,
        ..Default::default()
    });
    let app = Router::new()
        .route("/wp-json/wc/store/v1/products", get(products))
        .route("/wp-json/wc/store/v1/cart", get(cart))
        .route("/wp-json/wc/store/v1/cart/add-item", post(add_item))
        .route("/wp-json/wc/store/v1/checkout", post(checkout))
        .with_state(shop.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), shop)
}

async fn verify(mode: Mode) -> Result<storefleet::engines::VerifiedOrder, VerifyError> {
    let (base, _) = serve(mode).await;
    CheckoutVerifier::new(&base, "shop.example.com", None)
        .unwrap()
        .verify()
        .await
}

#[tokio::test]
async fn a_healthy_store_takes_a_cash_on_delivery_order() {
    let order = verify(Mode::Healthy).await.unwrap();
    assert_eq!(order.order_id, 1042);
    assert_eq!(
        order.product, "Storefleet T-shirt",
        "skips the product that is out of stock"
    );
}

#[tokio::test]
async fn failures_say_which_step_and_why() {
    let err = verify(Mode::NoProducts).await.unwrap_err();
    assert!(err.to_string().contains("no purchasable product"), "{err}");
    assert!(!err.is_transient());
    let err = verify(Mode::NoCartToken).await.unwrap_err();
    assert!(err.to_string().contains("Cart-Token"), "{err}");
    let err = verify(Mode::CodDisabled).await.unwrap_err();
    let VerifyError::Api {
        step,
        status,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*step, *status), ("checkout", 400));
    assert!(
        message.contains("payment method is not available")
            && message.contains("invalid_payment_method"),
        "{message}"
    );
    assert!(!err.is_transient());
    let err = verify(Mode::OrderPending).await.unwrap_err();
    assert!(err.to_string().contains("not \"processing\""), "{err}");
    let err = verify(Mode::NotWooCommerce).await.unwrap_err();
    assert!(
        err.to_string().contains("not the Store API's JSON"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_store_is_a_transient_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = CheckoutVerifier::new(&format!("http://{addr}/"), "x.example.com", None)
        .unwrap()
        .verify()
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::Unreachable(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn requests_can_go_through_an_ingress_address_with_the_store_host() {
    let (base, shop) = serve(Mode::Healthy).await;
    let addr: std::net::SocketAddr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let url = format!("http://shop.example.com:{}/", addr.port());
    let order = CheckoutVerifier::new(&url, "shop.example.com", Some(addr))
        .unwrap()
        .verify()
        .await
        .unwrap();
    assert_eq!(order.order_id, 1042);
    let hosts = shop.seen_hosts.lock().unwrap().clone();
    assert!(hosts[0].starts_with("shop.example.com"), "{hosts:?}");
}
