#!/usr/bin/env bash
# Starts or stops the local stack: Temporal dev server (with Web UI), MinIO, redshift-local.
# PostgreSQL is the machine's own server. Logs and pid files live in .data/.
#   tools/stack.sh up|down|status [service]   (services: temporal, minio, redshift-local)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FERRY_ROOT"
mkdir -p "$FERRY_DATA/logs" "$FERRY_DATA/pids" "$FERRY_DATA/minio"

running() { local pidfile="$FERRY_DATA/pids/$1.pid"; [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() { # name command...
  local name=$1; shift
  if running "$name"; then return; fi
  echo "stack: starting $name (log: .data/logs/$name.log)"
  nohup setsid "$@" >>"$FERRY_DATA/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$FERRY_DATA/pids/$name.pid"
}

wait_for() { # name check-command...
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return; fi
    if ! running "$name"; then echo "stack: $name exited; last log lines:" >&2; tail -n 20 "$FERRY_DATA/logs/$name.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "stack: $name did not become healthy in 60 s; see .data/logs/$name.log" >&2
  exit 1
}

stop() {
  local name=$1 pidfile="$FERRY_DATA/pids/$1.pid"
  if running "$name"; then
    echo "stack: stopping $name"
    local pid; pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_temporal() {
  start temporal temporal server start-dev \
    --db-filename "$FERRY_DATA/temporal.db" --ip 127.0.0.1 --port "${TEMPORAL_ADDRESS##*:}" \
    --ui-port "$FERRY_TEMPORAL_UI_PORT" --namespace "$TEMPORAL_NAMESPACE" --log-level warn \
    --search-attribute FerryTable=Keyword --search-attribute FerryPipeline=Keyword \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 --dynamic-config-value matching.numTaskqueueWritePartitions=1
  wait_for temporal temporal operator cluster health --address "$TEMPORAL_ADDRESS"
}

start_minio() {
  MINIO_ROOT_USER="$AWS_ACCESS_KEY_ID" MINIO_ROOT_PASSWORD="$AWS_SECRET_ACCESS_KEY" MINIO_BROWSER=off \
    start minio minio server "$FERRY_DATA/minio" --address "$FERRY_MINIO_ADDRESS" --quiet
  wait_for minio curl -sf "$FERRY_S3_ENDPOINT/minio/health/ready"
  tsx "$FERRY_ROOT/tools/stack/ensure-bucket.ts"
}

start_redshift_local() {
  start redshift-local tsx "$FERRY_ROOT/apps/redshift-local/src/main.ts"
  wait_for redshift-local pg_isready -h "$REDSHIFT_LOCAL_HOST" -p "$REDSHIFT_LOCAL_PORT" -d "$FERRY_SOURCE_DB"
}

services=(temporal minio redshift-local)
[ -n "${2:-}" ] && services=("$2")
case "${1:-}" in
  up)
    [ -x "$FERRY_TOOLS/bin/temporal" ] && [ -x "$FERRY_TOOLS/bin/minio" ] || bash "$FERRY_ROOT/tools/setup.sh"
    for s in "${services[@]}"; do "start_${s//-/_}"; done
    if [ -z "${2:-}" ]; then
      echo "stack: up — Temporal $TEMPORAL_ADDRESS (UI http://127.0.0.1:$FERRY_TEMPORAL_UI_PORT), MinIO $FERRY_S3_ENDPOINT, redshift-local $REDSHIFT_LOCAL_HOST:$REDSHIFT_LOCAL_PORT"
    fi
    ;;
  down) for ((i = ${#services[@]} - 1; i >= 0; i--)); do stop "${services[$i]}"; done ;;
  status) for s in "${services[@]}"; do running "$s" && echo "$s: running" || echo "$s: stopped"; done ;;
  *) echo "usage: tools/stack.sh up|down|status [temporal|minio|redshift-local]" >&2; exit 2 ;;
esac
