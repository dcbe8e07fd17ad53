"""One failing task in a TaskGroup, handled with except*.

The grader runs `await fetch_all(urls, fetch)`. `fetch(url)` is a coroutine that returns the
page, or raises ValueError(url) for a bad url. fetch_all must:
- return {url: page} when every fetch succeeds;
- when one or more fetches raise ValueError: stop the other fetches at once (none may still
  run after fetch_all has finished) and raise FetchFailed(list of the failed urls);
- let any other exception through (it may arrive inside an ExceptionGroup).
Keep the names `fetch_all` and `FetchFailed`. Needs Python 3.11+.
"""

import asyncio


class FetchFailed(Exception):
    """Some fetches failed; .urls lists them."""

    def __init__(self, urls):
        super().__init__("failed: " + ", ".join(urls))
        self.urls = list(urls)


async def fetch_all(urls, fetch):
    """{url: page} for every url, or FetchFailed naming the bad ones."""
    try:
        async with asyncio.TaskGroup() as tg:  # a failure cancels the siblings and waits
            tasks = {url: tg.create_task(fetch(url)) for url in urls}
    except* ValueError as group:  # only the ValueErrors; anything else passes on
        raise FetchFailed([str(e) for e in group.exceptions]) from None
    return {url: task.result() for url, task in tasks.items()}


async def _demo_fetch(url):
    await asyncio.sleep(0.1 if url != "bad" else 0.05)
    if url == "bad":
        raise ValueError(url)
    return "<html>%s</html>" % url


if __name__ == "__main__":
    print(asyncio.run(fetch_all(["a", "b"], _demo_fetch)))
    try:
        asyncio.run(fetch_all(["a", "bad", "b"], _demo_fetch))
    except FetchFailed as e:
        print("FetchFailed:", e.urls)
