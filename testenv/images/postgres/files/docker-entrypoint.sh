#!/bin/bash
# The postgres image's entrypoint (written for this image; the official image's contract
# subset): on an empty PGDATA, initdb as the postgres user with POSTGRES_USER as the
# superuser and POSTGRES_PASSWORD read from a mode-600 file (never argv), scram-sha-256
# for every TCP connection, trust on the local socket, listen on all addresses; then
# POSTGRES_DB (default POSTGRES_USER) owned by POSTGRES_USER, *.sql and *.sh from
# /docker-entrypoint-initdb.d on a temporary socket-only server; then exec postgres.
# Options alone run postgres with them; any other command runs as given.
# As root it prepares the directories and re-executes itself as 999 (setpriv).
set -Eeuo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
	exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R 999:999 "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA" 2>/dev/null || true
	exec setpriv --reuid=999 --regid=999 --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
		die "the database is uninitialised and POSTGRES_PASSWORD is not set"
	fi
	log "initialising the data directory $PGDATA"
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA" 2>/dev/null || true
	pwfile=$(umask 077 && mktemp /tmp/pgpass.XXXXXX)
	trap 'rm -f "$pwfile"' EXIT
	printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as upstream.
	initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" \
		${POSTGRES_INITDB_ARGS:-} >/dev/null
	rm -f "$pwfile"
	trap - EXIT
	printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

	# A temporary server on the socket only.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w -s start
	psql_local() { psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$POSTGRES_USER" "$@"; }
	if [ "$POSTGRES_DB" != postgres ]; then
		printf 'CREATE DATABASE :"db" OWNER :"owner";\n' |
			psql_local --dbname postgres --set db="$POSTGRES_DB" --set owner="$POSTGRES_USER"
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh) log "running $f"; bash "$f" ;;
		*.sql) log "running $f"; psql_local --dbname "$POSTGRES_DB" -f "$f" ;;
		*) ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w -s stop
	log "initialisation done; starting PostgreSQL"
fi

exec "$@"
