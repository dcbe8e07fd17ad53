"""Grader for reuse-executor: one executor for every request, shut down by close()."""

import threading

import pyconc_check as pc


def main():
    pc.arm_thread_dump()
    watch = pc.ThreadWatch()
    pc.watch_executors()
    learner = pc.load_learner()
    pc.require(learner, "handle", "close")
    requests = [list(range(n, n + 4)) for n in range(30)]
    answers = [None] * len(requests)
    errors = []

    def serve(indexes):
        for i in indexes:
            try:
                answers[i] = learner.handle(requests[i])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append("%s: %s" % (type(e).__name__, e))

    def all_requests():
        serve(range(0, 10))  # one at a time
        clients = [threading.Thread(target=serve, args=(range(k, 30, 4),), daemon=True)
                   for k in range(10, 14)]  # then four clients at once
        for t in clients:
            t.start()
        for t in clients:
            t.join()

    out = pc.call_with_timeout(all_requests, timeout=8)
    if not out.done:
        pc.report("requests answered", False, "30 requests did not finish within 8 s")
        pc.exit_now()
    want = [[x * x for x in r] for r in requests]
    ok = not errors and answers == want
    pc.report("requests answered", ok, "" if ok else (
        "handle() raised " + errors[0] if errors else "some answers were wrong"))
    made = pc.executors_made()
    pc.report("one executor for all requests", made == 1,
              "" if made == 1 else "%d executors were made for 30 requests: each one "
              "starts and stops its own threads. Make one and reuse it" % made
              if made else "no executor was made: use a ThreadPoolExecutor",
              executors=made)
    out = pc.call_with_timeout(learner.close, timeout=4)
    still_open = pc.open_executors()
    left = watch.leaked(grace=0.5)
    ok = out.done and out.error is None and not still_open and not left
    pc.report("close() shuts it down", ok,
              "" if ok else out.error_text() or (
                  "after close(), %s" % ("an executor was never shut down" if still_open
                                         else "threads still run: " + ", ".join(left[:4]))),
              threads_left=len(left))


if __name__ == "__main__":
    main()
