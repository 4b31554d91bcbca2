#!/usr/bin/env bash
# Several app processes behind nginx on one PostgreSQL, on this machine (loopback only).
#
#   KYMLAPSET_EDITOR_PASSCODE=… deploy/cluster.sh start [N]   # PostgreSQL, N app processes (default 2), nginx
#   deploy/cluster.sh stop                                     # nginx and the app processes (PostgreSQL stays)
#   deploy/cluster.sh stop-all                                 # … and this recipe's PostgreSQL
#
# Prints the balancer's address, the database URL and the app processes' parent pid (for bench
# scripts that sample their memory). Settings (environment): KYMLAPSET_PORT (balancer, 8580),
# KYMLAPSET_APP_PORT (first app process, 8581), KYMLAPSET_RUN (state and logs, /tmp/kymlapset-cluster),
# KYMLAPSET_PG_PORT (54339) - its own PostgreSQL, never the tests' one. Behind nginx every visitor
# is remote to the app (proxy headers; README "Who may edit"), so editing needs a passcode (or OIDC).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN="${KYMLAPSET_RUN:-/tmp/kymlapset-cluster}"
PORT="${KYMLAPSET_PORT:-8580}"
APP_PORT="${KYMLAPSET_APP_PORT:-8581}"
PG_PORT="${KYMLAPSET_PG_PORT:-54339}"
PG_DIR="$RUN/pg"
PY="${PYTHON:-$ROOT/.venv/bin/python}"

stop_apps() {
  if [ -f "$RUN/nginx.pid" ]; then nginx -p "$RUN" -c "$RUN/nginx.conf" -s stop 2>/dev/null || true; rm -f "$RUN/nginx.pid"; fi
  if [ -f "$RUN/apps.pid" ]; then
    kill -TERM -- "-$(cat "$RUN/apps.pid")" 2>/dev/null || true   # the app processes' own process group
    for _ in $(seq 50); do kill -0 "$(cat "$RUN/apps.pid")" 2>/dev/null || break; sleep 0.2; done
    rm -f "$RUN/apps.pid"
  fi
}

wait_ok() {  # url, seconds
  for _ in $(seq $(( $2 * 5 ))); do
    [ "$(curl -s --max-time 2 "$1" 2>/dev/null)" = "ok" ] && return 0
    sleep 0.2
  done
  echo "no answer from $1 (logs in $RUN)" >&2
  return 1
}

case "${1:-}" in
  start)
    N="${2:-2}"
    if [ -z "${KYMLAPSET_EDITOR_PASSCODE:-}" ] && [ ! -f "$ROOT/.streamlit/secrets.toml" ]; then
      echo "set KYMLAPSET_EDITOR_PASSCODE (or configure OIDC in .streamlit/secrets.toml): behind nginx no one is local" >&2
      exit 2
    fi
    stop_apps
    mkdir -p "$RUN"
    # PostgreSQL: the project's throw-away server script on a port and folder of its own
    PGTEST_PORT="$PG_PORT" PGTEST_DIR="$PG_DIR" bash "$ROOT/scripts/start_postgres.sh" >/dev/null
    BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    su postgres -c "$BIN/psql -h 127.0.0.1 -p $PG_PORT -U postgres -tAc \"select 1 from pg_database where datname='lapset'\"" | grep -q 1 \
      || su postgres -c "$BIN/createdb -h 127.0.0.1 -p $PG_PORT -U postgres lapset"
    DB="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/lapset"
    # one cookie secret for all, so any process accepts a browser's XSRF cookie
    SECRET_FILE="$RUN/cookie_secret"; [ -f "$SECRET_FILE" ] || head -c 24 /dev/urandom | base64 > "$SECRET_FILE"
    UPSTREAMS=""
    PORTS=""
    for i in $(seq 0 $(( N - 1 ))); do
      P=$(( APP_PORT + i )); PORTS="$PORTS $P"
      UPSTREAMS="$UPSTREAMS        server 127.0.0.1:$P max_fails=0;"$'\n'
    done
    # the app processes in one process group of their own: stop ends them all and nothing else
    cd "$ROOT"
    KYMLAPSET_DATABASE_URL="$DB" STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$SECRET_FILE")" PY="$PY" RUN="$RUN" \
      setsid bash -c 'for p in '"$PORTS"'; do
          "$PY" -m streamlit run app.py --server.headless true --server.address 127.0.0.1 --server.port "$p" \
            --browser.gatherUsageStats false > "$RUN/app-$p.log" 2>&1 &
        done; wait' < /dev/null > /dev/null 2>&1 &
    echo $! > "$RUN/apps.pid"
    for P in $PORTS; do wait_ok "http://127.0.0.1:$P/_stcore/health" 120 || { stop_apps; exit 1; }; done
    sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" "$ROOT/deploy/nginx.conf.template" \
      | awk -v ups="$UPSTREAMS" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' > "$RUN/nginx.conf"
    nginx -t -q -p "$RUN" -c "$RUN/nginx.conf"
    nginx -p "$RUN" -c "$RUN/nginx.conf"
    wait_ok "http://127.0.0.1:$PORT/_stcore/health" 30
    echo "KYMLAPSET_URL=http://127.0.0.1:$PORT"
    echo "KYMLAPSET_DATABASE_URL=$DB"
    echo "KYMLAPSET_APPS_PID=$(cat "$RUN/apps.pid")"
    ;;
  stop)
    stop_apps
    ;;
  stop-all)
    stop_apps
    PGTEST_PORT="$PG_PORT" PGTEST_DIR="$PG_DIR" bash "$ROOT/scripts/start_postgres.sh" stop
    ;;
  *)
    sed -n '2,12p' "$0"; exit 2
    ;;
esac
