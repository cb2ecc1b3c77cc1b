"""Demo service for the staging stack: a runbook-style /health endpoint.

GET /health answers 200 with
  {"ok": true, "ingest": {"lastError": ""}, "storage": {"logsFreeBytes": N, "dbFreeBytes": N}}
and 503 with ok=false while the file named by APP_UNHEALTHY_FILE (default /tmp/unhealthy) exists,
so a runbook drill can break it with `touch /tmp/unhealthy` and heal it with `rm`.

APP_HOST is the address to bind (default "": all interfaces, as the container needs); APP_PORT
the port (default 4310).
"""
import http.server
import json
import os
import shutil

HOST = os.environ.get("APP_HOST", "")
PORT = int(os.environ.get("APP_PORT", "4310"))
UNHEALTHY_FILE = os.environ.get("APP_UNHEALTHY_FILE", "/tmp/unhealthy")
DATA_DIR = os.environ.get("APP_DATA_DIR", "/tmp")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/health":
            self.send_error(404)
            return
        broken = os.path.exists(UNHEALTHY_FILE)
        free = shutil.disk_usage(DATA_DIR).free
        body = json.dumps({
            "ok": not broken,
            "ingest": {"lastError": "simulated ingest failure" if broken else ""},
            "storage": {"logsFreeBytes": free, "dbFreeBytes": free},
        }).encode()
        self.send_response(503 if broken else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass  # opswatch polls every few seconds; keep the container log for real events


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer((HOST, PORT), Handler)
    print(f"demo app: /health on {HOST}:{PORT}; touch {UNHEALTHY_FILE} to make it unhealthy")
    server.serve_forever()
