# shellcheck shell=bash disable=SC2034
# (SC2034: the variables here are used by the scripts that source this file.)
# Shared paths, ports and helpers for testenv/cluster, testenv/smoke-test and the build.
# Sourced, never executed. Everything built or run lives outside the repository.

TESTENV_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_FILE="$TESTENV_DIR/versions.env"
# shellcheck source=../versions.env
. "$VERSIONS_FILE"

CACHE_ROOT="${STOREFLEET_TESTENV_CACHE:-$HOME/.cache/storefleet/testenv}"
# The cache key is the versions file alone: edit it and the next `up` builds afresh.
CACHE_KEY="$(sha256sum "$VERSIONS_FILE" | cut -c1-12)"
BIN_DIR="$CACHE_ROOT/bin-$CACHE_KEY"
BUILD_DIR="$CACHE_ROOT/build-$CACHE_KEY"
STATE_DIR="${STOREFLEET_TESTENV_STATE:-$CACHE_ROOT/state}"

# Loopback only. Fixed ports, each overridable, all below the kernel's ephemeral range
# (net.ipv4.ip_local_port_range, 32768-60999 by default): a port in that range can be
# taken at any moment as the local end of some outgoing connection, and the component
# that wants to listen on it then fails with "address already in use".
HOST=127.0.0.1
ETCD_PORT="${STOREFLEET_TESTENV_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${STOREFLEET_TESTENV_ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${STOREFLEET_TESTENV_APISERVER_PORT:-16443}"
KCM_PORT="${STOREFLEET_TESTENV_KCM_PORT:-11257}"
SCHEDULER_PORT="${STOREFLEET_TESTENV_SCHEDULER_PORT:-11259}"
KWOK_PORT="${STOREFLEET_TESTENV_KWOK_PORT:-11247}"

# Go: never fetch another toolchain, never use cgo (static binaries, no C compiler needed).
export GOTOOLCHAIN=local CGO_ENABLED=0
# Module and build caches of our own, beside the binaries: the cold build is measurable and
# `rm -rf` of the cache root (after `chmod -R u+w`, Go makes modules read-only) frees it all.
export GOMODCACHE="$CACHE_ROOT/go/mod" GOCACHE="$CACHE_ROOT/go/build-cache"

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy kwok helm local-path-provisioner coredns kube-router traefik crictl)

log() { printf '[testenv] %s\n' "$*" >&2; }
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }

# Debian packages the scripts need; installed once when missing (apt needs root or sudo).
ensure_packages() {
  local missing=() cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}" pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  if ! { $sudo apt-get update -qq >&2 &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; }; then
    die "apt-get install ${missing[*]} failed"
  fi
}
