#!/usr/bin/env bash
# The whole test suite: installs what the tests need, checks formatting, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/install-deps.sh test

echo "== swift format lint"
swift format lint --strict --recursive --parallel Package.swift Sources Tests

echo "== swift build"
swift build --build-tests

echo "== swift test"
swift test --skip-build
