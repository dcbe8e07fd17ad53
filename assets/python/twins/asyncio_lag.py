"""pyconc twin of the `asyncio` demo's blocking and offload scenarios, on real asyncio.

Usage: python asyncio_lag.py [--scenario blocking|offload] [--tasks N] [--block-ms MS]

N ticker tasks each sleep 50 ms twenty times; a blocker task waits 300 ms, then makes one
200 ms blocking call (time.sleep) either on the loop (blocking) or in a worker thread via
loop.run_in_executor (offload), then sleeps 100 ms more. A heartbeat asks to be woken every
10 ms and records how late it ran: the loop lag. The last line is one JSON object.
Standard library only (3.7+).
"""

import argparse
import asyncio
import json
import sys
import time

TICK_MS = 50
TICKS = 20
BLOCKER_START_MS = 300
BLOCKER_TAIL_MS = 100
HEARTBEAT_MS = 10


def percentile(values, q):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return round(s[k], 3)


async def ticker():
    for _ in range(TICKS):
        await asyncio.sleep(TICK_MS / 1000.0)


async def blocker(offload, block_s):
    await asyncio.sleep(BLOCKER_START_MS / 1000.0)
    if offload:
        await asyncio.get_running_loop().run_in_executor(None, time.sleep, block_s)
    else:
        time.sleep(block_s)
    await asyncio.sleep(BLOCKER_TAIL_MS / 1000.0)


async def heartbeat(lags, stop):
    interval = HEARTBEAT_MS / 1000.0
    while not stop.is_set():
        due = time.perf_counter() + interval
        await asyncio.sleep(interval)
        lags.append(max(time.perf_counter() - due, 0.0) * 1000.0)


async def scenario(offload, tasks, block_s):
    lags = []
    stop = asyncio.Event()
    beat = asyncio.ensure_future(heartbeat(lags, stop))
    start = time.perf_counter()
    await asyncio.gather(blocker(offload, block_s), *[ticker() for _ in range(tasks)])
    elapsed = time.perf_counter() - start
    stop.set()
    await beat
    return elapsed, lags


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", default="blocking", choices=["blocking", "offload"])
    p.add_argument("--tasks", type=int, default=20)
    p.add_argument("--block-ms", type=float, default=200.0)
    a = p.parse_args(argv)
    offload = a.scenario == "offload"
    elapsed, lags = asyncio.run(scenario(offload, a.tasks, a.block_ms / 1000.0))
    ideal = max(TICK_MS * TICKS, BLOCKER_START_MS + a.block_ms + BLOCKER_TAIL_MS) / 1000.0
    print(
        json.dumps(
            {
                "twin": "asyncio",
                "scenario": a.scenario,
                "tasks": a.tasks,
                "block_ms": a.block_ms,
                "python": {
                    "implementation": sys.implementation.name,
                    "version": "%d.%d.%d" % sys.version_info[:3],
                },
                "ideal_s": round(ideal, 3),
                "scenario_s": round(elapsed, 3),
                "overhead_s": round(elapsed - ideal, 3),
                "heartbeats": len(lags),
                "lag_ms": {
                    "p50": percentile(lags, 0.5),
                    "p99": percentile(lags, 0.99),
                    "max": round(max(lags), 3) if lags else None,
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
