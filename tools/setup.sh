#!/usr/bin/env bash
# Installs everything ferry's local stack and tests need, into .tools/ and node_modules/.
# Idempotent: a second run checks and skips. Safe on a brand-new machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FERRY_ROOT"
log() { echo "setup: $*"; }

# Debian packages: PostgreSQL client tools (psql, pgbench) for tests and scripts, the
# bzip2/zstd tools redshift-local compresses with, Chromium for the Web UI test and
# pgloader, the peer `npm run bench` compares against.
missing=()
command -v psql >/dev/null || missing+=(postgresql-client)
command -v pgbench >/dev/null || missing+=(postgresql-contrib)
command -v curl >/dev/null || missing+=(curl)
command -v bzip2 >/dev/null || missing+=(bzip2)
command -v zstd >/dev/null || missing+=(zstd)
command -v chromium >/dev/null || missing+=(chromium)
command -v pgloader >/dev/null || missing+=(pgloader)
# openssl makes the CAs and certificates of the TLS tests' PostgreSQL cluster at test time.
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Go-built services, pinned. The stamp file records the version so a pin change rebuilds.
go_install() { # name module version
  local name=$1 module=$2 version=$3 stamp="$FERRY_TOOLS/bin/.$1.version"
  if [ -x "$FERRY_TOOLS/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return; fi
  command -v go >/dev/null || { echo "setup: Go is required to build $name ($module@$version); install Go 1.24+ and rerun" >&2; exit 1; }
  log "go install $module@$version (first run takes a few minutes)"
  mkdir -p "$FERRY_TOOLS/bin"
  GOBIN="$FERRY_TOOLS/bin" GOFLAGS=-buildvcs=false go install "$module@$version"
  echo "$version" >"$stamp"
}
go_install temporal "$TEMPORAL_CLI_MODULE" "$TEMPORAL_CLI_VERSION" &
temporal_pid=$!
go_install minio "$MINIO_MODULE" "$MINIO_VERSION" &
minio_pid=$!
go_install kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" &
kubeconform_pid=$!

# npm packages, from the lockfile; reinstalled when the lockfile changes.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.ferry-lock 2>/dev/null)" != "$lock_sum" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >node_modules/.ferry-lock
fi
wait $temporal_pid
wait $minio_pid
wait $kubeconform_pid

# PostgreSQL: the machine's server; start it if it is installed but stopped.
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
  pg_isready -h "$PGHOST" -p "$PGPORT" || { echo "setup: PostgreSQL is not reachable on $PGHOST:$PGPORT (set PGHOST/PGPORT/PGUSER)" >&2; exit 1; }
fi
for db in "$FERRY_SOURCE_DB" "$FERRY_TARGET_DB"; do
  if [ "$(psql -d postgres -Atc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    log "createdb $db"
    createdb "$db"
  fi
done
bash "$FERRY_ROOT/tools/aws-s3-local/install.sh" "$FERRY_TARGET_DB"
# Redshift's types (and PostGIS) go into the source database only: it stands for Redshift.
bash "$FERRY_ROOT/apps/redshift-local/install.sh" "$FERRY_SOURCE_DB"
log "ready"
