#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ (not committed) from the repository's
# examples, the YAML blocks of rules/*.md, the shared Kubernetes corpus and, for the render
# target, app specs. Files are named by content hash, so re-running only adds.
#   fuzz/seed.sh            # seed all three targets
#   SHARED_CORPUS=/path fuzz/seed.sh      # another folder of real-world manifests
#   CORPUS_DIR=/tmp/seeds fuzz/seed.sh     # write the seeds elsewhere
set -euo pipefail

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$fuzz_dir")
shared=${SHARED_CORPUS:-/work/shared/corpus/k8s}
max_len=${FUZZ_MAX_LEN:-300000}

corpus=${CORPUS_DIR:-$fuzz_dir/corpus}
manifest_dirs=("$corpus/yaml_load" "$corpus/lint_all_formats")
render_dir="$corpus/render_then_lint"
mkdir -p "${manifest_dirs[@]}" "$render_dir"

# add FILE DIR...: copy FILE into each DIR under its content hash (skipping oversized ones).
add() {
    local file=$1
    shift
    [ -s "$file" ] || return 0
    if [ "$(wc -c <"$file")" -gt "$max_len" ]; then
        echo "seed.sh: skipping $file (larger than $max_len bytes)" >&2
        return 0
    fi
    local name
    name=$(sha1sum "$file" | cut -c1-40)
    for dir in "$@"; do
        cp -f "$file" "$dir/$name"
    done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Every YAML file under examples/ and the YAML test data (peer suites).
while IFS= read -r -d '' file; do
    add "$file" "${manifest_dirs[@]}"
done < <(find "$repo/examples" "$repo/tests/data" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 2>/dev/null)

# 2. The ```yaml fenced blocks of rules/*.md, one seed per block.
for md in "$repo"/rules/*.md; do
    base=$(basename "$md" .md)
    awk -v out="$tmp/$base" '
        /^```yaml[[:space:]]*$/ { n++; file = sprintf("%s.%d.yaml", out, n); inside = 1; next }
        /^```/ && inside { inside = 0; close(file); next }
        inside { print > file }
    ' "$md"
done
for file in "$tmp"/*.yaml; do
    [ -e "$file" ] && add "$file" "${manifest_dirs[@]}"
done

# 3. The shared corpus of real-world manifests (read-only: copied).
if [ -d "$shared" ]; then
    while IFS= read -r -d '' file; do
        add "$file" "${manifest_dirs[@]}"
    done < <(find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0)
    # Two big multi-document streams (about 280 kB, under max_len) so the fuzzer starts with
    # inputs past the 256 kB size where parsing goes parallel: the shared files joined with
    # `---`, in name order and in reverse.
    for order in "" "-r"; do
        out="$tmp/big-stream$order.yaml"
        : >"$out"
        while IFS= read -r file; do
            [ "$(($(wc -c <"$out") + $(wc -c <"$file")))" -gt 280000 ] && continue
            printf -- '---\n' >>"$out"
            cat "$file" >>"$out"
            printf '\n' >>"$out"
        done < <(find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort $order)
        add "$out" "${manifest_dirs[@]}"
    done
else
    echo "seed.sh: $shared not found; skipping the shared corpus" >&2
fi

# 4. App specs for render: the example, the spec in tests/render.rs, and the example under
#    every strategy x traffic layer, with the commented-out migration and autoscaling on.
spec="$repo/examples/app/zerodown.yaml"
add "$spec" "$render_dir"
awk '/^const SPEC: &str = "\\$/ { inside = 1; next } inside && /^";$/ { exit } inside { print }' \
    "$repo/tests/render.rs" >"$tmp/test-spec.yaml" 2>/dev/null || true
add "$tmp/test-spec.yaml" "$render_dir"
# Uncomments `# migration:` / `# autoscaling:` blocks (and their indented lines).
sed -E 's/^# (migration:|autoscaling:)/\1/; s/^#   ([a-zA-Z])/  \1/; s/^  # (steps|pause):/  \1:/' \
    "$spec" >"$tmp/full.yaml"
for base in "$spec" "$tmp/full.yaml" "$tmp/test-spec.yaml"; do
    [ -s "$base" ] || continue
    for strategy in rolling blue-green canary ab; do
        for traffic in gateway istio nginx argo-rollouts; do
            out="$tmp/spec-$(basename "$base" .yaml)-$strategy-$traffic.yaml"
            sed -E "/^strategy:/d; /^traffic:/d" "$base" >"$out"
            printf 'strategy: %s\ntraffic: %s\n' "$strategy" "$traffic" >>"$out"
            case $strategy in
                ab) grep -q '^ab:' "$out" ||
                    printf 'ab:\n  image: ghcr.io/acme/checkout:1.5.0-b\n  header: x-variant\n  value: b\n' >>"$out" ;;
                blue-green) grep -q '^blueGreen:' "$out" ||
                    printf 'blueGreen:\n  active: green\n  standbyImage: ghcr.io/acme/checkout:1.5.0\n  scaleDownDelaySeconds: 30\n' >>"$out" ;;
            esac
            add "$out" "$render_dir"
        done
    done
done
# The smallest spec that renders.
printf 'name: a\nimage: r/a:1\n' >"$tmp/minimal.yaml"
add "$tmp/minimal.yaml" "$render_dir"

for dir in "${manifest_dirs[@]}" "$render_dir"; do
    echo "seed.sh: $(find "$dir" -type f | wc -l) seeds in $dir"
done
