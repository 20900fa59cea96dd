#!/usr/bin/env bash
# npm test: typecheck, unit tests (Node, no network), mesh tests (real sockets and
# WebRTC), the host's end-to-end tests (whole processes), browser tests (real Chromium), benchmark smoke run.
#
# Every stage runs, even after one fails, so one CI run shows every failure. Each
# stage's output goes to the terminal and to test-results/npm-test/<stage>.log;
# Vitest also writes a JUnit report there. The last lines printed are a summary:
# each stage's result and, for a failed one, its failing tests by name with their
# error and output, and the tail of its log. The exit code is non-zero if any
# stage failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
source scripts/apt-update-once.sh
source scripts/ensure-chromium.sh
source scripts/ensure-coturn.sh
source scripts/ensure-redis.sh
source scripts/ensure-nginx.sh

RESULTS=test-results/npm-test
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
STAGES="$RESULTS/stages.tsv"
: >"$STAGES"

# A stage that hangs (a process that never exits) must still end the run with
# its summary. The limits only catch hangs: on a 2-core machine shared with
# other work the unit stage took 15 minutes (4 when quiet), so each is about
# twice the slowest run seen.
# stage <name> <limit-seconds> <junit|-> <title> -- <command...>
stage() {
  local name=$1 limit=$2 junit=$3 title=$4
  shift 5
  local log="$RESULTS/$name.log" started=$SECONDS code=0
  echo "== $title"
  # --foreground: Ctrl-C still reaches the command when run from a terminal.
  timeout --foreground --kill-after=30 "$limit" "$@" 2>&1 | tee "$log" || code=${PIPESTATUS[0]}
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then
    echo "== $name: stopped after ${limit} s (exit $code)" | tee -a "$log"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$code" "$((SECONDS - started))" "$log" "$junit" >>"$STAGES"
}

# Vitest prints its usual report (ending "Tests  N passed") and writes JUnit for the summary.
vitest_stage() {
  local project=$1 limit=$2 title=$3 junit="$RESULTS/$1.junit.xml"
  stage "$project" "$limit" "$junit" "$title" -- \
    npx vitest run --project "$project" --reporter=default --reporter=junit --outputFile.junit="$junit"
}

vitest_stage unit 1800 "unit tests"
# The typecheck (one core for about half a minute) runs beside the mesh stage,
# which mostly waits on sockets and heartbeats: two files at a time, it used
# under half of the two cores (measured 2026-12-02). Its output is held
# and printed once the mesh stage ends, so the two logs do not interleave.
stage typecheck 600 - "typecheck (run beside the mesh stage)" -- \
  bash -c 'npx tsc -p tsconfig.json --noEmit && npx tsc -p packages/core/tsconfig.json --noEmit' \
  >"$RESULTS/typecheck.out" 2>&1 &
typecheck_pid=$!
vitest_stage mesh 1200 "mesh and signaling tests (real sockets, real WebRTC in Node; two files at a time)"
wait "$typecheck_pid" || true
cat "$RESULTS/typecheck.out"
vitest_stage host-e2e 1200 "host end-to-end tests (the CLI, npm start and servers as processes, two files at a time)"
vitest_stage browser 1200 "browser tests (real Chromium; two files at a time)"
# The benchmark smoke run proves the harness (sections in their own processes,
# the report, the JSON and the charts, a Chromium page) on its five cheapest
# sections. Every section at once (`npm run bench -- --quick`) took 110-145 s,
# which put the whole run within a minute of CI's 15 (2026-12-02); run it after
# changing a section.
stage bench 600 - "benchmark smoke run (five sections)" -- npx tsx bench/run.ts --quick --only cache,graph,scale,cachetree,hash

npx tsx scripts/test-summary.ts "$STAGES" || echo "(the summary failed: the logs are in $RESULTS)"
if cut -f2 "$STAGES" | grep -qv '^0$'; then exit 1; fi
