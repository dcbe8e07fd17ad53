"""Grader for semaphore-fan-out: at most `limit` fetches in flight, and `limit` kept busy."""

import asyncio

import pyconc_check as pc


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "fetch_all")
    for count, limit in ((40, 4), (21, 7)):
        tracker = pc.InFlight()

        async def fetch(url, tracker=tracker):
            with tracker:
                await asyncio.sleep(0.05)
            return "page " + url

        urls = ["u%d" % i for i in range(count)]
        out = pc.run_async(learner.fetch_all, urls, fetch, limit, timeout=5)
        label = "%d urls, limit %d" % (count, limit)
        if not out.done or out.timed_out or out.error is not None:
            pc.report(label, False, "fetch_all() %s" % (
                out.error_text() or "did not finish within 5 s"))
            continue
        got = list(out.value) if out.value is not None else None
        pc.report("pages in order (%s)" % label, got == ["page " + u for u in urls],
                  "" if got == ["page " + u for u in urls] else
                  "fetch_all() did not return the pages in the order of urls")
        pc.report("at most %d at once (%s)" % (limit, label), tracker.max <= limit,
                  "" if tracker.max <= limit else "%d fetches ran at the same time; the "
                  "server allows %d. Every fetch started at once" % (tracker.max, limit),
                  max_in_flight=tracker.max, limit=limit)
        pc.report("%d kept busy (%s)" % (limit, label), tracker.max >= limit,
                  "" if tracker.max >= limit else "never more than %d fetch(es) ran at "
                  "once: the limit is %d, use it" % (tracker.max, limit),
                  max_in_flight=tracker.max, seconds=out.elapsed_s)


if __name__ == "__main__":
    main()
