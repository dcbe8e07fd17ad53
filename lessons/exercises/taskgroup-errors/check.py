"""Grader for taskgroup-errors: a failing fetch must stop its siblings and be reported."""

import asyncio

import pyconc_check as pc


class Fetcher:
    """A fetch coroutine: bad urls raise after 0.05 s, slow ones take 2 s."""

    def __init__(self, bad=(), other_error=()):
        self.bad = set(bad)
        self.other_error = set(other_error)
        self.cancelled = 0

    async def __call__(self, url):
        try:
            if url in self.bad:
                await asyncio.sleep(0.05)
                raise ValueError(url)
            if url in self.other_error:
                await asyncio.sleep(0.05)
                raise TypeError("unexpected reply from " + url)
            await asyncio.sleep(0.1 if url.startswith("fast") else 2.0)
            return "page " + url
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


def contains(exc, kind):
    """Whether exc is, or is a group holding, an exception of type kind."""
    if isinstance(exc, kind):
        return True
    return any(contains(e, kind) for e in getattr(exc, "exceptions", ()))


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "fetch_all", "FetchFailed")

    urls = ["fast-1", "fast-2", "fast-3"]
    out = pc.run_async(learner.fetch_all, urls, Fetcher(), timeout=4)
    want = {u: "page " + u for u in urls}
    ok = out.done and out.error is None and out.value == want
    pc.report("all fetches succeed", ok,
              "" if ok else "with no failures fetch_all() gave %s" % (
                  out.error_text() or repr(out.value)))

    fetcher = Fetcher(bad=["bad"])
    out = pc.run_async(learner.fetch_all, ["slow-1", "bad", "slow-2", "slow-3"], fetcher,
                       timeout=4)
    err = out.error
    ok = isinstance(err, learner.FetchFailed) and list(getattr(err, "urls", [])) == ["bad"]
    pc.report("a failure raises FetchFailed", ok,
              "" if ok else "one fetch raised ValueError('bad'); want FetchFailed(['bad']), "
              "got %s" % (out.error_text() or "a normal return: %r" % (out.value,)))
    quick = out.elapsed_s < 1.0 and not out.pending
    pc.report("the other fetches are stopped", quick,
              "" if quick else "after the failure, fetch_all() took %.2f s and left %d "
              "fetch(es) still running when it finished (%s). Nobody waits for or cancels "
              "them: a TaskGroup would" % (out.elapsed_s, len(out.pending),
                                           ", ".join(out.pending[:3]) or "none"),
              seconds=out.elapsed_s, still_running=len(out.pending))

    out = pc.run_async(learner.fetch_all, ["slow-1", "bad-a", "bad-b"],
                       Fetcher(bad=["bad-a", "bad-b"]), timeout=4)
    err = out.error
    got = sorted(getattr(err, "urls", []) or [])
    ok = isinstance(err, learner.FetchFailed) and got == ["bad-a", "bad-b"]
    pc.report("every failure is named", ok,
              "" if ok else "two fetches raised ValueError at the same moment; want "
              "FetchFailed naming both, got %s" % (out.error_text() or repr(out.value)))

    out = pc.run_async(learner.fetch_all, ["slow-1", "odd"], Fetcher(other_error=["odd"]),
                       timeout=4)
    ok = (out.error is not None and contains(out.error, TypeError)
          and not isinstance(out.error, learner.FetchFailed))
    pc.report("other errors pass through", ok,
              "" if ok else "a fetch raised TypeError; it must reach the caller (alone or in "
              "an ExceptionGroup), got %s" % (out.error_text() or "a normal return"))


if __name__ == "__main__":
    main()
