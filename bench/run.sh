#!/usr/bin/env bash
# Benchmarks the release binary: lint against the parse-only floor (bench/measure.py: 50 MB
# streams, 10,000 files, one small file, the scaling curve, every output format), then render
# and migrate lint start-to-exit and throughput. Not part of the tests: times are measured
# here, never asserted. RUNS=N sets the runs per lint figure (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-../shared/corpus/k8s}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -q
cargo build --release --locked -q --example parse_floor
bin="target/release/zerodown"

# Lint: throughput and memory against the parse-only floor, many files, pre-commit, the
# scaling curve per rule and per output format, the 5,000-app namespace.
python3 bench/measure.py
echo

# Peak RSS in KiB and wall seconds of one run.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.4f} {rss} {proc.returncode}")
PY
}

report() { # name bytes command…
  local name=$1 bytes=$2; shift 2
  read -r wall rss code < <(measure "$@")
  python3 -c "
b=$bytes; w=$wall; r=$rss
print(f'{\"$name\":<22} {b/1e6:8.1f} MB  {w*1000:8.1f} ms  {b/1e6/w:8.1f} MB/s  peak RSS {r/1024:7.1f} MiB ({r*1024/b:4.1f}x input)  exit $code')"
}

# render: one spec to a linted stream, start-to-exit, per strategy over Gateway API.
python3 - "$bin" examples/app/zerodown.yaml <<'PY'
import subprocess, sys, time
runs = 100
for strategy in ["rolling", "blue-green", "canary", "ab"]:
    args = [sys.argv[1], "render", sys.argv[2], "--no-config", "--strategy", strategy]
    if strategy == "ab":
        args += ["--set", "ab={image: ghcr.io/acme/checkout:1.5.0, header: x-variant, value: b}"]
    start = time.perf_counter()
    for _ in range(runs):
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
    mean = (time.perf_counter() - start) / runs * 1000
    print(f"{'render ' + strategy:<22} start-to-exit {mean:.2f} ms (mean of {runs})")
PY

# migrate lint: the SQL corpus, a generated ~20 MB migration folder (the corpus repeated, as
# separate files of one history), and start-to-exit on one migration file.
sql_corpus="${SQL_CORPUS:-../shared/corpus/sql}"
sql_bytes=$(find "$sql_corpus" -type f -name '*.sql' -print0 | xargs -0 cat | wc -c)
report "migrate: SQL corpus" "$sql_bytes" "$bin" migrate lint "$sql_corpus" --format json --no-config
sql_big="$work/migrations"
mkdir -p "$sql_big"
python3 - "$sql_corpus" "$sql_big" <<'PY'
import pathlib, sys
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.sql"))
out, n, size = pathlib.Path(sys.argv[2]), 0, 0
while size < 20_000_000:
    for f in files:
        text = f.read_bytes()
        (out / f"{n:06d}_{f.stem}.sql").write_bytes(text)
        n, size = n + 1, size + len(text)
PY
report "migrate: 20 MB folder" "$(cat "$sql_big"/*.sql | wc -c)" "$bin" migrate lint "$sql_big" --format json --no-config
python3 - "$bin" examples/migrations/broken/20261115090000_orders_status.up.sql <<'PY'
import subprocess, sys, time
runs = 200
start = time.perf_counter()
for _ in range(runs):
    subprocess.run([sys.argv[1], "migrate", "lint", sys.argv[2], "--no-config"], stdout=subprocess.DEVNULL)
print(f"{'migrate: one file':<22} start-to-exit {((time.perf_counter() - start) / runs) * 1000:.2f} ms (mean of {runs})")
PY
echo "(bench/migrate_vs_squawk.sh compares migrate lint with squawk on the same files)"
