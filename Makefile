# `make run` and `make test` do all the set-up on a fresh Debian machine: they install the
# system libraries Almanac links (libgit2, libyaml) and the PostgreSQL server the tests start
# their own throwaway instance of, when missing, through sudo when not root.
APT_PACKAGES := libgit2-dev libyaml-dev pkg-config postgresql faketime
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps run test bench chaos vectors dashboard-check api-check fuzz fuzz-smoke dist dist-check

# $(call apt-install,PACKAGES): installs those of PACKAGES dpkg does not know as installed.
define apt-install
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
endef

deps:
	$(call apt-install,$(APT_PACKAGES))

run: deps
	swift run almanac run examples/quickstart

# The crash and CLI tests drive the built `almanac` binary, so build it first. Suites run one
# after another: the timing tests (SIGKILL crash runs, 1-second schedules) should not share the
# two cores with each other.
test: deps
	swift build
	swift test --no-parallel

# The dashboard in headless Chromium (CI runs it after the tests): the jobs table must list the
# quickstart's jobs and a successful run.
dashboard-check: deps
	@command -v chromium >/dev/null && command -v curl >/dev/null || { \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium curl; }
	swift build --product almanac
	CHECK_ONLY=1 scripts/screenshot-dashboard.sh

# API conformance (CI runs it): schemathesis, pinned, in a virtualenv under .build, with every
# check against the OpenAPI document of a real runner, in three token set-ups
# (scripts/api-conformance.sh; MAX_EXAMPLES=N for a longer run).
VENV := .build/venv
SCHEMATHESIS := schemathesis==4.32.5

$(VENV)/bin/st:
	@command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null || { \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv; }
	@command -v curl >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y curl
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet $(SCHEMATHESIS)

api-check: deps $(VENV)/bin/st
	swift build --product almanac
	scripts/api-conformance.sh

# The chaos suites' long form (CI runs 30 s of each), for ALMANAC_CHAOS_SECONDS each (default
# here 300): file mode (SIGKILL, SIGSTOP, ENOSPC/EIO/read-only through libAlmanacFaults.so,
# unruly children), git mode (a remote that vanishes, flaps, declines pushes, is force-pushed)
# and the cluster (SIGKILL, SIGSTOP past the lease, killed connections and
# PostgreSQL restarts on three runners).
chaos: deps
	swift build
	ALMANAC_CHAOS_SECONDS=$${ALMANAC_CHAOS_SECONDS:-300} swift test --filter 'FileChaosTests|GitChaosTests|ClusterChaosTests'

# The cluster section's takeover row runs the `almanac` binary beside almanac-bench.
bench: deps
	swift build -c release --product almanac
	swift run -c release almanac-bench

# Regenerates the committed cronsim differential vectors (needs: pip install cronsim==2.8).
vectors:
	python3 scripts/gen_cron_vectors.py > Tests/CronScheduleTests/Vectors/cronsim.tsv

# The libFuzzer harnesses (docs/fuzzing.md): cron parser and `next`, manifest loader, journal
# line decoder, API request bodies, each on a copy of its seed corpus in Fuzz/Corpus. `fuzz` is
# the long run, FUZZ_SECONDS each (default 600) or FUZZ_RUNS executions each; `fuzz-smoke` is
# CI's, FUZZ_SMOKE_SECONDS each (default 20). Both fail on any crash, broken property, leak,
# timeout or runaway allocation and print where the input was saved.
fuzz: deps
	scripts/fuzz.sh

fuzz-smoke: deps
	scripts/fuzz.sh --smoke

# Install without building (README, "Install"): a release binary with the Swift runtime linked
# in, packed as dist/almanac_<version>_<arch>.deb and dist/almanac-<version>-linux-<arch>.tar.gz
# with SHA256SUMS (scripts/dist.sh; it fails if the binary needs a Swift .so). No $ORIGIN
# run path: an installed binary finds its libraries where Debian put them. dpkg-dev brings
# dpkg-shlibdeps (Depends: from the libraries the binary needs) and binutils (readelf, strip).
# DIST_CONFIG=debug packs a debug build instead (CI: the same static link and the same checks
# of the package, without a cold release build of about 20 minutes). It builds in its own
# scratch path: relinking .build's debug binary between the static and the default runtime
# failed now and then (an undefined ICU symbol, or the next default build failing).
DIST_CONFIG ?= release
DIST_SCRATCH = $(if $(filter debug,$(DIST_CONFIG)),--scratch-path .build/dist-debug)
DIST_BUILD = swift build -c $(DIST_CONFIG) $(DIST_SCRATCH) --product almanac --static-swift-stdlib --disable-local-rpath
dist: deps
	$(call apt-install,dpkg-dev)
	$(DIST_BUILD)
	scripts/dist.sh "$$($(DIST_BUILD) --show-bin-path)/almanac"

# CI runs it: dpkg -i the package here, the quickstart and the unit's command line from the
# installed binary, dpkg -r and --purge; the tarball's binary from a temp directory
# (scripts/dist-check.sh). groff renders the man page; systemd-analyze, where systemd is
# installed, verifies the unit.
dist-check: dist
	$(call apt-install,curl groff-base)
	@command -v python3 >/dev/null || { \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3; }
	scripts/dist-check.sh
