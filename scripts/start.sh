#!/usr/bin/env bash
# npm start: the main job, on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
exec npx tsx apps/start/main.ts "$@"
