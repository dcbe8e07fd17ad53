"""Take a blocking call out of a coroutine.

The grader runs `await lookup_all(names, lookup)`: `lookup(name)` is a blocking function from
a library without async support (it takes about 0.2 s and returns an address). Return the
addresses in the order of `names`. The event loop must never be blocked: other tasks keep
running while the lookups wait, and five lookups take well under a second.
Keep the name `lookup_all`.
"""

import asyncio
import time


async def lookup_one(name, lookup):
    """The address of one name."""
    return lookup(name)


async def lookup_all(names, lookup):
    """The addresses of all names, in order."""
    return await asyncio.gather(*(lookup_one(name, lookup) for name in names))


def _slow_lookup(name):
    time.sleep(0.2)
    return "10.0.0.%d" % len(name)


if __name__ == "__main__":
    started = time.perf_counter()
    print(asyncio.run(lookup_all(["a", "bb", "ccc", "dddd", "eeeee"], _slow_lookup)))
    print("%.2f s" % (time.perf_counter() - started))
