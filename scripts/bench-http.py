#!/usr/bin/env python3
"""HTTP benchmark: wrk against GET /api/v1/jobs with 1,000 jobs, and the runner's fire
lateness with and without that load.

    swift build -c release --product almanac
    python3 scripts/bench-http.py [--seconds 30] [--binary .build/release/almanac]

A 1-second job is `date +%s.%N` itself: the child prints the instant it runs, and the journal
keeps that output beside the scheduled time, so lateness is measured by the child (spawn and
exec included) — first with no HTTP load, then while wrk runs on the same two cores.
Needs wrk (apt-get install wrk).
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p * len(values) + 0.5)) - 1))]


def lateness(journal, since, until):
    samples = []
    with open(journal) as f:
        for line in f:
            event = json.loads(line)
            if event.get("type") != "finished" or event.get("job") != "tick" or "outputTail" not in event:
                continue
            scheduled = datetime.datetime.fromisoformat(event["scheduledAt"].replace("Z", "+00:00")).timestamp()
            if since <= scheduled <= until:
                samples.append((float(event["outputTail"].strip()) - scheduled) * 1000)
    return samples


def runner_lateness(url):
    """The runner's own histogram (planned instant → child exec'd): cumulative bucket counts."""
    buckets = {}
    for line in urllib.request.urlopen(url).read().decode().splitlines():
        if line.startswith("almanac_fire_lateness_seconds_bucket"):
            le = line.split('le="')[1].split('"')[0]
            buckets[le] = float(line.rsplit(" ", 1)[1])
    return buckets


def bucket_p99(before, after):
    """The upper bound of the bucket holding the 99th percentile of the fires between two scrapes."""
    keys = sorted((k for k in after if k != "+Inf"), key=float) + ["+Inf"]
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    if total <= 0:
        return "no fires", 0
    for k in keys:
        if after.get(k, 0) - before.get(k, 0) >= 0.99 * total:
            return ("≤ %g ms" % (float(k) * 1000)) if k != "+Inf" else "> last bucket", int(total)
    return "?", int(total)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--binary", default=".build/release/almanac")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    work = tempfile.mkdtemp(prefix="almanac-http-bench-")
    jobs = os.path.join(work, "jobs")
    os.makedirs(jobs)
    with open(os.path.join(jobs, "many.yaml"), "w") as f:
        for i in range(1000):
            f.write(f'name: job-{i}\nschedule: "{i % 60} {i % 24} * * *"\nrun: ["true"]\n---\n')
    with open(os.path.join(jobs, "tick.yaml"), "w") as f:
        f.write('name: tick\nschedule: "* * * * * *"\nrun: ["date", "+%s.%N"]\n')
    port = free_port()
    runner = subprocess.Popen([args.binary, "run", jobs, "--state", os.path.join(work, "state"),
                               "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/jobs"
        for _ in range(100):
            try:
                urllib.request.urlopen(url).read()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(5)  # warm-up: the first spawns fault in pages and caches
        metrics = f"http://127.0.0.1:{port}/metrics"
        start_buckets = runner_lateness(metrics)
        quiet_start = time.time()
        time.sleep(args.seconds)
        quiet_end = time.time()
        quiet_buckets = runner_lateness(metrics)
        wrk = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.seconds}s", "--latency", url],
                             capture_output=True, text=True)
        loaded_end = time.time()
        loaded_buckets = runner_lateness(metrics)
        time.sleep(1.5)
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=60)
    journal = os.path.join(work, "state", "journal.jsonl")
    quiet = lateness(journal, quiet_start + 1, quiet_end)
    loaded = lateness(journal, quiet_end + 1, loaded_end - 1)
    requests = next((l.split()[1] for l in wrk.stdout.splitlines() if l.startswith("Requests/sec")), "?")
    p99 = next((l.split()[1] for l in wrk.stdout.splitlines() if l.strip().startswith("99%")), "?")
    print("| benchmark | result |\n|---|---|")
    print(f"| wrk GET /api/v1/jobs, 1,000 jobs, 2 threads × 16 connections | {requests} req/s, p99 {p99} |")
    print(f"| fire lateness without load (p50 / p99, {len(quiet)} fires) | "
          f"{percentile(quiet, 0.5):.2f} / {percentile(quiet, 0.99):.2f} ms |")
    print(f"| fire lateness under wrk (p50 / p99, {len(loaded)} fires) | "
          f"{percentile(loaded, 0.5):.2f} / {percentile(loaded, 0.99):.2f} ms |")
    print(f"| p99 degradation, measured by the child | {percentile(loaded, 0.99) - percentile(quiet, 0.99):+.2f} ms (target ≤ +1 ms) |")
    quiet_p99, quiet_n = bucket_p99(start_buckets, quiet_buckets)
    loaded_p99, loaded_n = bucket_p99(quiet_buckets, loaded_buckets)
    print(f"| runner's lateness histogram (instant → child exec'd), p99 without load | {quiet_p99} ({quiet_n} fires) |")
    print(f"| runner's lateness histogram, p99 under wrk | {loaded_p99} ({loaded_n} fires) |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
