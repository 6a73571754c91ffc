#!/usr/bin/env python3
"""Places one order in a Medusa store through its HTTP APIs, as the engine's verifier does.

    medusa-order.py BASE_URL        # e.g. http://127.0.0.1:9000

Reads MEDUSA_ADMIN_EMAIL and MEDUSA_ADMIN_PASSWORD from the environment (never argv).
Steps: admin login -> publishable key -> region -> product -> cart -> line item ->
addresses and e-mail -> shipping option -> shipping method -> payment collection ->
pp_system_default session -> complete -> the order through the Admin API. Prints one line
per step and, last, a JSON object with the ids; exits 1 at the first failing step.
"""

import json
import os
import sys
import urllib.error
import urllib.request


class StepFailed(Exception):
    pass


def call(base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        text = err.read().decode(errors="replace")[:400]
        raise StepFailed(f"{method} {path} -> {err.code}: {text}") from None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base = sys.argv[1].rstrip("/")
    email = os.environ["MEDUSA_ADMIN_EMAIL"]
    password = os.environ["MEDUSA_ADMIN_PASSWORD"]
    ids = {}

    def step(name, fn):
        try:
            result = fn()
        except (StepFailed, KeyError, IndexError, TypeError) as err:
            print(f"FAILED {name}: {err}", flush=True)
            sys.exit(1)
        print(f"ok {name}", flush=True)
        return result

    token = step("admin login (POST /auth/user/emailpass)", lambda: call(
        base, "POST", "/auth/user/emailpass", {"email": email, "password": password})["token"])
    admin = {"Authorization": f"Bearer {token}"}
    pk = step("publishable key (GET /admin/api-keys?type=publishable)", lambda: call(
        base, "GET", "/admin/api-keys?type=publishable", headers=admin)["api_keys"][0]["token"])
    store = {"x-publishable-api-key": pk}
    region = step("region (GET /store/regions)", lambda: call(
        base, "GET", "/store/regions", headers=store)["regions"][0])
    ids["region_id"] = region["id"]
    country = region["countries"][0]["iso_2"]
    product = step("product (GET /store/products)", lambda: call(
        base, "GET", f"/store/products?region_id={region['id']}&fields=*variants.calculated_price,+variants.inventory_quantity",
        headers=store)["products"][0])
    ids["variant_id"] = product["variants"][0]["id"]
    cart = step("cart (POST /store/carts)", lambda: call(
        base, "POST", "/store/carts", {"region_id": region["id"]}, headers=store)["cart"])
    ids["cart_id"] = cart["id"]
    step("line item (POST /store/carts/{id}/line-items)", lambda: call(
        base, "POST", f"/store/carts/{cart['id']}/line-items",
        {"variant_id": ids["variant_id"], "quantity": 1}, headers=store)["cart"])
    address = {"first_name": "Ada", "last_name": "Buyer", "address_1": "1 Main Street",
               "city": "Springfield", "postal_code": "12345", "country_code": country}
    step("addresses and e-mail (POST /store/carts/{id})", lambda: call(
        base, "POST", f"/store/carts/{cart['id']}",
        {"email": "buyer@example.com", "shipping_address": address, "billing_address": address},
        headers=store)["cart"])
    option = step("shipping options (GET /store/shipping-options?cart_id=)", lambda: call(
        base, "GET", f"/store/shipping-options?cart_id={cart['id']}", headers=store)["shipping_options"][0])
    ids["shipping_option_id"] = option["id"]
    step("shipping method (POST /store/carts/{id}/shipping-methods)", lambda: call(
        base, "POST", f"/store/carts/{cart['id']}/shipping-methods", {"option_id": option["id"]},
        headers=store)["cart"])
    pc = step("payment collection (POST /store/payment-collections)", lambda: call(
        base, "POST", "/store/payment-collections", {"cart_id": cart["id"]}, headers=store)["payment_collection"])
    ids["payment_collection_id"] = pc["id"]
    step("payment session (POST /store/payment-collections/{id}/payment-sessions)", lambda: call(
        base, "POST", f"/store/payment-collections/{pc['id']}/payment-sessions",
        {"provider_id": "pp_system_default"}, headers=store)["payment_collection"])
    done = step("complete (POST /store/carts/{id}/complete)", lambda: call(
        base, "POST", f"/store/carts/{cart['id']}/complete", {}, headers=store))
    if done.get("type") != "order":
        print(f"FAILED complete: {json.dumps(done)[:400]}")
        return 1
    ids["order_id"] = done["order"]["id"]
    ids["display_id"] = done["order"]["display_id"]
    order = step("order (GET /admin/orders/{id})", lambda: call(
        base, "GET", f"/admin/orders/{ids['order_id']}?fields=id,display_id,status,total,currency_code,email",
        headers=admin)["order"])
    if order["id"] != ids["order_id"]:
        print("FAILED order: the Admin API returned another order")
        return 1
    ids["order_status"] = order["status"]
    ids["order_total"] = order["total"]
    ids["currency_code"] = order["currency_code"]
    print(json.dumps(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
