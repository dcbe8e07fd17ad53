"""Grader for no-leaked-tasks: serve() must own its tasks: wait for them, surface errors."""

import asyncio

import pyconc_check as pc


def contains(exc, kind):
    """Whether exc is, or is a group holding, an exception of type kind."""
    if isinstance(exc, kind):
        return True
    return any(contains(e, kind) for e in getattr(exc, "exceptions", ()))


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "serve")
    done = []
    tracker = pc.InFlight()

    async def handle(r):
        with tracker:
            await asyncio.sleep(0.2)
        done.append(r)

    out = pc.run_async(learner.serve, list(range(10)), handle, timeout=5)
    if not out.done or out.timed_out or out.error is not None:
        pc.report("serve() returns", False, "serve() %s" % (
            out.error_text() or "did not finish within 5 s"))
        return
    pc.report("tasks still running at return", not out.pending,
              "" if not out.pending else "%d handler task(s) were still running when "
              "serve() returned: nothing waited for them" % len(out.pending),
              still_running=len(out.pending))
    ok = sorted(done) == list(range(10)) and out.value == 10
    pc.report("every request handled before return", ok,
              "" if ok else "when serve() returned %r, %d of 10 handlers had finished"
              % (out.value, len(done)), finished=len(done))
    ok = tracker.max >= 5 and out.elapsed_s < 1.0
    pc.report("handlers run at the same time", ok,
              "" if ok else "at most %d handlers ran at once (%.2f s for ten 0.2 s "
              "handlers)" % (tracker.max, out.elapsed_s), max_in_flight=tracker.max)

    async def failing(r):
        await asyncio.sleep(0.05)
        if r == 3:
            raise LookupError("no such user: %d" % r)

    out = pc.run_async(learner.serve, list(range(6)), failing, timeout=5)
    ok = out.error is not None and contains(out.error, LookupError)
    pc.report("a handler's error reaches the caller", ok,
              "" if ok else "a handler raised LookupError, but serve() %s" % (
                  "returned %r: the error was lost%s" % (
                      out.value, " (asyncio logged: %s)" % out.never_retrieved[0]
                      if out.never_retrieved else "")
                  if out.error is None else "raised " + out.error_text()))


if __name__ == "__main__":
    main()
