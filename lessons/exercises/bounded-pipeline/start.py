"""A bounded producer-consumer with sentinels.

The grader calls `run_pipeline(items, process, workers)`: `items` is an iterator to read in
the calling thread (the producer); `process(item)` is a blocking call (about 5 ms) to make
from `workers` worker threads. Return the list of results (any order).
- Backpressure: the producer must never get more than 4 x workers items ahead of the
  items already processed.
- When run_pipeline returns, every worker thread has ended.
Keep the name `run_pipeline`.
"""

import queue
import threading
import time


def run_pipeline(items, process, workers):
    """[process(item) for item in items], computed by `workers` threads."""
    q = queue.Queue()
    results = []
    lock = threading.Lock()

    def worker():
        while True:
            item = q.get()
            result = process(item)
            with lock:
                results.append(result)
            q.task_done()

    for _ in range(workers):
        threading.Thread(target=worker, daemon=True).start()
    for item in items:
        q.put(item)
    q.join()
    return results


def _process(item):
    time.sleep(0.005)
    return item * 2


if __name__ == "__main__":
    print(sum(run_pipeline(iter(range(200)), _process, 4)))
    print("threads still alive:", threading.active_count() - 1)
