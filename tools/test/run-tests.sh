#!/usr/bin/env bash
# `npm test`: type-check every project, then every unit and integration test in one jest run.
# Runs under tools/with-stack.sh, so the local stack is up and its environment set.
set -euo pipefail
cd "$FERRY_ROOT"
echo "test: type-checking"
tsc -p tsconfig.json
exec jest --maxWorkers=2 "$@"
