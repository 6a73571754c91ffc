# Shared helpers for Storefleet's scripts. Source it; do not run it.

# Heavy caches live outside the repository so later runs on the same machine reuse them.
export STOREFLEET_CACHE="${STOREFLEET_CACHE:-$HOME/.cache/storefleet}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$STOREFLEET_CACHE/target}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt-get install the named Debian packages if any is missing (update the index once).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  if [ ! -f "$STOREFLEET_CACHE/.apt-updated" ]; then
    $sudo apt-get update -qq
    mkdir -p "$STOREFLEET_CACHE" && touch "$STOREFLEET_CACHE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Rust, Node and npm come with the machine; say clearly when they do not.
require_tools() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
  command -v node >/dev/null || die "node not found: install Node.js 20 or newer"
  command -v npm >/dev/null || die "npm not found: install npm"
}

# Install the dashboard's npm packages when package-lock.json is newer than the install.
web_install() {
  ( cd "$ROOT/web"
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      # See web/test.sh: npm install is the fallback when npm ci refuses the lock.
      npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
    fi )
}

# Build the dashboard into web/dist (embedded by the release build).
build_web() {
  [ -f "$ROOT/web/package.json" ] || return 0
  log "building the dashboard (web/)"
  web_install || return 1
  ( cd "$ROOT/web" && npm run build --silent )
}

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
