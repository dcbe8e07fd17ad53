"""CPU work in a process pool: a good chunksize and the __main__ guard.

Run as a script, this file must print `total N`, where N is the sum of score(n) for n in
range(20_000), computed in a ProcessPoolExecutor with 2 workers. The grader runs it with
the "spawn" start method (as on Windows and macOS) and counts how many round trips to the
workers it makes. Keep `score` as it is.
"""

from concurrent.futures import ProcessPoolExecutor

WORKERS = 2


def score(n):
    """A little CPU work for one item."""
    return sum(i * i % 7 for i in range(n % 50 + 50))


def main():
    items = range(20_000)
    # A few big batches per worker: one round trip carries 2,500 items, not one.
    chunksize = max(1, len(items) // (WORKERS * 4))
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        total = sum(pool.map(score, items, chunksize=chunksize))
    print("total", total)


if __name__ == "__main__":  # workers import this file: only the main process runs main()
    main()
