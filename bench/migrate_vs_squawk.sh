#!/usr/bin/env bash
# Wall time of `zerodown migrate lint` against squawk (squawk-cli, pinned) on the same SQL
# files, given to each tool in one invocation:
#   (a) every .sql file of ../shared/corpus/sql (relative to the repo root), and
#   (b) those files copied COPIES times (default 20) into a temp folder.
# Each tool runs RUNS times (default 5) after one warm-up run; the median is reported.
# Uses hyperfine when it is on PATH, else a Python timing loop. Times are measured, never
# asserted; the linters' own exit codes (1 = findings, 2 = input errors) are ignored.
#
# Environment: CARGO_TARGET_DIR (default ./target), CORPUS, COPIES, RUNS,
# SQUAWK_VERSION (default 2.70.0), SQUAWK_VENV (default ${TMPDIR:-/tmp}/sqvenv).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${CORPUS:-../shared/corpus/sql}"
copies="${COPIES:-20}"
runs="${RUNS:-5}"
squawk_version="${SQUAWK_VERSION:-2.70.0}"
venv="${SQUAWK_VENV:-${TMPDIR:-/tmp}/sqvenv}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release -q
zerodown="$target/release/zerodown"

squawk="$venv/bin/squawk"
if ! "$squawk" --version 2>/dev/null | grep -qF "$squawk_version"; then
  echo "installing squawk-cli==$squawk_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "squawk-cli==$squawk_version"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/zd-vs-squawk.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mapfile -t small < <(find "$corpus" -type f -name '*.sql' | sort)
if [ "${#small[@]}" -eq 0 ]; then
  echo "no .sql files under $corpus" >&2
  exit 1
fi

# (b): COPIES copies of every file, flattened into one folder per copy.
big=()
for ((i = 1; i <= copies; i++)); do
  mkdir -p "$work/c$i"
  for f in "${small[@]}"; do
    name="$(printf '%s' "${f#"$corpus"/}" | tr '/' '_')"
    cp "$f" "$work/c$i/$name"
    big+=("$work/c$i/$name")
  done
done

# median_seconds LIST_FILE CMD...: the files listed in LIST_FILE are appended to CMD.
median_seconds() {
  local list=$1; shift
  if command -v hyperfine >/dev/null 2>&1; then
    local json="$work/hf.json" cmd
    # hyperfine runs the command through a shell (and subtracts the shell's start-up time).
    cmd="$(printf '%q ' "$@")\$(cat $(printf '%q' "$list"))"
    hyperfine --warmup 1 --runs "$runs" --ignore-failure --style none \
      --export-json "$json" "$cmd" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
  else
    python3 - "$runs" "$list" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, listing, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
files = open(listing).read().split("\n")
argv = cmd + [f for f in files if f]
times = []
for i in range(runs + 1):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if i:  # the first run is a warm-up
        times.append(time.perf_counter() - start)
print(statistics.median(times))
PY
  fi
}

exit_code() { "$@" >/dev/null 2>&1 && echo 0 || echo $?; }

printf '%s\n' "${small[@]}" > "$work/small.txt"
printf '%s\n' "${big[@]}" > "$work/big.txt"

timer="python loop"
command -v hyperfine >/dev/null 2>&1 && timer="hyperfine"
echo "zerodown: $("$zerodown" --version 2>/dev/null || echo "$zerodown")"
echo "squawk:   $("$squawk" --version)"
echo "timer:    $timer, median of $runs runs after 1 warm-up; $(nproc) cores"
echo
printf '| %-26s | %6s | %8s | %12s | %12s | %10s | %10s | %7s | %9s |\n' \
  input files MB "zerodown ms" "squawk ms" "zd files/s" "sq files/s" "sq/zd" "exit zd/sq"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' \
  "$(printf -- '-%.0s' {1..28})" "--------" "----------" "--------------" "--------------" \
  "------------" "------------" "---------" "-----------"
for input in small big; do
  list="$work/$input.txt"
  mapfile -t files < "$list"
  bytes=$(cat "${files[@]}" | wc -c)
  if [ "$input" = small ]; then label="corpus"; else label="corpus x$copies (generated)"; fi
  zd=$(median_seconds "$list" "$zerodown" migrate lint --no-config --format json)
  sq=$(median_seconds "$list" "$squawk" --reporter json)
  zd_exit=$(exit_code "$zerodown" migrate lint --no-config --format json "${files[@]}")
  sq_exit=$(exit_code "$squawk" --reporter json "${files[@]}")
  python3 - "$label" "${#files[@]}" "$bytes" "$zd" "$sq" "$zd_exit/$sq_exit" <<'PY'
import sys
label, n, b, zd, sq, codes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
print(f"| {label:<26} | {n:6d} | {b/1e6:8.2f} | {zd*1000:12.1f} | {sq*1000:12.1f} | {n/zd:10.0f} | {n/sq:10.0f} | {sq/zd:6.2f}x | {codes:>9} |")
PY
done
exit 0
