#!/usr/bin/env bash
# The whole test suite: installs what the tests need, checks formatting, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/install-deps.sh test

echo "== swift format lint"
swift format lint --strict --recursive --parallel Package.swift Sources Tests benchmarks Fuzz

echo "== swift build"
swift build --build-tests

echo "== swift test"
# The output is long and CI keeps its tail: on failure, what failed is repeated at the end.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "== what failed (repeated from above)"
  grep -E -A6 '✘ Test .*(recorded an issue|failed)|Fatal error|error: Exited|Test .* crashed' "$log" | grep -v '^--$' | head -150
fi
exit "$status"
