#!/usr/bin/env bash
# Without arguments: the local demo (scripts/demo.sh): three demo ExESDB nodes, a webhook sink and
# the exporter joined to them, until Ctrl-C. With arguments: builds and runs just the exporter with
# those flags, e.g. scripts/run.sh --erlang.nodes=ex_esdb@db-1
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ $# -eq 0 ]; then
  exec scripts/demo.sh
fi
scripts/install-deps.sh run
swift build -c release --product exesdb_exporter
exec .build/release/exesdb_exporter "$@"
