"""Grader for lost-update: deposits from 8 threads at once must all count.

The race is shaken out on purpose: the switch interval is set as small as CPython allows,
and reading `balance` lets another thread run before the value is used (a forced switch
between the load and the store), so an unlocked read-modify-write loses updates nearly
every run, while a locked one never does.
"""

import threading

import pyconc_check as pc

THREADS = 8
DEPOSITS = 60
RUNS = 5


def shaken_account_class(Account):
    """A subclass of the learner's Account whose balance reads yield to other threads."""

    class Shaken(Account):
        @property
        def balance(self):
            value = self.__dict__.get("_pyconc_balance", 0)
            pc.yield_now()  # another thread may run between this read and the write
            return value

        @balance.setter
        def balance(self, value):
            self.__dict__["_pyconc_balance"] = value

    return Shaken


def one_run(Account):
    account = Account(0)
    start = threading.Barrier(THREADS)

    def many():
        start.wait()
        for _ in range(DEPOSITS):
            account.deposit(1)

    threads = [threading.Thread(target=many, name="depositor-%d" % i) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return account.__dict__.get("_pyconc_balance", 0)


def all_runs(Account):
    with pc.shake_races():
        return [one_run(Account) for _ in range(RUNS)]


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "Account")
    Shaken = shaken_account_class(learner.Account)

    single = Shaken(0)
    out = pc.call_with_timeout(lambda: [single.deposit(5) for _ in range(3)], timeout=5)
    got = single.__dict__.get("_pyconc_balance", 0)
    if not out.done or out.error is not None or got != 15:
        pc.report("deposit adds", False, "three deposits of 5 on one thread gave %r (%s)"
                  % (got, out.error_text() or ("hung" if not out.done else "want 15")))
        return
    pc.report("deposit adds", True)

    out = pc.call_with_timeout(all_runs, Shaken, timeout=pc.time_limit() - 4)
    if not out.done:
        waits = pc.describe_threads([t for t in threading.enumerate()
                                     if t.name.startswith("depositor")])
        pc.report("no lost updates", False, "the deposits did not finish: "
                  + "; ".join(waits[:4]))
        pc.exit_now()
    if out.error is not None:
        pc.report("no lost updates", False, "deposit() raised " + out.error_text())
        return
    want = THREADS * DEPOSITS
    lost = [want - b for b in out.value]
    bad = sum(1 for n in lost if n)
    pc.report("no lost updates", bad == 0,
              "" if bad == 0 else "lost %d of %d deposits in %d of %d runs: two threads read "
              "the same balance, both add 1, and the second write overwrites the first"
              % (sum(lost), want * RUNS, bad, RUNS),
              lost=sum(lost), runs=RUNS, runs_with_losses=bad)


if __name__ == "__main__":
    main()
