"""Grader for share-less: counts from several threads must all arrive.

The shared dict the grader passes yields to other threads right after every read, a forced
switch between load and store; with the smallest switch interval too, an unguarded
read-modify-write loses counts nearly every run. Chunks record which threads read them.
"""

import threading
from collections import Counter

import pyconc_check as pc

WORKERS = 4
RUNS = 3
WORDS = "alpha beta gamma delta".split()


class ShakyDict(dict):
    """A dict whose reads let another thread run before the value is used."""

    def get(self, key, default=None):
        value = dict.get(self, key, default)
        pc.yield_now()
        return value

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        pc.yield_now()
        return value


class Chunk(list):
    """A list of words that notes the threads iterating it."""

    readers = set()  # Thread objects (not idents: a finished thread's ident is reused)

    def __iter__(self):
        Chunk.readers.add(threading.current_thread())
        return list.__iter__(self)


def make_chunks():
    words = [WORDS[i % len(WORDS)] for i in range(320)]
    return [Chunk(words[i:i + 20]) for i in range(0, len(words), 20)]


def runs(count_words):
    results = []
    with pc.shake_races():
        for _ in range(RUNS):
            Chunk.readers = set()  # the last run's readers are counted
            chunks = make_chunks()
            counts = ShakyDict()
            count_words(chunks, counts, WORKERS)
            want = Counter(w for c in chunks for w in list(list.__iter__(c)))
            results.append((dict(counts), dict(want)))
    return results


def main():
    pc.arm_thread_dump()
    learner = pc.load_learner()
    pc.require(learner, "count_words")
    watch = pc.ThreadWatch()
    out = pc.call_with_timeout(runs, learner.count_words, timeout=pc.time_limit() - 5)
    if not out.done or out.error is not None:
        pc.report("counts arrive", False, "count_words() %s" % (
            "raised " + out.error_text() if out.done else "did not finish in time"))
        pc.exit_now()
    bad = [(got, want) for got, want in out.value if got != want]
    lost = sum(sum(want.values()) - sum(got.values()) for got, want in bad)
    pc.report("no lost counts", not bad,
              "" if not bad else "%d of %d runs had wrong counts (%d words lost in all): "
              "two threads read the same count and both write it back plus one"
              % (len(bad), RUNS, lost), runs_wrong=len(bad), lost=lost)
    readers = len(Chunk.readers - {threading.current_thread(), out.thread})
    ok = readers >= WORKERS
    pc.report("%d threads read the chunks" % WORKERS, ok,
              "" if ok else "the chunks were read by %d thread(s); split them among "
              "`workers` threads" % readers, threads=readers)
    left = watch.leaked(grace=0.3)
    pc.report("threads joined", not left,
              "" if not left else "still running: " + ", ".join(left[:4]))


if __name__ == "__main__":
    main()
