#!/usr/bin/env bash
# `npm test`: type-check and lint every project, run every unit and integration test in one jest run,
# then the fault-injection suite: the files that break only their own run two at a time, then
# those that stop shared services (MinIO, Temporal) alone.
# Runs under tools/with-stack.sh, so the local stack is up and its environment set.
# Extra arguments go to both jest runs (e.g. --testPathPatterns replay).
set -uo pipefail
cd "$FERRY_ROOT"
echo "test: type-checking"
tsc -p tsconfig.json || exit 1
echo "test: lint (eslint, prettier)"
eslint . && prettier --check . --log-level warn || exit 1

export FERRY_TEST_SUMMARY
FERRY_TEST_SUMMARY=$(mktemp)
status=0
jest --maxWorkers=2 "$@" || status=1
faults=0
rm -rf .data/logs/faults
jest -c jest.faults.config.js --selectProjects faults --maxWorkers=2 --passWithNoTests "$@" || faults=1
jest -c jest.faults.config.js --selectProjects outages --runInBand --passWithNoTests "$@" || faults=1
if [ "$faults" = 1 ]; then
  status=1
  # The fault workers' own output (tests/faults/harness.ts keeps it): what jest's report cannot show.
  for f in .data/logs/faults/*.log; do
    [ -e "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }
  done
fi
awk '{ p += $1; f += $2; s += $3 } END { printf "\ntests: %d passed, %d failed%s\n", p, f, (s ? ", " s " skipped" : "") }' "$FERRY_TEST_SUMMARY"
rm -f "$FERRY_TEST_SUMMARY"
exit $status
