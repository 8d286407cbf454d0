#!/usr/bin/env bash
# Renders the dashboard of examples/quickstart in headless Chromium, checks that the jobs table
# lists the quickstart's jobs, and saves docs/dashboard.png (unless CHECK_ONLY=1, as in CI:
# `make dashboard-check`, which installs chromium first).
#
#   apt-get install -y chromium        # once
#   scripts/screenshot-dashboard.sh    # PORT=18090 by default; ALMANAC=path/to/almanac to skip the build
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18090}"
ALMANAC="${ALMANAC:-}"
if [ -z "$ALMANAC" ]; then
    swift build --product almanac >/dev/null
    ALMANAC="$(swift build --show-bin-path)/almanac"
fi
STATE="$(mktemp -d)"
CHROME_HOME="$(mktemp -d)"
export ALMANAC_API_TOKEN="${ALMANAC_API_TOKEN:-screenshot-token}"
"$ALMANAC" run examples/quickstart --state "$STATE" --listen "127.0.0.1:$PORT" --for 60s 2>"$STATE/run.log" &
PID=$!
cleanup() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$STATE" "$CHROME_HOME"; }
trap cleanup EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
# A few runs so the table has results: wait for the every-10-seconds job, and trigger one now.
curl -fs -X POST -H "Authorization: Bearer $ALMANAC_API_TOKEN" "http://127.0.0.1:$PORT/api/v1/jobs/hello/trigger" >/dev/null
sleep 12
CHROME=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$CHROME_HOME")
DOM="$("${CHROME[@]}" --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom "http://127.0.0.1:$PORT/" 2>"$STATE/chrome.log")"
# The page's one inline script is admitted by the Content-Security-Policy's hash: it must run
# (it marks <html data-script="ran">) and the browser must report no violation.
if grep -qi "content security policy" "$STATE/chrome.log" || ! grep -q 'data-script="ran"' <<<"$DOM"; then
    echo "FAIL: the dashboard's script did not run under its Content-Security-Policy:" >&2
    grep -i "content security policy" "$STATE/chrome.log" >&2 || true
    exit 1
fi
echo "ok: the dashboard's script runs under its Content-Security-Policy"
for job in hello flaky-sync nightly-report; do
    if ! grep -q ">$job</a>" <<<"$DOM"; then
        echo "FAIL: the jobs table does not list $job" >&2
        exit 1
    fi
done
echo "ok: the jobs table lists hello, flaky-sync and nightly-report"
if ! grep -q "class=\"pill ok\">success<" <<<"$DOM"; then
    echo "FAIL: no successful run shows in the jobs table" >&2
    exit 1
fi
echo "ok: the jobs table shows a successful run"
# Live: the page stays open while a run is triggered; the DOM it has 10 s after loading, never
# reloaded, must show that run (a strip mark scheduled after the load) and count a live update.
# (--dump-dom dumps at once after the load; the DevTools protocol reads the open page later.)
CDP_PORT=$((PORT + 1))
LOADED_MS=$(( $(date +%s%3N) ))
"${CHROME[@]}" --remote-debugging-port="$CDP_PORT" "http://127.0.0.1:$PORT/" 2>"$STATE/chrome-live.log" &
CHROME_PID=$!
sleep 4
curl -fs -X POST -H "Authorization: Bearer $ALMANAC_API_TOKEN" "http://127.0.0.1:$PORT/api/v1/jobs/hello/trigger" >/dev/null
sleep 6
python3 scripts/cdp-eval.py "$CDP_PORT" "document.documentElement.outerHTML" >"$STATE/live.html" || true
kill "$CHROME_PID" 2>/dev/null || true
wait "$CHROME_PID" 2>/dev/null || true
if ! python3 - "$STATE/live.html" "$LOADED_MS" <<'PY'
import re, sys
dom, loaded = open(sys.argv[1]).read(), int(sys.argv[2])
updates = re.search(r'data-live-updates="(\d+)"', dom)
state = re.search(r'data-live="(\w+)"', dom)
marks = [int(ms) for ms in re.findall(r'href="/jobs/hello#run-(\d+)-\d+"', dom)]
newest = max(marks, default=0)
print(f"live={state.group(1) if state else None} updates={updates.group(1) if updates else 0} newest hello run {newest - loaded} ms after load")
sys.exit(0 if state and state.group(1) == "up" and updates and int(updates.group(1)) >= 1 and newest > loaded + 2000 else 1)
PY
then
    echo "FAIL: a run triggered after the page loaded did not appear on it without a reload" >&2
    exit 1
fi
echo "ok: a run triggered after the page loaded appeared on it live, without a reload"
[ "${CHECK_ONLY:-0}" = 1 ] && exit 0
"${CHROME[@]}" --screenshot=docs/dashboard.png --window-size=1280,900 "http://127.0.0.1:$PORT/" 2>/dev/null
"${CHROME[@]}" --screenshot=docs/dashboard-job.png --window-size=1280,900 "http://127.0.0.1:$PORT/jobs/hello" 2>/dev/null
echo "saved docs/dashboard.png and docs/dashboard-job.png"
