# shellcheck shell=bash
# Shared by scripts/test-real-store (WooCommerce) and scripts/test-real-medusa: the
# release binary serving on a free port with one admin, the API helpers, and checks on a
# store's pods, its ingress and its network policies with real connections.
# Before sourcing: ROOT, BIN, TIMEOUT; then start_platform VALUES.

command -v jq >/dev/null || apt_install jq
# shellcheck source=../../testenv/lib/common.sh
. "$ROOT/testenv/lib/common.sh"
# shellcheck source=../../testenv/lib/node.sh
. "$ROOT/testenv/lib/node.sh"
INGRESS="127.0.0.1:${INGRESS_PORT}"
kubectl get node "$REAL_NODE_NAME" >/dev/null 2>&1 || die "testenv has no real node ($REAL_NODE_NAME): run testenv/cluster up with STOREFLEET_TESTENV_REAL_NODE=1"

PASSED=0 FAILED=0
ok() { echo "ok   $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; FAILED=$((FAILED + 1)); }
check() { # name command...
  local name="$1" out; shift
  if out="$("$@" 2>&1)"; then ok "$name"; else fail "$name" "$(tail -5 <<<"$out")"; fi
}

WORK="$(mktemp -d)"
SERVER_PID=""
STORES=()
cleanup() {
  local id
  for id in "${STORES[@]}"; do api DELETE "/stores/$id" >/dev/null 2>&1 || true; done
  for id in "${STORES[@]}"; do wait_gone "$id" || true; done
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

# The platform, with STOREFLEET_VALUES_FILE=$1, checkout verification on, two workers, and
# the store charts built into the binary (STOREFLEET_CHART_DIR unset), as operators run it.
start_platform() {
  PORT="$(free_port)"
  API="http://127.0.0.1:$PORT/api/v1"
  unset STOREFLEET_CHART_DIR
  export STOREFLEET_LISTEN="127.0.0.1:$PORT" STOREFLEET_DATA_DIR="$WORK/data" \
    STOREFLEET_VALUES_FILE="$1" \
    STOREFLEET_INGRESS_ADDRESS="$INGRESS" STOREFLEET_CHECKOUT_VERIFY=on \
    STOREFLEET_PROVISION_TIMEOUT_SECS="$TIMEOUT" STOREFLEET_WORKERS=2 RUST_LOG=info
  mkdir -p "$WORK/data"
  "$BIN" serve > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  EMAIL=admin@real-store.test
  PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  printf '%s\n' "$PASSWORD" | "$BIN" user create --email "$EMAIL" --admin --password-stdin >/dev/null \
    || die "storefleet user create failed"
  TOKEN="$(curl -fsS -H 'content-type: application/json' \
    -d "$(jq -n --arg e "$EMAIL" --arg p "$PASSWORD" '{email: $e, password: $p}')" "$API/auth/login" | jq -r .token)"
  [ -n "$TOKEN" ] && [ "$TOKEN" != null ] || die "login failed (server log: $WORK/server.log)"
}

api() { # method path [json]
  local args=(-sS -H "authorization: Bearer $TOKEN" -X "$1")
  [ $# -ge 3 ] && args+=(-H 'content-type: application/json' -d "$3")
  curl "${args[@]}" "$API$2"
}
store_field() { api GET "/stores/$1" | jq -r "$2"; }
wait_gone() {
  local deadline=$(( $(date +%s) + 180 ))
  while [ "$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $TOKEN" "$API/stores/$1")" != 404 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 2
  done
}
# Until the store leaves Pending/Provisioning; prints the final status.
wait_settled() {
  local id="$1" status deadline=$(( $(date +%s) + TIMEOUT + 60 ))
  while :; do
    status="$(store_field "$id" .status)"
    case "$status" in Ready|Failed) echo "$status"; return 0 ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$status"; return 1; }
    sleep 3
  done
}
create_store() { # name engine -> id
  local id
  id="$(api POST /stores "$(jq -n --arg n "$1" --arg e "$2" '{name: $n, engine: $e}')" | jq -r .id)"
  [ -n "$id" ] && [ "$id" != null ] || die "creating store $1 failed"
  echo "$id"
}

events() { api GET "/stores/$1/events" | jq -r '.items[] | "\(.level) \(.step): \(.message)"'; }
secret() { kubectl -n "$1" get secret storefleet-credentials -o "jsonpath={.data.$2}" | base64 -d; }
on_real_node() { # ns: every pod of the namespace runs on the real node
  local nodes
  nodes="$(kubectl -n "$1" get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u)"
  [ "$nodes" = "$REAL_NODE_NAME" ] || { echo "pods on: $nodes"; return 1; }
}
pod_ready() { # ns selector
  [ "$(kubectl -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | sort -u)" = True ]
}
no_restarts() { # ns selector
  local r
  r="$(kubectl -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}{.restartCount}{"\n"}{end}{end}' | sort -u)"
  [ "$r" = 0 ] || { echo "restart counts: $r"; return 1; }
}
via_ingress() { # host path [curl args...]
  local host="$1" path="$2"; shift 2
  curl -sS --max-time 30 --resolve "$host:${INGRESS_PORT}:127.0.0.1" "$@" "http://$host:${INGRESS_PORT}$path"
}
status_of() { via_ingress "$1" "$2" -o /dev/null -w '%{http_code}'; }

# A probe pod carries the labels of a store component, so its namespace's policies treat it
# as that component, and tries a TCP connection with busybox nc: connected when nc is still
# talking after 3 s (killed by timeout: 124) or the peer closed (0); blocked when nc gives
# up (1: refused, unreachable or no answer within 2 s). The pod prints CONNECTED or
# BLOCKED, so a pod that did not run at all fails both kinds of check.
probe_result() { # chart ns component target-host port -> prints CONNECTED, BLOCKED: <why>, or what went wrong
  local chart="$1" ns="$2" comp="$3" target="$4" port="$5" name="probe-$RANDOM" instance
  instance="$(kubectl -n "$ns" get deploy -l "app.kubernetes.io/name=$chart" -o jsonpath='{.items[0].metadata.labels.app\.kubernetes\.io/instance}')"
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $name
  labels:
    app.kubernetes.io/name: $chart
    app.kubernetes.io/instance: "$instance"
    ${comp:+app.kubernetes.io/component: $comp}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  nodeSelector: {storefleet.io/node-kind: real}
  tolerations: [{key: storefleet.io/real-node, operator: Exists, effect: NoSchedule}]
  securityContext: {runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: probe
      image: storefleet.local/toolbox:testenv
      imagePullPolicy: Never
      # Policies follow a new pod within seconds (kube-router resyncs on pod changes): try
      # for about 20 s; "cannot reach" means no attempt in that time connected.
      command:
        - sh
        - -c
        - |
          for i in 1 2 3 4 5 6; do
            err=\$(timeout 3 nc -w 2 $target $port </dev/null 2>&1 >/dev/null); rc=\$?
            if [ \$rc = 124 ] || [ \$rc = 0 ]; then echo CONNECTED; exit 0; fi
            sleep 1
          done
          echo "BLOCKED: \$err"
      resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 32Mi}}
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
YAML
  local phase deadline=$(( $(date +%s) + 90 ))
  while :; do
    phase="$(kubectl -n "$ns" get pod "$name" -o jsonpath='{.status.phase}' 2>/dev/null)"
    case "$phase" in Succeeded|Failed) break ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || { phase=Timeout; break; }
    sleep 1
  done
  local said
  said="$(kubectl -n "$ns" logs "$name" 2>&1 | tail -n 1)"
  kubectl -n "$ns" delete pod "$name" --wait=false >/dev/null 2>&1
  echo "${said:-pod $name ended $phase without output}"
}
probe() { local r; r="$(probe_result "$@")"; [ "$r" = CONNECTED ] || { echo "$r"; return 1; }; }
refused() { local r; r="$(probe_result "$@")"; case "$r" in BLOCKED*) return 0 ;; *) echo "$r"; return 1 ;; esac; }
svc() { echo "$2-$1.$3.svc.cluster.local"; } # component release ns

# Working-set memory of a namespace's pods on the real node, in MiB (kubelet summary).
namespace_memory() {
  kubectl get --raw "/api/v1/nodes/$REAL_NODE_NAME/proxy/stats/summary" 2>/dev/null \
    | jq -r --arg ns "$1" '[.pods[] | select(.podRef.namespace == $ns) | .memory.workingSetBytes // 0] | add / 1048576 | floor'
}

# Nothing of a deleted store is left: namespace gone, no PersistentVolume bound to it.
nothing_left() { # ns
  local deadline=$(( $(date +%s) + 180 ))
  while kubectl get namespace "$1" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "namespace $1 still exists"; return 1; }
    sleep 2
  done
  local pvs
  pvs="$(kubectl get pv -o jsonpath='{range .items[*]}{.spec.claimRef.namespace}{"\n"}{end}' | grep -xF "$1" || true)"
  [ -z "$pvs" ] || { echo "PersistentVolumes still claimed by $1"; return 1; }
}
