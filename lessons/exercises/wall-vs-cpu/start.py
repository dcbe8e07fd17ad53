"""Waiting or computing? Tell the two kinds of slow apart by measuring.

The grader calls `classify(fn)`. It must call `fn()` exactly once and return "io" if `fn`
spent its time waiting (sleeping, reading a socket, waiting for a lock or an event) or "cpu"
if it spent its time computing.

Run this file to try it on two examples; `python3 start.py` prints what it decided.
"""

import time


def classify(fn):
    """Call fn() once; return "io" if it mostly waited, "cpu" if it mostly computed."""
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    # A slow function must be a busy one... must it?
    if elapsed > 0.1:
        return "cpu"
    return "io"


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
