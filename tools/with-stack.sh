#!/usr/bin/env bash
# Runs a command with the local stack's environment, after making sure setup ran and the
# stack is up. Used by `npm run demo`, `npm test` and `npm run worker`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FERRY_ROOT"
bash tools/setup.sh
bash tools/stack.sh up
exec "$@"
