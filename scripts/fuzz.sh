#!/usr/bin/env bash
# The libFuzzer targets (docs/proofs.md, Fuzzing): builds Fuzz/ with -sanitize=fuzzer,address
# into its own scratch path (.build-fuzz; the product's build and CI never see it), seeds each
# target's corpus from the fixtures, runs each target for N executions and prints, per target,
# executions, exec/s, coverage (libFuzzer's cov and ft) and crashes. Exits non-zero when any
# target crashed, broke an invariant or got a sanitizer report; the input is kept in
# .build-fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [--runs N] [--jobs J] [--list] [target...]
#
#   --runs N   executions per target (default: 10^7 for term and scanner, 10^6 for the others)
#   --jobs J   targets run at once (default 1)
#   --list     print the targets and their defaults, build nothing
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# name, default executions, -max_len: what each target reads (Fuzz/Sources/ExporterFuzz).
TARGETS=(
  "term 10000000 16384"       # the term decoder, TermView
  "scanner 10000000 16384"    # the broadcast scanner against the general path
  "frame 1000000 16384"       # the frame dispatcher, with the ingest pass behind it
  "handshake 1000000 512"     # the handshake messages, either side
  "config 1000000 4096"       # the config file, its webhooks section, names and durations
  "webconfig 1000000 4096"    # the web config
  "spool 1000000 8192"        # the webhook spool reader
)

runs=""
jobs=1
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --runs=*) runs="${1#--runs=}"; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#--jobs=}"; shift ;;
    --list)
      for entry in "${TARGETS[@]}"; do
        read -r name count length <<<"$entry"
        echo "$name runs=$count max_len=$length"
      done
      exit 0 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
  esac
done
for name in "${selected[@]}"; do
  if ! printf '%s\n' "${TARGETS[@]}" | grep -q "^$name "; then
    echo "unknown target $name (see --list)" >&2
    exit 2
  fi
done

root="$(pwd)"
scratch="$root/.build-fuzz"
mkdir -p "$scratch"

echo "== building Fuzz/ with -sanitize=fuzzer,address into .build-fuzz"
# The exporter's resolved versions, when it has them, for the same dependencies.
if [ -f Package.resolved ] && [ ! -f Fuzz/Package.resolved ]; then cp Package.resolved Fuzz/Package.resolved; fi
# SwiftPM plans a path dependency's sources again only when the depending manifest changes: a file
# removed from the exporter would otherwise fail the build as a missing input.
touch Fuzz/Package.swift
nice -n 10 swift build -c debug --package-path Fuzz --scratch-path "$scratch" --product ExporterFuzz \
  -Xswiftc -sanitize=fuzzer,address
# A copy of its own for this run: a build while targets run would otherwise replace it under them.
mkdir -p "$scratch/bin"
binary="$scratch/bin/ExporterFuzz.$$"
cp "$scratch/debug/ExporterFuzz" "$binary"

echo "== seeds from the fixtures"
seeds="$scratch/seeds"
work="$(mktemp -d)"
trap 'rm -rf "$work" "$binary"' EXIT
erlc -o "$work" Tests/ErlangTermTests/Fixtures/term_corpus.erl erlang/gater_fixture.erl erlang/gater_wire.erl
erl -noshell -pa "$work" -eval "
  term_corpus:write(\"$work/terms.bin\"),
  gater_fixture:write(\"$work/broadcasts.bin\", <<\"s3cret-key-base\">>),
  halt()." >/dev/null
# The YAML examples: the shipped config file, and every yaml block of the docs.
mkdir -p "$work/yaml"
cp deploy/systemd/exesdb_exporter.yml "$work/yaml/"
for doc in README.md docs/*.md deploy/*.md; do
  awk -v out="$work/yaml/$(basename "$doc" .md)" '
    /^```yaml/ { n++; file = out "-" n ".yml"; inside = 1; next }
    /^```/ { inside = 0; next }
    inside { print > file }' "$doc"
done
rm -rf "$seeds"
FUZZ_SEEDS="$seeds" FUZZ_TERM_CORPUS="$work/terms.bin" FUZZ_BROADCASTS="$work/broadcasts.bin" \
  FUZZ_YAML="$work/yaml" "$binary"

# One target: its own corpus (kept between runs, libFuzzer adds to the first directory), the
# seeds, and a log whose final statistics are read back.
run_target() {
  local name="$1" count="$2" length="$3"
  local corpus="$scratch/corpus/$name" artifacts="$scratch/artifacts/$name/" log="$scratch/logs/$name.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  local status=0
  # The Swift runtime's backtracer would answer a trap before libFuzzer's handler, which keeps
  # the input: leave it to libFuzzer.
  FUZZ_TARGET="$name" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    nice -n 10 "$binary" -runs="$count" -max_len="$length" -print_final_stats=1 -timeout=20 \
    -rss_limit_mb=3072 -artifact_prefix="$artifacts" "$corpus" "$seeds/$name" >"$log" 2>&1 || status=$?
  echo "$status" >"$log.status"
}

summary() {
  local name="$1" log="$scratch/logs/$1.log"
  local status executions speed cov ft reports crashes
  status="$(cat "$log.status")"
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  ft="$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  reports="$(grep -c -E '^==[0-9]+==ERROR: |^SUMMARY: (Address|Leak)Sanitizer' "$log" || true)"
  # Every crash, broken invariant, timeout, leak or memory excess keeps its input: one line each.
  # A slow unit (10 s or more, e.g. on a starved machine) is kept too, but it is no failure.
  crashes="$(grep 'Test unit written to' "$log" | grep -vc '/slow-unit-' || true)"
  slow="$(grep -c 'Test unit written to .*/slow-unit-' "$log" || true)"
  printf '%-10s executions=%-9s exec/s=%-6s cov=%-6s ft=%-6s crashes=%s sanitizer_reports=%s slow_units=%s exit=%s\n' \
    "$name" "${executions:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$crashes" "$reports" "$slow" "$status"
  [ "$status" = 0 ] && [ "$crashes" = 0 ] && [ "$reports" = 0 ]
}

chosen=()
for entry in "${TARGETS[@]}"; do
  read -r name count length <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && ! printf '%s\n' "${selected[@]}" | grep -qx "$name"; then continue; fi
  chosen+=("$name ${runs:-$count} $length")
done

echo "== running ${#chosen[@]} target(s), $jobs at a time (logs in .build-fuzz/logs)"
running=0
for entry in "${chosen[@]}"; do
  read -r name count length <<<"$entry"
  echo "$name: $count executions"
  run_target "$name" "$count" "$length" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

echo "== results"
failed=0
for entry in "${chosen[@]}"; do
  read -r name _ _ <<<"$entry"
  summary "$name" || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "a target failed: see .build-fuzz/logs/<target>.log and the input kept in .build-fuzz/artifacts/<target>/"
fi
exit "$failed"
