#!/bin/bash
# Prepares the WordPress docroot of a pod: runs as an init container (uid 33, read-only
# root filesystem) before WordPress and before the setup Job, so both see the same files.
#
# Layout (see the chart README, "Docroot and content volume"):
#   WORDPRESS_DOCROOT (/var/www/html, an emptyDir)      WordPress core copied from the image
#   STOREFLEET_CONTENT_DIR (/storefleet/content, here the whole content PVC)
#     uploads/   mounted by the main containers at  <docroot>/wp-content/uploads
#     plugins/   mounted at <docroot>/wp-content/plugins (STOREFLEET_PLUGINS_ON_VOLUME=true,
#                i.e. woocommerce.source=wordpress.org)
#
# This script creates both the directories on the volume and the (empty) mount points in
# the docroot, as uid 33, so that the runtime never has to create a subPath directory or a
# mount point itself (it would do so as root, and uid 33 could not write there).
#
# It never changes the owner, mode or times of a volume root: emptyDir roots are root-owned
# 0777 or fsGroup-owned with setgid, PVC roots fsGroup-owned; uid 33 may write into them but
# may not chmod them. Files are extracted without their owners and modes from the image
# (tar --no-same-owner --no-same-permissions), and existing directories are left alone
# (--no-overwrite-dir). Running it again (a restarted pod) changes nothing that matters.
set -euo pipefail

src=${WORDPRESS_SOURCE_DIR:-/usr/src/wordpress}
dst=${WORDPRESS_DOCROOT:-/var/www/html}
content=${STOREFLEET_CONTENT_DIR:-/storefleet/content}
plugins_on_volume=${STOREFLEET_PLUGINS_ON_VOLUME:-false}
mu_plugin=${STOREFLEET_MU_PLUGIN:-}

say() { echo "prepare-docroot: $*"; }
die() { echo "prepare-docroot: ERROR: $*" >&2; exit 1; }

describe() { stat -c '%U(%u):%G(%g) mode %a' "$1" 2>/dev/null || echo "missing"; }

# A directory uid $(id -u) can create files in, or a precise reason why not.
require_writable_dir() {
	local dir=$1 what=$2 probe
	[ -d "$dir" ] || die "$what $dir is not a directory"
	if ! probe=$(mktemp -p "$dir" .storefleet-probe.XXXXXX 2>/dev/null); then
		die "$what $dir is not writable by uid $(id -u) gid $(id -g) (it is $(describe "$dir")); the pod's fsGroup must own the volume"
	fi
	rm -f "$probe"
}

# mkdir -p that explains a failure (e.g. a directory created earlier by root).
make_dir() {
	local dir=$1 what=$2
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir" 2>/dev/null || die "cannot create $what $dir (parent is $(describe "$(dirname "$dir")"))"
	fi
	require_writable_dir "$dir" "$what"
}

# Copies the named entries of $1 into $2: new files and directories are created as the
# current user with the default umask; existing directories keep their owner and mode.
copy_entries() {
	local from=$1 to=$2
	shift 2
	[ "$#" -gt 0 ] || return 0
	tar --create --file - --directory "$from" -- "$@" |
		tar --extract --file - --directory "$to" \
			--no-same-owner --no-same-permissions --no-overwrite-dir
}

if [ ! -f "$src/wp-includes/version.php" ]; then
	die "no WordPress in $src: wordpress.image must be the official wordpress image or one built from it"
fi
require_writable_dir "$dst" "the docroot"

# 1. WordPress core, from the image. The top-level entries are named one by one, so the
#    docroot directory itself (".") is never in the archive and tar never tries to change
#    its mode or times. wp-content/uploads (and wp-content/plugins when plugins live on the
#    volume) are left out: they are mount points of the content volume.
excludes=(--exclude=./wp-content/uploads)
if [ "$plugins_on_volume" = true ]; then
	excludes+=(--exclude=./wp-content/plugins)
fi
mapfile -d '' top < <(cd "$src" && find . -mindepth 1 -maxdepth 1 -print0)
tar --create --file - --directory "$src" "${excludes[@]}" -- "${top[@]}" |
	tar --extract --file - --directory "$dst" --no-same-owner --no-same-permissions --no-overwrite-dir

# The image's wp-config-docker.php reads the database settings, keys and salts from the
# WORDPRESS_* environment variables, which come from the credentials Secret.
if [ ! -s "$dst/wp-config.php" ]; then
	[ -f "$src/wp-config-docker.php" ] ||
		die "no wp-config-docker.php in $src: wordpress.image must be the official wordpress image or one built from it"
	cp "$src/wp-config-docker.php" "$dst/wp-config.php"
fi

# Directories WordPress writes at run time inside the (ephemeral) docroot.
make_dir "$dst/wp-content" "wp-content"
make_dir "$dst/wp-content/upgrade" "the upgrade directory"

# 2. The content volume: uploads, and plugins when WooCommerce comes from wordpress.org.
require_writable_dir "$content" "the content volume"
make_dir "$content/uploads" "the uploads directory on the content volume"
make_dir "$dst/wp-content/uploads" "the uploads mount point"

kept=0
if [ "$plugins_on_volume" = true ]; then
	make_dir "$content/plugins" "the plugins directory on the content volume"
	make_dir "$dst/wp-content/plugins" "the plugins mount point"
	# Plugins of the image that the volume does not have yet (a plugin already on the
	# volume may be newer, e.g. installed by the setup Job, and is left alone).
	new=()
	if [ -d "$src/wp-content/plugins" ]; then
		while IFS= read -r -d '' entry; do
			name=${entry#./}
			if [ -e "$content/plugins/$name" ] || [ -L "$content/plugins/$name" ]; then
				kept=$((kept + 1))
			else
				new+=("$name")
			fi
		done < <(cd "$src/wp-content/plugins" && find . -mindepth 1 -maxdepth 1 -print0)
	fi
	if [ "${#new[@]}" -gt 0 ]; then
		# Unpacked in a private directory next to the plugins, then renamed into place
		# without replacing anything: the WordPress pods and the setup Job may run this at
		# the same time on the same volume. (WordPress ignores names starting with a dot.)
		staging=$(mktemp -d "$content/plugins/.storefleet-copy.XXXXXX") ||
			die "cannot create a directory in $content/plugins"
		copy_entries "$src/wp-content/plugins" "$staging" "${new[@]}"
		for name in "${new[@]}"; do
			mv -n "$staging/$name" "$content/plugins/$name" 2>/dev/null || true
		done
		rm -rf "$staging"
	fi
	say "plugins on the content volume: ${#new[@]} copied from the image, $kept kept"
fi

# 3. Storefleet's must-use plugin (one-click login links, files/storefleet-login.php), from
#    the chart's ConfigMap into the docroot, so every pod runs the chart's current copy.
if [ -n "$mu_plugin" ]; then
	[ -f "$mu_plugin" ] || die "the must-use plugin $mu_plugin is missing from the ConfigMap"
	make_dir "$dst/wp-content/mu-plugins" "the must-use plugins directory"
	cp "$mu_plugin" "$dst/wp-content/mu-plugins/.storefleet-login.php.new"
	mv -f "$dst/wp-content/mu-plugins/.storefleet-login.php.new" "$dst/wp-content/mu-plugins/storefleet-login.php"
	say "must-use plugin $(basename "$mu_plugin") installed"
fi

version=$(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$dst/wp-includes/version.php")
say "WordPress ${version:-unknown} ready in $dst (uploads on the content volume)"
