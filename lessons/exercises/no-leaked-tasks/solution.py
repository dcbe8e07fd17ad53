"""No task left behind.

The grader runs `await serve(requests, handle)`: start `handle(r)` for every request so that
they all run at the same time, and return (the number of requests) only when every one has
finished. If a handler raises, the error must reach serve()'s caller (it may come inside an
ExceptionGroup). No task may still be running when serve() returns.
Keep the name `serve`. Needs Python 3.11+.
"""

import asyncio


async def serve(requests, handle):
    """Handle every request concurrently; return how many were handled."""
    async with asyncio.TaskGroup() as tg:  # the block owns the tasks and waits for them
        for r in requests:
            tg.create_task(handle(r))
    return len(requests)


async def _demo_handle(r):
    await asyncio.sleep(0.1)
    print("handled", r)


if __name__ == "__main__":
    print("served", asyncio.run(serve(range(5), _demo_handle)))
