#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the storage tests and print its URL.
# Usage: eval "$(scripts/start_postgres.sh)"   → exports KYMLAPSET_TEST_POSTGRES_URL
# Needs Debian's postgresql package (installed by .ci/run). Stop with: scripts/start_postgres.sh stop
set -euo pipefail
PORT="${PGTEST_PORT:-54329}"
DIR="${PGTEST_DIR:-/tmp/kymlapset-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if [ "${1:-}" = "stop" ]; then
  su postgres -c "$BIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true
  exit 0
fi
if ! su postgres -c "$BIN/pg_ctl -D $DIR/data status" >/dev/null 2>&1; then
  rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres "$DIR"
  su postgres -c "$BIN/initdb -D $DIR/data -A trust -U postgres --no-locale -E UTF8" >"$DIR/initdb.log" 2>&1
  su postgres -c "$BIN/pg_ctl -D $DIR/data -l $DIR/server.log -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -w start" >/dev/null
  su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres kymlapset_test"
fi
echo "export KYMLAPSET_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/kymlapset_test"
