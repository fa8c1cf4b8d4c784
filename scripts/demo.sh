#!/usr/bin/env bash
# The local demo: three demo ExESDB nodes (demo/, a stand-in for a real ExESDB cluster), a webhook
# sink that prints forwarded escalations, and the exporter joined to them. Runs until Ctrl-C, then
# stops everything it started and removes its temporary directory.
#
# Usage: scripts/demo.sh [--cluster-only] [--profile=normal|fast] [-- exporter flags...]
#   --cluster-only   start only EPMD and the three demo nodes; print how to join them
#   --profile=fast   denser traffic and quicker alert lifecycles (for tests); default normal
# Environment: EXESDB_EXPORTER_BIN runs that binary instead of building the release one (Swift is
# then not needed); EXESDB_DEMO_WEB_PORT picks the exporter's port (default 9571 when free, else any
# free port).
#
# Every process it starts runs in a session of its own (setsid), out of the terminal's reach: Ctrl-C
# reaches this script alone, which stops the exporter first (it leaves the PubSub groups while the
# nodes still run, so it has no lost connection to report), then the sink, the nodes and EPMD.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

cluster_only=false
profile=normal
exporter_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster-only) cluster_only=true ;;
    --profile=normal | --profile=fast) profile="${1#--profile=}" ;;
    --) shift; exporter_flags=("$@"); break ;;
    *) echo "error: unknown argument '$1'. Usage: scripts/demo.sh [--cluster-only] [--profile=normal|fast] [-- exporter flags...]" >&2; exit 64 ;;
  esac
  shift
done

binary="${EXESDB_EXPORTER_BIN:-}"
if [ -n "$binary" ] && [ ! -x "$binary" ]; then
  echo "error: EXESDB_EXPORTER_BIN=$binary is not an executable file; unset it to build one" >&2
  exit 64
fi
if [ "$cluster_only" = true ] || [ -n "$binary" ]; then
  scripts/install-deps.sh demo  # no build: Swift is not needed
else
  scripts/install-deps.sh run
  echo "== building the exporter (release)"
  swift build -c release --product exesdb_exporter
  binary=.build/release/exesdb_exporter
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/exesdb-demo.XXXXXX")"
chmod 700 "$workdir"
echo "temporary files (removed at the end): $workdir"
started=()  # pids, in start order; stopped in reverse
ticker=""   # the pid of the sleep between two reminders of the URLs

stop_all() {
  trap - EXIT INT TERM
  local index pid
  [ -z "$ticker" ] || kill "$ticker" 2>/dev/null || true
  for ((index = ${#started[@]} - 1; index >= 0; index--)); do
    pid="${started[$index]}"
    kill -TERM "$pid" 2>/dev/null || continue
    # A demo node takes a second or two to stop; the exporter leaves its groups first.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$workdir"
  echo "demo stopped; removed $workdir"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_is_free() {
  python3 -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

wait_for_line() {  # file text seconds
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "error: '$2' did not appear in $1 within $3 s; it says:" >&2
  cat "$1" >&2
  exit 1
}

# Secrets: generated per run, files readable by this user alone, never on a command line.
umask 077
mkdir -p "$workdir/home" "$workdir/ebin" "$workdir/spool"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$workdir/cookie"
head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$workdir/secret_key_base"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$workdir/webhook_hmac"  # signs the sink's webhooks
cp "$workdir/cookie" "$workdir/home/.erlang.cookie"
chmod 400 "$workdir/cookie" "$workdir/home/.erlang.cookie" "$workdir/webhook_hmac"

epmd_port="$(free_port)"
setsid epmd -port "$epmd_port" -address 127.0.0.1 &
started+=($!)
for _ in $(seq 1 50); do epmd -port "$epmd_port" -names >/dev/null 2>&1 && break; sleep 0.1; done

erlc -o "$workdir/ebin" demo/*.erl erlang/gater_wire.erl
nodes=(ex_esdb1@localhost ex_esdb2@localhost ex_esdb3@localhost)
node_list="[$(IFS=,; echo "${nodes[*]}")]"
for index in 0 1 2; do
  name="${nodes[$index]}"
  HOME="$workdir/home" ERL_EPMD_PORT="$epmd_port" SECRET_KEY_BASE="$(cat "$workdir/secret_key_base")" \
    setsid erl -sname "$name" -noshell -pa "$workdir/ebin" \
    -eval "exesdb_demo:start(#{index => $index, nodes => $node_list, profile => $profile})" \
    >"$workdir/${name%@*}.log" 2>&1 &
  started+=($!)
done
for name in "${nodes[@]}"; do wait_for_line "$workdir/${name%@*}.log" "^ready" 30; done
echo "demo ExESDB nodes up (a stand-in for a real cluster): ${nodes[*]}, EPMD on 127.0.0.1:$epmd_port"

if [ "$cluster_only" = true ]; then
  echo "EXESDB_DEMO_EPMD_PORT=$epmd_port"
  echo "EXESDB_DEMO_NODES=$(IFS=,; echo "${nodes[*]}")"
  echo "EXESDB_DEMO_COOKIE_FILE=$workdir/cookie"
  echo "EXESDB_DEMO_SECRET_KEY_BASE_FILE=$workdir/secret_key_base"
  echo "demo cluster ready; Ctrl-C stops it"
  while true; do sleep 1; done
fi

sink_port="$(free_port)"
setsid python3 demo/webhook_sink.py --port "$sink_port" --log "$workdir/webhooks.log" \
  --hmac-secret-file "$workdir/webhook_hmac" &
started+=($!)

web_port="${EXESDB_DEMO_WEB_PORT:-9571}"
port_is_free "$web_port" || web_port="$(free_port)"
cat >"$workdir/exesdb_exporter.yml" <<EOF
# Written by scripts/demo.sh for this run only.
pubsub:
  all_buses: true
metrics:
  ttl: 5m
webhooks:
  spool_dir: $workdir/spool
  endpoints:
    - name: demo-sink
      url: http://127.0.0.1:$sink_port/
      format: alertmanager
      events: [alert_escalated, security_alert]
      to_levels: [level2, level3]
      hmac_secret_file: $workdir/webhook_hmac
      timeout: 5s
EOF

flags=(
  --erlang.nodes="${nodes[0]}" --erlang.name=exesdb_exporter_demo@localhost
  --erlang.cookie-file="$workdir/cookie" --security.secret-key-base-file="$workdir/secret_key_base"
  --web.listen-address="127.0.0.1:$web_port" --config.file="$workdir/exesdb_exporter.yml"
)

setsid env -u ERLANG_COOKIE -u SECRET_KEY_BASE ERL_EPMD_PORT="$epmd_port" "$binary" "${flags[@]}" "${exporter_flags[@]}" &
exporter=$!
started+=("$exporter")

echo
echo "exporter:      http://127.0.0.1:$web_port/"
echo "metrics:       http://127.0.0.1:$web_port/metrics"
echo "webhook sink:  http://127.0.0.1:$sink_port/ (prints each forwarded escalation below, the first within about 30 s)"
echo "demo running ($profile profile); Ctrl-C stops everything"

# The URLs again every minute, so that the exporter's and the sink's lines do not scroll them away.
# `wait` returns at once on Ctrl-C (a trapped signal), where a foreground `sleep` would delay it.
started_at=$SECONDS
while true; do
  sleep 60 &
  ticker=$!
  set +e
  wait -n -p finished "$exporter" "$ticker"
  status=$?
  set -e
  if [ "${finished:-}" = "$exporter" ]; then
    kill "$ticker" 2>/dev/null || true
    echo "the exporter exited with status $status"
    exit "$status"
  fi
  echo "[demo running for $(((SECONDS - started_at) / 60)) min] exporter http://127.0.0.1:$web_port/  metrics http://127.0.0.1:$web_port/metrics  webhook sink http://127.0.0.1:$sink_port/  (Ctrl-C stops everything)"
done
