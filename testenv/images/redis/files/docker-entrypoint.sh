#!/bin/bash
# The redis image's entrypoint, as the official image's: options alone (or a .conf file
# first) run redis-server with them; any other command runs as given. No user switching:
# the server runs as whoever starts it (uid 999 in the image).
# Beyond the official image: with REDIS_PASSWORD set, redis-server gets `requirepass`
# through its standard input (`-`), so the password is on no command line and in no file.
set -euo pipefail

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ -n "${REDIS_PASSWORD:-}" ]; then
	password=$REDIS_PASSWORD
	unset REDIS_PASSWORD
	exec "$@" - <<<"requirepass \"$password\""
fi
exec "$@"
