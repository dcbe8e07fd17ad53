"""CPU work in a process pool: a good chunksize and the __main__ guard.

Run as a script, this file must print `total N`, where N is the sum of score(n) for n in
range(20_000), computed in a ProcessPoolExecutor with 2 workers. The grader runs it with
the "spawn" start method (as on Windows and macOS) and counts how many round trips to the
workers it makes. Keep `score` as it is.
"""

from concurrent.futures import ProcessPoolExecutor


def score(n):
    """A little CPU work for one item."""
    return sum(i * i % 7 for i in range(n % 50 + 50))


items = range(20_000)
with ProcessPoolExecutor(max_workers=2) as pool:
    total = sum(pool.map(score, items))
print("total", total)
