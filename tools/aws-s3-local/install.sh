#!/usr/bin/env bash
# Installs the local stand-in of RDS's aws_s3 extension into one LOCAL database:
#   tools/aws-s3-local/install.sh DATABASE
# Idempotent. Refuses a remote PGHOST and a database with the real extension: the stand-in
# is never shipped to real databases. See README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db=${1:?usage: tools/aws-s3-local/install.sh DATABASE}
fail() { echo "aws-s3-local: $*" >&2; exit 1; }

# PL/Python must be installed where the server runs, and the server must reach MinIO.
case "$PGHOST" in
  127.0.0.1 | localhost | ::1 | /*) ;;
  *) fail "PGHOST=$PGHOST is not this machine; the stand-in is for local databases only" ;;
esac
[ -n "${FERRY_S3_ENDPOINT:-}" ] || fail "FERRY_S3_ENDPOINT is unset; the stand-in reads from a local S3 endpoint only"

# PL/Python for the server's major version, and boto3 to sign the requests.
major=$(psql -X -d "$db" -Atc "SELECT current_setting('server_version_num')::int / 10000")
missing=()
for pkg in "postgresql-plpython3-$major" python3-boto3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "run as root, or apt-get install ${missing[*]} first"
  echo "aws-s3-local: apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$here/aws_s3.sql"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v db="$db" -v endpoint="$FERRY_S3_ENDPOINT" \
  -v key="$AWS_ACCESS_KEY_ID" -v secret="$AWS_SECRET_ACCESS_KEY" -v token="${AWS_SESSION_TOKEN:-}" -f "$here/settings.sql"
