#!/usr/bin/env python3
"""HTTP benchmark: wrk against GET /api/v1/jobs with 1,000 jobs, and the runner's fire
lateness with and without that load.

    swift build -c release --product almanac
    python3 scripts/bench-http.py [--seconds 30] [--binary .build/release/almanac]

Five 1-second jobs fire at different offsets into each second. For each fire the journal keeps
`lateUs`, the runner's lateness (planned instant → the child's execve, what
`almanac_fire_lateness_seconds` records), reported as p50 / p99 / max against the target
(p50 < 2 ms, p99 < 10 ms, the same rows as almanac-bench's `lateness` section). One of them, `tick`, is `date +%s.%N`: its output is
the instant `date` itself ran (after its loading, at nice 0: the job's own scheduling, which the
runner does not control). First with no HTTP load, then while wrk runs on the same two cores.
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


TICKS = ["tick", "tick-b", "tick-c", "tick-d", "tick-e"]


# The machine's own floor: an ordinary thread (SCHED_OTHER, nice 0, as the runner's) that only
# sleeps until instants 137 ms apart and reports how late it woke. On a VM, an idle vCPU's halt
# and the host's steal show up here too; what the runner adds is the difference.
PROBE = r"""
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK: 1 ns, as the runner's thread
target = time.time() + 0.5
while True:
    time.sleep(max(0, target - time.time()))
    print(f"{target:.6f} {(time.time() - target) * 1000:.3f}", flush=True)
    target += 0.137
"""


def floor(lines, since, until):
    samples = []
    for line in lines:
        target, late = map(float, line.split())
        if since <= target <= until:
            samples.append(late)
    return samples


def stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def lateness(journal, since, until):
    """The fires of the tick jobs between two instants: (the runner's lateness, from each
    `finished` event's `lateUs`; the lateness `tick`'s own `date` saw), in milliseconds."""
    runner, child = [], []
    with open(journal) as f:
        for line in f:
            event = json.loads(line)
            if event.get("type") != "finished" or event.get("job") not in TICKS or "lateUs" not in event:
                continue
            scheduled = stamp(event["scheduledAt"])
            if since <= scheduled <= until:
                runner.append(event["lateUs"] / 1000)
                if event["job"] == "tick":
                    child.append((float(event["outputTail"].strip()) - scheduled) * 1000)
    return runner, child


def offsets(journal):
    """Each tick job's planned offset into the second (ms), from its claims (`started.at`)."""
    found = {}
    with open(journal) as f:
        for line in f:
            event = json.loads(line)
            if event.get("type") == "started" and event.get("job") in TICKS:
                found[event["job"]] = round((stamp(event["at"]) - stamp(event["scheduledAt"])) * 1000)
    return found


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
        # More fires per second for a steadier p99: the same job at fixed offsets into the
        # second (jitter is a hash of the name), so no two fires share an instant.
        for name in TICKS[1:]:
            f.write(f'---\nname: {name}\nschedule: "* * * * * *"\njitter: 999ms\nrun: ["true"]\n')
    probe_out = open(os.path.join(work, "probe.txt"), "w")
    probe = subprocess.Popen([sys.executable, "-c", PROBE], stdout=probe_out)
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
        probe.kill()
        probe_out.close()
    journal = os.path.join(work, "state", "journal.jsonl")
    quiet, quiet_child = lateness(journal, quiet_start + 1, quiet_end)
    loaded, loaded_child = lateness(journal, quiet_end + 1, loaded_end - 1)
    requests = next((l.split()[1] for l in wrk.stdout.splitlines() if l.startswith("Requests/sec")), "?")
    p99 = next((l.split()[1] for l in wrk.stdout.splitlines() if l.strip().startswith("99%")), "?")

    def row(samples):
        return (f"{percentile(samples, 0.5):.2f} / {percentile(samples, 0.99):.2f} / {max(samples):.2f} ms"
                f" ({len(samples)} fires)")

    def target(samples):
        met = percentile(samples, 0.5) < 2 and percentile(samples, 0.99) < 10
        return f"{row(samples)}; target p50 < 2 ms, p99 < 10 ms {'✓' if met else '✗'}"

    print("| benchmark | result |\n|---|---|")
    print(f"| wrk GET /api/v1/jobs, 1,000 jobs, 2 threads × 16 connections | {requests} req/s, p99 {p99} |")
    print(f"| runner's journaled fire lateness (instant → child's execve), no load: p50 / p99 / max | {target(quiet)} |")
    print(f"| runner's journaled fire lateness under wrk: p50 / p99 / max | {target(loaded)} |")
    probe_lines = open(os.path.join(work, "probe.txt")).read().split("\n")[:-1]
    quiet_floor = floor(probe_lines, quiet_start + 1, quiet_end)
    loaded_floor = floor(probe_lines, quiet_end + 1, loaded_end - 1)
    print(f"| the machine's floor (an ordinary thread that only sleeps to instants), no load | {row(quiet_floor)} |")
    print(f"| the machine's floor under wrk | {row(loaded_floor)} |")
    print(f"| the job's own clock (`date` in the child, nice 0), no load: p50 / p99 / max | {row(quiet_child)} |")
    print(f"| the job's own clock under wrk: p50 / p99 / max | {row(loaded_child)} |")
    spread = offsets(journal)
    print("\ntick jobs' offsets into the second (ms):", ", ".join(f"{k} {v}" for k, v in sorted(spread.items())))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
