#!/usr/bin/env bash
# The libFuzzer harnesses (docs/fuzzing.md): builds them with -sanitize=address and libFuzzer's
# coverage in their own scratch path (.build/fuzz, so the normal .build stays as it is), runs each
# on a copy of its committed seed corpus and fails on any crash, broken property, leak, timeout
# or out-of-memory, printing the saved input's path.
#
#   scripts/fuzz.sh [--smoke] [harness ...]     harnesses: cron manifest journal api-bodies
#
# Long form: FUZZ_SECONDS per harness (default 600), or FUZZ_RUNS executions each when set.
# --smoke (CI): FUZZ_SMOKE_SECONDS each (default 20). FUZZ_JOBS harnesses at a time (default 2,
# the machine's cores). Crashing inputs are kept in $FUZZ_ARTIFACTS (default .build/fuzz/artifacts).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(cron manifest journal api-bodies)

scratch=.build/fuzz
artifacts=${FUZZ_ARTIFACTS:-$scratch/artifacts}
jobs=${FUZZ_JOBS:-2}
if [ $smoke = 1 ]; then
  limit=(-max_total_time="${FUZZ_SMOKE_SECONDS:-20}")
elif [ -n "${FUZZ_RUNS:-}" ]; then
  limit=(-runs="$FUZZ_RUNS")
else
  limit=(-max_total_time="${FUZZ_SECONDS:-600}")
fi

# -sanitize=fuzzer would link libFuzzer's own main, which SwiftPM's renamed Swift entry point
# (--defsym main=...) cannot displace; so: ASan plus libFuzzer's coverage instrumentation, and
# the runtime without main (Fuzz/FuzzSupport calls LLVMFuzzerRunDriver). lld, because gold
# fails on ASan's debug info ("internal error in format_file_lineno").
runtime=$(dirname "$(swiftc -print-target-info | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')")
fuzzer_lib=$(find "$runtime/clang" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
[ -n "$fuzzer_lib" ] || { echo "fuzz: libclang_rt.fuzzer_no_main not found under $runtime/clang" >&2; exit 1; }
build_flags=(-c debug --scratch-path "$scratch"
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
  -Xswiftc -use-ld=lld -Xlinker "$fuzzer_lib" -Xlinker -lstdc++)
for h in "${harnesses[@]}"; do
  [ -d "Fuzz/Corpus/$h" ] || { echo "fuzz: no harness '$h'" >&2; exit 2; }
  ALMANAC_FUZZ=1 swift build "${build_flags[@]}" --product "fuzz-$h" 2>&1 | grep -v '^\[' | grep -Ev 'unhandled|CMakeLists' || true
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz: building fuzz-$h failed" >&2; exit 1; }
done
bin=$(ALMANAC_FUZZ=1 swift build "${build_flags[@]}" --show-bin-path)

# What each harness may read: inputs no real file or body comes near, and a hang is a bug.
options() {
  case $1 in
    cron) echo "-max_len=128 -timeout=10" ;;
    manifest) echo "-max_len=16384 -timeout=20" ;;
    journal) echo "-max_len=8192 -timeout=10" ;;
    api-bodies) echo "-max_len=2048 -timeout=10" ;;
  esac
}

mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {
  local h=$1
  mkdir -p "$work/$h"
  cp -R "Fuzz/Corpus/$h" "$work/$h/corpus"
  local dict=()
  [ -f "Fuzz/Dictionaries/$h.dict" ] && dict=(-dict="Fuzz/Dictionaries/$h.dict")
  # Bad input never allocates without bound: 512 MB in one malloc, 2 GB resident at most.
  # shellcheck disable=SC2046
  # Swift's backtracer would read other threads' memory under ASan and be reported itself.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin/fuzz-$h" "${limit[@]}" $(options "$h") "${dict[@]}" \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$h-" "$work/$h/corpus" > "$work/$h/log" 2>&1
}

summary() {
  local h=$1 status=$2 log=$work/$1/log
  local execs rate seconds cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
  printf '%-11s %10s execs %7s exec/s %5ss  %s\n' "$h" "${execs:-?}" "${rate:-?}" "${seconds:-?}" "${cov:-?}"
  if [ "$status" != 0 ]; then
    echo "---- fuzz-$h failed (exit $status); its log:" >&2
    grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse)' "$log" | tail -60 >&2
    local saved
    saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    [ -n "$saved" ] && echo "---- input saved: $saved (replay: $bin/fuzz-$h $saved)" >&2
    return 1
  fi
}

failed=0
echo "harness          executions     rate   time  coverage"
for ((i = 0; i < ${#harnesses[@]}; i += jobs)); do
  batch=("${harnesses[@]:i:jobs}")
  pids=()
  for h in "${batch[@]}"; do run "$h" & pids+=($!); done
  for k in "${!batch[@]}"; do
    status=0
    wait "${pids[$k]}" || status=$?
    summary "${batch[$k]}" "$status" || failed=1
  done
done
exit $failed
