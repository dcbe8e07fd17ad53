"""Grader for cancel-cleanup: the worker must close its connection and not swallow cancellation."""

import asyncio

import pyconc_check as pc


class Conn:
    """A fake connection: a message every 20 ms; optionally fails after `fail_after`."""

    def __init__(self, fail_after=None):
        self.fail_after = fail_after
        self.sent = 0
        self.closed = 0

    async def recv(self):
        await asyncio.sleep(0.02)
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise ConnectionResetError("peer went away")
        self.sent += 1
        return "message %d" % self.sent

    async def close(self):
        await asyncio.sleep(0)
        self.closed += 1


async def cancelled_directly(worker):
    conn = Conn()
    verdict, value = await pc.cancel_outcome(worker, conn, after=0.1)
    return verdict, value, conn.closed


async def through_wait_for(worker):
    conn = Conn()
    try:
        value = await asyncio.wait_for(worker(conn), timeout=0.1)
    except asyncio.TimeoutError:
        return "timed out", None, conn.closed
    return "returned", value, conn.closed


async def on_error(worker):
    conn = Conn(fail_after=2)
    try:
        value = await asyncio.wait_for(worker(conn), timeout=2)
    except ConnectionError as e:
        return "raised", e, conn.closed
    except asyncio.TimeoutError:
        return "hung", None, conn.closed
    return "returned", value, conn.closed


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "worker")

    out = pc.run_async(cancelled_directly, learner.worker, timeout=4)
    if not out.done or out.error is not None or out.value is None:
        pc.report("cancellation carries on", False, "the cancelled worker %s" % (
            out.error_text() or "did not finish"))
        return
    verdict, value, closed = out.value
    pc.report("connection closed when cancelled", closed == 1,
              "" if closed == 1 else "close() was called %d times (want once)" % closed)
    ok = verdict == "cancelled"
    pc.report("cancellation carries on", ok,
              "" if ok else {
                  "swallowed": "the task was cancelled but returned %r normally: it "
                               "swallowed CancelledError, so the canceller never learns it "
                               "stopped. Re-raise it after cleaning up" % (value,),
                  "raised": "the cancelled task raised %r instead of CancelledError"
                            % (value,),
                  "finished": "the worker ended before it was cancelled",
              }.get(verdict, verdict), verdict=verdict)

    out = pc.run_async(through_wait_for, learner.worker, timeout=4)
    verdict = out.value[0] if out.value else (out.error_text() or "hung")
    ok = verdict == "timed out"
    pc.report("asyncio.wait_for can time it out", ok,
              "" if ok else "asyncio.wait_for(worker(conn), timeout=0.1) %s instead of "
              "raising TimeoutError: the timeout works by cancelling, and the worker "
              "swallowed the cancellation" % ("returned normally" if verdict == "returned"
                                              else "gave: " + str(verdict)))

    out = pc.run_async(on_error, learner.worker, timeout=4)
    if not out.done or out.value is None:
        pc.report("connection closed on error", False, "the worker %s" % (
            out.error_text() or "did not finish"))
        return
    verdict, value, closed = out.value
    ok = verdict == "raised" and closed == 1
    pc.report("connection closed on error", ok,
              "" if ok else "recv() raised ConnectionResetError: %s" % (
                  "the connection was never closed" if closed == 0 else
                  "the error did not reach the caller (%s)" % verdict))


if __name__ == "__main__":
    main()
