# shellcheck shell=bash
# Variables here are used by the scripts that source this file.
# shellcheck disable=SC2034,SC2016
# Shared by testenv/images/build and testenv/images/selftest: paths, image names and the
# recipe hash that decides whether an image needs building.

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_ROOT="${STOREFLEET_TESTENV_CACHE:-$HOME/.cache/storefleet/testenv}"
IMAGE_CACHE="$CACHE_ROOT/images"
DEBIAN_SUITE=bookworm
# Empty: debootstrap's own default mirror for the suite.
DEBIAN_MIRROR="${STOREFLEET_TESTENV_DEBIAN_MIRROR:-}"
# wordpress, mariadb, postgres, redis and medusa are Debian root filesystems (their recipe
# has a `packages` list); pause, toolbox, coredns and storefleet start from an empty one
# (no `packages`). storefleet (the platform) is built from STOREFLEET_IMAGE_BINARY, a
# release build of this repository; the node does not import it by itself.
IMAGE_NAMES=(wordpress mariadb postgres redis medusa pause toolbox coredns storefleet)
DEFAULT_IMAGE_NAMES=(wordpress mariadb postgres redis medusa pause toolbox coredns)
# Where testenv/lib/build.sh put the binaries that go into images (coredns).
TESTENV_BIN_DIR="${STOREFLEET_TESTENV_BIN_DIR:-}"
PYTHON="${PYTHON:-python3}"

log() { printf '%s [images] %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

check_name() {
	local n
	for n in "${IMAGE_NAMES[@]}"; do
		[ "$n" = "$1" ] && return 0
	done
	die "unknown image '$1' (known: ${IMAGE_NAMES[*]})"
}

image_ref() { printf 'storefleet.local/%s:testenv\n' "$1"; }

# The WordPress and WooCommerce trees the wordpress image is built from ("" = Debian's
# wordpress package / no WooCommerce).
wordpress_dir() { printf '%s\n' "${STOREFLEET_TESTENV_WORDPRESS_DIR:-}"; }
woocommerce_dir() { printf '%s\n' "${STOREFLEET_TESTENV_WOOCOMMERCE_DIR:-}"; }

# A cheap fingerprint of a source tree: its version line and a listing of every file's
# path, size, mtime and mode (no file is read).
tree_fingerprint() {
	local dir=$1 version_file=$2 pattern=$3 version
	[ -d "$dir" ] || die "$dir is not a directory"
	[ -f "$dir/$version_file" ] || die "$dir has no $version_file"
	version=$(grep -m1 -E "$pattern" "$dir/$version_file" | tr -d '[:space:]' || true)
	printf '%s %s\n' "$version" \
		"$(cd "$dir" && find . -printf '%P %s %T@ %m %y\n' | LC_ALL=C sort | sha256sum | cut -c1-64)"
}

# Hash of everything an image is made from: the recipe directory, this lib, the build
# script, for wordpress the WordPress/WooCommerce sources and for medusa the application. 16 hex digits.
recipe_hash() {
	local name=$1 wp wc
	{
		printf 'suite %s\n' "$DEBIAN_SUITE"
		(
			cd "$IMAGES_DIR" || exit 1
			find "$name" lib build -type f ! -name '*.pyc' -printf '%p %m\n' | LC_ALL=C sort |
				while read -r path mode; do
					printf '%s %s %s\n' "$path" "$mode" "$(sha256sum <"$path" | cut -c1-64)"
				done
		)
		if [ "$name" = coredns ]; then
			[ -x "$TESTENV_BIN_DIR/coredns" ] || die "coredns: no binary in STOREFLEET_TESTENV_BIN_DIR ('$TESTENV_BIN_DIR')"
			printf 'coredns %s\n' "$(sha256sum <"$TESTENV_BIN_DIR/coredns" | cut -c1-64)"
		fi
		if [ "$name" = medusa ]; then
			printf 'medusa-app %s\n' "$(medusa_app_fingerprint)"
		fi
		if [ "$name" = storefleet ]; then
			[ -x "${STOREFLEET_IMAGE_BINARY:-}" ] || die "storefleet: set STOREFLEET_IMAGE_BINARY to a storefleet release binary"
			[ -x "$TESTENV_BIN_DIR/helm" ] || die "storefleet: no helm in STOREFLEET_TESTENV_BIN_DIR ('$TESTENV_BIN_DIR')"
			printf 'storefleet %s\n' "$(sha256sum <"$STOREFLEET_IMAGE_BINARY" | cut -c1-64)"
			printf 'helm %s\n' "$(sha256sum <"$TESTENV_BIN_DIR/helm" | cut -c1-64)"
		fi
		if [ "$name" = wordpress ]; then
			wp=$(wordpress_dir)
			wc=$(woocommerce_dir)
			if [ -n "$wp" ]; then
				printf 'wordpress %s\n' "$(tree_fingerprint "$wp" wp-includes/version.php '^\$wp_version')"
			else
				printf 'wordpress debian\n'
			fi
			if [ -n "$wc" ]; then
				printf 'woocommerce %s\n' "$(tree_fingerprint "$wc" woocommerce.php '^ \* Version:')"
			else
				printf 'woocommerce none\n'
			fi
		fi
	} | sha256sum | cut -c1-16
}

# The Medusa application the medusa image is built from: images/medusa in this repository.
MEDUSA_APP_DIR="$(cd "$IMAGES_DIR/../.." && pwd)/images/medusa"

# Hash of the Medusa application's own files (no node_modules, build output or uploads).
medusa_app_fingerprint() {
	[ -f "$MEDUSA_APP_DIR/package-lock.json" ] || die "no Medusa application in $MEDUSA_APP_DIR"
	(
		cd "$MEDUSA_APP_DIR" || exit 1
		find . \( -name node_modules -o -name .medusa -o -name static \) -prune -o -type f -printf '%p %m\n' |
			LC_ALL=C sort | while read -r path mode; do
				printf '%s %s %s\n' "$path" "$mode" "$(sha256sum <"$path" | cut -c1-64)"
			done
	) | sha256sum | cut -c1-64
}

archive_path() { printf '%s/%s-%s.tar\n' "$IMAGE_CACHE" "$1" "$(recipe_hash "$1")"; }
