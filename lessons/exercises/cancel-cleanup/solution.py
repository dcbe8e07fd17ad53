"""Clean up on cancellation, then re-raise.

The grader runs `worker(conn)` as a task and cancels it while it waits (directly, and through
asyncio.wait_for's timeout). `conn` has `async def recv()` (waits for the next message; it
may also raise ConnectionError) and `async def close()`. Whatever ends the worker, it must
close the connection, and a cancellation must carry on to whoever cancelled it.
Keep the name `worker`.
"""

import asyncio


async def worker(conn):
    """Receive messages until cancelled."""
    received = []
    try:
        while True:
            received.append(await conn.recv())
    finally:  # on cancellation, on error, on success; CancelledError carries on afterwards
        await conn.close()
        print("worker: closed after", len(received), "messages")


class _DemoConn:
    async def recv(self):
        await asyncio.sleep(0.05)
        return "message"

    async def close(self):
        print("connection closed")


async def _demo():
    try:
        await asyncio.wait_for(worker(_DemoConn()), timeout=0.2)
    except asyncio.TimeoutError:
        print("timed out, as asked")
    else:
        print("wait_for returned normally: the timeout got lost")


if __name__ == "__main__":
    asyncio.run(_demo())
