# Start and stop a throwaway PostgreSQL server for tests (Debian's postgresql package).
# Source it; after `pg_start`, STOREFLEET_TEST_POSTGRES_URL points at the server.

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$bin" ] || return 1
  echo "$bin"
}

# Run a PostgreSQL program as the `postgres` user when we are root (initdb refuses root).
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  pg_bin >/dev/null || apt_install postgresql
  local bin port
  bin="$(pg_bin)" || die "PostgreSQL binaries not found after installing postgresql"
  port="$(free_port)"
  PG_DIR="$(mktemp -d /tmp/storefleet-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  log "starting PostgreSQL on 127.0.0.1:$port ($PG_DIR)"
  pg_as "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { tail -20 "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  export PG_DIR
  export STOREFLEET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
  pg_as "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  unset PG_DIR
}
