"""Serves the rule benchmark's 10,000 series (bench/rules/rule_shapes.hpp) in the text format on
/metrics for Prometheus to scrape, the values moving with every scrape exactly as round_bench's
do from round to round: value(m, s, round) = (s * 7 + m + round * s) % 100.
   python3 series_server.py PORT
"""
import http.server
import sys

METRICS, SERIES = 100, 100


class Handler(http.server.BaseHTTPRequestHandler):
    round = 0

    def do_GET(self):
        r = Handler.round
        Handler.round += 1
        lines = []
        for m in range(METRICS):
            lines.append(f"# TYPE bench_metric_{m} gauge")
            for s in range(SERIES):
                value = (s * 7 + m + r * s) % 100
                lines.append(
                    f'bench_metric_{m}{{instance="host-{s}:9100",job="job-{s % 10}"}} {value}')
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
