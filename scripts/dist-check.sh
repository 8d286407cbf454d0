#!/usr/bin/env bash
# make dist-check (CI runs it): installs dist/almanac_<version>_<arch>.deb on this machine with
# dpkg -i and uses it as a user would, with no Swift toolchain on PATH or in the environment:
#   - checksums, package fields and contents; dpkg --verify after the install
#   - the installed binary needs no Swift runtime library, finds every library it needs, and
#     knows time zones without tzdata
#   - `almanac --version`, the man page (rendered by groff without a warning), the unit
#     (systemd-analyze verify), what postinst made (user, directories, a 0400 token)
#   - the package's quickstart (/usr/share/doc/almanac/examples) from the installed binary:
#     `almanac run` for 12 s, then `almanac status --format json` must show `hello` succeeded
#   - the unit's own ExecStart (its paths, user, token file) on a copy of the quickstart, as the
#     almanac user, with /readyz answered while it runs
#   - dpkg -r (binary gone, state kept), dpkg --purge (state and token gone)
# and extracts the tarball into a temp directory: its layout, `almanac --version`, `validate`
# on its quickstart, and the same binary as the package's.
# It refuses to run where an almanac package is installed already: it would remove it.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "dist-check: FAIL: $*" >&2; exit 1; }
step() { echo "dist-check: $*"; }
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
as_almanac() { if [ -n "$SUDO" ]; then sudo -u almanac -- "$@"; else runuser -u almanac -- "$@"; fi; }
# The installed binary as a user without the toolchain runs it: no /opt/swift on PATH, no
# LD_LIBRARY_PATH.
clean_env=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8)

version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/Daemon/AlmanacVersion.swift)
arch=$(dpkg --print-architecture)
deb=dist/almanac_${version}_${arch}.deb
tarball=dist/almanac-${version}-linux-${arch}.tar.gz
[ -f "$deb" ] && [ -f "$tarball" ] || fail "no $deb or $tarball (make dist makes them)"
if dpkg-query -W -f '${Status}' almanac 2>/dev/null | grep -q 'installed'; then
    fail "an almanac package is installed here already; remove it first (dist-check would)"
fi

work=$(mktemp -d)
installed=0
cleanup() {
    [ "$installed" = 0 ] || $SUDO dpkg --purge almanac >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

step "checksums"
(cd dist && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match dist/"

step "package fields and contents"
[ "$(dpkg-deb --field "$deb" Package)" = almanac ] || fail "Package is not almanac"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "Version is not $version"
[ "$(dpkg-deb --field "$deb" Architecture)" = "$arch" ] || fail "Architecture is not $arch"
depends=$(dpkg-deb --field "$deb" Depends)
for package in libc6 libgit2 libyaml adduser; do
    echo "$depends" | grep -q "$package" || fail "Depends ($depends) names no $package"
done
echo "$depends" | grep -qi swift && fail "Depends ($depends) names a Swift package"
contents=$(dpkg-deb -c "$deb" | awk '{print $1, $6}')
for entry in "-rwxr-xr-x ./usr/bin/almanac" "-rw-r--r-- ./lib/systemd/system/almanac.service" \
             "-rw-r--r-- ./usr/share/man/man1/almanac.1.gz" "-rw-r--r-- ./usr/share/doc/almanac/copyright" \
             "-rw-r--r-- ./usr/share/doc/almanac/README.md" \
             "-rwxr-xr-x ./usr/share/doc/almanac/examples/quickstart/scripts/report.sh"; do
    echo "$contents" | grep -qxF -- "$entry" || fail "the package lacks $entry"
done
dpkg-deb -c "$deb" | awk '$2 != "root/root" {exit 1}' || fail "files in the package not owned by root"

step "dpkg -i $deb"
$SUDO dpkg -i "$deb"
installed=1
dpkg-query -W -f '${Status}' almanac | grep -qx 'install ok installed' || fail "dpkg says: $(dpkg-query -W -f '${Status}' almanac)"
$SUDO dpkg --verify almanac || fail "dpkg --verify almanac found changed files"

step "the installed binary"
[ "$("${clean_env[@]}" /usr/bin/almanac --version)" = "$version" ] || fail "almanac --version is not $version"
ldd /usr/bin/almanac | grep -q 'not found' && fail "missing libraries: $(ldd /usr/bin/almanac | grep 'not found')"
ldd /usr/bin/almanac | grep -qiE 'swift|/opt/' && fail "it loads toolchain libraries: $(ldd /usr/bin/almanac | grep -iE 'swift|/opt/')"
[ "$("${clean_env[@]}" /usr/bin/almanac next '0 9 * * *' --tz America/New_York --from 2026-03-01T00:00:00Z --count 1)" = 2026-03-01T09:00:00-05:00 ] ||
    fail "almanac next gave the wrong time"
# Zones come from the ICU data linked in, not from tzdata (which the package does not depend
# on): the same answer with /usr/share/zoneinfo hidden in a private mount namespace.
if $SUDO unshare -m true 2>/dev/null; then
    hidden=$($SUDO unshare -m sh -c "mount --bind '$work' /usr/share/zoneinfo 2>/dev/null &&
        exec /usr/bin/almanac next '0 9 * * *' --tz America/New_York --from 2026-07-01T00:00:00Z --count 1")
    [ "$hidden" = 2026-07-01T09:00:00-04:00 ] || fail "without /usr/share/zoneinfo, next said '$hidden'"
else
    step "(no mount namespace here: not checked without /usr/share/zoneinfo)"
fi

step "man page"
zcat /usr/share/man/man1/almanac.1.gz | grep -q '^\.SS "almanac run"' || fail "the man page has no section for almanac run"
zcat /usr/share/man/man1/almanac.1.gz | grep -q '^\.SS "almanac journal verify"' || fail "the man page has no section for almanac journal verify"
if command -v groff >/dev/null; then
    warnings=$(zcat /usr/share/man/man1/almanac.1.gz | groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
    zcat /usr/share/man/man1/almanac.1.gz | groff -man -Tutf8 2>/dev/null | grep -q -- '--drain-timeout' ||
        fail "the rendered man page lacks run's --drain-timeout"
fi

step "what postinst made"
getent passwd almanac >/dev/null || fail "no almanac user"
[ "$(stat -c '%U %a' /var/lib/almanac)" = "almanac 750" ] || fail "/var/lib/almanac: $(stat -c '%U %a' /var/lib/almanac)"
[ "$($SUDO stat -c '%U %a %s' /etc/almanac/api-token | cut -d' ' -f1-2)" = "almanac 400" ] || fail "/etc/almanac/api-token is not almanac's, 0400"
[ -d /etc/almanac/jobs.d ] || fail "no /etc/almanac/jobs.d"
if command -v systemd-analyze >/dev/null; then
    # `verify` also loads the units it names (network-online.target); only almanac.service's
    # own lines count.
    verify=$(systemd-analyze verify /lib/systemd/system/almanac.service 2>&1 | grep 'almanac.service' || true)
    [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
else
    step "(no systemd-analyze here: the unit is not verified)"
fi

step "the package's quickstart from the installed binary (12 s)"
# As README's Install section runs it: the installed, read-only copy, the state elsewhere.
quickstart=/usr/share/doc/almanac/examples/quickstart
"${clean_env[@]}" HOME="$work" /usr/bin/almanac run "$quickstart" --state "$work/state" --for 12s > "$work/run.log" 2>&1 ||
    fail "almanac run exited $?: $(tail -5 "$work/run.log")"
"${clean_env[@]}" /usr/bin/almanac status --state "$work/state" --path "$quickstart" --format json > "$work/status.json"
python3 - "$work/status.json" <<'EOF' || fail "status after the quickstart: $(cat "$work/status.json")"
import json, sys
jobs = {job["name"]: job for job in json.load(open(sys.argv[1]))["jobs"]}
hello = jobs["hello"]
assert hello["lastOutcome"] == "success" and hello["lastExitCode"] == 0 and hello["successes"] >= 1, hello
EOF

step "the unit's ExecStart as the almanac user (12 s)"
# The command line systemd would run, with a copy of the quickstart for the (empty)
# /etc/almanac/jobs.d and a free port for 8080.
exec_start=$(sed -n '/^ExecStart=/,/[^\\]$/p' /lib/systemd/system/almanac.service | sed -e 's/^ExecStart=//' -e 's/\\$//' | tr -s ' \n' ' ')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$work/jobs.d" && cp -r "$quickstart/." "$work/jobs.d/" && chmod -R a+rX "$work"
# shellcheck disable=SC2086  # the unit's words
set -- $(echo "$exec_start" | sed -e "s| /etc/almanac/jobs.d | $work/jobs.d |" -e "s|127.0.0.1:8080|127.0.0.1:$port|")
[ "$1" = /usr/bin/almanac ] || fail "ExecStart runs $1, not /usr/bin/almanac"
(cd / && as_almanac "${clean_env[@]}" "$@" --for 12s > "$work/service.log" 2>&1) &
service=$!
ready=""
for _ in $(seq 1 50); do
    ready=$(curl -s "http://127.0.0.1:$port/readyz" || true)
    [ -n "$ready" ] && break
    sleep 0.2
done
wait "$service" || fail "the unit's command exited $?: $(tail -5 "$work/service.log")"
[ -n "$ready" ] || fail "/readyz never answered: $(tail -5 "$work/service.log")"
as_almanac "${clean_env[@]}" /usr/bin/almanac status --state /var/lib/almanac --path "$work/jobs.d" --format json > "$work/service-status.json"
python3 - "$work/service-status.json" <<'EOF' || fail "status of the service's run: $(cat "$work/service-status.json")"
import json, sys
jobs = {job["name"]: job for job in json.load(open(sys.argv[1]))["jobs"]}
assert jobs["hello"]["lastOutcome"] == "success" and jobs["hello"]["successes"] >= 1, jobs["hello"]
EOF
[ "$(stat -c %U /var/lib/almanac/journal.jsonl)" = almanac ] || fail "the journal is not the almanac user's"

step "dpkg -r, dpkg --purge"
$SUDO dpkg -r almanac >/dev/null
[ ! -e /usr/bin/almanac ] && [ ! -e /lib/systemd/system/almanac.service ] || fail "dpkg -r left files"
[ -f /var/lib/almanac/journal.jsonl ] && $SUDO test -f /etc/almanac/api-token || fail "dpkg -r removed the state or the token"
$SUDO dpkg --purge almanac >/dev/null
installed=0
[ ! -e /var/lib/almanac ] && ! $SUDO test -e /etc/almanac/api-token || fail "dpkg --purge left the state or the token"

step "the tarball"
mkdir "$work/tar"
tar -C "$work/tar" -xzf "$tarball"
top=$work/tar/almanac-${version}-linux-${arch}
for file in bin/almanac lib/systemd/system/almanac.service share/man/man1/almanac.1.gz \
            share/doc/almanac/README.md share/doc/almanac/copyright share/doc/almanac/DEPENDS \
            share/doc/almanac/examples/quickstart/hello.yaml; do
    [ -f "$top/$file" ] || fail "the tarball lacks $file"
done
[ "$("${clean_env[@]}" "$top/bin/almanac" --version)" = "$version" ] || fail "the tarball's almanac --version is not $version"
validated=$("${clean_env[@]}" "$top/bin/almanac" validate "$top/share/doc/almanac/examples/quickstart" 2>&1) ||
    fail "the tarball's almanac validate failed on its quickstart: $validated"
cmp -s "$top/bin/almanac" <(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/almanac) ||
    fail "the tarball's binary differs from the package's"

step "ok: $deb and $tarball install and run"
