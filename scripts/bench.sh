#!/usr/bin/env bash
# Release-mode benchmarks with the BEAM measured in the same run. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/install-deps.sh test
# The benchmarks are a package of their own (benchmarks/Package.swift), built into .build-bench
# with the exporter's resolved versions when it has them.
if [ -f Package.resolved ] && [ ! -f benchmarks/Package.resolved ]; then cp Package.resolved benchmarks/Package.resolved; fi
# SwiftPM plans a path dependency's sources again only when the depending manifest changes: a file
# removed from the exporter would otherwise fail the build as a missing input.
touch benchmarks/Package.swift
swift build -c release --package-path benchmarks --scratch-path .build-bench --product ExporterBenchmarks
# --e2e runs the release exporter binary itself.
swift build -c release --product exesdb_exporter
exec .build-bench/release/ExporterBenchmarks "$@"
