"""Grader for notify-all: sends awaited, concurrent, bounded by a timeout, loop never blocked."""

import asyncio
import warnings

import pyconc_check as pc

USERS = ["user%02d" % i for i in range(10)] + ["stuck-a", "stuck-b"]
TIMEOUT = 0.3
LAG_LIMIT_S = 0.15


def main():
    pc.arm_thread_dump()
    warnings.simplefilter("always", RuntimeWarning)
    learner = pc.load_learner()
    pc.require(learner, "notify_all")
    started, delivered = [], []
    tracker = pc.InFlight()

    async def send(user):
        started.append(user)
        with tracker:
            await asyncio.sleep(3600 if user.startswith("stuck") else 0.1)
        delivered.append(user)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = pc.run_async(learner.notify_all, USERS, send, TIMEOUT, timeout=5)
        import gc
        gc.collect()  # coroutines never awaited warn when collected
    never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    if not out.done or out.timed_out or out.error is not None:
        pc.report("notify_all returns", False, "notify_all() %s" % (
            out.error_text() or "did not finish within 5 s: a send that never finishes "
            "needs a timeout"))
        return
    ok = sorted(started) == sorted(USERS) and not never_awaited
    pc.report("every send awaited", ok,
              "" if ok else "%d of %d sends actually ran%s. Calling a coroutine function "
              "only creates a coroutine: it runs when awaited (or made a task)" % (
                  len(started), len(USERS),
                  " (Python warned: %s)" % never_awaited[0] if never_awaited else ""),
              ran=len(started))
    want = ["stuck-a", "stuck-b"]
    got = sorted(out.value) if isinstance(out.value, (list, tuple)) else out.value
    ok = got == want and len(delivered) == len(USERS) - 2
    pc.report("stuck sends time out", ok,
              "" if ok else "want %r returned and the other %d delivered; got %r and %d "
              "delivered" % (want, len(USERS) - 2, got, len(delivered)))
    ok = out.elapsed_s < TIMEOUT + 0.5 and tracker.max >= len(USERS) // 2
    pc.report("sends run at the same time", ok,
              "" if ok else "%.2f s for %d sends with a %.1f s timeout; at most %d at once"
              % (out.elapsed_s, len(USERS), TIMEOUT, tracker.max),
              seconds=out.elapsed_s, max_in_flight=tracker.max)
    ok = out.max_lag_s < LAG_LIMIT_S
    pc.report("the loop is never blocked", ok,
              "" if ok else "the event loop was stuck for %.2f s at a time: time.sleep() "
              "blocks the whole loop; in async code, await asyncio.sleep()" % out.max_lag_s,
              max_lag_s=out.max_lag_s)
    pc.report("no task outlives the call", not out.pending,
              "" if not out.pending else "%d task(s) still running after notify_all() "
              "returned" % len(out.pending), still_running=len(out.pending))


if __name__ == "__main__":
    main()
