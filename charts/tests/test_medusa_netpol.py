"""medusa-store's NetworkPolicies allow exactly the flows a store needs (the evaluator of
test_netpol.py over the rendered policies): every pair of store pods, the ingress
controller, DNS, another store, the API server, the internet and cloud metadata."""

from __future__ import annotations

import pytest

from conftest import MEDUSA_RENDERINGS
from test_netpol import API_SERVER, INGRESS_CONTROLLER, INTERNET, KUBE_DNS, METADATA, Peer, allowed, store_pods

OTHER_STORE = Peer("other", "store-other", {"app.kubernetes.io/component": "medusa-server"},
                   {"kubernetes.io/metadata.name": "store-other"})
PORTS = {"postgres": 5432, "redis": 6379, "medusa-server": 9000, "medusa-worker": 9000, "setup": 9000}
CLIENTS = ("medusa-server", "medusa-worker", "setup")


def expected_flows(pods: dict[str, Peer], internet: bool) -> list[tuple[Peer, Peer, int, str, bool]]:
    flows = []
    # Between the store's pods: only the Medusa processes reach PostgreSQL and Redis.
    for src_name, src in pods.items():
        for dst_name, dst in pods.items():
            if src_name == dst_name:
                continue
            for port in {PORTS[dst_name], 22, 80}:
                ok = src_name in CLIENTS and dst_name in ("postgres", "redis") and port == PORTS[dst_name]
                flows.append((src, dst, port, "TCP", ok))
    for name, pod in pods.items():
        flows += [
            (INGRESS_CONTROLLER, pod, PORTS[name], "TCP", name == "medusa-server"),
            (OTHER_STORE, pod, PORTS[name], "TCP", False),
            (pod, OTHER_STORE, 9000, "TCP", False),
            (pod, KUBE_DNS, 53, "UDP", True), (pod, KUBE_DNS, 53, "TCP", True), (pod, KUBE_DNS, 80, "TCP", False),
            (pod, API_SERVER, 443, "TCP", False),
            (pod, METADATA, 80, "TCP", False), (pod, METADATA, 443, "TCP", False),
            (pod, INTERNET, 80, "TCP", False),
            (pod, INTERNET, 443, "TCP", internet and name in CLIENTS),
        ]
    return flows


@pytest.mark.parametrize("name", list(MEDUSA_RENDERINGS))
def test_store_flows(medusa_renderings, name):
    r = medusa_renderings[name]
    pods = store_pods(r)
    assert set(pods) == set(PORTS)
    internet = name == "internet"
    wrong = [f"{s.name} -> {d.name}:{port}/{proto} should be {'allowed' if ok else 'denied'}"
             for s, d, port, proto, ok in expected_flows(pods, internet) if allowed(r, s, d, port, proto) != ok]
    assert not wrong, "\n".join(wrong)


def test_internet_egress_is_off_unless_asked_for(medusa_renderings):
    def has_internet(r):
        return any(p["metadata"]["name"].endswith("allow-internet-https") for p in r.of_kind("NetworkPolicy"))
    assert [n for n, r in medusa_renderings.items() if has_internet(r)] == ["internet"]


def test_every_pod_is_isolated_both_ways(medusa_renderings):
    """The default-deny policy selects every pod for ingress and egress."""
    r = medusa_renderings["defaults"]
    deny = [p for p in r.of_kind("NetworkPolicy")
            if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert len(deny) == 1
