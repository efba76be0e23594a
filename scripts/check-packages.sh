#!/usr/bin/env bash
# Checks the shape of every published package as npm will serve it: packs each one (pnpm
# applies publishConfig), then runs publint (strict: warnings fail) and arethetypeswrong on
# the tarball. The packages are ES modules only; Node 20.19+ loads them through require()
# too, so attw runs with the esm-only profile (no node10 or CommonJS-types resolution).
set -euo pipefail
cd "$(dirname "$0")/.."

packs=$(mktemp -d)
trap 'rm -rf "$packs"' EXIT

for package in packages/helpers packages/core; do
  (cd "$package" && pnpm pack --pack-destination "$packs" >/dev/null)
done

for tarball in "$packs"/*.tgz; do
  echo "== $(basename "$tarball")"
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
done
