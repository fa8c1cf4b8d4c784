#!/usr/bin/env bash
# Release-mode benchmarks with the BEAM measured in the same run. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/install-deps.sh test
swift build -c release --product ExporterBenchmarks
# --e2e runs the release exporter binary itself.
swift build -c release --product exesdb_exporter
exec .build/release/ExporterBenchmarks "$@"
