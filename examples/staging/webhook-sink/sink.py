"""Webhook sink for the staging stack: prints every notification it receives and answers 200.

Both opswatch's webhook receiver and Alertmanager post Alertmanager's v4 JSON here; each line
printed is `<path> <status> <alertname>=<state> ...` followed by the pretty-printed body.
"""
import http.server
import json
import os

PORT = int(os.environ.get("SINK_PORT", "8080"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
            alerts = " ".join(
                f"{a.get('labels', {}).get('alertname', '?')}={a.get('status', '?')}"
                for a in body.get("alerts", []))
            print(f"{self.path} {body.get('status', '?')} {alerts}")
            print(json.dumps(body, indent=2, sort_keys=True))
        except ValueError:
            print(f"{self.path} (not JSON, {len(raw)} bytes)")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    # Bind before announcing, so whoever waits for the line can connect at once.
    server = http.server.ThreadingHTTPServer(("", PORT), Handler)
    print(f"webhook sink: listening on :{PORT}")
    server.serve_forever()
