#!/bin/bash
# Copies WordPress from the image (/usr/src/wordpress) into the writable docroot, an
# emptyDir, so that the container's root filesystem can stay read-only. Runs as an init
# container before WordPress and before the setup Job, so both see the same files.
# Plugins and themes already on the content volume are left alone (the copy in the image
# could be older than what the setup Job installed, and another pod may be copying too).
set -euo pipefail

src=${WORDPRESS_SOURCE_DIR:-/usr/src/wordpress}
dst=${WORDPRESS_DOCROOT:-/var/www/html}

if [ ! -f "$src/wp-includes/version.php" ]; then
	echo "prepare-docroot: no WordPress in $src: wordpress.image must be the official wordpress image or one built from it" >&2
	exit 1
fi

excludes=()
for entry in "$src"/wp-content/*/*; do
	rel=${entry#"$src"/}
	if [ -e "$dst/$rel" ]; then
		excludes+=("--exclude=./$rel")
	fi
done

# --no-overwrite-dir and --touch: the volume mount points inside wp-content belong to
# the volume, not to us; leave their modes and times alone.
tar --create --file - --directory "$src" "${excludes[@]}" . |
	tar --extract --file - --directory "$dst" --no-overwrite-dir --touch

# The image's wp-config-docker.php reads the database settings, keys and salts from the
# WORDPRESS_* environment variables, which come from the credentials Secret.
if [ ! -s "$dst/wp-config.php" ]; then
	cp "$src/wp-config-docker.php" "$dst/wp-config.php"
fi

version=$(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$dst/wp-includes/version.php")
echo "prepare-docroot: WordPress ${version:-unknown} ready in $dst (${#excludes[@]} plugin/theme entries kept from the volume)"
