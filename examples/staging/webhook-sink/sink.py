"""Webhook sink for the staging stack: prints every notification it receives and answers 200.

Both opswatch's webhook receiver and Alertmanager post Alertmanager's v4 JSON here; each
notification is printed as one line `<path> <status> <alertname>=<state> ...` followed by the
pretty-printed body, in one write, so notifications served by concurrent threads never interleave.

SINK_HOST is the address to bind (default "": all interfaces, as the container needs); SINK_PORT
the port (default 8080).
"""
import http.server
import json
import os
import sys
import threading

HOST = os.environ.get("SINK_HOST", "")
PORT = int(os.environ.get("SINK_PORT", "8080"))

# ThreadingHTTPServer serves each request on its own thread, and print() writes the text and the
# newline separately: without one locked write per notification, two summaries can share a line.
_output_lock = threading.Lock()


def emit(text):
    with _output_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
            alerts = " ".join(
                f"{a.get('labels', {}).get('alertname', '?')}={a.get('status', '?')}"
                for a in body.get("alerts", []))
            emit(f"{self.path} {body.get('status', '?')} {alerts}\n"
                 f"{json.dumps(body, indent=2, sort_keys=True)}")
        except (ValueError, AttributeError, TypeError):  # not JSON, or not the payload's shape
            emit(f"{self.path} (not an alert payload, {len(raw)} bytes)")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    # Bind before announcing, so whoever waits for the line can connect at once.
    server = http.server.ThreadingHTTPServer((HOST, PORT), Handler)
    emit(f"webhook sink: listening on {HOST}:{PORT}")
    server.serve_forever()
