#!/usr/bin/env bash
# Make sure a PostgreSQL answers at PGHOST:PGPORT (default 127.0.0.1:5432).
# Where none answers and the machine has PostgreSQL's programs, start a private
# cluster under the project folder (.pgdata) instead of failing.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.pgdata"

answers() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }

answers && exit 0

# A machine-wide cluster that is merely stopped: start it the Debian way.
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ "$(id -u)" = 0 ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
  for _ in $(seq 1 20); do answers && exit 0; sleep 0.5; done
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "No PostgreSQL answers at $host:$port and none is installed here." >&2
  exit 1
fi

# initdb refuses to run as root: run the private cluster as the postgres user.
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$data/PG_VERSION" ]; then
  echo "Starting a private PostgreSQL cluster in $data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres "$data"
  run "$bindir/initdb" -D "$data" -U postgres --auth=trust >/dev/null
fi
run "$bindir/pg_ctl" -D "$data" -l "$data/server.log" \
  -o "-c listen_addresses=$host -c port=$port -c unix_socket_directories=$data" -w start
answers
