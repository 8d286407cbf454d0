#!/bin/sh
# Three runners, one PostgreSQL journal, on this machine: `examples/cluster/run.sh [SECONDS]`.
#
# Starts a throwaway PostgreSQL in examples/cluster/.run/ (initdb, a free port, as the
# `postgres` user when run as root), builds almanac, starts three `almanac run --database`
# on the same job files with their own state directories, kills one of them with SIGKILL
# halfway (its peers take over: the leader lease, and any attempt it had running), then shows
# the cluster's status and which runner ran what, and removes everything it started.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-40}
run="$here/.run"
rm -rf "$run"; mkdir -p "$run"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL is not installed: make deps (or apt-get install postgresql)" >&2; exit 1; }
as_db() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$run"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_db "$pgbin/initdb" -D "$run/pg" -A trust -U almanac >/dev/null
as_db "$pgbin/pg_ctl" -D "$run/pg" -l "$run/pg.log" -w -o "-p $port -k $run -c listen_addresses=127.0.0.1" start >/dev/null
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_db "$pgbin/pg_ctl" -D "$run/pg" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM
as_db "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U almanac almanac

cd "$here/../.."
swift build --product almanac > "$run/build.log" 2>&1 || { cat "$run/build.log" >&2; exit 1; }
almanac=$(swift build --show-bin-path)/almanac
export ALMANAC_DATABASE_URL="postgres://almanac@127.0.0.1:$port/almanac?sslmode=disable"
export ALMANAC_EXAMPLE_EFFECTS="$run/effects.log"
: > "$ALMANAC_EXAMPLE_EFFECTS"
for n in 1 2 3; do
  "$almanac" run "$here/jobs" --state "$run/state-$n" --drain-timeout 10s > "$run/runner-$n.log" 2>&1 &
  pids="$pids $!"
done
echo "three runners on $ALMANAC_DATABASE_URL; logs in $run/runner-*.log"
sleep $((seconds / 2))
victim=$(echo $pids | cut -d' ' -f1)
echo "SIGKILL runner pid $victim and its jobs' process groups (as systemd kills a dead unit's cgroup); its peers take over within 15 s"
for child in $(pgrep -P "$victim" || true); do kill -9 -- "-$child" 2>/dev/null || true; done
kill -9 "$victim"
sleep $((seconds - seconds / 2))
"$almanac" status --path "$here/jobs" --database "$ALMANAC_DATABASE_URL"
echo; echo "who ran what (effects.log):"; cat "$ALMANAC_EXAMPLE_EFFECTS"
echo; echo "interrupted and taken over:"
grep -h "lost its lease\|interrupted\|now leading" "$run"/runner-*.log || echo "(nothing was running on the killed runner)"
