#!/usr/bin/env bash
# Builds the Lambda bundle that deploy/template.yaml points at (deploy/.lambda): the compiled
# JavaScript plus production dependencies. Install scripts are skipped, so the bundle holds no
# native binary and is the same on any build machine: the only native module, the SQLite
# driver, is loaded lazily and never on Lambda, where DATABASE_URL selects PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

out=deploy/.lambda
npm ci
npm run build
rm -rf "$out"
mkdir -p "$out"
cp -r dist package.json package-lock.json "$out"/
(cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund)
echo "Lambda bundle ready in $out ($(du -sh "$out" | cut -f1))"
