#!/usr/bin/env python3
"""GET /metrics latency for bench/abuse/run.sh: COUNT sequential requests, each on a new
connection (as a scraper whose keep-alive connection has expired opens one), RATE per second,
from 127.0.0.1. A request counts from connect() to the last byte of the reply; one that fails or
takes longer than TIMEOUT seconds counts as TIMEOUT. Prints "p50_ms p99_ms max_ms failures".

    probe.py PORT [COUNT=500] [RATE=50] [TIMEOUT=10]
"""
import socket
import sys
import time

PORT = int(sys.argv[1])
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 500
RATE = float(sys.argv[3]) if len(sys.argv) > 3 else 50
TIMEOUT = float(sys.argv[4]) if len(sys.argv) > 4 else 10
REQUEST = b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"


def one():
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT) as s:
            s.sendall(REQUEST)
            head = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                head += chunk[:16] if not head else b""
            if not head.startswith(b"HTTP/1.1 200"):
                return None
    except OSError:
        return None
    return time.perf_counter() - start


samples, failures = [], 0
next_start = time.perf_counter()
for _ in range(COUNT):
    next_start += 1 / RATE
    t = one()
    if t is None or t > TIMEOUT:
        failures += 1
        t = TIMEOUT
    samples.append(t * 1000)
    time.sleep(max(0.0, next_start - time.perf_counter()))
samples.sort()
pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"{pick(0.50):.3f} {pick(0.99):.3f} {samples[-1]:.3f} {failures}")
