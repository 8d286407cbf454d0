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
        quiet_start = time.time()
        time.sleep(args.seconds)
        quiet_end = time.time()
        wrk = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.seconds}s", "--latency", url],
                             capture_output=True, text=True)
        loaded_end = time.time()
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
    print(f"| p99 degradation | {percentile(loaded, 0.99) - percentile(quiet, 0.99):+.2f} ms (target ≤ +1 ms) |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
