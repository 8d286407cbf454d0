#!/usr/bin/env bash
# API conformance: schemathesis (PyPI, pinned) with every check against /api/v1/openapi.json
# on a real runner of examples/quickstart, in the three ways it is deployed:
#   1. API token set, requests authorised with it (writes run, reads open);
#   2. API and read tokens set, requests without a token (every operation must say 401);
#   3. API and read tokens set, requests with the read token (reads work, writes 401).
# Any failure fails the script. `make api-check` installs schemathesis into .build/venv first;
# schemathesis.toml (read from the repository root) holds the per-operation exceptions.
#
#   MAX_EXAMPLES=100 scripts/api-conformance.sh    # examples per operation (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
ST="${ST:-.build/venv/bin/st}"
MAX_EXAMPLES="${MAX_EXAMPLES:-50}"
ALMANAC="${ALMANAC:-$(swift build --show-bin-path)/almanac}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
WORK="$(mktemp -d)"
PID=""
stop() { if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap 'stop; rm -rf "$WORK"' EXIT

# start READ_TOKEN: a runner on a fresh state directory, ready before it returns.
start() {
    stop
    rm -rf "$WORK/state"
    ALMANAC_API_TOKEN=conformance-write ALMANAC_READ_TOKEN="$1" ALMANAC_WEBHOOK_SECRET=conformance-hook \
        "$ALMANAC" run examples/quickstart --state "$WORK/state" --listen "127.0.0.1:$PORT" 2>>"$WORK/run.log" &
    PID=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "FAIL: the runner did not become ready; its log:" >&2
    cat "$WORK/run.log" >&2
    exit 1
}

# check NAME [st options...]: one schemathesis run; prints its summary, fails on any failure.
# GET /api/v1/events is left out: its answer is a stream that lasts until the runner drains,
# and schemathesis reads a whole body before checking it (EventsTests checks that endpoint).
check() {
    local name="$1"; shift
    local out="$WORK/$name.txt"
    if ! "$ST" run "http://127.0.0.1:$PORT/api/v1/openapi.json" --checks all --max-examples "$MAX_EXAMPLES" \
        --exclude-path /api/v1/events --suppress-health-check all --no-color "$@" >"$out" 2>&1; then
        cat "$out" >&2
        echo "FAIL: schemathesis ($name) found failures" >&2
        exit 1
    fi
    echo "ok: $name: $(grep -E '[0-9]+ generated' "$out" | tail -1 | sed 's/^ *//')"
}

start ""
check "writes-authorised" -H "Authorization: Bearer conformance-write"
start conformance-read
check "no-token" 
check "read-token" -H "Authorization: Bearer conformance-read"
