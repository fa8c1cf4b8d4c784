#!/usr/bin/env bash
# Without arguments: the local demo (scripts/demo.sh): three demo ExESDB nodes, a webhook sink and
# the exporter joined to them, until Ctrl-C. With arguments: builds and runs just the exporter with
# those flags, e.g. scripts/run.sh --erlang.nodes=ex_esdb@db-1
# Environment: EXESDB_EXPORTER_BIN runs that binary instead of building one (Swift is then not
# needed, for the demo either).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ $# -eq 0 ]; then
  exec scripts/demo.sh
fi
if [ -n "${EXESDB_EXPORTER_BIN:-}" ]; then
  if [ ! -x "$EXESDB_EXPORTER_BIN" ]; then
    echo "error: EXESDB_EXPORTER_BIN=$EXESDB_EXPORTER_BIN is not an executable file; unset it to build one" >&2
    exit 64
  fi
  exec "$EXESDB_EXPORTER_BIN" "$@"
fi
scripts/install-deps.sh build
swift build -c release --product exesdb_exporter
exec .build/release/exesdb_exporter "$@"
