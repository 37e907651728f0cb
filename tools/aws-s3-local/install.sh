#!/usr/bin/env bash
# Installs the local aws_s3 stand-in into one LOCAL database: tools/aws-s3-local/install.sh DB
# Never run this against a real RDS or production database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
db=${1:?usage: install.sh DATABASE}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
psql -q -v ON_ERROR_STOP=1 -d "$db" -f "$here/aws_s3.sql" >/dev/null
# The S3 endpoint and the keys that stand for the instance's IAM role (s3Import feature).
psql -q -v ON_ERROR_STOP=1 -d "$db" \
  -v db="$db" -v endpoint="$FERRY_S3_ENDPOINT" -v key="$AWS_ACCESS_KEY_ID" -v secret="$AWS_SECRET_ACCESS_KEY" <<'SQL'
ALTER DATABASE :"db" SET aws_s3.endpoint_url = :'endpoint';
ALTER DATABASE :"db" SET aws_s3.access_key_id = :'key';
ALTER DATABASE :"db" SET aws_s3.secret_access_key = :'secret';
SQL
