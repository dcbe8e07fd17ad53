"""Grader for bounded-pipeline: results complete, producer bounded, workers stopped."""

import threading
import time

import pyconc_check as pc

ITEMS = 200
WORKERS = 4


class Tracked:
    """The producer's items and the workers' process(), measuring how far ahead reading gets."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pulled = 0
        self.processed = 0
        self.max_ahead = 0

    def items(self):
        for i in range(ITEMS):
            with self.lock:
                self.pulled += 1
                self.max_ahead = max(self.max_ahead, self.pulled - self.processed)
            yield i

    def process(self, item):
        time.sleep(0.005)
        with self.lock:
            self.processed += 1
        return item * 2


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "run_pipeline")
    watch = pc.ThreadWatch()
    tracked = Tracked()
    out = pc.call_with_timeout(learner.run_pipeline, tracked.items(), tracked.process,
                               WORKERS, timeout=6)
    if not out.done:
        waits = pc.describe_threads([t for t in watch.alive()])
        pc.report("the pipeline finishes", False, "run_pipeline() did not return within "
                  "6 s. Where the threads are: " + "; ".join(waits[:6]))
        pc.exit_now()
    if out.error is not None:
        pc.report("the pipeline finishes", False, "run_pipeline() raised " + out.error_text())
        return
    got = sorted(out.value or [])
    want = [2 * i for i in range(ITEMS)]
    pc.report("every item processed once", got == want,
              "" if got == want else "%d results for %d items (each item must be processed "
              "exactly once)" % (len(got), ITEMS), results=len(got))
    allowed = 4 * WORKERS
    bound = allowed + 1  # plus the one item in the producer's hand, waiting to be put
    ok = tracked.max_ahead <= bound
    pc.report("backpressure", ok,
              "" if ok else "the producer got %d items ahead of the workers (allowed: %d). "
              "An unbounded queue lets it read everything at once" % (tracked.max_ahead,
                                                                       bound - 1),
              max_ahead=tracked.max_ahead, allowed=bound - 1)
    left = watch.leaked(grace=0.5)
    pc.report("workers stopped", not left,
              "" if not left else "%d worker thread(s) still running after run_pipeline() "
              "returned, waiting on get() for items that will never come: tell each one "
              "to stop" % len(left), threads=len(left))


if __name__ == "__main__":
    main()
