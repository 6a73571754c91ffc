#!/bin/bash
# Health check of the Storefleet testenv mariadb image, for exec probes. Options (any
# combination, each must pass; exit 0 healthy, 1 not):
#
#   --connect              the server answers on its socket and is the real server, not the
#                          entrypoint's temporary one (which runs with skip_networking)
#   --innodb_initialized   InnoDB is available: information_schema.ENGINES says YES/DEFAULT
#
# Connects as root with MARIADB_ROOT_PASSWORD, passed through a mode-600 defaults file in
# /tmp, never on a command line. Other options of the official script are accepted and
# ignored (--su=..., --mariadbupgrade, ...) with a note on stderr.
set -euo pipefail

SOCKET=/run/mysqld/mysqld.sock
connect=0
innodb=0
for arg in "$@"; do
	case "$arg" in
	--connect) connect=1 ;;
	--innodb_initialized | --innodb-initialized) innodb=1 ;;
	*) echo "healthcheck: ignoring unsupported option $arg" >&2 ;;
	esac
done
if [ "$connect" -eq 0 ] && [ "$innodb" -eq 0 ]; then
	connect=1
fi

defaults=$(umask 077 && mktemp /tmp/.healthcheck-client.XXXXXX)
trap 'rm -f "$defaults"' EXIT
password=${MARIADB_ROOT_PASSWORD:-}
password=${password//\\/\\\\}
password=${password//\"/\\\"}
printf '[client]\nuser=root\npassword="%s"\nsocket=%s\nprotocol=socket\nconnect-timeout=3\n' \
	"$password" "$SOCKET" >"$defaults"
unset password

query() { mariadb --defaults-extra-file="$defaults" --batch --skip-column-names -e "$1" 2>/dev/null; }

if [ "$connect" -eq 1 ]; then
	# ping answers even when the credentials are refused: that still is a server.
	mariadb-admin --defaults-extra-file="$defaults" ping >/dev/null 2>&1 || exit 1
	# With working credentials, the entrypoint's temporary server does not count.
	if skip=$(query 'SELECT @@skip_networking'); then
		[ "$skip" = 0 ] || exit 1
	fi
fi
if [ "$innodb" -eq 1 ]; then
	answer=$(query "SELECT 1 FROM information_schema.ENGINES WHERE engine='InnoDB' AND support IN ('YES','DEFAULT')") || exit 1
	[ "$answer" = 1 ] || exit 1
fi
exit 0
