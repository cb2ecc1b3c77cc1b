#!/usr/bin/env python3
"""N local health endpoints for bench/http/run.sh: every path answers 200 with a MikroScope-shaped
/health body. Writes the chosen port to --port-file. Not part of the test suite."""
import argparse
import http.server
import socketserver

BODY = (b'{"ok":true,"ingest":{"lastError":""},'
        b'"storage":{"logsFreeBytes":5000000000,"dbFreeBytes":2000000000}}')


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 4096  # both probers open N connections in a burst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
