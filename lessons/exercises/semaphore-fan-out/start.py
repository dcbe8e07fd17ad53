"""Bound the fan-out with a Semaphore.

The grader runs `await fetch_all(urls, fetch, limit)`: `fetch(url)` is a coroutine (about
0.05 s) returning the page. Return the pages in the order of `urls`, with never more than
`limit` fetches running at the same time, and `limit` of them busy while work remains.
Keep the name `fetch_all`.
"""

import asyncio


async def fetch_all(urls, fetch, limit):
    """The pages of all urls, in order, at most `limit` fetches at a time."""
    return await asyncio.gather(*(fetch(url) for url in urls))


async def _demo_fetch(url):
    await asyncio.sleep(0.05)
    return "<html>%s</html>" % url


if __name__ == "__main__":
    pages = asyncio.run(fetch_all(["u%d" % i for i in range(20)], _demo_fetch, 4))
    print(len(pages), "pages")
