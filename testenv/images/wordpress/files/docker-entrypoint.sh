#!/bin/bash
# Entrypoint of the Storefleet testenv wordpress image. The chart always sets the
# container's command, so this only runs for `ctr run`/`docker run`-style use: with no
# arguments it starts Apache; started as apache2-foreground on an empty, writable
# /var/www/html it first copies WordPress there (the chart's init container does that
# itself). Anything else is run as given.
set -euo pipefail

if [ $# -eq 0 ]; then
	set -- apache2-foreground
fi

docroot=/var/www/html
if [ "$1" = apache2-foreground ] && [ ! -e "$docroot/wp-includes/version.php" ] && [ -w "$docroot" ]; then
	echo "docker-entrypoint: copying WordPress from /usr/src/wordpress to $docroot" >&2
	cp -R /usr/src/wordpress/. "$docroot/"
	if [ ! -e "$docroot/wp-config.php" ]; then
		cp "$docroot/wp-config-docker.php" "$docroot/wp-config.php"
	fi
fi

exec "$@"
