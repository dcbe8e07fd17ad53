"""Grader for wait-without-spinning: wait_until() must wake promptly and not burn CPU."""

import threading
import time

import pyconc_check as pc

SET_AFTER = 0.4
CPU_BUDGET = 0.04  # seconds of CPU allowed over the 0.4 s wait (polling costs ~0.005)


def measured_wait(wait_until, ready, timeout):
    """Call wait_until in this thread; return (result, CPU seconds used, wall seconds)."""
    cpu0, wall0 = time.thread_time(), time.monotonic()
    result = wait_until(ready, timeout)
    return result, time.thread_time() - cpu0, time.monotonic() - wall0


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "wait_until")

    flag = threading.Event()
    set_at = []

    def set_flag():
        set_at.append(time.monotonic())
        flag.set()

    timer = threading.Timer(SET_AFTER, set_flag)
    timer.start()
    out = pc.call_with_timeout(measured_wait, learner.wait_until, flag.is_set, 3.0, timeout=5)
    timer.cancel()
    if not out.done or out.error is not None:
        pc.report("returns when ready", False, "wait_until() %s" % (
            "raised " + out.error_text() if out.done else "did not return within 5 s"))
        return
    result, cpu, wall = out.value
    woke = wall - SET_AFTER
    pc.report("returns when ready", result is True and woke < 0.15,
              "" if result is True and woke < 0.15 else
              "it returned %r %.2f s after ready() became True (want True within 0.15 s)"
              % (result, woke), late_s=woke)
    pc.report("waits without burning CPU", cpu < CPU_BUDGET,
              "" if cpu < CPU_BUDGET else
              "the waiting thread used %.3f s of CPU in a %.2f s wait: it spins. A spinning "
              "thread keeps a core busy and holds the GIL much of the time, slowing every "
              "other thread; sleeping releases both" % (cpu, wall),
              cpu_s=cpu, wall_s=wall)

    out = pc.call_with_timeout(measured_wait, learner.wait_until, lambda: False, 0.3,
                               timeout=5)
    if not out.done or out.error is not None:
        pc.report("gives up at the timeout", False, "wait_until() %s" % (
            "raised " + out.error_text() if out.done else "did not return within 5 s"))
        return
    result, cpu, wall = out.value
    ok = result is False and 0.25 <= wall < 0.8
    pc.report("gives up at the timeout", ok,
              "" if ok else "with a 0.3 s timeout and ready() never True it returned %r "
              "after %.2f s (want False after about 0.3 s)" % (result, wall), wall_s=wall)


if __name__ == "__main__":
    main()
