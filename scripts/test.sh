#!/usr/bin/env bash
# npm test: typecheck, unit tests (Node, no network), browser tests (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
source scripts/ensure-chromium.sh
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p packages/core/tsconfig.json --noEmit
echo "== unit tests"
npx vitest run --project unit
echo "== mesh and signaling tests (real sockets, real WebRTC in Node)"
npx vitest run --project mesh
echo "== browser tests"
npx vitest run --project browser
echo "== benchmark smoke run"
npx tsx bench/run.ts --quick
