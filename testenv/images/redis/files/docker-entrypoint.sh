#!/bin/bash
# The redis image's entrypoint, as the official image's: options alone (or a .conf file
# first) run redis-server with them; any other command runs as given. No user switching:
# the server runs as whoever starts it (uid 999 in the image).
set -euo pipefail

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi
exec "$@"
