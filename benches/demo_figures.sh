#!/usr/bin/env bash
# The "what it must show" figures of every demo, measured headless on the release build.
# Usage: benches/demo_figures.sh [SECONDS]   (default 5 s per run; needs python3)
# Speedups need idle cores: on a busy machine they fall, and the gil demo says so in its
# `reference_core_share` figure.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
export PYCONC_WORKER_EXE="$PWD/target/release/pyconc"
s="${1:-5}"

# run NAME FIELDS... -- k=v...: one headless run, printing the named JSON fields.
run() {
  local name=$1; shift
  local fields=()
  while [ "$1" != "--" ]; do fields+=("$1"); shift; done
  shift
  local sets=()
  for kv in "$@"; do sets+=(--set "$kv"); done
  "$PYCONC_WORKER_EXE" demo "$name" "${sets[@]}" --headless --seconds "$s" --json |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
fields = sys.argv[1:]
def get(path):
    v = d
    for k in path.split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
    return v
name = d["demo"]
shown = "  ".join(f"{f}={get(f)}" for f in fields[:-1])
print(f"{name:<10} {fields[-1]:<42} {shown}")
' "${fields[@]}" "$*"
}

echo "== gil (issue 3)"
run gil speedup switches_per_s reference_core_share -- threads=2 workload=cpu
run gil speedup switches_per_s reference_core_share -- threads=4 workload=cpu
run gil speedup reference_core_share -- threads=2 workload=cpu mode=free-threaded
run gil speedup reference_core_share -- threads=2 workload=cpu mode=processes
run gil speedup io_ops_per_s -- threads=8 workload=io
run gil io_ops_per_s io_latency_ms.p50 -- threads=1 workload=io io_ms=0.5
run gil io_ops_per_s io_latency_ms.p50 io_latency_ms.p99 -- threads=2 workload=cpu,io io_ms=0.5
run gil io_ops_per_s io_latency_ms.p50 -- threads=2 workload=cpu,io io_ms=0.5 switch_interval_ms=1
run gil self_reacquires releases -- threads=2 workload=cpu mode=gil-legacy

echo "== asyncio (issue 4)"
run asyncio lag_ms.max elapsed_s -- scenario=blocking block_ms=200
run asyncio lag_ms.max elapsed_s -- scenario=offload block_ms=200
run asyncio peak_concurrency elapsed_s -- scenario=semaphore tasks=200 limit=10
run asyncio tasks_cancelled cleanups_run -- scenario=timeout tasks=200
run asyncio tasks_cancelled tasks_completed -- scenario=taskgroup
run asyncio tasks_completed elapsed_s ideal_s -- scenario=scale tasks=100000
run asyncio peak_concurrency requests requests_per_s -- scenario=io clients=1000

echo "== pool and processes (issue 5)"
run pool speedup efficiency -- workload=uniform
run pool steals speedup -- workload=skewed
run processes elapsed_s ipc_ms -- workload=tiny tasks=20000 chunksize=1 payload_kb=0
run processes elapsed_s ipc_ms -- workload=tiny tasks=20000 chunksize=500 payload_kb=0
run processes speedup startup_ms -- workload=uniform

echo "== threads and their hazards (issue 6)"
run race expected actual lost_updates -- mode=unsafe threads=4 increments=100000
run race expected actual lost_updates -- mode=unsafe threads=4 increments=100000
run race lost_updates -- mode=lock threads=4 increments=100000
run deadlock deadlocked cycle -- order=opposite
run deadlock deadlocked acquisitions -- order=consistent
run queue max_depth producer_blocked_ms produced consumed -- maxsize=10 produce_ms=1 consume_ms=10
run queue max_depth produced consumed -- maxsize=0 produce_ms=1 consume_ms=10
run threadpool speedup completion_order -- max_workers=4
