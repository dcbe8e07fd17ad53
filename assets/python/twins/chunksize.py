"""pyconc twin of the `processes` demo's chunksize cost, on a real ProcessPoolExecutor.

Usage: python chunksize.py [--workers N] [--tasks N] [--payload-kb KB] [--chunksize C ...]

For each chunksize given (default: 1 and 500), maps a near-empty task over --tasks items,
each carrying --payload-kb of bytes, with ProcessPoolExecutor(max_workers).map(chunksize=C),
after a warm-up that starts the workers. Every task is pickled, sent through a pipe by the
pool's feeder thread, unpickled, and its result sent back: the per-task cost is that IPC.
The last line is one JSON object. Standard library only.
"""

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def task(payload):
    return len(payload)


def run(workers, tasks, payload_kb, chunksize):
    payload = b"x" * (payload_kb * 1024)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(task, [b""] * workers, chunksize=1))  # start the workers
        start = time.perf_counter()
        total = sum(pool.map(task, [payload] * tasks, chunksize=chunksize))
        elapsed = time.perf_counter() - start
    assert total == tasks * len(payload)
    return elapsed


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tasks", type=int, default=256)
    p.add_argument("--payload-kb", type=int, default=1)
    p.add_argument("--chunksize", type=int, action="append")
    a = p.parse_args(argv)
    sizes = a.chunksize or [1, 500]
    rows = []
    for c in sizes:
        elapsed = run(a.workers, a.tasks, a.payload_kb, c)
        rows.append(
            {
                "chunksize": c,
                "elapsed_s": round(elapsed, 4),
                "per_task_us": round(elapsed / a.tasks * 1e6, 2),
            }
        )
    print(
        json.dumps(
            {
                "twin": "processes",
                "workers": a.workers,
                "tasks": a.tasks,
                "payload_kb": a.payload_kb,
                "python": {
                    "implementation": sys.implementation.name,
                    "version": "%d.%d.%d" % sys.version_info[:3],
                },
                "chunksizes": rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
