# shellcheck shell=bash
# promtool (Prometheus' rule and metrics checker), built from Go modules once per version
# and cached under $STOREFLEET_CACHE/tools. Source it; do not run it.

PROMTOOL_MODULE_VERSION="${PROMTOOL_MODULE_VERSION:-v0.316.0}"

# Print the path of a promtool binary, building it with `go install` on first use.
promtool_path() {
  local cache="${STOREFLEET_CACHE:-$HOME/.cache/storefleet}/tools/promtool-$PROMTOOL_MODULE_VERSION"
  local bin="$cache/bin/promtool"
  if [ -x "$bin" ]; then
    printf '%s\n' "$bin"
    return 0
  fi
  command -v go >/dev/null || { printf 'error: go not found: promtool is built from Go modules\n' >&2; return 1; }
  printf '==> building promtool %s (once; cached in %s)\n' "$PROMTOOL_MODULE_VERSION" "$cache" >&2
  mkdir -p "$cache"
  # A private GOBIN so a half-built binary never sits at $bin; GOFLAGS off so a caller's
  # -mod=vendor or the like cannot break a module-mode install.
  local tmp="$cache/tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! GOBIN="$tmp" GOFLAGS='' CGO_ENABLED=0 \
      go install "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_MODULE_VERSION" >&2; then
    rm -rf "$tmp"
    printf 'error: go install of promtool %s failed\n' "$PROMTOOL_MODULE_VERSION" >&2
    return 1
  fi
  mkdir -p "$cache/bin"
  mv "$tmp/promtool" "$bin"
  rm -rf "$tmp"
  printf '%s\n' "$bin"
}
