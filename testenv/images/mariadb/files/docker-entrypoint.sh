#!/bin/bash
# Entrypoint of the Storefleet testenv mariadb image. Keeps the contract of the official
# mariadb image's entrypoint that the chart relies on:
#
# - an empty data directory (/var/lib/mysql without a mysql/ system schema) is
#   initialised: system tables, root@localhost (and root@MARIADB_ROOT_HOST) with
#   MARIADB_ROOT_PASSWORD, database MARIADB_DATABASE, user MARIADB_USER@'%' with
#   MARIADB_PASSWORD and all privileges on that database;
# - MARIADB_AUTO_UPGRADE=1 runs mariadb-upgrade when the data directory was last used by
#   another server version;
# - then the server replaces this script (exec), so it gets the container's signals.
#
# Runs as the mysql user (999) without root. Passwords never reach a command line or a
# log: SQL goes to the client on stdin, the root password through a mode-600 defaults
# file in /tmp that is removed before the server starts for good.
set -euo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
DEFAULTS=""
TEMP_PID=""

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

cleanup() {
	if [ -n "$TEMP_PID" ] && kill -0 "$TEMP_PID" 2>/dev/null; then
		kill -TERM "$TEMP_PID" 2>/dev/null || true
		wait "$TEMP_PID" 2>/dev/null || true
	fi
	if [ -n "$DEFAULTS" ]; then rm -f "$DEFAULTS"; fi
}

truthy() {
	case "${1:-}" in
	1 | true | yes | on | TRUE | YES | ON) return 0 ;;
	*) return 1 ;;
	esac
}

# SQL literals and identifiers, escaped with shell builtins only (no secret in argv).
sql_string() {
	local s=${1//\\/\\\\}
	s=${s//\'/\\\'}
	printf "'%s'" "$s"
}
# shellcheck disable=SC2016
sql_ident() { printf '`%s`' "${1//\`/\`\`}"; }

# Client options for root over the socket; the password is in a file only we can read.
write_defaults() {
	local password=$1
	case "$password" in
	*$'\n'*) die "MARIADB_ROOT_PASSWORD contains a newline" ;;
	esac
	password=${password//\\/\\\\}
	password=${password//\"/\\\"}
	if [ -z "$DEFAULTS" ]; then
		DEFAULTS=$(umask 077 && mktemp /tmp/.entrypoint-client.XXXXXX)
	fi
	printf '[client]\nuser=root\npassword="%s"\nsocket=%s\nprotocol=socket\n' "$password" "$SOCKET" >"$DEFAULTS"
}

# major.minor.patch of a version string.
version_of() { grep -o -m1 -E '[0-9]+\.[0-9]+\.[0-9]+' <<<"$1" || true; }

server_version() { version_of "$("$1" --version)"; }

# Starts the server on the socket only (no TCP), for setup work; waits until it answers.
start_temp_server() {
	log "starting a temporary server (socket only)"
	"$@" --skip-networking --socket="$SOCKET" &
	TEMP_PID=$!
	local i
	for i in $(seq 1 120); do
		if mariadb-admin --defaults-extra-file="$DEFAULTS" --connect-timeout=2 ping >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$TEMP_PID" 2>/dev/null || die "the temporary server exited (see its log above)"
		[ "$i" -lt 120 ] || break
		sleep 0.5
	done
	die "the temporary server did not answer within 60 s"
}

stop_temp_server() {
	log "stopping the temporary server"
	mariadb-admin --defaults-extra-file="$DEFAULTS" shutdown 2>/dev/null ||
		kill -TERM "$TEMP_PID"
	wait "$TEMP_PID" || die "the temporary server did not stop cleanly"
	TEMP_PID=""
}

init_datadir() {
	local server=$1
	shift
	if [ -z "${MARIADB_ROOT_PASSWORD:-}" ] && ! truthy "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}"; then
		die "the data directory is empty: set MARIADB_ROOT_PASSWORD (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1) to initialise it"
	fi
	if [ -n "${MARIADB_USER:-}" ] && [ -z "${MARIADB_PASSWORD:-}" ]; then
		die "MARIADB_USER is set but MARIADB_PASSWORD is empty"
	fi
	if [ "${MARIADB_USER:-}" = root ]; then
		die "MARIADB_USER must not be root (root is configured by MARIADB_ROOT_PASSWORD)"
	fi

	log "initialising the data directory $DATADIR"
	# --force: no DNS check of the hostname (a pod's resolves, a bare chroot's may not).
	local out
	if ! out=$(mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --force --default-time-zone=SYSTEM 2>&1); then
		printf '%s\n' "$out" >&2
		die "mariadb-install-db failed"
	fi

	write_defaults ""
	start_temp_server "$server" "$@"

	local root_host=${MARIADB_ROOT_HOST:-%} sql
	# install-db also creates root@127.0.0.1, root@::1, root@<hostname> and anonymous
	# users on some versions; only root@localhost (and root@MARIADB_ROOT_HOST) stay.
	sql="SET @@SESSION.SQL_LOG_BIN=0;
DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host NOT IN ('localhost', $(sql_string "$root_host")));
DELETE FROM mysql.proxies_priv WHERE User='' OR (User='root' AND Host NOT IN ('localhost', $(sql_string "$root_host")));
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "${MARIADB_ROOT_PASSWORD:-}");"
	if [ "$root_host" != localhost ]; then
		sql+="
CREATE OR REPLACE USER 'root'@$(sql_string "$root_host") IDENTIFIED BY $(sql_string "${MARIADB_ROOT_PASSWORD:-}");
GRANT ALL ON *.* TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;
GRANT PROXY ON ''@'%' TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
	fi
	if [ -n "${MARIADB_DATABASE:-}" ]; then
		sql+="
CREATE DATABASE IF NOT EXISTS $(sql_ident "$MARIADB_DATABASE");"
	fi
	if [ -n "${MARIADB_USER:-}" ]; then
		sql+="
CREATE OR REPLACE USER $(sql_string "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_string "$MARIADB_PASSWORD");"
		if [ -n "${MARIADB_DATABASE:-}" ]; then
			# In a database-level grant, _ and % are wildcards: escape them.
			local grant_db=${MARIADB_DATABASE//_/\\_}
			grant_db=${grant_db//%/\\%}
			sql+="
GRANT ALL ON $(sql_ident "$grant_db").* TO $(sql_string "$MARIADB_USER")@'%';"
		fi
	fi
	printf '%s\n' "$sql" | mariadb --defaults-extra-file="$DEFAULTS" --batch ||
		die "setting up users and the database failed"
	unset sql
	log "root@localhost$([ "$root_host" != localhost ] && printf ' and root@%s' "$root_host")" \
		"configured${MARIADB_DATABASE:+, database $MARIADB_DATABASE}${MARIADB_USER:+, user $MARIADB_USER}"

	write_defaults "${MARIADB_ROOT_PASSWORD:-}"
	# mariadb-upgrade's marker of the version that made the system tables.
	if [ ! -s "$DATADIR/mysql_upgrade_info" ]; then
		printf '%s-MariaDB\n' "$(server_version "$server")" >"$DATADIR/mysql_upgrade_info"
	fi
	stop_temp_server
	log "the data directory is initialised"
}

upgrade_datadir() {
	local server=$1 current previous=""
	shift
	current=$(server_version "$server")
	if [ -f "$DATADIR/mysql_upgrade_info" ]; then
		previous=$(version_of "$(cat "$DATADIR/mysql_upgrade_info")")
	fi
	if [ -n "$current" ] && [ "$previous" = "$current" ]; then
		return 0
	fi
	if ! truthy "${MARIADB_AUTO_UPGRADE:-}"; then
		log "the data directory was last upgraded by ${previous:-an unknown version}, the server is $current; MARIADB_AUTO_UPGRADE is not set, not upgrading"
		return 0
	fi
	log "upgrading the data directory from ${previous:-an unknown version} to $current"
	# The temporary server skips the grant tables: mariadb-upgrade needs no password (it
	# would hand one to the clients it runs), and nothing but the socket reaches it.
	write_defaults ""
	start_temp_server "$server" "$@" --skip-grant-tables
	mariadb-upgrade --defaults-extra-file="$DEFAULTS" --upgrade-system-tables --silent >&2 ||
		die "mariadb-upgrade failed"
	stop_temp_server
	# --upgrade-system-tables leaves the marker alone; without this, every start upgrades.
	if [ "$(version_of "$(cat "$DATADIR/mysql_upgrade_info" 2>/dev/null || true)")" != "$current" ]; then
		printf '%s-MariaDB\n' "$current" >"$DATADIR/mysql_upgrade_info"
	fi
}

main() {
	if [ $# -eq 0 ]; then set -- mariadbd; fi
	case "$1" in
	-*) set -- mariadbd "$@" ;;
	esac
	case "$1" in
	mariadbd | mysqld) ;;
	*) exec "$@" ;;
	esac

	trap cleanup EXIT
	trap 'exit 143' TERM INT
	if [ ! -d "$DATADIR" ] || [ ! -w "$DATADIR" ]; then
		die "$DATADIR is not a writable directory (uid $(id -u))"
	fi
	[ -w "$(dirname "$SOCKET")" ] || die "$(dirname "$SOCKET") is not writable (uid $(id -u))"

	if [ -d "$DATADIR/mysql" ]; then
		upgrade_datadir "$@"
	else
		init_datadir "$@"
	fi

	trap - EXIT TERM INT
	cleanup
	log "starting $*"
	exec "$@"
}

main "$@"
