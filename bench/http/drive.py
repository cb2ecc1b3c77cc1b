#!/usr/bin/env python3
"""Drives blackbox_exporter's /probe like Prometheus would: every --interval seconds, one probe per
target (all N at once, as opswatch's collector does). Prints "<probes> <successes>".
Not part of the test suite."""
import argparse
import concurrent.futures
import time
import urllib.parse
import urllib.request


def probe(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return b"\nprobe_success 1" in response.read()
    except Exception:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--blackbox", required=True)
    parser.add_argument("--module", default="http_health")
    parser.add_argument("--targets", required=True, help="file with one URL per line")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args()
    targets = [line.strip() for line in open(args.targets) if line.strip()]
    urls = [f"{args.blackbox}/probe?module={args.module}&target={urllib.parse.quote(t, safe='')}"
            for t in targets]
    probes = successes = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        start = time.monotonic()
        tick = start
        while tick - start < args.duration:
            for ok in pool.map(probe, urls):
                probes += 1
                successes += ok
            tick += args.interval
            time.sleep(max(0.0, tick - time.monotonic()))
    print(probes, successes)


if __name__ == "__main__":
    main()
