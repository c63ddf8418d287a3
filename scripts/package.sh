#!/usr/bin/env bash
# Builds the release archive of one target and records its checksum in the krew manifest.
#
#   scripts/package.sh [--bin-dir DIR] [TARGET]
#
# TARGET defaults to the host's (rustc -vV). Without --bin-dir the binaries are built with
# `cargo build --release --locked --target TARGET`; with it, they are taken from DIR (the
# tests package the debug binaries this way). The archive is
#
#   dist/zerodown-v<version>-<TARGET>.tar.gz
#     zerodown                    the CLI
#     kubectl-zerodown            the kubectl plugin (`kubectl zerodown …`)
#     kubectl_complete-zerodown   completion for `kubectl zerodown <TAB>`
#     LICENSE
#     README.md
#
# and its sha256 replaces the one of the matching platform in plugins/zerodown.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=""
if [ "${1:-}" = "--bin-dir" ]; then
  bin_dir="$2"
  shift 2
fi
target="${1:-$(rustc -vV | sed -n 's/^host: //p')}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"

case "$target" in
  x86_64-unknown-linux-*) platform="linux-amd64" ;;
  aarch64-unknown-linux-*) platform="linux-arm64" ;;
  x86_64-apple-darwin) platform="darwin-amd64" ;;
  aarch64-apple-darwin) platform="darwin-arm64" ;;
  *) echo "error: $target: no krew platform for this target" >&2; exit 2 ;;
esac

if [ -z "$bin_dir" ]; then
  cargo build --release --locked --target "$target"
  bin_dir="target/$target/release"
fi

name="zerodown-v${version}-${target}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
for binary in zerodown kubectl-zerodown kubectl_complete-zerodown; do
  install -m 0755 "$bin_dir/$binary" "$stage/$name/$binary"
done
cp LICENSE README.md "$stage/$name/"
mkdir -p dist
# Files at the archive's top level, as the manifest's `files` entries name them.
tar -C "$stage/$name" -czf "$stage/$name.tar.gz" .
mv "$stage/$name.tar.gz" "dist/$name.tar.gz"
sum="$(sha256sum "dist/$name.tar.gz" | cut -d' ' -f1)"

# The platform's `sha256:` line is the one after its `uri:` line naming this target.
manifest="plugins/zerodown.yaml"
tmp="$(mktemp "$manifest.XXXXXX")"
awk -v target="$target" -v sum="$sum" '
  index($0, "uri:") && index($0, target) { hit = 1 }
  hit && $1 == "sha256:" { sub(/sha256: .*/, "sha256: \"" sum "\""); hit = 0 }
  { print }
' "$manifest" > "$tmp"
mv "$tmp" "$manifest"
echo "dist/$name.tar.gz $sum ($platform)"
