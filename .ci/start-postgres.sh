#!/usr/bin/env bash
# Start a private PostgreSQL for the tests and print its URL on stdout.
#   eval "export ANNOTATOR_TEST_PG_URL=$(bash .ci/start-postgres.sh /tmp/annotator-pg 55432)"
# Runs the server as the postgres user when started by root (initdb refuses root).
set -euo pipefail
dir=${1:-/tmp/annotator-pg}
port=${2:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ ! -f "$dir/data/PG_VERSION" ]; then
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  run "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >&2
fi
if ! run "'$bin/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
  run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w -o \"-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off\" start" >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
