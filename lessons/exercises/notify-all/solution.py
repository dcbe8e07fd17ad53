"""Pitfalls review: three classic bugs in a few lines.

The grader runs `await notify_all(users, send, timeout)`: `send(user)` is a coroutine that
delivers a message (about 0.1 s; for some users it never finishes). Send to every user at
the same time, give each send at most `timeout` seconds, and return the sorted list of users
whose send timed out. Nothing may block the event loop, and no task may outlive the call.
Keep the name `notify_all`.
"""

import asyncio


async def notify_all(users, send, timeout):
    """Send to every user at once; return the sorted users whose send timed out."""

    async def notify_one(user):
        try:
            await asyncio.wait_for(send(user), timeout)  # awaited, and never forever
        except asyncio.TimeoutError:  # wait_for has cancelled the send
            return user
        return None

    results = await asyncio.gather(*(notify_one(user) for user in users))
    return sorted(user for user in results if user is not None)


async def _demo_send(user):
    await asyncio.sleep(0.1 if user != "carol" else 3600)
    print("sent to", user)


if __name__ == "__main__":
    print("timed out:", asyncio.run(notify_all(["alice", "bob", "carol"], _demo_send, 0.5)))
