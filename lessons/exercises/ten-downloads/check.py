"""Grader for ten-downloads: fetch_all() must overlap blocking downloads with threads."""

import time

import pyconc_check as pc

LIMIT_S = 1.0  # ten 0.2 s downloads: 2.0 s one after another, about 0.2 s overlapped


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "fetch_all")
    watch = pc.ThreadWatch()
    tracker = pc.InFlight()

    def download(url):
        with tracker:
            time.sleep(0.2)
        return "page of " + url

    urls = ["https://example.com/%d" % i for i in range(10)]
    out = pc.call_with_timeout(learner.fetch_all, urls, download, timeout=6)
    if not out.done or out.error is not None:
        pc.report("ten downloads", False, "fetch_all() %s" % (
            "raised " + out.error_text() if out.done else "did not return within 6 s"))
        return
    fast = out.elapsed_s < LIMIT_S
    pc.report("ten downloads under 1 s", fast,
              "" if fast else "ten 0.2 s downloads took %.2f s: at most %d ran at once. "
              "While one waits, the others could be waiting too" % (out.elapsed_s, tracker.max),
              seconds=out.elapsed_s, max_in_flight=tracker.max)

    def uneven(url):
        # later urls finish first: the answer must still be in the order of urls
        time.sleep(0.02 + 0.01 * (len(urls) - urls.index(url)))
        return "page of " + url

    out = pc.call_with_timeout(learner.fetch_all, urls, uneven, timeout=6)
    want = ["page of " + u for u in urls]
    ok = out.done and out.error is None and out.value is not None and list(out.value) == want
    pc.report("pages in the order of urls", ok,
              "" if ok else "when later downloads finish first, fetch_all() returned %s"
              % ("an error: " + out.error_text() if out.error else
                 "the pages in a different order (or not all of them)"))

    def failing(url):
        time.sleep(0.02)
        if url.endswith("/3"):
            raise ConnectionError("server for %s went away" % url)
        return "page of " + url

    out = pc.call_with_timeout(learner.fetch_all, urls, failing, timeout=6)
    seen = out.error
    while seen is not None and not isinstance(seen, ConnectionError):
        seen = seen.__cause__ or seen.__context__
    pc.report("a failed download reaches the caller", out.done and seen is not None,
              "" if out.done and seen is not None else
              "one download raised ConnectionError, but fetch_all() %s" % (
                  "returned normally: the error was lost" if out.done else "hung"))

    left = watch.leaked(grace=0.5)
    pc.report("no threads left running", not left,
              "" if not left else "still running after fetch_all() returned: %s. Shut the "
              "pool down (a `with` block does it)" % ", ".join(left), threads=len(left))


if __name__ == "__main__":
    main()
