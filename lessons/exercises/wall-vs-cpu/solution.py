"""Waiting or computing? Tell the two kinds of slow apart by measuring.

The grader calls `classify(fn)`. It must call `fn()` exactly once and return "io" if `fn`
spent its time waiting (sleeping, reading a socket, waiting for a lock or an event) or "cpu"
if it spent its time computing.
"""

import time


def classify(fn):
    """Call fn() once; return "io" if it mostly waited, "cpu" if it mostly computed."""
    wall_start = time.perf_counter()
    cpu_start = time.thread_time()  # advances only while this thread runs on a CPU
    fn()
    cpu = time.thread_time() - cpu_start
    wall = time.perf_counter() - wall_start
    # Waiting costs almost no CPU time. A computing function gets less than a full core on
    # a busy machine, so the bar is low: a tenth of the wall time.
    return "cpu" if cpu > 0.1 * wall else "io"


def _download():
    time.sleep(0.3)


def _compute():
    total = 0
    for i in range(3_000_000):
        total += i * i
    return total


if __name__ == "__main__":
    print("download:", classify(_download))
    print("compute:", classify(_compute))
