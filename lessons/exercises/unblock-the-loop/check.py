"""Grader for unblock-the-loop: blocking lookups must not block the event loop.

A heartbeat task measures how late the loop runs it (loop lag), and asyncio's debug mode
reports every step that held the loop for more than 0.1 s.
"""

import time

import pyconc_check as pc

NAMES = ["alpha", "beta", "gamma", "delta", "epsilon"]
LAG_LIMIT_S = 0.15  # one blocked lookup alone is 0.2 s


def lookup(name):
    time.sleep(0.2)  # a blocking library call
    return "address of " + name


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "lookup_all")
    out = pc.run_async(learner.lookup_all, NAMES, lookup, timeout=5, debug=True, slow_s=0.1)
    if not out.done or out.timed_out or out.error is not None:
        pc.report("lookups finish", False, "lookup_all() %s" % (
            "raised " + out.error_text() if out.error else "did not finish within 5 s"))
        return
    want = ["address of " + n for n in NAMES]
    got = list(out.value) if out.value is not None else None
    pc.report("addresses in order", got == want,
              "" if got == want else "lookup_all() returned %r, want %r" % (got, want))
    ok = out.max_lag_s < LAG_LIMIT_S
    slow = out.slow[0] if out.slow else ""
    pc.report("the loop is never blocked", ok,
              "" if ok else "the event loop was stuck for %.2f s at a time: lookup() blocks "
              "the loop's only thread, so nothing else can run. asyncio's debug mode says: %s"
              % (out.max_lag_s, slow or "(no report)"),
              max_lag_s=out.max_lag_s, slow_callbacks=len(out.slow))
    fast = out.elapsed_s < 0.8
    pc.report("five lookups under 0.8 s", fast,
              "" if fast else "five 0.2 s lookups took %.2f s: they ran one after another"
              % out.elapsed_s, seconds=out.elapsed_s)


if __name__ == "__main__":
    main()
