"""Grader for wall-vs-cpu: classify() must tell waiting functions from computing ones."""

import threading
import time

import pyconc_check as pc


def _sleeps():
    time.sleep(0.25)


def _waits_for_event():
    threading.Event().wait(0.25)


def _computes():
    # Spin until this thread has used 0.1 s of CPU, however busy the machine is.
    start = time.thread_time()
    total = 0
    while time.thread_time() - start < 0.1:
        for i in range(1000):
            total += i * i
    return total


CASES = [
    ("a function that sleeps", _sleeps, "io"),
    ("a function that computes", _computes, "cpu"),
    ("a function that waits on an Event", _waits_for_event, "io"),
]


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "classify")
    for label, fn, want in CASES:
        calls = []

        def counted(fn=fn):
            calls.append(1)
            return fn()

        out = pc.call_with_timeout(learner.classify, counted, timeout=5)
        if not out.done:
            pc.report(label, False, "classify() did not return within 5 s")
            continue
        if out.error is not None:
            pc.report(label, False, "classify() raised " + out.error_text())
            continue
        if len(calls) != 1:
            pc.report(label, False, "classify() must call fn() exactly once; it called it %d "
                      "times" % len(calls), calls=len(calls))
            continue
        got = out.value
        why = {
            "io": "it spent its time waiting, using almost no CPU: wall-clock time alone "
                  "makes it look busy; compare it with the CPU time",
            "cpu": "it kept a CPU busy the whole time",
        }[want]
        pc.report(label, got == want,
                  "" if got == want else "classify() said %r, but it is %r: %s"
                  % (got, want, why), answer=str(got), expected=want)


if __name__ == "__main__":
    main()
