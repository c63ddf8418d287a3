#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ and fuzzes each for a short while: a smoke test
# that the parsers, the lint pipeline, every output format and render do not panic, hang or
# blow up on inputs nobody wrote by hand.
#
#   scripts/fuzz-smoke.sh [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). Runs on stable Rust: cargo fuzz
# passes -Z flags, so RUSTC_BOOTSTRAP=1 is set here. Environment:
#   FUZZ_SECONDS=60          how long each target is fuzzed
#   FUZZ_SANITIZER=none      none (fastest; the code fuzzed has no unsafe: src/alloc.rs, the
#                            binaries' allocator, is not the fuzz targets') or address
#   FUZZ_SKIP_REGRESSIONS=1  do not replay fuzz/regressions/<target>/* before fuzzing
#   FUZZ_ARGS="..."          extra libFuzzer flags (e.g. -jobs=2 -workers=2)
#   RAYON_NUM_THREADS=1      the fuzz runs stay on one core by default
#
# Steps per target: replay fuzz/regressions/<target>/* (each input once), seed
# fuzz/corpus/<target>/ with fuzz/seed.sh if it is empty, then fuzz for FUZZ_SECONDS.
# Exits 1 if a regression input still fails or fuzzing finds a crash, a timeout (10 s) or
# an out-of-memory (4 GB); the input is left in fuzz/artifacts/<target>/. Slow units (over
# 1 s) are listed but do not fail the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

export RUSTC_BOOTSTRAP=1
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-none}
all_targets=(yaml_load lint_all_formats render_then_lint)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

# The limits every run uses: inputs up to 300 kB, 10 s per input, 4 GB of memory.
libfuzzer_flags=(-max_len=300000 -rss_limit_mb=4096 -timeout=10 -report_slow_units=1 -dict=yaml.dict)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

echo "fuzz-smoke: building ${targets[*]} (release, debug assertions, sanitizer $sanitizer)"
for target in "${targets[@]}"; do
    cargo fuzz build --release --debug-assertions --sanitizer "$sanitizer" "$target"
done
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="target/$host/release"

failed=()
for target in "${targets[@]}"; do
    bin="$bin_dir/$target"
    artifacts="artifacts/$target"
    mkdir -p "$artifacts" "corpus/$target"

    if [ -z "${FUZZ_SKIP_REGRESSIONS:-}" ] && [ -d "regressions/$target" ]; then
        mapfile -t inputs < <(find "regressions/$target" -type f ! -name '*.md' | sort)
        for input in "${inputs[@]}"; do
            if ! "$bin" "${libfuzzer_flags[@]}" -runs=1 "$input" >"$artifacts/regression.log" 2>&1; then
                echo "fuzz-smoke: $target: regression input $input still fails:" >&2
                grep -m5 -E "panicked|ERROR: libFuzzer|timeout|out-of-memory" "$artifacts/regression.log" >&2 || true
                failed+=("$target:$input")
            fi
        done
    fi

    if [ -z "$(find "corpus/$target" -type f -print -quit)" ]; then
        ./seed.sh
    fi

    marker=$(mktemp)
    log="$artifacts/fuzz-smoke.log"
    echo "fuzz-smoke: fuzzing $target for ${seconds}s (log: fuzz/$log)"
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    "$bin" "corpus/$target" "${libfuzzer_flags[@]}" -max_total_time="$seconds" \
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    grep -E "^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)" "$log" | tail -n1 || true
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" || true
    found=$(find "$artifacts" -newer "$marker" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    slow=$(find "$artifacts" -newer "$marker" -type f -name 'slow-unit-*' | sort)
    rm -f "$marker"
    if [ -n "$slow" ]; then
        echo "fuzz-smoke: $target: slow units (over 1 s):" $slow >&2
    fi
    if [ "$status" -ne 0 ] || [ -n "$found" ]; then
        echo "fuzz-smoke: $target: libFuzzer exited $status; found: ${found:-none}" >&2
        grep -m10 -E "panicked at|ERROR: libFuzzer|SUMMARY|^ +[0-9]+: zerodown::" "$log" >&2 || true
        echo "fuzz-smoke: reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run -O -a -s $sanitizer $target <input>" >&2
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz-smoke: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz-smoke: ok (${targets[*]}, ${seconds}s each)"
