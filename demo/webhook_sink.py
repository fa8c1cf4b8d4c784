#!/usr/bin/env python3
"""DEMO ONLY: a local webhook receiver that prints each escalation the exporter forwards.

It accepts the exporter's three payload formats (DESIGN.md section 5): `alertmanager` (the
Alertmanager webhook JSON, version "4"), `alertmanager_api` (a JSON list of alerts, as POSTed to
/api/v2/alerts) and `json` (one escalation object). Every request is answered 200, printed as one
summary line per alert, and appended verbatim to --log when given (tests read that file).
"""

import argparse
import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def summaries(payload):
    """One short line per alert in any of the three formats."""
    if isinstance(payload, dict) and isinstance(payload.get("alerts"), list):
        alerts = payload["alerts"]
    elif isinstance(payload, list):
        alerts = payload
    else:
        alerts = [payload]
    lines = []
    for alert in alerts:
        if not isinstance(alert, dict):
            lines.append(repr(alert))
            continue
        labels = alert.get("labels") or {}
        fields = {**{k: v for k, v in alert.items() if isinstance(v, (str, int, float))}, **labels}
        keys = ("alertname", "alert_id", "from_level", "to_level", "severity", "node", "status")
        lines.append(" ".join(f"{k}={fields[k]}" for k in keys if k in fields) or json.dumps(alert)[:200])
    return lines


class Sink(BaseHTTPRequestHandler):
    server_version = "exesdb-demo-webhook-sink"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok\n")
        stamp = datetime.now(timezone.utc).strftime("%H:%M:%S")
        try:
            lines = summaries(json.loads(body))
        except ValueError:
            lines = [f"(not JSON, {len(body)} bytes)"]
        for line in lines:
            print(f"[webhook sink {stamp}] {self.path} {line}", flush=True)
        if self.server.log_path:
            with open(self.server.log_path, "ab") as log:
                log.write(body + b"\n")

    def log_message(self, format, *args):
        pass  # one line per alert above is enough; the access log would double it


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", help="append each request body to this file")
    arguments = parser.parse_args()
    server = ThreadingHTTPServer((arguments.host, arguments.port), Sink)
    server.log_path = arguments.log
    print(f"webhook sink listening on http://{arguments.host}:{arguments.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
