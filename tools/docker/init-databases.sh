#!/usr/bin/env bash
# Run once by the postgres image's entrypoint, on an empty data directory: the databases of
# the local stack, as tools/setup.sh makes them on a machine without Docker. The server
# listens on its socket only while this runs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_db=${FERRY_SOURCE_DB:-ferry_source}
target_db=${FERRY_TARGET_DB:-ferry_target}
sql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" "$@"; }

sql -d postgres -v source="$source_db" -v target="$target_db" <<'SQL'
CREATE DATABASE :"source";
CREATE DATABASE :"target";
SQL
# Redshift's types go into the source only: it stands for Redshift.
sql -d "$source_db" --single-transaction -f "$here/ferry/redshift-types.sql" >/dev/null
sql -d "$target_db" --single-transaction -f "$here/ferry/aws_s3.sql"
sql -d "$target_db" -v db="$target_db" -v endpoint="${FERRY_S3_ENDPOINT:?}" -v key="${AWS_ACCESS_KEY_ID:?}" \
  -v secret="${AWS_SECRET_ACCESS_KEY:?}" -v token="${AWS_SESSION_TOKEN:-}" -f "$here/ferry/settings.sql"
