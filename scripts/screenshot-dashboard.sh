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
[ "${CHECK_ONLY:-0}" = 1 ] && exit 0
"${CHROME[@]}" --screenshot=docs/dashboard.png --window-size=1280,900 "http://127.0.0.1:$PORT/" 2>/dev/null
"${CHROME[@]}" --screenshot=docs/dashboard-job.png --window-size=1280,900 "http://127.0.0.1:$PORT/jobs/hello" 2>/dev/null
echo "saved docs/dashboard.png and docs/dashboard-job.png"
