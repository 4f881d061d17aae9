#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of src/Resilience.PostgreSql, on loopback only.
#
#   eng/postgres.sh start   installs Debian's postgresql package when no initdb is found, creates a cluster in a fresh
#                           temporary directory, starts it on a free port and writes the environment to
#                           ${RESILIENCE_POSTGRES_ENV:-/tmp/resilience-postgres.env}; then: source that file
#   eng/postgres.sh stop    stops the cluster that file names and removes its directory
#
# PostgreSQL refuses to run as root, so initdb and pg_ctl run as the postgres user when the caller is root.
set -euo pipefail

env_file="${RESILIENCE_POSTGRES_ENV:-/tmp/resilience-postgres.env}"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_bin() {
  # The newest installed major version.
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

start() {
  local bin
  bin="$(find_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres.sh: no initdb found; installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
    bin="$(find_bin)"
  fi

  local dir port user
  dir="$(mktemp -d /tmp/resilience-pg.XXXXXX)"
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    user=postgres
  else
    user="$(id -un)"
  fi

  # Trust on loopback and the socket only: the cluster never listens beyond 127.0.0.1.
  as_postgres "$bin/initdb" -D "$dir/data" -U "$user" -A trust --no-instructions -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_postgres "$bin/initdb" -D "$dir/data" -U "$user" -A trust --no-instructions -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >"$dir/data/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA

  local tries=0
  while :; do
    port="$(free_port)"
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then
      cat "$dir/server.log" >&2
      exit 1
    fi
  done

  local conn="Host=127.0.0.1;Port=$port;Username=$user;Database=postgres"
  cat >"$env_file" <<ENV
export RESILIENCE_POSTGRES='$conn'
export RESILIENCE_POSTGRES_DIR='$dir'
export RESILIENCE_POSTGRES_BIN='$bin'
ENV
  echo "RESILIENCE_POSTGRES=$conn"
  echo "postgres.sh: cluster in $dir; run: source $env_file" >&2
}

stop() {
  if [ ! -f "$env_file" ]; then
    echo "postgres.sh: $env_file not found; nothing to stop" >&2
    return 0
  fi

  # shellcheck disable=SC1090
  source "$env_file"
  if [ -n "${RESILIENCE_POSTGRES_DIR:-}" ] && [ -d "$RESILIENCE_POSTGRES_DIR/data" ]; then
    as_postgres "$RESILIENCE_POSTGRES_BIN/pg_ctl" -D "$RESILIENCE_POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi

  case "${RESILIENCE_POSTGRES_DIR:-}" in
    /tmp/resilience-pg.*) rm -rf "$RESILIENCE_POSTGRES_DIR" ;;
  esac
  rm -f "$env_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
