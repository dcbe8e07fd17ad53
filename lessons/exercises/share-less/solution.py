"""Count words from several threads, ready for free-threaded Python.

The grader calls `count_words(chunks, counts, workers)`: `chunks` is a list of lists of
words. Split the chunks among `workers` threads, and when count_words returns, `counts` (a
dict the grader gives you) must hold how many times each word occurs in all the chunks. The
grader checks that the chunks are read by `workers` threads, and it shakes the threads
(as a free-threaded build would) to show any lost update.
Keep the name `count_words`.
"""

import threading
from collections import Counter


def count_words(chunks, counts, workers):
    """Add the number of times each word occurs in chunks into counts, using threads."""
    partials = [Counter() for _ in range(workers)]  # one private Counter per thread

    def work(my_chunks, mine):
        for chunk in my_chunks:
            mine.update(chunk)  # nobody else touches `mine`: nothing to lock

    threads = [threading.Thread(target=work, args=(chunks[i::workers], partials[i]))
               for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for mine in partials:  # merged once, by this thread alone
        for word, n in mine.items():
            counts[word] = counts.get(word, 0) + n


if __name__ == "__main__":
    text = ("the quick brown fox jumps over the lazy dog " * 5000).split()
    chunks = [text[i:i + 100] for i in range(0, len(text), 100)]
    counts = {}
    count_words(chunks, counts, 4)
    print(counts["the"], "(expected 10000)")
