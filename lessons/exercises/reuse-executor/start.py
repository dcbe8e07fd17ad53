"""Create the executor once, reuse it.

A web service calls `handle(request)` once per request, often from several threads at once;
each request is a list of numbers, and the answer is [work(x) for x in request], computed in a
thread pool. When the service stops, it calls `close()` once. The grader makes 30 requests
(some at the same time), then calls close(), and counts the executors made.
Keep the names `handle`, `close` and `work`.
"""

import time
from concurrent.futures import ThreadPoolExecutor


def work(x):
    """A blocking call for one number (about 10 ms)."""
    time.sleep(0.01)
    return x * x


def handle(request):
    """[work(x) for x in request], in a thread pool."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(work, request))


def close():
    """Called once when the service stops."""


if __name__ == "__main__":
    for n in range(5):
        print(handle(list(range(n, n + 4))))
    close()
