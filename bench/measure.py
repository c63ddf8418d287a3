#!/usr/bin/env python3
"""Every figure issue 14 asks for, in one run (bench/run.sh builds the binaries first).

Each timing is min / median / max of RUNS runs (default 3) of the whole command, start to
exit; peak RSS is the largest of those runs (from getrusage of the child). The floor is
bench/parse_floor.rs: saphyr-parser over the same bytes as one stream, one thread.
"""
import os, pathlib, resource, shutil, statistics, subprocess, sys, tempfile, time

REPO = pathlib.Path(__file__).resolve().parent.parent
BIN = str(REPO / "target/release/zerodown")
FLOOR = str(REPO / "target/release/examples/parse_floor")
CORPUS = pathlib.Path(os.environ.get("CORPUS", REPO.parent / "shared/corpus/k8s"))
RUNS = int(os.environ.get("RUNS", "3"))


def run_once(args, env=None):
    """One run for its stderr (the per-rule timings); not timed."""
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return None, proc.returncode, proc.stderr


def measure(args, runs=RUNS):
    """(times, peak KiB, exit code). Each run is timed by a python of its own: getrusage's
    peak of children is the largest child so far, so one parent would blur the figures."""
    code = f"""
import resource, subprocess, sys, time
start = time.perf_counter()
p = subprocess.run({args!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)
"""
    times, peak, rc = [], 0, 0
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
        times.append(float(out[0]))
        peak = max(peak, int(out[1]))
        rc = int(out[2])
    return times, peak, rc


def floor_times(paths, runs=RUNS):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([FLOOR, *paths], stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def mmm(times):
    return f"{min(times)*1000:8.1f} / {statistics.median(times)*1000:8.1f} / {max(times)*1000:8.1f} ms"


def size(paths):
    return sum(os.path.getsize(p) for p in paths)


def corpus_files():
    return sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def versus_floor(name, lint_args, floor_paths, input_bytes):
    # Alternated run by run: this VM's speed drifts by a fifth or more within a minute, and
    # three runs of one then three of the other measured the drift as much as the code.
    times, floor, peak, rc = [], [], 0, 0
    for _ in range(RUNS):
        t, p, rc = measure([BIN, "lint", *lint_args, "--format", "json", "--no-config"], runs=1)
        times += t
        peak = max(peak, p)
        floor += floor_times(floor_paths, runs=1)
    ratio = statistics.median(times) / statistics.median(floor)
    print(f"{name:<28} {input_bytes/1e6:7.1f} MB  zerodown {mmm(times)}  floor {mmm(floor)}"
          f"  ratio {ratio:5.2f}  peak RSS {peak/1024:7.1f} MiB ({peak*1024/input_bytes:4.1f}x)  exit {rc}")


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="zerodown-bench-"))
    try:
        files = corpus_files()
        texts = [pathlib.Path(f).read_text() for f in files]
        print(f"runs per figure: {RUNS} (min / median / max); floor = parse_floor on the same bytes\n")

        print("== throughput and memory against the parse-only floor")
        # The corpus repeated to 50 MB (17,000+ objects sharing namespaces and names).
        one = "".join("---\n" + t + ("" if t.endswith("\n") else "\n") for t in texts)
        stream = work / "corpus-repeated.yaml"
        stream.write_text(one * (50_000_000 // len(one) + 1))
        versus_floor("corpus repeated (stream)", [str(stream)], [str(stream)], size([stream]))
        # Two real rendered apps (OpenTelemetry demo, Online Boutique) repeated to 50 MB.
        sources = sorted((CORPUS / "open-telemetry__opentelemetry-demo/kubernetes").glob("*.yaml")) + \
            sorted((CORPUS / "GoogleCloudPlatform__microservices-demo/release").glob("*.yaml"))
        unit = "".join("---\n" + p.read_text() for p in sources)
        rendered = work / "rendered-apps.yaml"
        rendered.write_text(unit * (50_000_000 // len(unit) + 1))
        versus_floor("rendered apps (stream)", [str(rendered)], [str(rendered)], size([rendered]))

        print("\n== many files: 10,000 small corpus manifests in 100 folders, against one stream")
        tree = work / "tree"
        small = [t for t in texts if len(t) < 20000]
        tree_paths = []
        for i in range(10_000):
            folder = tree / f"d{i // 100:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"m{i:05d}.yaml"
            path.write_text(small[i % len(small)])
            tree_paths.append(str(path))
        versus_floor("10,000 files", [str(tree)], tree_paths, size(tree_paths))

        print("\n== pre-commit: one small file, start to exit")
        small_file = str(REPO / "examples/fixed/checkout.yaml")
        n = 200
        zd = []
        fl = []
        for _ in range(RUNS):
            start = time.perf_counter()
            for _ in range(n):
                subprocess.run([BIN, "lint", small_file], stdout=subprocess.DEVNULL)
            zd.append((time.perf_counter() - start) / n)
            start = time.perf_counter()
            for _ in range(n):
                subprocess.run([FLOOR, small_file], stdout=subprocess.DEVNULL)
            fl.append((time.perf_counter() - start) / n)
        print(f"{'examples/fixed/checkout.yaml':<28} zerodown {mmm(zd)}  floor {mmm(fl)}  "
              f"ratio {statistics.median(zd)/statistics.median(fl):5.2f}  (mean of {n} each)")

        print("\n== scaling: objects of one namespace (bench/gen_namespace.py)")
        print(f"{'objects':>8} {'kind':<10} {'median ms':>10} {'us/object':>10} {'peak MiB':>9} "
              f"{'KiB/object':>10} {'slowest rule':<34} {'its us/object':>12}")
        gen = REPO / "bench/gen_namespace.py"
        formats = ["human", "json", "sarif", "github", "gitlab", "junit", "markdown"]
        format_rows = []
        for mode in ["distinct", "identical"]:
            for objects in [1_000, 5_000, 20_000]:
                path = work / f"ns-{mode}-{objects}.yaml"
                subprocess.run([sys.executable, str(gen), str(path), str(objects), mode], check=True)
                times, peak, _ = measure([BIN, "lint", str(path), "--format", "json", "--no-config"])
                env = dict(os.environ, ZERODOWN_RULE_TIMINGS="1")
                _, _, stderr = run_once([BIN, "lint", str(path), "--format", "json", "--no-config"], env)
                rules = [line.split() for line in stderr.decode().splitlines() if line.startswith("rule-timing")]
                slowest = max(rules, key=lambda r: float(r[1]))
                median = statistics.median(times)
                print(f"{objects:>8} {mode:<10} {median*1000:>10.1f} {median/objects*1e6:>10.1f} "
                      f"{peak/1024:>9.1f} {peak/objects:>10.2f} {slowest[-1]:<34} "
                      f"{float(slowest[1])/objects*1000:>12.2f}")
                row = []
                for fmt in formats:
                    t, _, _ = measure([BIN, "lint", str(path), "--format", fmt, "--no-config"], runs=1)
                    row.append(t[0] / objects * 1e6)
                format_rows.append((objects, mode, row))
        print(f"\n{'objects':>8} {'kind':<10} " + " ".join(f"{f:>9}" for f in formats) + "   (us per object, one run)")
        for objects, mode, row in format_rows:
            print(f"{objects:>8} {mode:<10} " + " ".join(f"{v:>9.1f}" for v in row))

        print("\n== 5,000 apps (Deployment, Service, PDB) in one namespace")
        apps = work / "apps.yaml"
        docs = []
        for i in range(5000):
            docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}, color: blue}}}}
    spec:
      containers:
      - {{name: web, image: "nginx:1.27", ports: [{{containerPort: 8080}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: app{i}}}
spec:
  selector: {{app: app{i}}}
  ports: [{{port: 80}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app{i}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: app{i}}}}}
""")
        apps.write_text("---\n".join(docs))
        times, peak, rc = measure([BIN, "lint", str(apps), "--format", "json", "--no-config"])
        b = size([apps])
        print(f"{'5,000 apps':<28} {b/1e6:7.1f} MB  {mmm(times)}  peak RSS {peak/1024:.1f} MiB "
              f"({peak*1024/b:.1f}x input)  exit {rc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
