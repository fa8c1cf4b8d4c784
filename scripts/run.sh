#!/usr/bin/env bash
# Builds and runs the exporter. Later issues make this start the local demo cluster as well.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/install-deps.sh run
swift build -c release --product exesdb_exporter
exec .build/release/exesdb_exporter "$@"
