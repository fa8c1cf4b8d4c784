#!/usr/bin/env python3
"""DEMO ONLY: a local webhook receiver that prints each escalation (and security alert) the exporter forwards.

It accepts the exporter's three payload formats (docs/webhooks.md): `alertmanager` (the
Alertmanager webhook JSON, version "4"), `alertmanager_api` (a JSON list of alerts, as POSTed to
/api/v2/alerts) and `json` (one escalation object). Every request is answered 200 and printed as
one summary line per alert. With --hmac-secret-file it checks the X-ExESDB-Signature header (HMAC-
SHA256 over timestamp + "." + body) and says whether the signature is valid. With --log it appends
one JSON line per request: {"path", "content_type", "idempotency_key", "signature" ("valid",
"invalid", "missing" or "unchecked"), "body" (the parsed JSON, or null)}; the tests read that file.
The secret is never printed.
"""

import argparse
import hashlib
import hmac
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
        keys = ("alertname", "event", "alert_id", "from_level", "to_level", "type", "severity", "node", "status")
        lines.append(" ".join(f"{k}={fields[k]}" for k in keys if k in fields) or json.dumps(alert)[:200])
    return lines


def signature_state(secret, headers, body):
    """valid, invalid or missing against the secret; unchecked without one."""
    if secret is None:
        return "unchecked"
    timestamp, signature = headers.get("X-ExESDB-Timestamp"), headers.get("X-ExESDB-Signature")
    if not timestamp or not signature:
        return "missing"
    expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "valid" if hmac.compare_digest(expected, signature) else "invalid"


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
        signature = signature_state(self.server.secret, self.headers, body)
        try:
            payload = json.loads(body)
            lines = summaries(payload)
        except ValueError:
            payload, lines = None, [f"(not JSON, {len(body)} bytes)"]
        note = "" if signature == "unchecked" else f" (signature {signature})"
        for line in lines:
            # "POST /path" as in an access log: a bare "/" at the head of the text reads as a stray path.
            print(f"[webhook sink {stamp}] POST {self.path} {line}{note}", flush=True)
        if self.server.log_path:
            record = {"path": self.path, "content_type": self.headers.get("Content-Type"),
                      "idempotency_key": self.headers.get("Idempotency-Key"), "signature": signature,
                      "body": payload}
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")

    def log_message(self, format, *args):
        pass  # one line per alert above is enough; the access log would double it


def read_secret(path):
    """The file's bytes without trailing line breaks, as the exporter reads hmac_secret_file."""
    with open(path, "rb") as file:
        return file.read().rstrip(b"\r\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--hmac-secret-file", help="check X-ExESDB-Signature with the secret in this file")
    arguments = parser.parse_args()
    server = ThreadingHTTPServer((arguments.host, arguments.port), Sink)
    server.log_path = arguments.log
    server.secret = read_secret(arguments.hmac_secret_file) if arguments.hmac_secret_file else None
    checking = " (checking signatures)" if server.secret is not None else ""
    print(f"webhook sink listening on http://{arguments.host}:{arguments.port}/{checking}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
