#!/usr/bin/env bash
# Packs a release binary (built with --static-swift-stdlib; `make dist` builds it first) into
#   dist/almanac_<version>_<arch>.deb           /usr/bin/almanac, the systemd unit, man page, docs,
#                                               the quickstart
#   dist/almanac-<version>-linux-<arch>.tar.gz  the same files laid out for /usr/local
#   dist/SHA256SUMS
# The version is what the binary's `--version` prints (Sources/Daemon/AlmanacVersion.swift is
# its one source), the architecture what dpkg says. It fails when the binary needs a Swift
# runtime library or any library no Debian package provides, because the point of the package
# is a machine without a toolchain. `Depends:` comes from dpkg-shlibdeps on the binary, checked
# against the package owning each library it needs. SOURCE_DATE_EPOCH (default: the last
# commit's time) fixes every timestamp, so the same binary gives the same bytes.
#
#   scripts/dist.sh [BINARY]        (default: swift build -c release's almanac)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "dist: $*" >&2; exit 1; }

bin=${1:-$(swift build -c release --show-bin-path)/almanac}
[ -x "$bin" ] || fail "no binary at $bin (make dist builds it)"
bin=$(realpath "$bin")
version=$("$bin" --version)
source_version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/Daemon/AlmanacVersion.swift)
[ "$version" = "$source_version" ] ||
    fail "$bin says $version but AlmanacVersion.swift says $source_version: a stale build?"
[[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || fail "'$version' is not a Debian version"
arch=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-$(git log --reverse --format='%an <%ae>' 2>/dev/null | sed -n 1p)}
[ -n "$maintainer" ] || fail "set DEB_MAINTAINER (no git history to take it from)"

# --- What the binary needs at run time ---------------------------------------------------
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $bin"
swift_libs=$(echo "$needed" | grep -E '^(libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libXCTest)' || true)
[ -z "$swift_libs" ] || fail "$bin needs Swift runtime libraries (built without --static-swift-stdlib?): $(echo $swift_libs)"
# A run path ($ORIGIN, the toolchain) would let files beside the binary or a build tree stand in
# for Debian's libraries; make dist links with --disable-local-rpath.
runpath=$(readelf -d "$bin" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
[ -z "$runpath" ] || fail "$bin has a run path ($runpath); build it with --disable-local-rpath"
owners=""
for lib in $needed; do
    # `lib => /path (address)`, or for the dynamic loader `/path (address)`.
    path=$(ldd "$bin" | awk -v lib="$lib" '$1 == lib && $3 ~ /^\// {print $3}
                                           $1 ~ /^\// && substr($1, length($1) - length(lib)) == "/" lib {print $1}')
    [ -n "$path" ] || fail "$lib, which $bin needs, is not installed here"
    # With merged /usr a library resolves under /lib or /usr/lib; dpkg knows one of them.
    owner=""
    for candidate in "$path" "$(realpath "$path")" "/usr$path" "${path#/usr}"; do
        owner=$(dpkg -S "$candidate" 2>/dev/null | sed -n 1p | cut -d: -f1) && [ -n "$owner" ] && break
    done
    [ -n "$owner" ] || fail "$lib ($path) belongs to no Debian package"
    owners="$owners $owner"
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/debian/almanac

# --- The files, once; the .deb and the tarball differ only in where they put them ---------
install -d "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/doc/almanac/examples" "$root/usr/share/man/man1"
# The symbol table stays (Swift's crash backtraces name functions with it); debug info goes.
strip --strip-debug -o "$root/usr/bin/almanac" "$bin"
chmod 0755 "$root/usr/bin/almanac"
install -m 0644 packaging/almanac.service "$root/lib/systemd/system/almanac.service"
install -m 0644 README.md "$root/usr/share/doc/almanac/README.md"
# The quickstart, so a machine with only the package can try it (README, "Install").
cp -r examples/quickstart "$root/usr/share/doc/almanac/examples/"
chmod -R u=rwX,go=rX "$root/usr/share/doc/almanac/examples"
scripts/manpage.sh "$root/usr/bin/almanac" | gzip -9n > "$root/usr/share/man/man1/almanac.1.gz"

# What the binary is made of and under which licenses: a redistributed binary must carry the
# MIT texts and the Apache NOTICE files of what it links statically.
{
    echo "almanac $version"
    echo
    echo "Almanac: copyright the Almanac authors. Its repository states no license of its own."
    echo
    echo "/usr/bin/almanac links the following statically, each under its own license:"
    echo
    echo "  Swift runtime (standard library, Foundation with its ICU data, Dispatch), swift.org toolchain" \
         "$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | sed -n 1p):" \
         "Apache-2.0 with the Runtime Library Exception, https://swift.org/LICENSE.txt"
    texts=()
    for checkout in .build/checkouts/*/; do
        name=$(basename "$checkout")
        package_version=$(awk -v name="$name" '
            /"identity"/ {found = index($0, "\"" name "\"") > 0}
            found && /"version"/ {gsub(/[",]/, "", $3); print $3; exit}' Package.resolved 2>/dev/null)
        license_file=$(find "$checkout" -maxdepth 1 -type f \( -iname 'LICENSE*' -o -iname 'COPYING*' \) | sort | sed -n 1p)
        license="no license file found in its checkout"
        if [ -n "$license_file" ]; then
            if grep -q "Apache License" "$license_file"; then
                license="Apache-2.0 (/usr/share/common-licenses/Apache-2.0)"
            else
                license="$(head -1 "$license_file" | sed 's/^ *//'), text below"
                texts+=("$license_file")
            fi
        fi
        echo "  $name ${package_version:-(version unknown)}: $license"
        notice=$(find "$checkout" -maxdepth 1 -type f -iname 'NOTICE*' | sed -n 1p)
        [ -z "$notice" ] || texts+=("$notice")
    done
    for text in "${texts[@]}"; do
        echo
        echo "--- ${text#.build/checkouts/} ---"
        echo
        cat "$text"
    done
} > "$root/usr/share/doc/almanac/copyright"

# --- Depends: dpkg-shlibdeps, checked against the owners found above ----------------------
printf 'Source: almanac\n\nPackage: almanac\nArchitecture: any\n' > "$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O debian/almanac/usr/bin/almanac 2>"$stage/shlibdeps.log") ||
    fail "dpkg-shlibdeps failed: $(cat "$stage/shlibdeps.log")"
depends=$(echo "$shlibs" | sed -n 's/^shlibs:Depends=//p')
depends_names=$(echo "$depends" | tr ',|' '\n\n' | awk '{print $1}')
for owner in $owners; do
    echo "$depends_names" | grep -qxF "$owner" ||
        fail "dpkg-shlibdeps' Depends ($depends) lacks $owner, which provides a library almanac needs"
done
# postinst creates the service's user with adduser. HTTPS (webhooks, posts, git remotes)
# verifies against the system's CA certificates, which nothing in a library names. Time zones
# need no tzdata: the static Foundation carries ICU's zone data (dist-check runs `next` with
# /usr/share/zoneinfo hidden).
depends="adduser, $depends"
recommends="ca-certificates"

# --- The Debian package ------------------------------------------------------------------
install -d "$root/DEBIAN"
install -m 0755 packaging/postinst packaging/prerm packaging/postrm "$root/DEBIAN/"
cat > "$root/DEBIAN/control" <<EOF
Package: almanac
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Recommends: $recommends
Suggests: postgresql
Section: admin
Priority: optional
Description: schedules as code: cron jobs and scheduled posts as YAML
 Almanac keeps recurring jobs and one-shot scheduled posts as YAML files in a
 directory or a git repository. "almanac plan" shows what a change would do,
 "almanac run" fires each occurrence exactly once with Debian cron's
 semantics (daylight-saving transitions included), even across crashes, and
 journals every decision; an HTTP API, a dashboard and Prometheus metrics
 come with the runner. Several runners can share one schedule through
 PostgreSQL.
 .
 The systemd unit runs /etc/almanac/jobs.d as the almanac user; it is
 installed but not enabled.
EOF
(cd "$root" && find usr lib -type f | sort | xargs md5sum) > "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p dist
deb=dist/almanac_${version}_${arch}.deb
tarball=dist/almanac-${version}-linux-${arch}.tar.gz
rm -f "$deb" "$tarball" dist/SHA256SUMS
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

# --- The tarball: the same files under almanac-<version>-linux-<arch>/, laid out so that
# `tar -C /usr/local --strip-components=1 -xzf` installs them; its unit is the from-source
# one (examples/systemd/almanac.service), which runs /usr/local/bin/almanac. ---------------
top=almanac-${version}-linux-${arch}
tree=$stage/$top
install -d "$tree/bin" "$tree/lib/systemd/system" "$tree/share/man/man1" "$tree/share/doc/almanac"
cp -p "$root/usr/bin/almanac" "$tree/bin/"
install -m 0644 examples/systemd/almanac.service "$tree/lib/systemd/system/"
cp -p "$root/usr/share/man/man1/almanac.1.gz" "$tree/share/man/man1/"
cp -pr "$root/usr/share/doc/almanac/." "$tree/share/doc/almanac/"
# What the binary needs from Debian, for `apt-get install` before extracting.
echo "$depends" | sed 's/^adduser, //' > "$tree/share/doc/almanac/DEPENDS"
find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -cf - "$top" | gzip -n > "$tarball"

(cd dist && sha256sum "$(basename "$deb")" "$(basename "$tarball")" > SHA256SUMS)
echo "almanac $version ($arch), needs: $(echo $needed)"
echo "Depends: $depends"
ls -l "$deb" "$tarball"
