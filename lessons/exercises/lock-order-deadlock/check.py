"""Grader for lock-order-deadlock: opposite transfers from two threads must not deadlock.

Each account's lock is wrapped so that a thread pauses a moment after taking it: with locks
taken in an inconsistent order the two threads then deadlock almost at once, every run.
A deadlock is reported with the line each thread is stuck on.
"""

import threading
import time

import pyconc_check as pc

TRANSFERS = 40


def run(learner, progress):
    """Opposite transfers from two threads; progress[0] counts finished transfers."""
    a = learner.Account(1, 1000)
    b = learner.Account(2, 1000)
    for account in (a, b):
        account.lock = pc.SlowLock(account.lock, hold=0.002)
    start = threading.Barrier(2)

    def many(src, dst):
        start.wait()
        for _ in range(TRANSFERS):
            learner.transfer(src, dst, 1)
            progress[0] += 1

    threads = [threading.Thread(target=many, args=(a, b), name="a-to-b", daemon=True),
               threading.Thread(target=many, args=(b, a), name="b-to-a", daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return a.balance, b.balance


def run_watched(learner, stall_s=1.0, limit_s=8.0):
    """Run the transfers; stop watching once no transfer finished for `stall_s` seconds."""
    progress = [0]
    out = pc.call_with_timeout(run, learner, progress, timeout=0)
    seen, last_change, started = -1, time.monotonic(), time.monotonic()
    while not out.done:
        now = time.monotonic()
        if progress[0] != seen:
            seen, last_change = progress[0], now
        elif now - last_change > stall_s or now - started > limit_s:
            break
        out.thread.join(0.05)
    return out, progress[0]


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "Account", "transfer")

    x, y = learner.Account(1, 10), learner.Account(2, 0)
    out = pc.call_with_timeout(learner.transfer, x, y, 4, timeout=3)
    ok = out.done and out.error is None and (x.balance, y.balance) == (6, 4)
    pc.report("one transfer moves the money", ok,
              "" if ok else "transfer(a, b, 4) from 10 and 0 gave %s and %s (want 6 and 4)%s"
              % (x.balance, y.balance, ": " + out.error_text() if out.error else ""))

    out, finished = run_watched(learner)
    if not out.done:
        waits = pc.describe_threads([t for t in threading.enumerate()
                                     if t.name in ("a-to-b", "b-to-a")])
        pc.report("no deadlock", False,
                  "deadlock after %d of %d transfers: the two threads wait for each other's "
                  "lock forever. Where they wait: %s" % (finished, 2 * TRANSFERS,
                                                         "; ".join(waits)),
                  threads_waiting=len(waits), transfers_done=finished)
        pc.exit_now()
    if out.error is not None:
        pc.report("no deadlock", False, "the transfers raised " + out.error_text())
        return
    pc.report("no deadlock", True, "", seconds=out.elapsed_s)
    balances = out.value
    pc.report("no money lost", balances == (1000, 1000),
              "" if balances == (1000, 1000) else "after %d transfers each way the balances "
              "are %s and %s (want 1000 and 1000)" % (TRANSFERS, balances[0], balances[1]))


if __name__ == "__main__":
    main()
