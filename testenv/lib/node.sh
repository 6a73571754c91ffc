# shellcheck shell=bash
# shellcheck disable=SC2034  # (NODE_COMPONENTS and others are used by testenv/cluster)
# The real node of testenv: containerd + runc (Debian), a kubelet and kube-proxy built from
# the pinned Kubernetes, the CNI bridge + portmap plugins (Debian), a NetworkPolicy
# controller, cluster DNS, an ingress controller on 127.0.0.1 and a local-path volume
# provisioner. Sourced by testenv/cluster after common.sh and certs.sh.
#
# Every change this makes to the host is recorded under $NODE_DIR/host/ the first time and
# undone by node_restore_host (called by `down`): sysctls, iptables/ip6tables rules, ipsets,
# the bridge interface, mounts under our directories, cgroups under our cgroup root, and
# the host directories the kubelet and the CNI plugins insist on (/var/log/containers,
# /var/lib/cni, /run/netns).

REAL_NODE="${STOREFLEET_TESTENV_REAL_NODE:-1}"
REAL_NODE_NAME="${STOREFLEET_TESTENV_REAL_NODE_NAME:-testenv-real-1}"
NODE_DIR="$STATE_DIR/node"
# Images survive `rm -rf state` (they take minutes to build and import).
CONTAINERD_ROOT="$CACHE_ROOT/containerd"
CONTAINERD_STATE="$NODE_DIR/containerd"
CONTAINERD_SOCK="$NODE_DIR/containerd.sock"
KUBELET_ROOT="$NODE_DIR/kubelet"
CNI_CONF_DIR="$NODE_DIR/cni/net.d"
CNI_BIN_DIR="${STOREFLEET_TESTENV_CNI_BIN_DIR:-/usr/lib/cni}"
LOCAL_PATH_DIR="$NODE_DIR/local-path"
HOST_SAVED="$NODE_DIR/host"
# One cgroup subtree (in every v1 controller) holds every pod: `down` removes it.
CGROUP_ROOT=/storefleet-testenv

BRIDGE="${STOREFLEET_TESTENV_BRIDGE:-sfbr0}"
BRIDGE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
DNS_IP=10.96.0.10
KUBELET_PORT="${STOREFLEET_TESTENV_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${STOREFLEET_TESTENV_KUBELET_HEALTHZ_PORT:-10248}"
PROXY_HEALTHZ_PORT="${STOREFLEET_TESTENV_PROXY_HEALTHZ_PORT:-10256}"
PROXY_METRICS_PORT="${STOREFLEET_TESTENV_PROXY_METRICS_PORT:-10249}"
INGRESS_PORT="${STOREFLEET_TESTENV_INGRESS_PORT:-80}"
INGRESS_PING_PORT="${STOREFLEET_TESTENV_INGRESS_PING_PORT:-18082}"
# (It listens on every interface: local-path-provisioner v0.0.37 cannot bind one.)
LOCAL_PATH_HEALTH_PORT="${STOREFLEET_TESTENV_LOCAL_PATH_HEALTH_PORT:-18083}"
INGRESS_CLASS=nginx

NODE_COMPONENTS=(containerd apiserver-proxy kubelet kube-proxy kube-router local-path-provisioner traefik)

# Sysctls the node needs or that the kubelet sets at every start (protectKernelDefaults
# off): saved once, restored by `down`.
NODE_SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet
  net.ipv4.conf.all.forwarding)

node_enabled() { [ "$REAL_NODE" = 1 ]; }

node_bin() { # component -> executable
  case "$1" in
    containerd) command -v containerd ;;
    apiserver-proxy) command -v socat ;;
    *) echo "$BIN_DIR/$1" ;;
  esac
}

node_packages() {
  ensure_packages containerd:containerd runc:runc socat:socat iptables:iptables ipset:ipset \
    conntrack:conntrack debootstrap:debootstrap ip:iproute2 findmnt:util-linux
  if ! [ -x "$CNI_BIN_DIR/bridge" ] || ! [ -x "$CNI_BIN_DIR/portmap" ] || ! [ -x "$CNI_BIN_DIR/host-local" ]; then
    ensure_packages "$CNI_BIN_DIR/bridge:containernetworking-plugins"
  fi
  [ -x "$CNI_BIN_DIR/bridge" ] || die "CNI plugins missing from $CNI_BIN_DIR (package containernetworking-plugins)"
}

# Refuse early, with the reason, where a real node cannot run.
node_preflight() {
  [ "$(id -u)" -eq 0 ] || die "the real node needs root (kubelet, containerd, iptables); set STOREFLEET_TESTENV_REAL_NODE=0 for a simulated-only cluster"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || die "no cgroup filesystem at /sys/fs/cgroup"
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || modprobe br_netfilter 2>/dev/null || true
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || die "the kernel has no br_netfilter (bridge-nf-call-iptables); Services and NetworkPolicies cannot work"
}

# ---------------------------------------------------------------------------------------
# Host state: save once, restore on down.

node_save_host() {
  mkdir -p "$HOST_SAVED"
  [ -s "$HOST_SAVED/sysctl.env" ] && return 0
  local k f
  : > "$HOST_SAVED/sysctl.env.tmp"
  for k in "${NODE_SYSCTLS[@]}"; do
    f="/proc/sys/${k//.//}"
    [ -e "$f" ] && printf '%s=%s\n' "$k" "$(cat "$f")" >> "$HOST_SAVED/sysctl.env.tmp"
  done
  iptables-save > "$HOST_SAVED/iptables.rules"
  ip6tables-save > "$HOST_SAVED/ip6tables.rules" 2>/dev/null || : > "$HOST_SAVED/ip6tables.rules"
  ipset list -n > "$HOST_SAVED/ipsets" 2>/dev/null || : > "$HOST_SAVED/ipsets"
  local d
  : > "$HOST_SAVED/created-dirs"
  for d in /var/log/containers /var/log/pods /var/lib/cni /run/netns /var/run/netns /run/containerd /etc/cni; do
    [ -e "$d" ] || echo "$d" >> "$HOST_SAVED/created-dirs"
  done
  mv "$HOST_SAVED/sysctl.env.tmp" "$HOST_SAVED/sysctl.env"
}

node_restore_host() {
  [ -s "$HOST_SAVED/sysctl.env" ] || return 0
  local line k v
  while IFS= read -r line; do
    k="${line%%=*}" v="${line#*=}"
    sysctl -qw "$k=$v" 2>/dev/null || log "could not restore sysctl $k=$v"
  done < "$HOST_SAVED/sysctl.env"
  node_restore_rules iptables "$HOST_SAVED/iptables.rules" || log "could not restore iptables rules"
  node_restore_rules ip6tables "$HOST_SAVED/ip6tables.rules" || log "could not restore ip6tables rules"
  local set
  while read -r set; do
    [ -n "$set" ] || continue
    grep -qxF "$set" "$HOST_SAVED/ipsets" || ipset destroy "$set" 2>/dev/null || true
  done < <(ipset list -n 2>/dev/null)
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  local d
  while read -r d; do
    [ -n "$d" ] && [ -e "$d" ] && rm -rf "$d"
  done < "$HOST_SAVED/created-dirs"
  rm -rf "$HOST_SAVED"
  log "host restored (sysctls, iptables, ipsets, $BRIDGE, directories)"
}

# Back to the saved rule set: tables the save does not name are emptied (rules, our chains,
# ACCEPT policies), then the saved tables are restored as they were.
node_restore_rules() { # iptables|ip6tables saved-file
  local cmd="$1" saved="$2" t chain
  command -v "$cmd" >/dev/null || return 0
  for t in $("$cmd-save" 2>/dev/null | sed -n 's/^\*//p'); do
    grep -qx "\*$t" "$saved" && continue
    "$cmd" -t "$t" -F && "$cmd" -t "$t" -X || return 1
    for chain in $("$cmd" -t "$t" -S | awk '$1 == "-P" { print $2 }'); do
      "$cmd" -t "$t" -P "$chain" ACCEPT || return 1
    done
  done
  "$cmd-restore" < "$saved"
}

node_sysctl() { # key=value, saving happened in node_save_host
  sysctl -qw "$1" >/dev/null || die "sysctl -w $1 failed"
}

node_prepare_host() {
  node_save_host
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr show dev "$BRIDGE" | grep -q "inet $BRIDGE_IP/" || ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  node_sysctl net.ipv4.ip_forward=1
  node_sysctl net.bridge.bridge-nf-call-iptables=1
  node_sysctl net.bridge.bridge-nf-call-ip6tables=1
  local c
  for c in /sys/fs/cgroup/*/; do
    case "$c" in */unified/) continue ;; esac
    [ -f "$c/cgroup.procs" ] && mkdir -p "$c${CGROUP_ROOT#/}"
  done
  mkdir -p "$NODE_DIR" "$CONTAINERD_ROOT" "$CONTAINERD_STATE" "$KUBELET_ROOT" "$CNI_CONF_DIR" \
    "$LOCAL_PATH_DIR" "$NODE_DIR/pod-logs" "$NODE_DIR/volume-plugins" "$NODE_DIR/cni/ipam"
  chmod 0755 "$LOCAL_PATH_DIR"
}

# Mounts under our directories (containers' rootfs, volumes, netns) and cgroups, after
# every process is gone.
node_cleanup_mounts() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($NODE_DIR|$CONTAINERD_ROOT|/run/netns|/var/run/netns|/run/containerd)" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  local c
  for c in /sys/fs/cgroup/*/"${CGROUP_ROOT#/}"; do
    [ -d "$c" ] || continue
    find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$c" ] && log "cgroup $c still busy"
  done
  return 0
}

# ---------------------------------------------------------------------------------------
# Configuration.

node_write_configs() {
  local p="$PKI_DIR"
  # On a new machine this runs before node_prepare_host has made the node's directories.
  mkdir -p "$NODE_DIR" "$CNI_CONF_DIR"
  cat > "$NODE_DIR/containerd.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "storefleet.local/pause:testenv"
  # Without CAP_SYS_RESOURCE in this sandbox, runc cannot lower oom_score_adj.
  restrict_oom_score_adj = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""
EOF

  cat > "$CNI_CONF_DIR/10-storefleet.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "storefleet",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_DIR/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$BRIDGE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
  ]
}
EOF

  write_kubeconfig "$NODE_DIR/kubelet.kubeconfig" "system:node:$REAL_NODE_NAME" kubelet
  write_kubeconfig "$NODE_DIR/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
  write_kubeconfig "$NODE_DIR/kube-router.kubeconfig" system:kube-router kube-router
  write_kubeconfig "$NODE_DIR/local-path.kubeconfig" system:local-path-provisioner local-path-provisioner
  write_kubeconfig "$NODE_DIR/traefik.kubeconfig" system:traefik traefik

  printf 'nameserver %s\n' "$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf 2>/dev/null || echo 127.0.0.1)" \
    > "$NODE_DIR/resolv.conf"

  cat > "$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $BRIDGE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $p/kubelet-server.crt
tlsPrivateKeyFile: $p/kubelet-server.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $p/ca.crt}
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $NODE_DIR/resolv.conf
podCIDR: $POD_CIDR
podLogsDir: $NODE_DIR/pod-logs
volumePluginDir: $NODE_DIR/volume-plugins
maxPods: 60
serializeImagePulls: false
# Local images cannot be pulled back once collected.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
imageMinimumGCAge: 876000h
evictionHard: {memory.available: 100Mi, nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
evictionPressureTransitionPeriod: 30s
registerWithTaints:
  - {key: storefleet.io/real-node, value: "true", effect: NoSchedule}
nodeStatusReportFrequency: 10s
nodeStatusUpdateFrequency: 10s
syncFrequency: 10s
fileCheckFrequency: 20s
rotateCertificates: false
serverTLSBootstrap: false
protectKernelDefaults: false
localStorageCapacityIsolation: true
shutdownGracePeriod: 0s
EOF

  cat > "$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $NODE_DIR/kube-proxy.kubeconfig
hostnameOverride: $REAL_NODE_NAME
bindAddress: $BRIDGE_IP
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
clusterCIDR: $CLUSTER_CIDR
nodePortAddresses: [$BRIDGE_IP/32]
conntrack:
  # 0: leave the host's conntrack table size alone.
  maxPerCore: 0
  min: 0
iptables:
  localhostNodePorts: false
  masqueradeAll: false
  syncPeriod: 30s
  minSyncPeriod: 1s
EOF
}

# Certificates the node components present (called from ensure_pki's caller).
node_ensure_pki() {
  issue_cert kubelet "system:node:$REAL_NODE_NAME" system:nodes client ""
  issue_cert kubelet-server "system:node:$REAL_NODE_NAME" system:nodes server \
    "IP:$BRIDGE_IP, IP:127.0.0.1, DNS:$REAL_NODE_NAME, DNS:localhost"
  issue_cert kube-proxy system:kube-proxy "" client ""
  issue_cert kube-router system:kube-router "" client ""
  issue_cert local-path-provisioner system:local-path-provisioner "" client ""
  issue_cert traefik system:traefik "" client ""
  # The API server's client certificate towards kubelets (logs, exec, port-forward).
  issue_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters client ""
}

node_args() { # component
  case "$1" in
    containerd) echo --config "$NODE_DIR/containerd.toml" --log-level warn ;;
    apiserver-proxy)
      # Pods reach the API server through the `kubernetes` Service, whose endpoint is the
      # bridge address; the API server itself stays on loopback.
      echo "TCP-LISTEN:$APISERVER_PORT,bind=$BRIDGE_IP,reuseaddr,fork" "TCP:$HOST:$APISERVER_PORT" ;;
    kubelet)
      echo --config="$NODE_DIR/kubelet.yaml" --kubeconfig="$NODE_DIR/kubelet.kubeconfig" \
        --root-dir="$KUBELET_ROOT" --hostname-override="$REAL_NODE_NAME" --node-ip="$BRIDGE_IP" \
        --node-labels="storefleet.io/node-kind=real,testenv.storefleet.io/real-node=true" --v=1 ;;
    kube-proxy) echo --config="$NODE_DIR/kube-proxy.yaml" --v=1 ;;
    kube-router)
      # Only its NetworkPolicy firewall (iptables + ipset); its health server would listen
      # on every interface, so it is off and health is read from its iptables chains.
      echo --kubeconfig="$NODE_DIR/kube-router.kubeconfig" --hostname-override="$REAL_NODE_NAME" \
        --run-firewall=true --run-router=false --run-service-proxy=false \
        --service-cluster-ip-range="$SERVICE_CIDR" --health-port=0 --v=1 ;;
    local-path-provisioner)
      # Its configuration (paths, helper pod) is the ConfigMap in manifests/local-path.yaml.
      echo start --kubeconfig="$NODE_DIR/local-path.kubeconfig" \
        --namespace=local-path-storage --configmap-name=local-path-config \
        --provisioner-name=rancher.io/local-path \
        --service-account-name=local-path-provisioner-helper \
        --helper-image=storefleet.local/toolbox:testenv \
        --health-port="$LOCAL_PATH_HEALTH_PORT" \
        --worker-threads=8 --kube-client-qps=50 --kube-client-burst=100 ;;
    traefik)
      # Its ingress-nginx provider serves IngressClass `nginx` (controller
      # k8s.io/ingress-nginx), the class stores use everywhere. It reads the API through
      # the KUBECONFIG its start sets (a client certificate; no token in argv).
      echo --global.checknewversion=false --global.sendanonymoususage=false \
        --entrypoints.web.address="$HOST:$INGRESS_PORT" \
        --entrypoints.ping.address="$HOST:$INGRESS_PING_PORT" --ping=true --ping.entrypoint=ping \
        --providers.kubernetesingressnginx=true \
        --providers.kubernetesingressnginx.ingressclass="$INGRESS_CLASS" \
        --providers.kubernetesingressnginx.publishstatusaddress="$HOST" \
        --log.level=WARN ;;
  esac
}

node_healthy() { # component
  case "$1" in
    containerd) ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1 ;;
    apiserver-proxy)
      [ "$(curl -fsS --max-time 3 --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" \
        "https://$BRIDGE_IP:$APISERVER_PORT/readyz" 2>/dev/null)" = ok ] ;;
    kubelet) [ "$(curl -fsS --max-time 3 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" 2>/dev/null)" = ok ] ;;
    kube-proxy) curl -fsS --max-time 3 -o /dev/null "http://127.0.0.1:$PROXY_HEALTHZ_PORT/livez" 2>/dev/null ;;
    kube-router) iptables -S KUBE-ROUTER-FORWARD >/dev/null 2>&1 ;;
    traefik) [ "$(curl -fsS --max-time 3 "http://$HOST:$INGRESS_PING_PORT/ping" 2>/dev/null)" = OK ] ;;
    local-path-provisioner) [ "$(curl -fsS --max-time 3 "http://127.0.0.1:$LOCAL_PATH_HEALTH_PORT/ready" 2>/dev/null)" = Ready ] ;;
  esac
}

crictl_node() { "$BIN_DIR/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 30s "$@"; }

# Every pod sandbox stopped and removed through the CRI, so the CNI plugins tear down
# their interfaces, addresses and rules and containerd unmounts what it mounted. The
# kubelet is stopped first (reverse start order), so nothing restarts them; the next `up`
# recreates the pods bound to the node, as after a reboot.
node_stop_pods() {
  node_healthy containerd || return 0
  [ -x "$BIN_DIR/crictl" ] || return 0
  local ids
  ids="$(crictl_node pods -q 2>/dev/null)" || return 0
  [ -n "$ids" ] || return 0
  log "stopping $(wc -w <<<"$ids") pod sandboxes on $REAL_NODE_NAME"
  # shellcheck disable=SC2086
  crictl_node stopp $ids >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  crictl_node rmp -f $ids >/dev/null 2>&1 || true
}

# containerd's shims outlive it by design; ours are the ones talking to our socket.
node_reap_shims() {
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  return 0
}

ctr_node() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# The images the node runs (testenv/images/build: pause, toolbox, coredns from binaries;
# wordpress, mariadb, postgres, redis and medusa from Debian packages, medusa with Node.js
# from PyPI and the app from npm), imported into containerd when their recipe changed.
# Built from STOREFLEET_TESTENV_WORDPRESS_DIR / ..._WOOCOMMERCE_DIR when set.
NODE_IMAGES=(pause toolbox coredns mariadb wordpress postgres redis medusa)
node_import_images() {
  local out ref archive marker
  out="$(STOREFLEET_TESTENV_BIN_DIR="$BIN_DIR" "$TESTENV_DIR/images/build" "${NODE_IMAGES[@]}")" || die "building the node's images failed (see above)"
  mkdir -p "$CACHE_ROOT/containerd-imported"
  while read -r ref archive; do
    [ -n "$ref" ] || continue
    marker="$CACHE_ROOT/containerd-imported/${ref//[\/:]/_}"
    if [ "$(cat "$marker" 2>/dev/null)" = "$(basename "$archive")" ] \
        && ctr_node images ls -q "name==$ref" 2>/dev/null | grep -qxF "$ref"; then
      continue
    fi
    log "importing $ref into containerd"
    ctr_node images import "$archive" >/dev/null \
      || die "ctr images import $archive failed"
    ctr_node images ls -q "name==$ref" | grep -qxF "$ref" || die "$archive did not import as $ref"
    basename "$archive" > "$marker"
  done <<<"$out"
}
