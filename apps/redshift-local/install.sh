#!/usr/bin/env bash
# Installs Redshift's types (VARBYTE, SUPER, HLLSKETCH, PostGIS's GEOMETRY/GEOGRAPHY) and
# functions into one SOURCE database behind redshift-local — never a target database:
#   apps/redshift-local/install.sh DATABASE
# Idempotent. PostGIS comes from Debian (postgresql-<major>-postgis-3), installed when missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/env.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db=${1:?usage: apps/redshift-local/install.sh DATABASE}
fail() { echo "redshift-local install: $*" >&2; exit 1; }

major=$(psql -X -d "$db" -Atc "SELECT current_setting('server_version_num')::int / 10000")
if [ "$(psql -X -d "$db" -Atc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" != 1 ]; then
  case "$PGHOST" in
    127.0.0.1 | localhost | ::1 | /*) ;;
    *) fail "PostGIS is not available on $PGHOST; install postgresql-$major-postgis-3 where the server runs" ;;
  esac
  [ "$(id -u)" = 0 ] || fail "run as root, or apt-get install postgresql-$major-postgis-3 first"
  echo "redshift-local install: apt-get install postgresql-$major-postgis-3"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-postgis-3" >/dev/null
fi

# The advisory lock serialises concurrent installs into one database (parallel test workers).
PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" \
  -c "SELECT pg_advisory_xact_lock(hashtext('redshift-local install'))" -f "$here/sql/redshift-types.sql" >/dev/null
