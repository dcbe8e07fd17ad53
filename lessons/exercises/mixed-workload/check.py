"""Grader for mixed-workload: fetches overlap on the loop, crunch runs in other processes.

`pyconc_check.crunch` returns the pid and thread it ran in, so where the CPU work ran is
checked directly, never timed.
"""

import asyncio
import os
import time

import pyconc_check as pc

pc.learner_importable()  # pool workers (spawn, forkserver) can import the learner's file

REQUESTS = list(range(8))
N = 100_000


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "handle_all")
    tracker = pc.InFlight()

    async def fetch(r):
        with tracker:
            await asyncio.sleep(0.2)
        return N + r

    out = pc.run_async(learner.handle_all, REQUESTS, fetch, pc.crunch, timeout=15)
    if not out.done or out.timed_out or out.error is not None:
        pc.report("requests handled", False, "handle_all() %s" % (
            out.error_text() or "did not finish within 15 s"))
        return
    results = list(out.value or [])
    want = [sum(i * i % 7 for i in range(N + r)) for r in REQUESTS]
    ok = len(results) == len(want) and [r[0] for r in results] == want
    pc.report("results in order", ok, "" if ok else "handle_all() did not return "
              "crunch's results in the order of the requests")
    if not ok:
        return
    overlap = tracker.max >= len(REQUESTS) // 2
    pc.report("fetches overlap", overlap,
              "" if overlap else "at most %d of %d fetches were waiting at the same time: "
              "waiting is what the event loop overlaps well" % (tracker.max, len(REQUESTS)),
              max_in_flight=tracker.max)
    me = os.getpid()
    loop_thread = out.thread.ident
    on_loop = sum(1 for _, pid, tid in results if pid == me and tid == loop_thread)
    in_threads = sum(1 for _, pid, tid in results if pid == me and tid != loop_thread)
    ok = on_loop == 0 and in_threads == 0
    pc.report("CPU work in other processes", ok,
              "" if ok else "%d crunch call(s) ran on the event loop itself (nothing else "
              "can run meanwhile) and %d in a thread of this process (the GIL lets one "
              "thread compute at a time): CPU-bound Python needs processes"
              % (on_loop, in_threads), on_loop=on_loop, in_threads=in_threads)
    deadline = time.monotonic() + 1.0
    left = pc.child_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = pc.child_processes()
    pc.report("no processes left running", not left,
              "" if not left else "still running after handle_all() returned: %s. Shut "
              "the pool down (a `with` block does it)" % ", ".join(left[:4]),
              processes=len(left))


if __name__ == "__main__":
    main()
