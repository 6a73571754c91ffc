"""medusa-store: wrong types and missing required values fail at install with a message
naming the value (values.schema.json, templates/validate.yaml)."""

from __future__ import annotations

import pytest
import yaml

from conftest import MEDUSA_CHART, MEDUSA_STORE_VALUES, NAMESPACE, run_helm
from test_schema import merge

# (case, values replacing the store fixture's, text expected in helm's error)
BAD_VALUES = [
    ("host missing", {"store": {"host": ""}}, "/store/host"),
    ("host not a name", {"store": {"host": "Shop_Front"}}, "/store/host"),
    ("host not a string", {"store": {"host": 42}}, "/store/host"),
    ("secret missing", {"credentials": {"existingSecret": ""}}, "/credentials/existingSecret"),
    ("secret not a string", {"credentials": {"existingSecret": ["a"]}}, "/credentials/existingSecret"),
    ("store id not a uuid", {"store": {"id": "not-a-uuid"}}, "/store/id"),
    ("admin email", {"store": {"adminEmail": "nobody"}}, "/store/adminEmail"),
    ("woocommerce's admin user", {"store": {"adminUser": "admin"}}, "adminUser"),
    ("server replicas as text", {"medusa": {"server": {"replicas": "two"}}}, "/medusa/server/replicas"),
    ("quota pods as text", {"quota": {"pods": "eight"}}, "/quota/pods"),
    ("quota cpu not a quantity", {"quota": {"limits": {"cpu": "lots"}}}, "/quota/limits/cpu"),
    ("latest tag", {"postgres": {"image": {"tag": "latest"}}}, "/postgres/image/tag"),
    ("empty tag", {"medusa": {"image": {"tag": ""}}}, "/medusa/image/tag"),
    ("no medusa image", {"medusa": {"image": {"repository": ""}}}, "medusa.image.repository is required"),
    ("pull policy", {"imagePullPolicy": "Sometimes"}, "/imagePullPolicy"),
    ("placement typo", {"placement": {"nodeselector": {"a": "b"}}}, "nodeselector"),
    ("placement tolerations not a list", {"placement": {"tolerations": {"key": "x"}}}, "/placement/tolerations"),
    ("currency upper-case", {"medusa": {"currency": "USD"}}, "/medusa/currency"),
    ("currency a word", {"medusa": {"currency": "dollars"}}, "/medusa/currency"),
    ("countries as a string", {"medusa": {"countries": "us"}}, "/medusa/countries"),
    ("country upper-case", {"medusa": {"countries": ["US"]}}, "/medusa/countries/0"),
    ("no countries", {"medusa": {"countries": []}}, "/medusa/countries"),
    ("product without price", {"medusa": {"sampleProducts": [{"title": "x", "handle": "x", "sku": "x", "stock": 1}]}},
     "/medusa/sampleProducts/0"),
    ("product without handle", {"medusa": {"sampleProducts": [{"title": "x", "sku": "x", "price": "1", "stock": 1}]}},
     "/medusa/sampleProducts/0"),
    ("product handle with spaces",
     {"medusa": {"sampleProducts": [{"title": "x", "handle": "a b", "sku": "x", "price": "1", "stock": 1}]}},
     "/medusa/sampleProducts/0/handle"),
    ("product price in cents words",
     {"medusa": {"sampleProducts": [{"title": "x", "handle": "x", "sku": "x", "price": "12 USD", "stock": 1}]}},
     "/medusa/sampleProducts/0/price"),
    ("product stock negative",
     {"medusa": {"sampleProducts": [{"title": "x", "handle": "x", "sku": "x", "price": "1", "stock": -1}]}},
     "/medusa/sampleProducts/0/stock"),
    ("product with woocommerce's name key",
     {"medusa": {"sampleProducts": [{"name": "x", "title": "x", "handle": "x", "sku": "x", "price": "1", "stock": 1}]}},
     "name"),
    ("heap not a number", {"medusa": {"server": {"maxOldSpaceSizeMb": "512M"}}}, "/medusa/server/maxOldSpaceSizeMb"),
    ("admin flag as text", {"medusa": {"adminEnabled": "yes"}}, "/medusa/adminEnabled"),
    ("cors origin with a path", {"medusa": {"extraCorsOrigins": ["https://a.example.com/shop"]}},
     "/medusa/extraCorsOrigins/0"),
    ("privileged port", {"medusa": {"port": 80}}, "/medusa/port"),
    ("redis maxmemory unit", {"redis": {"maxMemory": "64Mi"}}, "/redis/maxMemory"),
    ("postgres shared buffers unit", {"postgres": {"config": {"sharedBuffers": "64Mi"}}},
     "/postgres/config/sharedBuffers"),
    ("tls mode", {"ingress": {"tls": {"mode": "letsencrypt"}}}, "/ingress/tls/mode"),
    ("resources without limits", {"medusa": {"worker": {"resources": {"limits": None}}}},
     "/medusa/worker/resources"),
    ("egress not a boolean", {"egress": {"internet": "yes"}}, "/egress/internet"),
    ("typo in a key", {"medusaa": {"port": 9000}}, "medusaa"),
    ("typo in a nested key", {"postgres": {"persistance": {"size": "1Gi"}}}, "persistance"),
    ("woocommerce values", {"woocommerce": {"source": "image"}}, "woocommerce"),
    ("setup backoff negative", {"setup": {"backoffLimit": -1}}, "/setup/backoffLimit"),
    # Rules the schema cannot express, checked by templates/validate.yaml.
    ("cert-manager without issuer", {"ingress": {"tls": {"mode": "certManager"}}}, "issuerName"),
    ("existing secret mode without secret", {"ingress": {"tls": {"mode": "existingSecret"}}},
     "ingress.tls.secretName"),
    ("duplicate product handles",
     {"medusa": {"sampleProducts": [{"title": "a", "handle": "x", "sku": "a", "price": "1", "stock": 1},
                                    {"title": "b", "handle": "x", "sku": "b", "price": "1", "stock": 1}]}},
     'handle "x" appears twice'),
]


@pytest.mark.parametrize("case, override, message", BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_bad_values_fail_with_a_clear_message(tmp_path, case, override, message):
    values = merge(yaml.safe_load(MEDUSA_STORE_VALUES.read_text()), override)
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    proc = run_helm(["template", "shop", str(MEDUSA_CHART), "--namespace", NAMESPACE, "-f", str(path)], check=False)
    assert proc.returncode != 0, f"{case}: helm accepted bad values"
    assert message in proc.stderr, f"{case}: error does not name {message!r}:\n{proc.stderr}"


def test_required_values_missing_entirely_fail():
    proc = run_helm(["template", "shop", str(MEDUSA_CHART), "--namespace", NAMESPACE], check=False)
    assert proc.returncode != 0
    assert "/store/host" in proc.stderr and "/credentials/existingSecret" in proc.stderr


def test_the_store_fixture_and_the_operators_image_are_enough():
    run_helm(["template", "shop", str(MEDUSA_CHART), "--namespace", NAMESPACE, "-f", str(MEDUSA_STORE_VALUES),
              "--set", "medusa.image.repository=registry.example.com/shop/medusa"])
