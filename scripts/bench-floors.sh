#!/usr/bin/env bash
# The whole-process CPU benchmark (`scripts/bench.sh --e2e --only cpu`) run against exporters
# that stop the ingest path after each of its stages: what receiving, scanning, checking the
# HMAC, decoding and aggregating each add per broadcast, beside the BEAM subscriber in the same
# runs. Not part of the test suite.
#
# The stops are a patch (benchmarks/floors/stages.patch) applied to a copy of the committed tree
# in .build-floors, never to the checkout: the released exporter has no such switch. Each stage
# still counts every broadcast in exesdb_exporter_messages_total, which the benchmark waits for.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

root=$PWD
tree=$root/.build-floors/tree
rm -rf "$tree"
mkdir -p "$tree"
# The committed tree (git archive gives each file the commit's time: a second run at the same
# commit rebuilds only what the patch touches).
git archive HEAD | tar -x -C "$tree"
if [ -f Package.resolved ]; then cp Package.resolved "$tree/"; fi
# The ceiling keeps git from taking the copy for part of the checkout around it.
if ! (cd "$tree" && GIT_CEILING_DIRECTORIES="$root/.build-floors" git apply "$root/benchmarks/floors/stages.patch"); then
    echo "bench-floors: benchmarks/floors/stages.patch no longer applies to this tree." >&2
    echo "  Remake it: stop the ingest path after each stage in a scratch copy, then 'git diff -- Sources'." >&2
    exit 1
fi
log=$root/.build-floors/stage.log
echo "bench-floors: building the staged exporter in .build-floors (the first time takes minutes)"
if ! swift build -c release --product exesdb_exporter --package-path "$tree" --scratch-path "$root/.build-floors/build" \
    >"$log" 2>&1; then
    cat "$log" >&2
    echo "bench-floors: the staged exporter did not build (its output is above)." >&2
    exit 1
fi
binary=$root/.build-floors/build/release/exesdb_exporter

for stage in receive scan verify decode whole; do
    case $stage in
        receive) what="framed and handed to the bus member; nothing read" ;;
        scan) what="+ scanned: atoms noted, fields found; no HMAC" ;;
        verify) what="+ HMAC checked; not decoded" ;;
        decode) what="+ decoded into its typed message; not aggregated" ;;
        whole) what="+ aggregated: the released ingest path" ;;
    esac
    echo
    echo "== stage $stage: $what"
    # The build's warnings and the nodes' log lines go to the log, shown whole if a stage fails.
    if ! EXESDB_FLOOR_STAGE=$stage scripts/bench.sh --e2e --only cpu --binary "$binary" >"$log" 2>&1; then
        cat "$log" >&2
        echo "bench-floors: stage $stage failed (its whole output is above)." >&2
        exit 1
    fi
    grep -E "round [0-9]|median ratio" "$log"
done
